"""Text-layer extraction speed: pages per second for `text` (Unicode) and `legacy` (TCVN3,
VNI) pages, one process, and the share of time in each step.

Builds dense two-column A4 pages (a spanning title, 10-point body, about 4,000 characters a
page, like a full bulletin page) with reportlab and the sample's legacy fonts, then times
``indexer.extract.textlayer.extract_text_page`` on each page, as the extract stage does (one task per
page: the PDF is opened, one page interpreted, the PDF closed).

    .venv/bin/python bench/textlayer.py [--pages 20] [--repeat 3]

Wall-clock pages/s depend on what else runs (the load average is printed); CPU ms per page
does much less. Prints one table; no assertion (target from issue 2: at least 20 text-layer pages per second).
:func:`measure` returns the rows for other benchmarks (``bench/ocr.py``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from archive.models import PageTask  # noqa: E402
from bench.machine import machine  # noqa: E402
from indexer.extract import textlayer  # noqa: E402
from tests.legacy_pdfs import A4, Columns, Title, make_pdf  # noqa: E402

PARAGRAPHS = (
    "Thực hiện Nghị quyết số 21-NQ/TW của Ban Chấp hành Trung ương Đảng về tăng cường củng "
    "cố, xây dựng tổ chức cơ sở đảng và nâng cao chất lượng đội ngũ đảng viên trong giai đoạn "
    "mới, các chi bộ đã tập trung đổi mới nội dung, phương thức sinh hoạt.",
    "Nhiều cách làm hay được nhân rộng: chi bộ thôn đưa nội dung học tập và làm theo tư tưởng, "
    "đạo đức, phong cách Hồ Chí Minh vào sinh hoạt thường kỳ; người dân đồng tình, hưởng ứng, "
    "tham gia xây dựng nông thôn mới, giữ gìn an ninh trật tự ở khu dân cư.",
    "Ủy ban nhân dân xã ưu tiên nguồn lực cho những công trình thiết thực, được triển khai "
    "đúng tiến độ; việc chuyển đổi số trong công tác quản lý đảng viên bước đầu có kết quả.",
)


def dense_page(k: int) -> list:
    column = tuple(PARAGRAPHS[(k + i) % 3] for i in range(5))
    return [Title(f"CHUYÊN MỤC SỐ {k + 1}: XÂY DỰNG ĐẢNG Ở CƠ SỞ"),
            Columns((column, column[::-1]))]


def measure(pages: int = 20, repeat: int = 3) -> list[dict[str, object]]:
    """Rows of (method, encoding, pages, chars per page, pages per second, ms per page)."""
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "fonts"
        for encoding in (None, "tcvn3", "vni"):
            pdf = Path(folder) / f"{encoding}.pdf"
            drawn = make_pdf(pdf, [dense_page(k) for k in range(pages)], cache=cache,
                             encoding=encoding, size=A4)
            tasks = [PageTask(f"bench/{k + 1}", str(pdf), "pdf", k, "") for k in range(pages)]
            textlayer.extract_text_page(tasks[0])  # imports, font caches
            best = cpu = float("inf")
            for _ in range(repeat):
                started, cpu_started = time.perf_counter(), time.process_time()
                for task in tasks:
                    result, note = textlayer.extract_text_page(task)
                    if result is None or result.text != drawn[task.file_page].text:
                        raise SystemExit(f"{pdf} page {task.file_page + 1}: wrong text ({note})")
                best = min(best, time.perf_counter() - started)
                cpu = min(cpu, time.process_time() - cpu_started)
            rows.append({"method": "text" if encoding is None else "legacy",
                         "encoding": encoding or "", "pages": pages,
                         "chars": sum(len(d.text) for d in drawn) // pages,
                         "pages_per_s": pages / best, "ms_per_page": 1000 * best / pages,
                         "cpu_ms_per_page": 1000 * cpu / pages})
    return rows



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = measure(args.pages, args.repeat)
    print(f"Machine: {machine()}; pdfplumber {textlayer.engine_version()}; one process")
    print(f"{'method':<8} {'encoding':<9} {'pages':>5} {'chars/page':>10} "
          f"{'pages/s':>8} {'ms/page':>8} {'CPU ms/page':>11}")
    for r in rows:
        print(f"{r['method']:<8} {r['encoding'] or '-':<9} {r['pages']:>5} {r['chars']:>10} "
              f"{r['pages_per_s']:>8.1f} {r['ms_per_page']:>8.1f} {r['cpu_ms_per_page']:>11.1f}")


if __name__ == "__main__":
    main()
