"""The HTML report in a real browser: headless Chromium opens it, takes a screenshot, logs no
errors, and shows the persona cards and the pain-point table.

Uses the system Chromium (Debian's `chromium` package, or $VOC_CHROMIUM) over the DevTools pipe;
the tests skip with the reason when no Chromium is installed. Nothing is downloaded. The demo
report's browser test sits with the other demo-pipeline tests (test_pipeline.py), which share one
pipeline run.
"""

from __future__ import annotations

import base64

from voc.report.browser import Chromium

PNG = b"\x89PNG\r\n\x1a\n"


def check_in_browser(binary: str, html_path, shot_path, min_personas: int) -> None:
    with Chromium(binary) as browser:
        browser.open(html_path.resolve().as_uri())
        browser.screenshot(shot_path)
        cards = browser.visible("article.persona")
        table = browser.visible("#table-pain_point")
        rows = browser.visible("#table-pain_point tbody tr")
        card_shot = browser.screenshot(shot_path.with_name("card.png"), selector="article.persona")
        pdf = base64.b64decode(browser.call("Page.printToPDF", {"printBackground": True})["data"])
        errors = browser.console_errors()
    assert errors == []
    assert shot_path.read_bytes().startswith(PNG) and shot_path.stat().st_size > 10_000
    assert card_shot.read_bytes().startswith(PNG)
    assert len(cards) >= min_personas and all(cards), cards
    assert table == [True] and rows and all(rows)
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000  # printable


def test_small_report_in_headless_chromium(chromium_binary, tmp_path):
    from tests.unit.test_report import analyse, group_rows
    from voc.config import StudyConfig
    from voc.report import write_report
    from voc.store import Store

    study = StudyConfig(name="tiny", product="Robot vacuums", output_dir=tmp_path / "out")
    with Store(tmp_path / "s.duckdb") as store:
        paths = write_report(study, store, analyse(study, store, group_rows()))
    check_in_browser(chromium_binary, paths["html"], tmp_path / "first-screen.png", min_personas=3)
