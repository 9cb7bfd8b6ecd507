"""Pictures of the report (matplotlib, Agg backend): layer scores against the maximum, the risk
distribution, and the points each indicator loses. PNG bytes (base64 in the report model).

Chinese glyphs need a CJK font: Noto Sans CJK (Debian fonts-noto-cjk) is looked up by file;
without it the charts still render (with a warning), labels then fall back to DejaVu Sans.
"""

from __future__ import annotations

import base64
import io
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from mptool.assess.api import ScoredAssessment
from mptool.assess.indicators import LAYERS

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
)


class CJKFontMissing(UserWarning):
    """No CJK font found: the charts render with DejaVu Sans (Chinese labels may show as boxes)."""


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed Noto Sans CJK font, registered with matplotlib (None: missing)."""
    from matplotlib import font_manager

    for path in FONT_CANDIDATES:
        if Path(path).exists():
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    for path in font_manager.findSystemFonts():
        if "NotoSansCJK" in path or "NotoSansSC" in path:
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
    return None


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _pyplot() -> tuple[Any, dict[str, Any]]:
    """matplotlib.pyplot on the Agg backend and the rc parameters (CJK font when installed)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    family = cjk_font()
    if family is None:
        warnings.warn("no CJK font (install fonts-noto-cjk): chart labels fall back to DejaVu Sans", CJKFontMissing, stacklevel=3)
    return plt, {"font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"], "axes.unicode_minus": False, "svg.hashsalt": "mptool"}


def distribution_chart(buckets: dict[str, int], lang: str) -> dict[str, Any]:
    """The score distribution of a portfolio (systems per score band) as a figure of the summary."""
    plt, rc = _pyplot()
    zh = lang == "zh"
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(6.5, 3.2))
        labels = list(buckets)
        bars = ax.bar(labels, [buckets[k] for k in labels], color=["#c0392b" if k.startswith("0") else "#2f6db5" for k in labels])
        for bar, key in zip(bars, labels, strict=True):
            ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + 0.05, str(buckets[key]), ha="center", fontsize=8)
        ax.set_title("综合得分分布" if zh else "Score distribution")
        ax.set_xlabel("综合得分" if zh else "total score")
        ax.set_ylabel("系统数" if zh else "systems")
        ax.yaxis.get_major_locator().set_params(integer=True)
        fig.tight_layout()
        return {"number": "图1", "caption": "综合得分分布" if zh else "Score distribution", "png_base64": _png(fig)}


def draw_charts(scored: ScoredAssessment, lang: str, risk_counts: dict[str, int], layer_name: dict[str, str]) -> dict[str, dict[str, Any]]:
    """{figure id: {number, caption, png_base64}} for layers, risks and lost points."""
    plt, rc = _pyplot()
    zh = lang == "zh"
    r = scored.result
    out: dict[str, dict[str, Any]] = {}
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(7.5, 3.6))
        names = [layer_name[layer] for layer in LAYERS]
        values = [float(r.layers[layer]) if r.layers.get(layer) is not None else 0.0 for layer in LAYERS]
        ax.bar(names, [1.0] * len(names), color="#e6e6e6", label="满分 1" if zh else "maximum 1")
        bars = ax.bar(names, values, color=["#2f6db5" if r.layers.get(layer) is not None else "#bbbbbb" for layer in LAYERS], label="层面得分" if zh else "layer score")
        for bar, layer in zip(bars, LAYERS, strict=True):
            value = r.layers.get(layer)
            ax.text(bar.get_x() + bar.get_width() / 2, max(bar.get_height(), 0.02) + 0.02, str(value) if value is not None else ("不适用" if zh else "n/a"), ha="center", fontsize=8)
        ax.set_ylim(0, 1.15)
        ax.set_title("各安全层面得分与满分" if zh else "Layer scores against the maximum")
        ax.tick_params(axis="x", labelsize=8, labelrotation=20)
        ax.legend(fontsize=8, loc="upper right")
        fig.tight_layout()
        out["layers"] = {"number": "图5-1", "caption": "安全层面得分" if zh else "Layer scores", "png_base64": _png(fig)}
        fig, ax = plt.subplots(figsize=(5, 3))
        levels = ["高", "中", "低"]
        ax.bar(levels if zh else ["high", "medium", "low"], [risk_counts[x] for x in levels], color=["#c0392b", "#e67e22", "#f1c40f"])
        ax.set_title("风险等级分布" if zh else "Risk distribution")
        ax.set_ylabel("项数" if zh else "rows")
        ax.yaxis.get_major_locator().set_params(integer=True)
        fig.tight_layout()
        out["risks"] = {"number": "图6-1", "caption": "风险等级分布" if zh else "Risk distribution", "png_base64": _png(fig)}
        lost = r.lost_points[:12]
        fig, ax = plt.subplots(figsize=(7.5, max(2.2, 0.35 * len(lost) + 1)))
        if lost:
            cat = scored.catalogue
            labels = [f"{x['indicator']} {cat.indicators[x['indicator']].label_zh[:12]}" if zh else x["indicator"] for x in lost][::-1]
            ax.barh(labels, [float(x["points"]) for x in lost][::-1], color="#2f6db5")
            ax.tick_params(axis="y", labelsize=8)
            ax.set_xlabel("丢失分值（该单元满分可提升的总分）" if zh else "points lost (gain if the unit scored 1)")
        else:
            ax.text(0.5, 0.5, "无丢失分值" if zh else "no points lost", ha="center", va="center")
            ax.set_axis_off()
        ax.set_title("各测评单元丢失分值" if zh else "Points lost per indicator")
        fig.tight_layout()
        out["lost_points"] = {"number": "图0-1", "caption": "各测评单元丢失分值" if zh else "Points lost per indicator", "png_base64": _png(fig)}
    return out
