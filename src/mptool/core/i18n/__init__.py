"""Chinese text for the reports (``mptool --lang zh`` / ``MPTOOL_LANG=zh``).

The translations are data (``core/i18n/zh.yaml``, loaded once, only when Chinese is asked for):
a title per check id, a meaning per finding code, the statuses, severities, channel verdicts and
the labels of the text reports. A Chinese finding message is the code's Chinese meaning plus the
finding's non-linguistic details (numbers, names from its ``data``), not a translation of the English
sentence; a channel verdict's finding is its reason said from the reason's code (``reasons:``). The JSON evidence keeps its ids and English keys; :func:`localize` only adds ``title_zh``
to each result and ``message_zh`` to each finding whose code has a Chinese meaning.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from mptool.core.model import CheckResult, Evidence, Finding

LANGS: tuple[str, ...] = ("en", "zh")
DEFAULT_LANG = "en"
ENV = "MPTOOL_LANG"


def normalize(value: str | None) -> str | None:
    """``en``/``zh`` for a language as people write it (``zh_CN.UTF-8``, ``zh-Hans``, ``C``); None if unknown."""
    if value is None:
        return None
    text = value.strip().lower()
    if text.startswith("zh"):
        return "zh"
    if text.startswith("en") or text in ("c", "posix", "c.utf-8"):
        return "en"
    return None


def env_lang() -> str | None:
    """The language of ``MPTOOL_LANG`` (None when unset or empty; ValueError when unknown)."""
    raw = os.environ.get(ENV, "")
    if not raw.strip():
        return None
    lang = normalize(raw)
    if lang is None:
        raise ValueError(f"{ENV}={raw!r}: unknown language (use en or zh)")
    return lang


@lru_cache(maxsize=None)
def table(lang: str = "zh") -> dict[str, Any]:
    """The translation table of ``lang`` (empty for English)."""
    if lang == "en":
        return {}
    from ruamel.yaml import YAML

    from importlib import resources  # imported on first use: it costs ~10 ms of start-up (issue 20)

    text = resources.files("mptool.core.i18n").joinpath(f"{lang}.yaml").read_text(encoding="utf-8")
    return YAML(typ="safe", pure=True).load(text)


class Translator:
    """Words of one language for the renderers; English returns the English text given."""

    def __init__(self, lang: str = DEFAULT_LANG) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self._t = table(self.lang)

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def _get(self, section: str, key: str) -> str | None:
        value = self._t.get(section, {}).get(key)
        return None if value is None else str(value)

    def label(self, key: str, english: str, **values: Any) -> str:
        """A report label: the ``labels`` entry ``key`` (``{name}`` fields filled in) or ``english``."""
        text = self._get("labels", key) or english
        return text.format(**values) if values else text

    def demo(self, name: str, english: str) -> str:
        """The description of demo run ``name`` (a run that could not be set up keeps its reason)."""
        if english.startswith("NOT RUN:"):
            return self.label("demo.not_run", "NOT RUN:") + english[len("NOT RUN:"):]
        return self._get("demo", name) or english

    def status(self, status: Any) -> str:
        """A result status word (``pass`` → 符合); English: upper case."""
        value = getattr(status, "value", status)
        return self._get("statuses", value) or str(value).upper()

    def severity(self, severity: Any) -> str:
        value = getattr(severity, "value", severity)
        return self._get("severities", value) or str(value)

    def title(self, check_id: str, english: str) -> str:
        return self._get("checks", check_id) or english

    def title_zh(self, check_id: str) -> str | None:
        """The check's title in this language (None when the table lacks it)."""
        return self._get("checks", check_id)

    def finding(self, code: str) -> str | None:
        """The Chinese meaning of a finding code (None in English or when the table lacks it)."""
        return self._get("findings", code)

    def reason(self, code: Any, english: str) -> str:
        """A channel verdict's reason in this language: the ``reasons:`` template of its code
        (``{"code", "args"}`` as the evidence's ``reason_codes`` hold it) filled with its arguments,
        each argument that is a word of ``reason_terms:`` in Chinese; ``english`` when the reason
        has no code, the table no template, or the template a field the arguments lack."""
        if not isinstance(code, dict) or not isinstance(code.get("args", {}), dict):
            return english
        template = self._get("reasons", str(code.get("code")))
        if template is None:
            return english
        args = {str(k): self.reason_term(str(v)) for k, v in (code.get("args") or {}).items()}
        try:
            return template.format(**args)
        except (KeyError, IndexError, ValueError):
            return english

    def reason_term(self, word: str) -> str:
        """A word of ``reason_terms:`` in this language (an alert's sender, an IKE method), or the word itself."""
        return str(self._t.get("reason_terms", {}).get(word, word))

    def reason_line(self, code: dict[str, Any]) -> str:
        """A finding's reason in this language, led by its indicator (``NET-AUTH：…``); '' without a template."""
        said = self.reason(code, "")
        indicator = code.get("indicator")
        return f"{indicator}：{said}" if said and indicator else said

    def shown(self, value: str) -> str:
        """A fixed value of a shown line (``valid PKCS#7``); data (hex, text) is left as it is."""
        return self._get("shown_values", value) or value

    def key(self, key: str) -> str:
        """The name of a summary total or measurement in the report (``keys:``), or the key itself."""
        return self._get("keys", key) or key

    def value(self, value: Any, key: str | None = None) -> Any:
        """A measured value in the report's words: verdicts translated (and a ``verdict`` that is a
        status word), the rest unchanged."""
        if isinstance(value, str):
            if key == "verdict" and value in self._t.get("statuses", {}):
                return self.status(value)
            return self._get("verdicts", value) or value
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v, k) for k, v in value.items()}
        return value

    def totals(self, extra: dict[str, Any], limit: int = 300) -> str:
        """Domain totals of a summary as ``名称 值`` pairs (one level of nesting spelled out)."""
        parts = []
        for key, value in extra.items():
            if isinstance(value, dict):
                inner = "，".join(f"{self.key(k)} {_compact(self.value(v, k))}" for k, v in value.items())
                parts.append(f"{self.key(key)}：{inner}")
            else:
                parts.append(f"{self.key(key)} {_compact(self.value(value, key))}")
        text = "；".join(parts)
        return text if len(text) <= limit else text[: limit - 1] + "…"


def _compact(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        import json  # only here and in _details: an English report needs no json (start-up)

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "—" if value is None else str(value)


def _details(data: dict[str, Any], limit: int = 4) -> str:
    items = []
    for key, value in data.items():
        if isinstance(value, (dict, list)) or value is None or key == "traceback":
            continue
        if isinstance(value, str):
            text = value
        else:
            import json

            text = json.dumps(value, ensure_ascii=False)
        items.append(f"{key}={text if len(text) <= 40 else text[:39] + '…'}")
        if len(items) == limit:
            break
    return "（" + "，".join(items) + "）" if items else ""


def finding_message(tr: Translator, finding: Finding) -> str | None:
    """A finding's message in ``tr``'s language: a verdict reason (``data.reason``) in words, else
    the code's meaning and the finding's details."""
    meaning = tr.finding(finding.code)
    if meaning is None:
        return None
    reason = finding.data.get("reason") if isinstance(finding.data, dict) else None
    said = tr.reason_line(reason) if isinstance(reason, dict) else ""
    return said or meaning + _details(finding.data)


def localize(evidence: Evidence, lang: str) -> Evidence:
    """``evidence`` with ``title_zh`` on each result and ``message_zh`` on each translated finding
    (for ``lang == "zh"``; any other language returns it unchanged)."""
    if lang != "zh":
        return evidence
    tr = Translator("zh")

    def result(r: CheckResult) -> CheckResult:
        findings = [f.model_copy(update={"message_zh": finding_message(tr, f)}) for f in r.findings]
        return r.model_copy(update={"title_zh": tr.title_zh(r.check), "findings": findings})

    return evidence.model_copy(update={"results": [result(r) for r in evidence.results]})
