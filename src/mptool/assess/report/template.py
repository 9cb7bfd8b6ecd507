"""Institution templates: render the report model into a lab's own Word layout with docxtpl.

The template uses Jinja2 fields over the report-data keys (``{{ system.name }}``,
``{{ assessment.total }}``, ``{% for r in records %}…{% endfor %}``; docs/report.md lists them;
``mptool assess export`` writes the data and ``src/mptool/schemas/report-data-v1.schema.json``
describes it). A field the model does not have is an input error naming the field (exit 3):
rendering uses ``StrictUndefined``, so a misspelt nested key fails too.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from mptool.core.errors import InputError


def render_template(path: str, report: dict[str, Any]) -> bytes:
    """The .docx bytes of ``report`` rendered through the docxtpl template at ``path``."""
    import jinja2
    from docxtpl import DocxTemplate

    try:
        with zipfile.ZipFile(path) as archive:
            archive.getinfo("word/document.xml")
    except (OSError, zipfile.BadZipFile, KeyError):
        raise InputError(path, "not a Word .docx template") from None
    template = DocxTemplate(path)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    try:
        names = template.get_undeclared_template_variables(jinja_env=env)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(path, f"template syntax error: {exc.message}") from None
    unknown = sorted(set(names) - set(report))
    if unknown:
        raise InputError(path, f"unknown template field {unknown[0]!r} (report-data has {', '.join(sorted(report))})")
    try:
        template.render(report, jinja_env=env)
    except jinja2.UndefinedError as exc:
        match = re.search(r"has no attribute '([^']+)'", str(exc.message))
        field = match.group(1) if match else str(exc.message)
        raise InputError(path, f"unknown template field {field!r} ({exc.message})") from None
    except jinja2.TemplateError as exc:
        raise InputError(path, f"template error: {exc}") from None
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()
