"""The page in a real headless Chromium, against a real ``recp serve`` process.

A consultant starts a plant from a template, fills it in, adds an intervention with a wrong
unit, sees the problem beside its field, fixes it, assesses, downloads the Excel report and
switches to Chinese; another uploads a worked plant and sees the summary. Screenshots are
saved in the test's folder (and in ``$RECP_SCREENSHOTS`` when set).
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

import pytest

from tests.conftest import ROOT
from tests.serve.cdp import Browser

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


@pytest.fixture
def browser(tmp_path) -> Iterator[Browser]:
    (tmp_path / "downloads").mkdir()
    b = Browser(tmp_path / "profile", tmp_path / "downloads")
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
    b.js("document.getElementById('dl-xlsx').click()")
    downloads = tmp_path / "downloads"
    for _ in range(200):
        done = [p for p in downloads.iterdir() if p.suffix == ".xlsx"]
        if done:
            break
        time.sleep(0.1)
    assert done and done[0].read_bytes()[:2] == b"PK", list(downloads.iterdir())
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
