"""HTML rendering of the report model: one self-contained file (inline CSS, images as data: URIs,
no script, no remote resource), readable in a browser and printable (print CSS, A4)."""

from __future__ import annotations

from html import escape
from typing import Any

PENDING = "待确认"

CSS = """
@page { size: A4; margin: 18mm 15mm; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "SimSun", sans-serif;
       font-size: 10.5pt; line-height: 1.55; color: #111; max-width: 190mm; margin: 0 auto; padding: 8mm; }
h1 { font-size: 16pt; border-bottom: 2px solid #2f6db5; padding-bottom: 2pt; margin-top: 18pt; }
h1.title { font-size: 22pt; text-align: center; border: none; margin-top: 40pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 12pt; font-size: 9pt; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #555; padding: 2pt 4pt; vertical-align: top; }
th { background: #eef2f8; }
tfoot td { font-weight: bold; background: #f6f6f6; }
caption { font-weight: bold; padding: 4pt; caption-side: top; }
.pending { color: #c00000; font-weight: bold; }
.warning { color: #c00000; }
figure { text-align: center; margin: 8pt 0; page-break-inside: avoid; }
figure img { max-width: 100%; }
section.break { page-break-after: always; }
@media print { body { max-width: none; padding: 0; } h1 { page-break-after: avoid; } }
"""


def _cell(value: Any, tag: str) -> str:
    text = escape(str(value))
    cls = ' class="pending"' if PENDING in str(value) else ""
    return f"<{tag}{cls}>{text}</{tag}>"


def _table(table: dict[str, Any]) -> str:
    head = "".join(_cell(c, "th") for c in table["columns"])
    body = "".join("<tr>" + "".join(_cell(v, "td") for v in row) + "</tr>" for row in table["rows"])
    foot = "".join("<tr>" + "".join(_cell(v, "td") for v in row) + "</tr>" for row in table["footer"])
    return (f'<table id="{escape(table["id"])}"><caption>{escape(table["number"])} {escape(table["caption"])}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>" + (f"<tfoot>{foot}</tfoot>" if foot else "") + "</table>")


def render_html(report: dict[str, Any]) -> str:
    """The HTML text of a report model."""
    lang = "zh-CN" if report["lang"] == "zh" else "en"
    title = f"{report['template']} — {report['system']['name']}"
    out = [f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>',
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \'unsafe-inline\'">',
           f"<style>{CSS}</style></head><body>"]
    for section in report["sections"]:
        brk = " break" if section["id"] in ("cover", "declaration", "basic_info", "conclusion_page", "issues", "ch7") else ""
        out.append(f'<section id="{escape(section["id"])}" class="s{brk}">')
        cls = ' class="title"' if section["level"] == 0 else ""
        out.append(f"<h1{cls}>{escape(section['title'])}</h1>")
        for block in section["blocks"]:
            if block["type"] == "paragraph":
                cls = ' class="warning"' if block.get("warning") or PENDING in block["text"] else ""
                out.append(f"<p{cls}>{escape(block['text'])}</p>")
            elif block["type"] == "table":
                out.append(_table(report["tables"][block["table"]]))
            elif block["type"] == "figure" and block["figure"] in report["figures"]:
                fig = report["figures"][block["figure"]]
                out.append(f'<figure><img alt="{escape(fig["caption"])}" src="data:image/png;base64,{fig["png_base64"]}">'
                           f"<figcaption>{escape(fig['number'])} {escape(fig['caption'])}</figcaption></figure>")
        out.append("</section>")
    out.append("</body></html>\n")
    return "\n".join(out)
