"""Display of stored values: UTC stamps in Vietnam's time, reading methods by name."""

from __future__ import annotations

from archive import vnformat


def test_utc_stamps_read_in_ho_chi_minh_time() -> None:
    assert vnformat.local_time("2026-12-06T12:20:17Z") == "06/12/2026 19:20"
    assert vnformat.local_time("2026-12-31T20:05:00Z") == "01/01/2027 03:05"  # the next day there
    assert vnformat.local_time("2026-12-31 20:05:00") == "01/01/2027 03:05"  # no zone: UTC
    assert vnformat.local_time("2026-06-01T00:00:00+07:00") == "01/06/2026 00:00"
    assert vnformat.local_time("") == "" and vnformat.local_time(None) == ""
    assert vnformat.local_time("không rõ") == "không rõ"


def test_methods_have_vietnamese_names() -> None:
    assert vnformat.method_label("legacy") == "phông cũ"
    assert vnformat.method_label("other") == "other"
