"""The page in a real headless Chromium, against a real ``recp serve`` process.

A consultant starts a plant from a template, fills it in, adds an intervention with a wrong
unit, sees the problem beside its field, fixes it, assesses, downloads the Excel report and
switches to Chinese; another uploads a worked plant and sees the summary. Screenshots are
saved in the test's folder (and in ``$RECP_SCREENSHOTS`` when set). Playwright drives Debian's
Chromium (``executable_path``; Playwright's own browser download is never used).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests.conftest import ROOT
from tests.test_report_html import CHROMIUM_FLAGS, chromium

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = free_port()
    exe = Path(sys.executable).parent / "recp"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            proc.kill()
            pytest.fail(f"recp serve did not start: {proc.communicate()[0]}")
        yield url
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
        assert "Traceback" not in out, out


class Browser:
    """One page of Debian's Chromium, driven by Playwright (``executable_path``: no download)."""

    def __init__(self, pw: Any, downloads: Path):
        flags = [f for f in CHROMIUM_FLAGS if f != "--headless"]
        self.browser = pw.chromium.launch(executable_path=chromium(), args=flags, headless=True)
        self.context = self.browser.new_context(
            accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        self.page = self.context.new_page()
        self.downloads = downloads
        self.console: list[str] = []
        self.page.on(
            "console",
            lambda m: self.console.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.on("pageerror", lambda e: self.console.append(str(e)))
        self.page.on(
            "response",
            lambda r: self.console.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

    def js(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def wait(self, expression: str, timeout: float = 30.0) -> Any:
        """Poll ``expression`` until truthy (evaluated over the protocol, so the page's strict
        CSP, which forbids eval, stays on)."""
        end = time.monotonic() + timeout
        while True:
            try:
                value = self.page.evaluate(expression)
            except PlaywrightError:  # the page is navigating: ask the next one
                value = None
            if value:
                return value
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {expression}")
            time.sleep(0.05)

    def go(self, url: str) -> None:
        self.page.goto(url)

    def submit(self, click: str, then: str) -> None:
        """Click (a JS expression giving the element), wait for the next page's condition."""
        with self.page.expect_navigation():
            self.page.evaluate(f"({click}).click()")
        self.wait(then)

    def set(self, name: str, value: str) -> None:
        """Fill the form field named ``name`` (an input, or choose in a select)."""
        field = self.page.locator(f'[name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)

    def upload(self, selector: str, path: Path) -> None:
        self.page.set_input_files(selector, str(path))

    def screenshot(self, path: Path) -> Path:
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()
        self.browser.close()


@pytest.fixture
def browser(tmp_path) -> Iterator[Browser]:
    (tmp_path / "downloads").mkdir()
    with sync_playwright() as pw:
        b = Browser(pw, tmp_path / "downloads")
        try:
            yield b
        finally:
            b.close()


def shot(b: Browser, tmp_path: Path, name: str) -> None:
    png = b.screenshot(tmp_path / f"{name}.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("RECP_SCREENSHOTS"):
        Path(os.environ["RECP_SCREENSHOTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(os.environ["RECP_SCREENSHOTS"]) / png.name)


def test_template_to_report_in_chromium(server, browser, tmp_path):
    b = browser
    b.go(server + "/")
    b.js("document.getElementById('sector').value = 'dairy'")
    b.submit("document.getElementById('create')", "/^\\/plants\\/p\\d+$/.test(location.pathname)")
    b.set("plant.name", "Lapte SRL, Balti")
    # a new intervention on the grid electricity, with a wrong unit
    n = b.js("document.querySelectorAll('#interventions .iv').length") - 1
    iv = f"interventions[{n}]"
    b.set(f"{iv}.id", "vsd_pumps")
    b.set(f"{iv}.category", "equipment modification")
    b.set(f"{iv}.changes[0].flow", "grid")
    b.set(f"{iv}.changes[0].amount", "-12")
    b.set(f"{iv}.changes[0].amount|unit", "kg")
    b.submit("document.getElementById('save')", "document.getElementById('problems')")
    located = b.js(
        "Array.from(document.querySelectorAll('label.field.invalid')).map(l => "
        "l.querySelector('input,select').name + ' => ' + l.querySelector('.problem')"
        ".textContent).join('\\n')"
    )
    assert f"{iv}.changes[0].amount => " in located, located
    shot(b, tmp_path, "serve-located-error")
    b.set(f"{iv}.changes[0].amount|unit", "%")
    b.submit("document.getElementById('assess')", "document.getElementById('summary')")
    assert b.js("location.pathname").endswith("/report")
    summary = b.js("document.getElementById('summary').innerText")
    assert "GHG" in summary and "baseline" in summary and "all" in summary, summary
    # the full report renders inside the page and its own self-check passes (charts drawn)
    b.wait(
        "(f => f.contentDocument && f.contentDocument.body && "
        "f.contentDocument.body.dataset.selfcheck === 'ok')"
        "(document.querySelector('iframe.report'))"
    )
    shot(b, tmp_path, "serve-report")
    with b.page.expect_download() as dl:
        b.js("document.getElementById('dl-xlsx').click()")
    xlsx = tmp_path / "downloads" / dl.value.suggested_filename
    dl.value.save_as(xlsx)
    assert xlsx.suffix == ".xlsx" and xlsx.read_bytes()[:2] == b"PK"
    b.js("window.__old = true")
    b.js("(function(s){s.value='zh'; s.dispatchEvent(new Event('change'));})"
         "(document.getElementById('lang'))")  # fmt: skip
    b.wait("!window.__old && document.documentElement.lang === 'zh-Hans'")
    assert "摘要" in b.js("document.body.innerText")
    shot(b, tmp_path, "serve-report-zh")
    assert not b.console, b.console


def test_upload_worked_plant_and_see_summary(server, browser, tmp_path):
    b = browser
    b.go(server + "/")
    b.upload("#file", ROOT / "scenarios" / "textile-dyeing-bd.yaml")
    b.submit("document.getElementById('open')", "document.getElementById('plant-form')")
    assert b.js("document.getElementById('ready') !== null")
    shot(b, tmp_path, "serve-plant")
    b.submit("document.getElementById('assess')", "document.getElementById('summary')")
    text = b.js("document.getElementById('summary').innerText")
    assert "energy" in text.lower() and "GHG" in text
    assert not b.console, b.console
