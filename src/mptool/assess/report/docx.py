"""Word rendering of the report model (python-docx): headings, tables with 表x-y captions, figures."""

from __future__ import annotations

import base64
import io
from typing import Any

PENDING = "待确认"


def _font(doc: Any) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = doc.styles["Normal"]
    style.font.name = "Noto Sans CJK SC"
    style.font.size = Pt(10.5)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), "宋体" if attr == "w:eastAsia" else "Times New Roman")


def _table(doc: Any, table: dict[str, Any]) -> None:
    from docx.shared import Pt, RGBColor
    from docx.table import _Cell

    caption = doc.add_paragraph(f"{table['number']} {table['caption']}")
    caption.alignment = 1
    caption.runs[0].bold = True
    rows = [table["columns"], *table["rows"], *table["footer"]]
    width = len(table["columns"])
    grid = doc.add_table(rows=len(rows), cols=width)
    grid.style = "Table Grid"
    tbl = grid._tbl
    for r_index, (tr, values) in enumerate(zip(tbl.tr_lst, rows, strict=True)):
        cells = list(values) + [""] * (width - len(values))
        for tc, value in zip(tr.tc_lst, cells, strict=False):
            cell = _Cell(tc, grid)
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(str(value))
            if r_index == 0:
                run.bold = True
            if PENDING in str(value):
                run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
            if len(str(value)) > 120:
                run.font.size = Pt(8)


def render_docx(report: dict[str, Any]) -> bytes:
    """The .docx bytes of a report model (see :mod:`mptool.assess.report.data`)."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm, RGBColor

    doc = Document()
    _font(doc)
    tables = report["tables"]
    figures = report["figures"]
    doc.core_properties.title = f"{report['template']} — {report['system']['name']}"
    doc.core_properties.author = "mptool"
    for section in report["sections"]:
        if section["level"] == 0:
            doc.add_heading(section["title"], 0)
        else:
            doc.add_heading(section["title"], 1)
        for block in section["blocks"]:
            if block["type"] == "paragraph":
                p = doc.add_paragraph()
                run = p.add_run(block["text"])
                if block.get("warning") or PENDING in block["text"]:
                    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
            elif block["type"] == "table":
                _table(doc, tables[block["table"]])
            elif block["type"] == "figure" and block["figure"] in figures:
                fig = figures[block["figure"]]
                doc.add_picture(io.BytesIO(base64.b64decode(fig["png_base64"])), width=Cm(15))
                cap = doc.add_paragraph(f"{fig['number']} {fig['caption']}")
                cap.alignment = 1
        if section["id"] in ("cover", "declaration", "basic_info", "conclusion_page", "issues", "ch7"):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
