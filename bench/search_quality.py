"""Search quality on the sample archive: recall@10 and MRR per query class.

    .venv/bin/python bench/search_quality.py [--home DIR] [--queries bench/queries.toml]
    .venv/bin/python bench/search_quality.py --write-queries --home DIR   (regenerate the set)

The queries (``bench/queries.toml``) name the sample-truth articles that are relevant to
each (their ``key``, e.g. ``ttshcb-1995-03#02``). Without ``--home`` the whole pipeline is
built first in a work folder (``bantin sample --size full`` then ``bantin build``); with it,
the home's catalog and index are used as they are.

Truth articles are matched to indexed articles by issue, page span and title (folded, at
most 10 % character edits); a relevant article the segmentation did not produce cannot be
found by search and is left out of that query's denominator (the count is printed).
recall@10 = relevant articles among the first ten hits / min(10, relevant articles);
MRR = mean over queries of 1 / rank of the first relevant hit (0 when none in the first 10).

Precision (issue 13): every hit the search counts (``total``, all pages of it) is checked
against its own indexed text (title, text, byline, from the catalog): it is right when the
text holds every typed word under the matching rule (a word typed with diacritics as that
very word, case and tone placement aside; one without, in any spelling; quoted words side by
side), as counted here independently of the index. Shown for hits on text-layer documents
(confidence 100) and on OCR'd ones. The ``collision`` class is a fixed list of accented
words whose folded forms collide (*nhũng*/*những*, *khoán*/*khoan*, ...): for each, ``total``
is compared with the exact count of articles holding it.

Possible hits on OCR'd documents: for the accented queries (``diacritics``, ``phrase``,
``filter``), the relevant truth articles on OCR'd pages found among the certain hits, among
certain + possible, and among the hits of the query's folded twin (all hits, not the first
ten); and the possible share, possible / (total + possible).

Classes: ``diacritics`` (words typed with diacritics), ``plain`` (the same queries without
diacritics: each ``diacritics``, ``phrase`` and ``filter`` query has its folded twin run
automatically), ``phrase`` (quoted), ``identifier`` (a cited document in another spelling),
``filter`` (words with a series or year filter). Targets (issue 5): recall@10 ≥ 0.95 for
diacritics and identifiers; each plain twin ≥ 0.9 of its diacritic query's recall.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archive.vntext import fold, match_key  # noqa: E402  (after sys.path)
from indexer.analyze.topicfile import SHIPPED as TOPICS_SHIPPED

TARGETS = {"diacritics": 0.95, "identifier": 0.95}
TWINNED = ("diacritics", "phrase", "filter")


def load_truth(home: Path) -> list[dict]:
    path = home / "sample-truth" / "articles.jsonl"
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def build_home(work: Path) -> Path:
    """Make the sample and run the whole pipeline (slow: OCR of the scanned issues)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    bantin = [sys.executable, "-m", "bantin", "--home", str(work), "--quiet"]
    if not (work / "sample-truth" / "articles.jsonl").exists():
        subprocess.run([*bantin, "sample", "--size", "full"], check=True, env=env, cwd=REPO)
    done = subprocess.run([*bantin, "build"], env=env, cwd=REPO)
    if done.returncode not in (0, 4):  # 4: some pages failed; the rest is usable
        raise SystemExit(f"bantin build failed ({done.returncode})")
    return work


def match_articles(catalog, truth: list[dict]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Truth key → indexed article id (same issue and page span, title within 10 % edits)."""
    from rapidfuzz.distance import Levenshtein

    from indexer.search.indexdocs import effective_articles

    by_issue: dict[str, list] = defaultdict(list)
    for doc in effective_articles(catalog, text=False):
        by_issue[doc.issue_id].append(doc)
    out: dict[str, str] = {}
    for t in truth:
        want = match_key(t["title"])
        best = None
        for doc in by_issue.get(t["issue"], []):
            if (doc.first_page, doc.last_page) != (t["first_page"], t["last_page"]):
                continue
            got = match_key(doc.title)
            dist = Levenshtein.distance(want, got)
            if dist <= 0.1 * max(len(want), 1) and (best is None or dist < best[0]):
                best = (dist, doc.id)
        if best is not None:
            out[t["key"]] = best[1]
    return out


def twin(query: dict) -> dict:
    plain = dict(query)
    plain["q"] = fold(query["q"])
    plain["class"] = "plain"
    plain["twin_of"] = query["q"]
    return plain


# --- the matching rule, counted without the index -------------------------------------

_SYL = re.compile(r"[^\W_]+")
COLLISIONS = ["nhũng", "tham nhũng", "khoán", "bão lũ", "chống tham nhũng", "của", "cửa",
              "công", "cống", "cổng", "cộng", "những", "lạm", "làm", "lâm", '"tham nhũng"',
              '"sinh hoạt chi bộ"', "nghị quyet"]


def _forms(text: str) -> list[tuple[str, str]]:
    from archive.vntext import canonical_word, nfc

    return [(canonical_word(w.lower()), fold(w)) for w in _SYL.findall(nfc(text))]


def holds(tokens: list[tuple[str, str]], q: str) -> bool:
    """Whether text tokens hold query ``q`` (unquoted words anywhere, quoted ones side by
    side) under the rule: a word with diacritics exactly, one without in any spelling."""
    def fits(token: tuple[str, str], word: tuple[str, str, bool]) -> bool:
        return token[0] == word[0] if word[2] else token[1] == word[1]

    def typed(text: str) -> list[tuple[str, str, bool]]:
        return [(e, f, e != f) for e, f in _forms(text)]

    exact = {t[0] for t in tokens}
    folded = {t[1] for t in tokens}
    for e, f, marked in typed(re.sub(r'"[^"]+"', " ", q)):
        if (e not in exact) if marked else (f not in folded):
            return False
    for phrase in re.findall(r'"([^"]+)"', q):
        words = typed(phrase)
        n = len(words)
        if not any(all(fits(tokens[i + j], words[j]) for j in range(n))
                   for i in range(len(tokens) - n + 1)):
            return False
    return True


def indexed_texts(catalog) -> dict[str, tuple[list[tuple[str, str]], float]]:  # type: ignore[no-untyped-def]
    """Every searchable document's tokens (title, text, byline as indexed) and confidence."""
    from indexer.search.indexdocs import effective_articles, effective_pages

    out = {}
    for doc in list(effective_articles(catalog)) + list(effective_pages(catalog)):
        text = "\n".join(p for p in (doc.title, doc.text, doc.byline) if p)
        out[doc.id] = (_forms(text), doc.conf)
    return out


def every_hit(index, request) -> tuple[list[tuple[str, bool]], int, int]:  # type: ignore[no-untyped-def]
    """(id, possible) of every hit, certain first; total; possible (no snippets)."""
    from dataclasses import replace

    out: list[tuple[str, bool]] = []
    page = 1
    while True:
        result = index.search(replace(request, page=page, per_page=1000), None, marks=False)
        out += [(h.id, h.possible) for h in result.hits]
        if not result.hits or len(out) >= result.total + result.possible:
            return out, result.total, result.possible
        page += 1


def run_queries(home: Path, queries: list[dict], matched: dict[str, str],
                texts: dict | None = None) -> list[dict]:
    from archive.catalog import Catalog
    from archive.config import load_config
    from indexer.search.engine import SearchRequest, search

    config = load_config(home)
    rows = []
    with Catalog(config.catalog_path, readonly=True) as catalog:
        for query in queries:
            request = SearchRequest(q=query["q"], series=query.get("series", ""),
                                    year_from=query.get("from"), year_to=query.get("to"), per_page=10)
            result = search(config, request, catalog)
            top = [h.id for h in result.hits]
            relevant = {matched[k] for k in query["relevant"] if k in matched}
            missing = [k for k in query["relevant"] if k not in matched]
            found = [i for i in top if i in relevant]
            recall = len(found) / min(10, len(relevant)) if relevant else float("nan")
            first = next((n for n, i in enumerate(top, 1) if i in relevant), None)
            row = {**query, "recall": recall, "rr": 1 / first if first else 0.0, "top": top,
                   "total": result.total, "possible": result.possible,
                   "unsegmented": len(missing), "relevant_n": len(relevant)}
            if texts is not None:
                row.update(_precision(config, request, texts, relevant))
            rows.append(row)
    return rows


def _precision(config, request, texts: dict, relevant: set[str]) -> dict:  # type: ignore[no-untyped-def]
    """Precision of every counted hit on text and on OCR'd documents; relevant articles on
    OCR'd documents found certainly, possibly, and by the folded twin."""
    from dataclasses import replace

    from indexer.search.engine import open_index

    index = open_index(config)
    found, total, possible = every_hit(index, replace(request, per_page=1000))
    right = {"text": [0, 0], "ocr": [0, 0]}
    for doc_id, maybe in found:
        if maybe or doc_id not in texts:
            continue
        tokens, conf = texts[doc_id]
        kind = "text" if conf >= 100 else "ocr"
        right[kind][1] += 1
        right[kind][0] += holds(tokens, request.q)
    certain = {d for d, m in found if not m}
    maybe = {d for d, m in found if m}
    on_ocr = {r for r in relevant if r in texts and texts[r][1] < 100}
    folded, _t, _p = every_hit(index, replace(request, q=fold(request.q), per_page=1000))
    folded_ids = {d for d, _m in folded}
    return {"precision_text": right["text"], "precision_ocr": right["ocr"],
            "all_total": total, "all_possible": possible, "ocr_relevant": len(on_ocr),
            "ocr_certain": len(on_ocr & certain), "ocr_with_possible": len(on_ocr & (certain | maybe)),
            "ocr_folded": len(on_ocr & folded_ids)}


def collision_rows(config, texts: dict) -> list[dict]:  # type: ignore[no-untyped-def]
    """Accented words whose folded forms collide: total against the exact count."""
    from indexer.search.engine import SearchRequest, open_index

    index = open_index(config)
    rows = []
    for q in COLLISIONS:
        request = SearchRequest(q=q, per_page=1000)
        found, total, possible = every_hit(index, request)
        exact = sum(1 for doc_id, (tokens, _conf) in texts.items()
                    if _is_article_scope(index, doc_id) and holds(tokens, q))
        folded = index.search(SearchRequest(q=fold(q), per_page=1), None, marks=False).total
        good = sum(1 for d, m in found if not m and d in texts and holds(texts[d][0], q))
        rows.append({"q": q, "total": total, "possible": possible, "exact": exact,
                     "folded": folded, "precision": good / total if total else 1.0})
    return rows


_SCOPES: dict[str, bool] = {}


def _is_article_scope(index, doc_id: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether an article search counts this document: articles, and pages no article
    covers (orphans), as the index's scope column says."""
    if not _SCOPES:
        gen = index.generation()
        scope = gen.attrs["scope"]
        for docnum in range(gen.size):
            if gen.live[docnum]:
                _SCOPES[gen.stored(docnum)["id"]] = scope.values[scope.codes[docnum]] in ("article", "orphan")
    return _SCOPES.get(doc_id, False)


def report(rows: list[dict], home: Path) -> None:
    from bench.machine import machine

    print(f"Machine: {machine()}")
    print(f"Archive: {home} ({len(rows)} query runs)")
    print()
    print("| class | queries | recall@10 | MRR | precision (text) | precision (OCR) | target |")
    print("|---|---|---|---|---|---|---|")
    classes: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["relevant_n"]:
            classes[r["class"]].append(r)
    for name in ("diacritics", "plain", "phrase", "identifier", "filter"):
        group = classes.get(name, [])
        if not group:
            continue
        recall = sum(r["recall"] for r in group) / len(group)
        mrr = sum(r["rr"] for r in group) / len(group)
        target = f"recall ≥ {TARGETS[name]:.2f}" if name in TARGETS else ""
        if name == "plain":
            target = "recall ≥ 0.9 × twin"
        if name in ("diacritics", "phrase", "filter"):
            target += ("; " if target else "") + "precision (text) 1.00"
        print(f"| {name} | {len(group)} | {recall:.3f} | {mrr:.3f} | {_ratio(group, 'precision_text')} "
              f"| {_ratio(group, 'precision_ocr')} | {target} |")
    by_q = {r["q"]: r for r in rows}
    ratios = [(r["recall"], by_q[r["twin_of"]]["recall"]) for r in rows
              if r["class"] == "plain" and r["relevant_n"] and r["twin_of"] in by_q]
    worst = min((p / d if d else 1.0) for p, d in ratios) if ratios else float("nan")
    mean_plain = sum(p for p, _d in ratios) / len(ratios) if ratios else float("nan")
    mean_twin = sum(d for _p, d in ratios) / len(ratios) if ratios else float("nan")
    print()
    print(f"plain / diacritic twin recall: {mean_plain:.3f} / {mean_twin:.3f} = "
          f"{mean_plain / mean_twin if mean_twin else float('nan'):.3f} (worst single pair {worst:.2f})")
    accented = [r for r in rows if r["class"] in TWINNED and "ocr_relevant" in r]
    if accented:
        rel = sum(r["ocr_relevant"] for r in accented)
        cert = sum(r["ocr_certain"] for r in accented)
        withp = sum(r["ocr_with_possible"] for r in accented)
        fold_ = sum(r["ocr_folded"] for r in accented)
        tot = sum(r["all_total"] for r in accented)
        pos = sum(r["all_possible"] for r in accented)
        print()
        print(f"Accented queries ({len(accented)}), relevant truth articles on OCR'd pages: {rel}; "
              f"found (all hits) certain {cert} ({_share(cert, rel)}), certain + possible {withp} "
              f"({_share(withp, rel)}), folded twin {fold_} ({_share(fold_, rel)}); "
              f"possible share {pos}/{tot + pos} = {_share(pos, tot + pos)}")
    unseg = sum(r["unsegmented"] for r in rows)
    if unseg:
        print(f"relevant articles not produced by segmentation (left out): {unseg}")
    misses = [r for r in rows if r["relevant_n"] and r["recall"] < 1]
    if misses:
        print()
        print("Queries below full recall:")
        for r in misses:
            print(f"  [{r['class']}] {r['q']!r}: recall {r['recall']:.2f}, {r['total']} hits")


def _ratio(group: list[dict], key: str) -> str:
    right = sum(r[key][0] for r in group if key in r)
    seen = sum(r[key][1] for r in group if key in r)
    return f"{right / seen:.3f} ({seen})" if seen else "–"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "–"


def report_collisions(rows: list[dict]) -> None:
    print()
    print("| accented query | total | exact count | possible | folded total | precision |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['q']} | {r['total']} | {r['exact']} | {r['possible']} | {r['folded']} "
              f"| {r['precision']:.3f} |")


# --- writing the query set from the truth ---------------------------------------------

def _contains(tokens: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(tokens[i:i + n] == phrase for i in range(len(tokens) - n + 1))


def write_queries(truth: list[dict], out: Path, seed: int = 11) -> None:
    """A fresh query set, the way a researcher asks: a place of the sample with a term of the
    editors' topic list (``indexer/analyze/topics.toml``), a quoted place name with its ``xã`` or
    ``huyện`` or an author's name, a cited document in another spelling, a common word with
    a series and years. Relevant = every truth article whose title, text or byline holds
    each phrase (folded) or the identifier; only queries with 1 to 8 relevant articles are
    kept."""
    from indexer.search.tokens import has_diacritics, identifiers, scan

    rng = random.Random(seed)
    docs = [(t, "\n".join((t["title"], t["text"], t.get("byline", "")))) for t in truth]
    folded = [[tok.folded for tok in scan(text)] for _t, text in docs]
    places = tomllib.loads((REPO / "samplegen" / "corpus" / "places.toml").read_text(encoding="utf-8"))
    communes = sorted(set(places.get("communes", [])))
    districts = sorted(set(places.get("districts", [])))
    topics = tomllib.loads(TOPICS_SHIPPED.read_text(encoding="utf-8"))
    terms = sorted({term for topic in topics.get("topic", []) for term, weight in
                    topic.get("terms", {}).items() if weight > 0 and len(term.split()) >= 2})

    def tokens_of(text: str) -> list[str]:
        return [tok.folded for tok in scan(text)]

    def holders(*phrases: str) -> list[str]:
        wanted = [tokens_of(p) for p in phrases]
        return [t["key"] for (t, _x), toks in zip(docs, folded) if all(_contains(toks, w) for w in wanted)]

    queries: list[dict] = []
    seen: set[str] = set()

    def add(cls: str, q: str, rel: list[str]) -> None:
        if fold(q) not in seen and has_diacritics(q) and 1 <= len(rel) <= 8:
            seen.add(fold(q))
            queries.append({"q": q, "class": cls, "relevant": rel})

    pairs = [(place, term) for place in communes + districts for term in terms]
    rng.shuffle(pairs)
    for place, term in pairs:
        if sum(1 for q in queries if q["class"] == "diacritics") >= 18:
            break
        add("diacritics", f"{place} {term}", holders(place, term))
    named = [f"xã {c}" for c in communes] + [f"huyện {d}" for d in districts]
    rng.shuffle(named)
    authors = sorted({t["byline"] for t in truth if len(t.get("byline", "").split()) >= 3})
    rng.shuffle(authors)
    for name in named[:40] + authors:  # places, then authors (by their byline)
        if sum(1 for q in queries if q["class"] == "phrase") >= 12:
            break
        add("phrase", f'"{name}"', holders(name))
    by_ref: dict[str, list[str]] = defaultdict(list)
    for t, text in docs:
        for ident in set(identifiers(text)):
            by_ref[ident].append(t["key"])
    spellings = [lambda i: i.replace("-", " - ", 1), lambda i: i.lower(),
                 lambda i: re.sub(r"^(\d+)-(\w+)/(\w+)$", r"\1/\2-\3", i), lambda i: i]
    refs = [r for r, keys in by_ref.items() if 1 <= len(keys) <= 10]
    first_year = {r: min(int(k.split("-")[1]) for k in by_ref[r]) for r in refs}
    refs.sort(key=lambda r: (first_year[r], r))
    step = max(1, len(refs) // 20)  # twenty identifiers spread over the years
    for n, ref in enumerate(refs[::step][:20]):
        queries.append({"q": spellings[n % len(spellings)](ref), "class": "identifier",
                        "relevant": sorted(by_ref[ref])})
    # a document named in words and its number, as researchers type it (nghị quyết 21)
    in_words = {"NQ": "nghị quyết", "CT": "chỉ thị", "KL": "kết luận", "QĐi": "quy định"}
    named = [r for r in refs if re.match(r"^\d+-(NQ|CT|KL|QĐi)/TW$", r)
             and not any(o != r and o.split("-")[0] == r.split("-")[0]
                         and o.split("-")[1].split("/")[0] == r.split("-")[1].split("/")[0]
                         for o in by_ref)]  # one document of that kind and number
    for n, ref in enumerate(named[::max(1, len(named) // 6)][:6]):
        number, kind = ref.split("/")[0].split("-")
        q = f"{in_words[kind]} {int(number)}"
        queries.append({"q": q if n % 2 else fold(q), "class": "identifier",
                        "relevant": sorted(by_ref[ref])})
    # filters: a common word restricted to one series and a span of years
    words = ["chi bộ", "đảng viên", "nông thôn mới", "tham nhũng", "học tập", "chuyển đổi số",
             "hợp tác xã", "biên giới", "thiên tai", "cán bộ"]
    for n, w in enumerate(words):
        series = "ttshcb" if n % 2 else "tbnb"
        phrase = [tok.folded for tok in scan(w)]
        years = sorted({t["year"] for (t, _x), toks in zip(docs, folded)
                        if t["series"] == series and _contains(toks, phrase)})
        if not years:
            continue
        start = years[len(years) // 2]
        rel = [t["key"] for (t, _x), toks in zip(docs, folded) if t["series"] == series
               and start <= t["year"] <= start + 1 and _contains(toks, phrase)]
        if 1 <= len(rel) <= 10:
            queries.append({"q": w, "class": "filter", "series": series, "from": start,
                            "to": start + 1, "relevant": rel})
    lines = ["# Search quality queries (bench/search_quality.py), written from the sample truth by",
             "# `search_quality.py --write-queries`, then kept: relevant = the truth articles (keys)",
             "# whose title or text holds the words or the identifier. Each diacritics, phrase and",
             "# filter query is also run without diacritics (its 'plain' twin).", ""]
    for q in queries:
        lines.append("[[query]]")
        lines.append(f"q = {json.dumps(q['q'], ensure_ascii=False)}")
        lines.append(f'class = "{q["class"]}"')
        for key in ("series", "from", "to"):
            if key in q:
                lines.append(f"{key} = {json.dumps(q[key])}")
        lines.append("relevant = [" + ", ".join(json.dumps(k) for k in q["relevant"]) + "]")
        lines.append("")
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {len(queries)} queries to {out}")


def old_scan_queries(home: Path, truth: list[dict], seed: int = 11, words: int = 40) -> list[dict]:
    """Queries about the articles printed on old typewriter scans (issue 16), written from
    this home's truth: ``old-words``, three neighbouring syllables of such an article's true
    text typed with diacritics (unquoted: all three must occur), relevant = every truth
    article holding them under the matching rule; ``old-identifier``, every document an
    old-scan article cites (truth ``doc_refs``) in another spelling, relevant = the truth
    articles citing it. Only queries with 1 to 8 relevant articles (10 for identifiers) are
    kept."""
    from indexer.search.tokens import has_diacritics

    old_pages = set()
    with open(home / "sample-truth" / "pages.jsonl", encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            if p.get("scan") == "scan-old":
                old_pages.add((p["issue"], p["page"]))
    old = [t for t in truth if (t["issue"], t["first_page"]) in old_pages]
    tokens = {t["key"]: _forms("\n".join((t["title"], t["text"], t.get("byline", "")))) for t in truth}
    rng = random.Random(seed)
    queries: list[dict] = []
    seen: set[str] = set()
    order = list(old)
    rng.shuffle(order)
    for t in order * 2:
        if len(queries) >= words:
            break
        syl = _SYL.findall(t["text"])
        if len(syl) < 10:
            continue
        for _try in range(12):  # a few places in the article, the first specific enough
            i = rng.randrange(0, len(syl) - 3)
            q = " ".join(w.lower() for w in syl[i:i + 3])
            if q in seen or not has_diacritics(q) or any(ch.isdigit() for ch in q):
                continue
            seen.add(q)
            rel = [k for k, toks in tokens.items() if holds(toks, q)]
            if 1 <= len(rel) <= 8:
                queries.append({"q": q, "class": "old-words", "relevant": rel, "old": [t["key"]]})
                break
    spellings = [lambda i: i.replace("-", " - ", 1), lambda i: i.lower(),
                 lambda i: re.sub(r"^(\d+)-(\w+)/(\w+)$", r"\1/\2-\3", i), lambda i: i]
    citing: dict[str, list[str]] = defaultdict(list)
    for t in truth:
        for ref in t.get("doc_refs", []):
            citing[ref].append(t["key"])
    old_keys = {t["key"] for t in old}
    for n, ref in enumerate(sorted({r for t in old for r in t.get("doc_refs", [])})):
        rel = sorted(citing[ref])
        if 1 <= len(rel) <= 10:
            queries.append({"q": spellings[n % len(spellings)](ref), "class": "old-identifier",
                            "relevant": rel, "old": [k for k in rel if k in old_keys]})
    return queries


def report_old(rows: list[dict], matched: dict[str, str]) -> None:
    """recall@10 and MRR of the old-scan classes, and the share of their old-scan articles
    (the ones each query was written from) found in the first ten hits."""
    print()
    print("Old typewriter scans (issue 16): queries written from this home's truth")
    print("| class | queries | recall@10 | MRR | old-scan articles in the top 10 | target |")
    print("|---|---|---|---|---|---|")
    for name in ("old-words", "old-identifier"):
        group = [r for r in rows if r["class"] == name and r["relevant_n"]]
        if not group:
            continue
        recall = sum(r["recall"] for r in group) / len(group)
        mrr = sum(r["rr"] for r in group) / len(group)
        want = [matched[k] for r in group for k in r["old"] if k in matched]
        got = sum(1 for r in group for k in r["old"] if k in matched and matched[k] in r["top"])
        print(f"| {name} | {len(group)} | {recall:.3f} | {mrr:.3f} | {got}/{len(want)} "
              f"({_share(got, len(want))}) | recall ≥ 0.97 |")
    for r in rows:
        if r["class"].startswith("old-") and r["relevant_n"] and r["recall"] < 1:
            print(f"  [{r['class']}] {r['q']!r}: recall {r['recall']:.2f}, {r['total']} hits")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", default=None, help="A built home (sample + bantin build) to use as is.")
    ap.add_argument("--work", default="/tmp/bantin-quality", help="Where to build one otherwise.")
    ap.add_argument("--queries", default=str(REPO / "bench" / "queries.toml"))
    ap.add_argument("--old-scans", action="store_true",
                    help="Only the queries about articles on old typewriter scans, written from "
                         "--home's truth (issue 16).")
    ap.add_argument("--write-queries", action="store_true",
                    help="Regenerate the query file from --home's truth.")
    args = ap.parse_args()
    if args.write_queries:
        write_queries(load_truth(Path(args.home)), Path(args.queries))
        return
    home = Path(args.home) if args.home else build_home(Path(args.work))
    truth = load_truth(home)
    keys = {t["key"] for t in truth}
    base = tomllib.loads(Path(args.queries).read_text(encoding="utf-8"))["query"]
    stale = [k for q in base for k in q["relevant"] if k not in keys]
    if stale:
        print(f"warning: {len(stale)} relevant keys are not in this sample's truth (regenerate "
              "the queries with --write-queries)", file=sys.stderr)
    queries = base + [twin(q) for q in base if q["class"] in TWINNED]
    from archive.catalog import Catalog
    from archive.config import load_config

    config = load_config(home)
    with Catalog(config.catalog_path, readonly=True) as catalog:
        matched = match_articles(catalog, truth)
        texts = None if args.old_scans else indexed_texts(catalog)
    if args.old_scans:
        from bench.machine import machine

        old = old_scan_queries(home, truth)
        rows = run_queries(home, old, matched)
        print(f"Machine: {machine()}")
        print(f"Archive: {home}; truth articles matched to indexed articles: {len(matched)}/{len(truth)}")
        unseg = sum(r["unsegmented"] for r in rows)
        print(f"relevant articles not produced by segmentation (left out): {unseg}")
        report_old(rows, matched)
        return
    rows = run_queries(home, queries, matched, texts)
    print(f"truth articles matched to indexed articles: {len(matched)}/{len(truth)}")
    report(rows, home)
    report_collisions(collision_rows(config, texts))


if __name__ == "__main__":
    main()
