"""Vietnamese display of numbers, dates and issue numbers (Jinja filters and citations).

Numbers use a dot between thousands and a comma before decimals (*1.234,5*); dates read
*tháng 7/1989*, *ngày 16/6/2022*; an issue is *số 7/2012*; a moment the catalog stamped
(UTC, ``2026-12-06T12:20:17Z``) reads in Vietnam's time, ``06/12/2026 19:20``. Display only:
stored values stay ISO (``YYYY-MM``, UTC stamps) and plain numbers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from archive import problemtext

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the tzdata package supplies it where the OS does not

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def number(value: float | None, decimals: int = 0) -> str:
    """``1234.5`` → ``1.234,5`` (``decimals`` digits after the comma)."""
    if value is None or value == "":
        return ""
    text = f"{float(value):,.{decimals}f}" if decimals else f"{round(float(value)):,d}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(value: float | None, decimals: int = 0) -> str:
    """A share 0..1 as ``12,5 %``."""
    if value is None:
        return ""
    return f"{number(100 * float(value), decimals)} %"


def month(date: str) -> str:
    """``1989-07`` → ``tháng 7/1989``; ``1989`` → ``năm 1989``; '' stays ''."""
    m = _ISO.match(date or "")
    if not m:
        return date or ""
    year, mon = m.group(1), m.group(2)
    return f"tháng {int(mon)}/{year}" if mon else f"năm {year}"


def day(date: str) -> str:
    """``2022-06-16`` → ``ngày 16/6/2022``; shorter dates as :func:`month`."""
    m = _ISO.match(date or "")
    if not m or not m.group(3):
        return month(date)
    return f"ngày {int(m.group(3))}/{int(m.group(2))}/{m.group(1)}"


def issue_number(number_text: str, year: int, printed: str = "", suffix: str = "") -> str:
    """The issue as cited: ``số 7/2012`` (leading zeros dropped), special issues marked."""
    try:
        n = str(int(number_text))
    except (TypeError, ValueError):
        n = number_text or "?"
    text = f"số {n}/{year}"
    if suffix:
        text += f" ({suffix_label(suffix)})"
    return text


SUFFIX_LABELS = {"xuan": "số Xuân", "dacbiet": "số đặc biệt", "tet": "số Tết"}


def suffix_label(suffix: str) -> str:
    return SUFFIX_LABELS.get(suffix, suffix)


def page_range(first: int, last: int) -> str:
    """``tr. 12–14`` or ``tr. 12`` (en dash, as printed citations use)."""
    if not first:
        return ""
    return f"tr. {first}–{last}" if last and last != first else f"tr. {first}"


KIND_LABELS = {"tin": "Tin", "bai": "Bài", "hoi-dap": "Hỏi – đáp", "van-ban": "Văn bản",
               "khac": "Khác", "article": "Bài", "page": "Trang"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def local_time(stamp: str | None) -> str:
    """A stored UTC stamp (``2026-12-06T12:20:17Z``, with or without the ``Z``, a space for the
    ``T``, or seconds' fractions) as ``06/12/2026 19:20`` in Asia/Ho_Chi_Minh; text that is not
    a stamp is shown unchanged, '' and None as ''."""
    if not stamp:
        return ""
    text = str(stamp).strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M")


METHOD_LABELS = {"text": "lớp chữ PDF", "legacy": "phông cũ", "ocr": "OCR", "document": "tệp Word",
                 "word": "tệp Word"}


def method_label(method: str) -> str:
    """How a page's text was read, as editors name it."""
    return METHOD_LABELS.get(method, method)


FILTERS = {"vn_time": local_time, "vn_method": method_label, "vn_problem": problemtext.vietnamese,
           "vn_number": number, "vn_percent": percent, "vn_month": month, "vn_day": day,
           "vn_kind": kind_label, "vn_pages": page_range, "vn_issue": issue_number}
