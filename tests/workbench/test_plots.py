"""Figures: Hangul renders in the bundled Korean font (no missing-glyph warning), sizes read at 100%."""
from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lexlab.workbench import plots  # noqa: E402


def test_hangul_label_renders_without_missing_glyph_warning():
    plots.setup()
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.barh(["사기", "도로교통법 위반"], [3, 5])
    ax.set_title("형법 제347조 · 죄명별 판결 수")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
    glyph = [str(w.message) for w in caught if "missing" in str(w.message).lower() or "glyph" in str(w.message).lower()]
    assert glyph == []
    from matplotlib import font_manager

    found = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.family"]))
    assert "Nanum" in found


def test_facets_stay_within_the_readable_width():
    fig, axes = plots.facets(11)
    width, height = plots.size_px(fig)
    plt.close(fig)
    assert len(axes) == 11 and width <= plots.MAX_WIDTH_PX and height < 1600
