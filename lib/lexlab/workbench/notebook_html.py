"""An executed notebook as HTML, beside the ``.ipynb``: MLflow's artifact viewer shows a notebook as raw JSON but
displays an HTML file as a page."""
from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def render(notebook: Path) -> Path | None:
    """Write ``<notebook>.html`` (nbconvert's lab template, stream outputs coalesced) and return its path; None,
    with a warning, when nbconvert fails — the notebook itself is still attached."""
    from nbconvert import HTMLExporter

    out = Path(notebook).with_suffix(".html")
    try:
        exporter = HTMLExporter(template_name="lab")
        exporter.register_preprocessor("nbconvert.preprocessors.CoalesceStreamsPreprocessor", enabled=True)
        body, _ = exporter.from_filename(str(notebook))
    except Exception as exc:  # a broken notebook or template must not fail the stage
        log.warning("could not render %s as HTML: %s", notebook, exc)
        return None
    out.write_text(body, encoding="utf-8")
    return out
