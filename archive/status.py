"""What the catalog holds, per series and year: the numbers behind `bantin status`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from archive.catalog import Catalog


@dataclass
class YearStatus:
    series: str
    year: int
    issues: int = 0
    pages: int = 0
    extracted: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    mean_confidence: float | None = None  # over OCR'd pages
    failures: int = 0


def archive_status(catalog: Catalog) -> dict[str, Any]:
    """Counts per series and year, the failures listed, and totals (JSON-ready)."""
    years: dict[tuple[str, int], YearStatus] = {}
    for r in catalog.query("SELECT series, year, COUNT(*) n, SUM(page_count) p FROM issue"
                           " WHERE missing = 0 GROUP BY series, year"):
        years[(r["series"], r["year"])] = YearStatus(r["series"], r["year"], r["n"], r["p"] or 0)
    for r in catalog.query(
            "SELECT i.series, i.year, t.method, COUNT(*) n, AVG(t.confidence) c FROM page_text t"
            " JOIN page p ON p.id = t.page_id JOIN issue i ON i.id = p.issue_id"
            " WHERE i.missing = 0 AND t.sha256 = p.sha256 GROUP BY i.series, i.year, t.method"):
        ys = years.setdefault((r["series"], r["year"]), YearStatus(r["series"], r["year"]))
        ys.by_method[r["method"]] = r["n"]
        ys.extracted += r["n"]
        if r["method"] == "ocr":
            ys.mean_confidence = round(r["c"], 1)
    for r in catalog.query(
            "SELECT i.series, i.year, COUNT(*) n FROM problem pr JOIN page p ON p.id = pr.page_id"
            " JOIN issue i ON i.id = p.issue_id GROUP BY i.series, i.year"):
        ys = years.setdefault((r["series"], r["year"]), YearStatus(r["series"], r["year"]))
        ys.failures += r["n"]
    problems = [dict(stage=r["stage"], path=r["path"], page_id=r["page_id"],
                     issue_id=r["issue_id"], message=r["message"], at=r["at"])
                for r in catalog.problems()]
    missing = [r["id"] for r in catalog.query("SELECT id FROM issue WHERE missing = 1 ORDER BY id")]
    rows = [asdict(v) for _, v in sorted(years.items())]
    totals = {
        "issues": sum(r["issues"] for r in rows),
        "pages": sum(r["pages"] for r in rows),
        "extracted": sum(r["extracted"] for r in rows),
        "failures": len(problems),
    }
    return {"years": rows, "totals": totals, "problems": problems, "missing_sources": missing}


def format_status(status: dict[str, Any]) -> str:
    """The table people read (Vietnamese headings, like the web app)."""
    head = (f"{'Bộ':<8}{'Năm':>6}{'Số':>5}{'Trang':>7}{'Đã đọc':>8}  "
            f"{'text':>5}{'legacy':>7}{'ocr':>5}{'word':>5}{'Tin cậy OCR':>12}{'Lỗi':>5}")
    lines = [head, "-" * len(head)]
    for r in status["years"]:
        m = r["by_method"]
        conf = f"{r['mean_confidence']:.1f}" if r["mean_confidence"] is not None else "-"
        lines.append(f"{r['series']:<8}{r['year']:>6}{r['issues']:>5}{r['pages']:>7}{r['extracted']:>8}  "
                     f"{m.get('text', 0):>5}{m.get('legacy', 0):>7}{m.get('ocr', 0):>5}"
                     f"{m.get('document', 0):>5}{conf:>12}{r['failures']:>5}")
    t = status["totals"]
    lines.append("-" * len(head))
    lines.append(f"Tổng: {t['issues']} số, {t['pages']} trang, {t['extracted']} trang đã đọc, "
                 f"{t['failures']} lỗi")
    if status["missing_sources"]:
        lines.append("Tệp gốc không còn trong scans/ (giữ lại trong danh mục): "
                     + ", ".join(status["missing_sources"]))
    if status["problems"]:
        lines.append("")
        lines.append("Lỗi:")
        for p in status["problems"]:
            where = p["path"] or p["page_id"] or p["issue_id"]
            lines.append(f"  [{p['stage']}] {where}: {p['message']}")
    return "\n".join(lines)
