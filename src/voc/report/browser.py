"""Headless Chromium over the DevTools protocol, for the report's browser test and screenshots.

The protocol runs over a pipe (``--remote-debugging-pipe``: JSON messages separated by NUL bytes
on file descriptors 3 and 4), so nothing beyond the standard library and a system Chromium is
needed: no websocket client, no downloaded browser, no open port.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Without the networking switches Chromium waits for services it cannot reach on a closed network.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-pipe")


class BrowserError(RuntimeError):
    """Chromium is missing, exited, or did not answer in time."""


def find_chromium() -> str | None:
    """The Chromium binary: $VOC_CHROMIUM, else the first of CANDIDATES on PATH."""
    env = os.environ.get("VOC_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


class Chromium:
    """One headless Chromium with one page. Use as a context manager.

    Example:
        with Chromium() as browser:
            browser.open(Path("report.html").resolve().as_uri())
            browser.screenshot(Path("first-screen.png"))
    """

    def __init__(self, binary: str | None = None, width: int = 1366, height: int = 768, timeout: float = 30.0):
        self.binary = binary or find_chromium()
        if not self.binary:
            raise BrowserError("no Chromium found: install Debian's `chromium` package or set VOC_CHROMIUM")
        self.width, self.height, self.timeout = width, height, timeout
        self.events: list[dict[str, Any]] = []
        self._next_id = 0
        self._buffer = b""
        self.session: str | None = None

    # -- process and transport -------------------------------------------------------------------
    def __enter__(self) -> "Chromium":
        self._profile = tempfile.mkdtemp(prefix="voc-chromium-")
        to_child, self._write = os.pipe()
        self._read, from_child = os.pipe()

        def wire_fds() -> None:  # runs in the child: Chromium expects the pipe on fds 3 and 4
            a, b = os.dup(to_child), os.dup(from_child)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [self.binary, *FLAGS, f"--user-data-dir={self._profile}",
                f"--window-size={self.width},{self.height}", "about:blank"]
        # close_fds=False: fds 3/4 are made inheritable by dup2; our other fds are not inheritable.
        self.proc = subprocess.Popen(args, preexec_fn=wire_fds, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.proc.poll() is None:
                self.session = None
                self._send("Browser.close")
                self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - closing must not hide the test's own error
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for fd in (self._write, self._read):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self._profile, ignore_errors=True)

    def _send(self, method: str, params: dict[str, Any] | None = None) -> int:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self.session:
            msg["sessionId"] = self.session
        os.write(self._write, json.dumps(msg).encode() + b"\0")
        return self._next_id

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._read], [], [], max(0.0, left))
            if not ready:
                raise BrowserError(f"Chromium did not answer within {self.timeout:.0f}s")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium exited (status {self.proc.poll()})")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a command and wait for its answer; events that arrive meanwhile are kept in .events."""
        msg_id = self._send(method, params)
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self._receive(deadline)
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error'].get('message')}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_for(self, event: str) -> dict[str, Any]:
        """Wait for an event (or return it if it already came)."""
        for msg in self.events:
            if msg["method"] == event:
                return msg
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self._receive(deadline)
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == event:
                    return msg

    # -- page ------------------------------------------------------------------------------------
    def open(self, url: str) -> None:
        """Navigate and wait until the page and its subresources have loaded."""
        self.events.clear()
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (JSON-serialisable)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:60]}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def console_errors(self) -> list[str]:
        """Errors the page logged or threw: console.error, uncaught exceptions, failed loads."""
        errors = []
        for msg in self.events:
            p = msg.get("params", {})
            if msg["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                errors.append(d.get("exception", {}).get("description") or d.get("text", "exception"))
            elif msg["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif msg["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                errors.append(f"{p['entry'].get('text')} ({p['entry'].get('url', '')})")
        return errors

    def box(self, selector: str) -> dict[str, float] | None:
        """The page-coordinates box of the first element matching selector, or None."""
        return self.evaluate(
            f"""(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;
                 const r = e.getBoundingClientRect();
                 return {{x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height}}; }})()""")

    def visible(self, selector: str) -> list[bool]:
        """For each element matching selector: is it rendered with a size, not hidden or transparent?"""
        return self.evaluate(
            f"""Array.from(document.querySelectorAll({json.dumps(selector)})).map(e => {{
                 const r = e.getBoundingClientRect(), s = getComputedStyle(e);
                 return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none"
                        && parseFloat(s.opacity) > 0; }})""")

    def screenshot(self, path: Path, selector: str | None = None, margin: int = 8) -> Path:
        """A PNG of the viewport, or of one element (with a small margin) when selector is given."""
        params: dict[str, Any] = {"format": "png"}
        if selector:
            self.evaluate("window.scrollTo(0, 0)")  # a sticky header would otherwise cover the element
            b = self.box(selector)
            if not b:
                raise BrowserError(f"no element matches {selector!r}")
            params.update(captureBeyondViewport=True, clip={
                "x": max(0, b["x"] - margin), "y": max(0, b["y"] - margin),
                "width": b["width"] + 2 * margin, "height": b["height"] + 2 * margin, "scale": 1})
        data = self.call("Page.captureScreenshot", params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
