"""Drive Debian's Chromium from a test over the DevTools protocol, on a pipe (stdlib only).

``chromium --remote-debugging-pipe`` reads protocol messages on file descriptor 3 and writes
its answers on 4, each a JSON text ended by a NUL byte. That is all a test needs to open pages,
fill forms, click, upload a file, download, and take screenshots in the real browser, without
a driver binary or a Python package beyond the standard library.
"""

from __future__ import annotations

import base64
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.test_report_html import CHROMIUM_FLAGS, chromium


class Browser:
    """One headless Chromium with one page, driven over the DevTools pipe."""

    def __init__(self, profile: Path, downloads: Path):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def fds() -> None:  # in the child: the pipe ends on 3 and 4, inheritable
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [chromium(), *CHROMIUM_FLAGS, "--remote-debugging-pipe",
             f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"],
            preexec_fn=fds, close_fds=False, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env={**os.environ, "LANG": "C.UTF-8"},
        )  # fmt: skip
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._n = 0
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads))
        self.page("Page.enable")
        self.page("Runtime.enable")
        self.console: list[str] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> Any:
        """Send one command; return its result (events that arrive meanwhile are kept)."""
        self._n += 1
        msg: dict[str, Any] = {"id": self._n, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read(30.0)
            if m.get("id") == self._n:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if m.get("method") == "Runtime.exceptionThrown":
                self.console.append(json.dumps(m["params"])[:500])

    def page(self, method: str, **params: Any) -> Any:
        """A command to the page."""
        return self.call(method, self.session, **params)

    def _read(self, timeout: float) -> dict[str, Any]:
        end = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return dict(json.loads(raw))

    def js(self, expression: str) -> Any:
        """Evaluate in the page; return the value."""
        r = self.page("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait(self, expression: str, timeout: float = 30.0) -> Any:
        """Poll until ``expression`` is truthy in a fully loaded page."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                v = self.js(f"document.readyState === 'complete' && !!({expression})")
            except RuntimeError:
                v = None  # the page is navigating
            if v:
                return v
            time.sleep(0.1)
        raise TimeoutError(
            f"never true: {expression}; at {self.js('location.href')}: "
            f"{self.js('document.body && document.body.innerText.slice(0, 500)')}"
        )

    def go(self, url: str) -> None:
        """Open ``url`` and wait for it to load."""
        self.page("Page.navigate", url=url)
        self.wait(f"location.href === {json.dumps(url)}")

    def submit(self, click: str, then: str) -> None:
        """Click the element ``click`` (JS) and wait for a new page where ``then`` holds."""
        self.js("window.__old = true")
        self.js(f"({click}).click()")
        self.wait(f"!window.__old && ({then})")

    def set(self, name: str, value: str) -> None:
        """Type ``value`` into the form field named ``name``."""
        self.js(
            f"(function(e){{e.value = {json.dumps(value)}; "
            "e.dispatchEvent(new Event('change', {bubbles: true}));})"
            f"(document.getElementsByName({json.dumps(name)})[0])"
        )

    def upload(self, selector: str, path: Path) -> None:
        """Choose ``path`` in the file input matched by ``selector``."""
        root = self.page("DOM.getDocument")["root"]["nodeId"]
        node = self.page("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        self.page("DOM.setFileInputFiles", files=[str(path)], nodeId=node)

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the whole page."""
        data = self.page("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def close(self) -> None:
        """Close the browser."""
        try:
            self.call("Browser.close")
        except (EOFError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
