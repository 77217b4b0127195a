"""Screenshots of a written report: its first screen and one persona card, as PNG files.

    .venv/bin/python bench/screenshots.py out/demo/report.html out/demo/screenshots

Uses the system Chromium (Debian's `chromium` package, or $VOC_CHROMIUM) in headless mode over the
DevTools pipe; nothing is downloaded. The first screen is a 1366x768 laptop viewport.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from voc.report.browser import BrowserError, Chromium, find_chromium


def take(report: Path, out: Path, persona: int = 1, width: int = 1366, height: int = 768) -> list[Path]:
    """Write first-screen.png and persona-card.png for report into out; return their paths."""
    with Chromium(width=width, height=height) as browser:
        browser.open(report.resolve().as_uri())
        shots = [browser.screenshot(out / "first-screen.png")]
        card = f"#persona-{persona}"
        if browser.box(card) is None:
            card = "article.persona"
        if browser.box(card) is not None:
            shots.append(browser.screenshot(out / "persona-card.png", selector=card))
        else:
            print(f"{report}: no persona card in this report; only the first screen was written", file=sys.stderr)
        errors = browser.console_errors()
    for e in errors:
        print(f"{report}: console error: {e}", file=sys.stderr)
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path, help="a report.html written by `voc report`")
    parser.add_argument("out", type=Path, help="folder for first-screen.png and persona-card.png")
    parser.add_argument("--persona", type=int, default=1, help="which persona card (default: 1, the largest)")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=768)
    args = parser.parse_args(argv)
    if not args.report.is_file():
        print(f"screenshots: error: {args.report} not found; write it with `voc report STUDY` or `make demo`", file=sys.stderr)
        return 2
    if not find_chromium():
        print("screenshots: error: no Chromium found; install Debian's `chromium` package or set VOC_CHROMIUM",
              file=sys.stderr)
        return 2
    try:
        for path in take(args.report, args.out, args.persona, args.width, args.height):
            print(path)
    except BrowserError as err:
        print(f"screenshots: error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
