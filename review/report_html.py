"""The appendix as one self-contained HTML file: the same blocks as the DOCX, the same PNG
charts (embedded as ``data:`` URIs), a style sheet in the file, no script, nothing fetched
from outside, so it can be mailed, archived or opened offline. Links are absolute."""

from __future__ import annotations

import base64
from html import escape

from review.report import Figure, Heading, Link, Para, Report, TableBlock, body, header

STYLE = """
body { font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #1b1f23; line-height: 1.45; }
h1, h2, h3 { color: #1a3a5c; } h1 { font-size: 1.5rem; border-bottom: 1px solid #d0d7de; }
h2 { font-size: 1.2rem; } h3 { font-size: 1.05rem; }
.title { font-size: 2rem; margin-bottom: 0; } .subtitle { font-weight: bold; margin-top: .2rem; }
a { color: #1f5f99; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .85rem; }
th, td { border: 1px solid #c8d0d8; padding: .2rem .4rem; vertical-align: top; }
th { background: #e8eef4; text-align: left; } td.num { text-align: right; white-space: nowrap; }
td.empty { background: #f6d5d1; } td.thin { background: #fbe9d0; } td.nodata { background: #eee; }
caption { text-align: left; font-weight: bold; padding: .3rem 0; }
caption small { font-weight: normal; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
figcaption, .note { font-size: .85rem; font-style: italic; color: #444; }
"""


def _parts(parts: tuple[str | Link, ...]) -> str:
    out = []
    for part in parts:
        if isinstance(part, Link):
            out.append(f'<a href="{escape(part.url)}">{escape(part.text)}</a>')
        else:
            out.append(escape(part))
    return "".join(out)


def _table(block: TableBlock, base_url: str, ident: str) -> str:
    numeric = [block.table.columns[block.table.column(k)].kind != "text" for k in block.columns]
    head = "".join(f"<th>{escape(h)}</th>" for h in header(block))
    rows = []
    for line in body(block, base_url):
        tds = []
        for k, (text, url, flag) in enumerate(line):
            classes = " ".join(c for c in ("num" if numeric[k] else "", flag) if c)
            attr = f' class="{classes}"' if classes else ""
            inner = f'<a href="{escape(url)}">{escape(text)}</a>' if url and text else escape(text)
            tds.append(f"<td{attr}>{inner}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return (f'<table id="{ident}" data-table="{escape(block.table.name)}"><caption>'
            f'{escape(block.table.title)} <small>(<a href="{escape(block.page)}">xem trên kho</a> · '
            f'<a href="{escape(block.csv)}">CSV</a>)</small></caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _figure(block: Figure) -> str:
    data = base64.b64encode(block.image).decode("ascii")
    link = f' <a href="{escape(block.page)}">Xem biểu đồ và bảng số liệu trên kho</a>' if block.page else ""
    return (f'<figure data-chart="{escape(block.chart.name)}"><img src="data:image/png;base64,{data}" '
            f'alt="{escape(block.chart.title)}"><figcaption>{escape(block.caption)}{link}'
            f"</figcaption></figure>")


def html_report(report: Report) -> str:
    out = ['<!doctype html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{escape(report.title)}: {escape(report.subtitle)}</title>",
           f'<meta name="index-version" content="{escape(report.index_version)}">',
           f"<style>{STYLE}</style>\n</head>\n<body>",
           f'<p class="title">{escape(report.title)}</p>',
           f'<p class="subtitle">{escape(report.subtitle)}</p>',
           (f'<p>Lập lúc {escape(report.generated)} từ kho '
           f'<a href="{escape(report.base_url)}/">{escape(report.base_url)}</a></p>')]
    n = 0
    for block in report.blocks:
        if isinstance(block, Heading):
            out.append(f"<h{block.level}>{escape(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            if block.style == "bullet":
                out.append(f"<ul><li>{_parts(block.parts)}</li></ul>")
            else:
                cls = ' class="note"' if block.style == "note" else ""
                out.append(f"<p{cls}>{_parts(block.parts)}</p>")
        elif isinstance(block, TableBlock):
            n += 1
            out.append(_table(block, report.base_url, f"bang-{n}"))
        elif isinstance(block, Figure):
            out.append(_figure(block))
    out.append("</body>\n</html>\n")
    return "\n".join(out)
