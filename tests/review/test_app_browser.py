"""The review page in a real browser (Playwright driving Debian's Chromium): load the queue, open the most uncertain
document, decide with the keyboard, mark a missed span, and find both decisions in the database."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from lexlab.review.store import ReviewStore
from review import served

CHROMIUM = Path(os.environ.get("LEXLAB_CHROMIUM", "/usr/bin/chromium"))
pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} "
                                 "(apt-get install -y chromium; or set LEXLAB_CHROMIUM)")]


def shot(page, path: Path) -> None:
    """With LEXLAB_REVIEW_SHOTS=<folder>: a screenshot through the DevTools protocol (Playwright's own waits for a frame Debian's Chromium may not
    send in headless mode)."""
    import base64

    data = page.context.new_cdp_session(page).send("Page.captureScreenshot", {"format": "png"})["data"]
    path.write_bytes(base64.b64decode(data))


def test_queue_accept_and_mark_missed_in_the_browser(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    db = served.make_db(tmp_path / "r.db")
    shots = Path(os.environ["LEXLAB_REVIEW_SHOTS"]) if os.environ.get("LEXLAB_REVIEW_SHOTS") else None
    with served.serving(db) as (url, _), sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 700})
        page.set_default_timeout(30_000)
        page.goto(url + "/")
        assert page.locator("#queue tr").count() == 4 and "3 pending" in page.content()
        if shots:
            shot(page, shots / "queue.png")
        page.click("text=2020도1#0")
        assert page.locator("#text mark").count() == 2
        page.fill("#reason", "주민등록번호와 이름")
        page.locator("#text").click()
        page.keyboard.press("a")
        page.wait_for_selector("#status[data-seq='1']")
        page.wait_for_url("**/doc/2020%EB%8F%842%231")  # the next pending document
        page.evaluate("""() => { const t = document.getElementById('text');
            const node = [...t.childNodes].find(n => n.nodeType === 3 && n.textContent.includes('박서준'));
            const i = node.textContent.indexOf('박서준'); const r = document.createRange();
            r.setStart(node, i); r.setEnd(node, i + 3); getSelection().removeAllRanges(); getSelection().addRange(r);
        }""")
        page.keyboard.press("m")
        page.keyboard.press("e")
        page.wait_for_selector("#status[data-seq='2']")
        if shots:
            shot(page, shots / "document.png")
        browser.close()
    log = ReviewStore(db).audit()
    assert [(r["doc_id"], r["action"], r["reviewer"]) for r in log] == [("2020도1#0", "accept", "tester"),
                                                                         ("2020도2#1", "edit", "tester")]
    assert log[0]["reason"] == "주민등록번호와 이름" and len(log[0]["spans"]) == 2
    text = served.DOCS[1]["text"]
    assert [text[s["start"]:s["end"]] for s in log[1]["spans"]] == ["010-9876-5432", "박서준"]
