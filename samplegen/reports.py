"""Fictional district reports for the sample (issue 21): who must report, and what they sent.

The province's plan asks each district-level Party committee (*huyện ủy, thị ủy, thành ủy*)
of the fictional *tỉnh Vân Giang* for a written report of its own review of the bulletins,
due by a fixed date. The sample writes:

- ``<home>/reporters.toml``: the review (code, name, deadline) and the units that must report;
- ``scans/reports/<review>/<unit>.<ext>`` with a sidecar ``<unit>.toml`` (``received =
  "YYYY-MM-DD"``, the date the board's office logged it): several formats (a PDF with a text
  layer, a Word file, a scanned page as PNG), some after the deadline, one unit sending
  nothing;
- ``sample-truth/reports.jsonl``: per unit, its status (``received`` on time, ``late``,
  ``missing``), the file, and the figures its text states (copies received, Party cells
  using the bulletin, cells in all, surveys done), which ``bantin reports`` must prefill.

Drawn from a random stream of its own (``"<seed>:reports"``), after every issue: adding it
changed no issue of the sample.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from samplegen.fonts import source_font
from samplegen.render_word import as_word_writes_it
from samplegen.truth import write_text

REVIEW = "tong-ket-2025"
REVIEW_NAME = "Tổng kết việc biên soạn, phát hành và sử dụng bản tin (2004–2025)"
DEADLINE = "2025-10-15"
UNITS = (("an-lac", "Huyện ủy An Lạc"), ("binh-son", "Huyện ủy Bình Sơn"), ("van-son", "Huyện ủy Vân Sơn"),
         ("ngoc-khe", "Huyện ủy Ngọc Khê"), ("phu-lam", "Huyện ủy Phú Lâm"), ("tan-hoa", "Huyện ủy Tân Hòa"),
         ("tp-van-giang", "Thành ủy Vân Giang"), ("hoa-phong", "Thị ủy Hòa Phong"))
# (format, days after the deadline; None: nothing sent)
PLAN = (("pdf", -6), ("docx", -2), ("png", 3), ("pdf", 0), ("docx", 9), ("pdf", -1), ("docx", -10), (None, None))


@dataclass(frozen=True)
class UnitReport:
    unit: str
    name: str
    fmt: str | None
    received: str | None
    copies: int
    cells_using: int
    cells: int
    surveys: int

    @property
    def status(self) -> str:
        if self.received is None:
            return "missing"
        return "late" if self.received > DEADLINE else "received"

    def paragraphs(self) -> list[str]:
        return [
            "ĐẢNG BỘ TỈNH VÂN GIANG", self.name.upper(), "BÁO CÁO",
            "Kết quả tổng kết việc tiếp nhận, phát hành và sử dụng bản tin",
            f"Thực hiện Kế hoạch của Ban Thường vụ Tỉnh ủy, {self.name} báo cáo kết quả như sau.",
            f"Trong năm, {self.name} đã tiếp nhận {self.copies:,} bản Thông báo nội bộ và Thông tin "
            "sinh hoạt chi bộ, phát hành kịp thời tới các chi bộ trực thuộc.".replace(",", "."),
            f"Có {self.cells_using}/{self.cells} chi bộ sử dụng bản tin trong sinh hoạt chi bộ thường kỳ; "
            "nhiều chi bộ chọn bài về xây dựng Đảng và chuyển đổi số để thảo luận.",
            f"Đã tổ chức {self.surveys} cuộc khảo sát ý kiến cán bộ, đảng viên về nội dung bản tin.",
            "Đề nghị tăng số trang dành cho kinh nghiệm hay ở cơ sở và phát hành bản điện tử.",
            "Dữ liệu mẫu – nội dung hư cấu",
        ]


def unit_reports(seed: int) -> list[UnitReport]:
    rng = random.Random(f"{seed}:reports")
    out = []
    day0 = 15  # the deadline's day of October
    for (unit, name), (fmt, late) in zip(UNITS, PLAN):
        cells = rng.randint(40, 160)
        received = None if late is None else _date(day0 + late)
        out.append(UnitReport(unit, name, fmt, received, copies=rng.randint(30, 240) * 10,
                              cells_using=rng.randint(cells // 2, cells), cells=cells,
                              surveys=rng.randint(1, 6)))
    return out


def _date(day: int) -> str:
    month = 10 + (day - 1) // 31
    return f"2025-{month:02d}-{(day - 1) % 31 + 1:02d}"


def reporters_toml() -> str:
    q = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731  (JSON strings are TOML strings)
    lines = ["# Who must report, per review (fictional sample: Dữ liệu mẫu – nội dung hư cấu).",
             "# Editors may change it; `bantin reports` and the web app read it.", "",
             "[[review]]", f"code = {q(REVIEW)}", f"name = {q(REVIEW_NAME)}", f"deadline = {q(DEADLINE)}", ""]
    for unit, name in UNITS:
        lines += ["[[unit]]", f"code = {q(unit)}", f"name = {q(name)}", ""]
    return "\n".join(lines)


def write_reports(home: Path, seed: int) -> tuple[list[str], list[dict[str, object]]]:
    """Write the register, the reports and their sidecars; returns (files under scans/, truth)."""
    scans = home / "scans"
    folder = scans / "reports" / REVIEW
    folder.mkdir(parents=True, exist_ok=True)
    if not (home / "reporters.toml").exists():
        write_text(home / "reporters.toml", reporters_toml())
    written: list[str] = []
    truth: list[dict[str, object]] = []
    for r in unit_reports(seed):
        rel = ""
        if r.fmt is not None:
            path = folder / f"{r.unit}.{r.fmt}"
            {"pdf": _pdf, "docx": _docx, "png": _png}[r.fmt](r, path)
            write_text(folder / f"{r.unit}.toml", f'received = "{r.received}"\n')
            rel = path.relative_to(scans).as_posix()
            written += [rel, (folder / f"{r.unit}.toml").relative_to(scans).as_posix()]
        truth.append({"review": REVIEW, "unit": r.unit, "name": r.name, "status": r.status, "file": rel,
                      "received": r.received, "deadline": DEADLINE, "copies_received": r.copies,
                      "cells_using": r.cells_using, "cells": r.cells, "surveys": r.surveys})
    return written, truth


def _pdf(r: UnitReport, path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("BaoCaoSerif", str(source_font())))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(539, 765), invariant=1)
    c.setTitle(f"Báo cáo {r.name}")
    y = 720.0
    for text in r.paragraphs():
        for line in _wrap(text, 80):
            c.setFont("BaoCaoSerif", 11)
            c.drawString(50, y, line)
            y -= 16
        y -= 8
    c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())


def _docx(r: UnitReport, path: Path) -> None:
    import docx

    d = docx.Document()
    for text in r.paragraphs():
        d.add_paragraph(text)
    d.core_properties.author = r.name
    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(as_word_writes_it(buf.getvalue()))  # zip entries dated: byte-identical reruns


def _png(r: UnitReport, path: Path) -> None:
    dpi = 300
    img = Image.new("L", (int(7.5 * dpi), int(10.6 * dpi)), 250)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(source_font()), int(11 * dpi / 72))
    y = int(0.8 * dpi)
    for text in r.paragraphs():
        for line in _wrap(text, 80):
            draw.text((int(0.7 * dpi), y), line, fill=20, font=font)
            y += int(16 * dpi / 72)
        y += int(8 * dpi / 72)
    img.save(path, dpi=(dpi, dpi))


def _wrap(text: str, width: int) -> list[str]:
    out, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return out + ([line] if line else [])
