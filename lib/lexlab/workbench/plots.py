"""Matplotlib for every lexlab figure, set up in one place: a Korean font and a size read at 100%.

``setup()`` is called by ``tracking.stage_run`` (the first cell of every notebook) and by each plotting helper;
it is idempotent. The Korean font is NanumGothic from ``koreanize-matplotlib`` (a project dependency that ships
the .ttf inside its wheel — nothing is downloaded), with DejaVu Sans as the fallback for Latin and symbols, so
Hangul labels (case types, crime categories, law names) render as text, not boxes. Figures are 100 dpi and at
most ``MAX_WIDTH_PX`` wide: MLflow's artifact preview and a notebook show them at 100% without a thin strip.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

KOREAN_FONT = "NanumGothic"
DPI = 100
MAX_WIDTH_PX = 1600
_done = False


def setup() -> None:
    """Register the bundled Korean font and the figure defaults (idempotent; keeps the current backend)."""
    global _done
    if _done:
        return
    import matplotlib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # it imports distutils.version
        import koreanize_matplotlib  # noqa: F401  (registers NanumGothic on import)
    matplotlib.rcParams.update({
        "font.family": [KOREAN_FONT, "DejaVu Sans"], "axes.unicode_minus": False,
        "figure.dpi": DPI, "savefig.dpi": DPI, "figure.max_open_warning": 50,
    })
    _done = True


def size_px(fig) -> tuple[int, int]:
    """The figure's size in pixels as saved (``mlflow.log_figure`` saves at ``savefig.dpi``)."""
    w, h = fig.get_size_inches()
    return round(w * DPI), round(h * DPI)


def facets(n: int, panel: tuple[float, float] = (3.8, 2.6), max_cols: int = 4, sharey: bool = True,
           extra_height: float = 0.6) -> tuple[Any, list]:
    """A grid of ``n`` panels no wider than ``MAX_WIDTH_PX``; returns (figure, the ``n`` axes used)."""
    import matplotlib.pyplot as plt

    setup()
    cols = max(1, min(n, max_cols, int(MAX_WIDTH_PX / DPI // panel[0])))
    rows = max(1, math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(panel[0] * cols, panel[1] * rows + extra_height),
                             sharey=sharey, squeeze=False)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]
