"""OAI-PMH 2.0 at /oai, tested by a small harvester written against the protocol: it follows
resumption tokens and checks every answer against the published OAI-PMH, oai_dc and
oai-identifier schemas (vendored in tests/fixtures/oai/, validated with lxml)."""

# ruff: noqa: F811  (pytest fixtures imported from tests.web_fixtures are redefined as arguments)
from __future__ import annotations

import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from lxml import etree

from archive.catalog import Catalog
from tests.web_fixtures import WebHome, build_web_home, login, make_app, served
from webapp import users

SCHEMAS = Path(__file__).parent / "fixtures" / "oai"
NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"}
GONE = "ttshcb-2012-07-p1-dead"  # an article id merged away (in the permalink log only)


class _Local(etree.Resolver):
    """Schema imports that name a published URL are read from the vendored copy."""

    def resolve(self, url: str, pubid: Any, context: Any) -> Any:
        local = SCHEMAS / url.rsplit("/", 1)[-1]
        if local.is_file():
            return self.resolve_filename(str(local), context)
        raise AssertionError(f"schema import not vendored: {url}")


def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Local())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "harvest.xsd"), parser))


SCHEMA = _schema()


def valid(xml: bytes) -> etree._Element:
    """The parsed answer, after checking it against the schemas (strict for the metadata)."""
    doc = etree.fromstring(xml)
    if not SCHEMA.validate(doc):
        raise AssertionError(f"invalid OAI-PMH answer: {SCHEMA.error_log}\n{xml[:2000]!r}")
    return doc


@pytest.fixture(scope="module")
def oai_home(tmp_path_factory: pytest.TempPathFactory) -> WebHome:
    home = build_web_home(tmp_path_factory.mktemp("oai-home"), index=False)
    catalog = home.catalog()
    try:
        with catalog.transaction() as db:
            live = [r["id"] for r in db.execute("SELECT id FROM article ORDER BY id")]
            # datestamps the selective-harvest tests can name: one article per year
            for n, article in enumerate(live):
                db.execute("UPDATE article SET updated_at = ? WHERE id = ?", (f"202{n}-03-01T10:00:00Z", article))
            db.execute("UPDATE issue SET updated_at = '2019-05-05T08:00:00Z'")
            db.execute("INSERT INTO issued_article(id, issue_id, title, text, live, targets, first_at, updated_at)"
                       " VALUES (?, 'ttshcb-2012-07', 'Bài đã gộp', 'chữ', 0, ?, '2020-01-01T00:00:00Z',"
                       " '2021-06-01T00:00:00Z')", (GONE, f'["{live[0]}"]'))
    finally:
        catalog.close()
    return home


@pytest.fixture(scope="module")
def oai_app(oai_home: WebHome) -> Any:
    return make_app(oai_home, OAI_PAGE_SIZE=2)


@pytest.fixture(scope="module")
def token(oai_home: WebHome) -> str:
    catalog = oai_home.catalog()
    try:
        return users.create_token(catalog, "doc", "harvester")
    finally:
        catalog.close()


def expected_ids(home: WebHome) -> dict[str, bool]:
    """identifier → deleted, read from the catalog the way the protocol describes it."""
    c = Catalog(home.path / "index" / "catalog.sqlite")
    try:
        out = {f"oai:bantin.local:a/{r[0]}": False for r in c.query("SELECT id FROM article")}
        out.update({f"oai:bantin.local:a/{r[0]}": True for r in c.query(
            "SELECT id FROM issued_article WHERE id NOT IN (SELECT id FROM article)")})
        out.update({f"oai:bantin.local:i/{r[0]}": bool(r[1]) for r in c.query("SELECT id, missing FROM issue")})
        return out
    finally:
        c.close()


class Harvester:
    """A harvester as the protocol describes one: GET requests with a token, every answer
    validated, resumption tokens followed until an empty one, cursor and size checked."""

    def __init__(self, fetch: Any) -> None:
        self.fetch = fetch  # (query string) -> bytes
        self.answers = 0

    def ask(self, **args: str) -> etree._Element:
        self.answers += 1
        return valid(self.fetch(urlencode(args)))

    def harvest(self, verb: str, **args: str) -> list[etree._Element]:
        """Every ``record`` (ListRecords) or ``header`` (ListIdentifiers) of a list."""
        item = "o:record" if verb == "ListRecords" else "o:header"
        out: list[etree._Element] = []
        doc = self.ask(verb=verb, **args)
        size = None
        while True:
            errors = doc.findall("o:error", NS)
            if errors:
                assert [e.get("code") for e in errors] == ["noRecordsMatch"], etree.tostring(doc)
                return out
            listing = doc.find(f"o:{verb}", NS)
            assert listing is not None
            page = listing.findall(item, NS)
            token = listing.find("o:resumptionToken", NS)
            if token is not None and token.get("cursor") is not None:
                assert int(token.get("cursor")) == len(out), "cursor counts the records sent before"
                size = size or int(token.get("completeListSize"))
                assert int(token.get("completeListSize")) == size, "completeListSize holds through the list"
            out += page
            if token is None or not (token.text or "").strip():
                if size is not None:
                    assert len(out) == size
                return out
            assert token.get("expirationDate", "") > time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            doc = self.ask(verb=verb, resumptionToken=token.text)


def _ids(items: list[etree._Element]) -> list[str]:
    return [e.findtext(".//o:identifier", namespaces=NS) for e in items]


@pytest.fixture
def harvester(oai_app: Any, token: str) -> Harvester:
    client = oai_app.test_client()

    def fetch(query: str) -> bytes:
        r = client.get(f"/oai?{query}", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.mimetype == "text/xml"
        return r.data

    return Harvester(fetch)


def test_harvest_over_http_follows_tokens_and_every_answer_validates(oai_app: Any, oai_home: WebHome,
                                                                      token: str) -> None:
    with served(oai_app) as base:
        def fetch(query: str) -> bytes:
            req = urllib.request.Request(f"{base}/oai?{query}", headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(req, timeout=30) as r:
                assert r.headers["Content-Type"].startswith("text/xml")
                return r.read()

        h = Harvester(fetch)
        records = h.harvest("ListRecords", metadataPrefix="oai_dc")
    expected = expected_ids(oai_home)
    got = _ids(records)
    assert sorted(got) == sorted(expected) and len(set(got)) == len(got)  # each record once
    assert h.answers >= len(expected) // 2  # two per page: tokens were followed
    for rec in records:
        head = rec.find("o:header", NS)
        ident = head.findtext("o:identifier", namespaces=NS)
        assert (head.get("status") == "deleted") == expected[ident]
        assert (rec.find("o:metadata", NS) is None) == expected[ident]
    gone = next(r for r in records if r.findtext(".//o:identifier", namespaces=NS).endswith(GONE))
    assert gone.find("o:header", NS).get("status") == "deleted"
    assert gone.findtext("o:header/o:datestamp", namespaces=NS) == "2021-06-01T00:00:00Z"


def test_article_and_issue_records_carry_dublin_core(harvester: Harvester, oai_home: WebHome) -> None:
    article = oai_home.articles["nq21"]
    doc = harvester.ask(verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:bantin.local:a/{article}")
    dc = doc.find(".//oai_dc:dc", NS)
    values = {}
    for child in dc:
        values.setdefault(etree.QName(child).localname, []).append(child.text)
    assert values["title"] == ["Quán triệt Nghị quyết 21-NQ/TW về tổ chức cơ sở đảng"]
    assert values["creator"] == ["BTG"]
    assert "Văn kiện – Nghị quyết" in values["subject"]
    assert "21-NQ/TW" in values["relation"]
    assert values["identifier"][0].endswith(f"/a/{article}")
    assert values["date"] == ["2022-06"] and values["language"] == ["vi"]
    assert doc.findtext(".//o:setSpec", namespaces=NS) == "tbnb"
    issue = harvester.ask(verb="GetRecord", metadataPrefix="oai_dc", identifier="oai:bantin.local:i/ttshcb-2012-07")
    titles = [e.text for e in issue.findall(".//dc:title", NS)]
    assert titles and "Thông tin sinh hoạt chi bộ" in titles[0]
    relations = [e.text for e in issue.findall(".//dc:relation", NS)]
    assert any(r.endswith(f"/a/{oai_home.articles['hoc-tap']}") for r in relations)
    gone = harvester.ask(verb="GetRecord", metadataPrefix="oai_dc", identifier=f"oai:bantin.local:a/{GONE}")
    assert gone.find(".//o:header", NS).get("status") == "deleted" and gone.find(".//o:metadata", NS) is None


def test_identify_formats_and_sets(harvester: Harvester) -> None:
    doc = harvester.ask(verb="Identify")
    ident = doc.find("o:Identify", NS)
    assert ident.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert ident.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert ident.findtext("o:baseURL", namespaces=NS).endswith("/oai")
    assert ident.findtext("o:earliestDatestamp", namespaces=NS) == "2019-05-05T08:00:00Z"
    assert doc.find("o:request", NS).get("verb") == "Identify"
    formats = harvester.ask(verb="ListMetadataFormats")
    assert [e.text for e in formats.findall(".//o:metadataPrefix", NS)] == ["oai_dc"]
    sets = harvester.ask(verb="ListSets")
    assert sorted(e.text for e in sets.findall(".//o:setSpec", NS)) == ["tbnb", "ttshcb"]


def test_selective_harvest_by_set_and_dates(harvester: Harvester, oai_home: WebHome) -> None:
    expected = expected_ids(oai_home)
    tbnb = _ids(harvester.harvest("ListIdentifiers", metadataPrefix="oai_dc", set="tbnb"))
    assert tbnb and sorted(tbnb) == sorted(i for i in expected if ":a/tbnb-" in i or ":i/tbnb-" in i)
    # articles are dated 2020-03-01, 2021-03-01, ...; issues 2019; the merged-away id 2021-06-01
    heads = harvester.harvest("ListIdentifiers", metadataPrefix="oai_dc",
                              **{"from": "2021-01-01", "until": "2021-12-31"})
    stamps = sorted(h.findtext("o:datestamp", namespaces=NS) for h in heads)
    assert stamps == ["2021-03-01T10:00:00Z", "2021-06-01T00:00:00Z"]
    exact = harvester.harvest("ListIdentifiers", metadataPrefix="oai_dc",
                              **{"from": "2021-03-01T10:00:00Z", "until": "2021-03-01T10:00:00Z"})
    assert len(exact) == 1
    assert harvester.harvest("ListRecords", metadataPrefix="oai_dc", **{"from": "2099-01-01"}) == []


def _error(harvester: Harvester, **args: str) -> tuple[str, etree._Element]:
    doc = harvester.ask(**args)
    errors = doc.findall("o:error", NS)
    assert len(errors) == 1, etree.tostring(doc)
    return errors[0].get("code"), doc


@pytest.mark.parametrize("args, code", [
    ({}, "badVerb"),
    ({"verb": "ListAll"}, "badVerb"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "Identify", "set": "tbnb"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-13-45"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01", "until": "2021-01-01T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:bantin.local:a/khong-co"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "../../etc/passwd"}, "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": "oai:other.org:a/x"}, "idDoesNotExist"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "khong-co"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "resumptionToken": "abc.def"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "abc"}, "badResumptionToken"),
])
def test_protocol_errors(harvester: Harvester, args: dict[str, str], code: str) -> None:
    got, doc = _error(harvester, **args)
    assert got == code
    request_attrs = dict(doc.find("o:request", NS).attrib)
    # after badVerb / badArgument the request is echoed without its arguments
    assert (request_attrs == {}) == (code in ("badVerb", "badArgument"))


def test_repeated_arguments_and_token_misuse(oai_app: Any, harvester: Harvester, token: str) -> None:
    client = oai_app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    twice = valid(client.get("/oai?verb=Identify&verb=Identify", headers=auth).data)
    assert twice.find("o:error", NS).get("code") == "badVerb"
    first = harvester.ask(verb="ListIdentifiers", metadataPrefix="oai_dc")
    tok = first.findtext(".//o:resumptionToken", namespaces=NS)
    assert tok
    code, _ = _error(harvester, verb="ListIdentifiers", resumptionToken=tok, metadataPrefix="oai_dc")
    assert code == "badArgument"  # the token is exclusive
    code, _ = _error(harvester, verb="ListRecords", resumptionToken=tok)
    assert code == "badResumptionToken"  # issued for another verb
    data, sig = tok.split(".")
    code, _ = _error(harvester, verb="ListIdentifiers", resumptionToken=data[:-2] + "AA." + sig)
    assert code == "badResumptionToken"  # altered
    from webapp import oai

    with oai_app.test_request_context("/oai"):
        old = oai.make_token({"v": "ListIdentifiers", "s": "", "f": "", "u": "", "k": ["a", ""], "c": 2,
                              "t": time.time() - oai.TOKEN_LIFETIME - 5})
    code, _ = _error(harvester, verb="ListIdentifiers", resumptionToken=old)
    assert code == "badResumptionToken"  # expired
    posted = valid(client.post("/oai", data={"verb": "ListSets"}, headers=auth).data)  # POST, no CSRF: token only
    assert posted.find("o:ListSets", NS) is not None


def test_oai_needs_a_token_or_a_session(oai_app: Any, oai_home: WebHome, token: str) -> None:
    client = oai_app.test_client()
    r = client.get("/oai?verb=Identify")
    assert r.status_code == 401 and "Bearer" in r.headers["WWW-Authenticate"]
    assert client.get("/oai?verb=Identify", headers={"Authorization": "Bearer sai"}).status_code == 401
    assert login(client).status_code == 302
    assert valid(client.get("/oai?verb=Identify").data).find("o:Identify", NS) is not None
    catalog = oai_home.catalog()
    try:
        spare = users.create_token(catalog, "bientap", "to revoke")
        fresh = oai_app.test_client()
        assert fresh.get("/oai?verb=Identify", headers={"Authorization": f"Bearer {spare}"}).status_code == 200
        users.revoke_tokens(catalog, "bientap")
        assert fresh.get("/oai?verb=Identify", headers={"Authorization": f"Bearer {spare}"}).status_code == 401
    finally:
        catalog.close()
