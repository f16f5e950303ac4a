"""The built wheel carries factors/ and loads a factor from it (not from the source tree)."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_installed_wheel_has_factors(tmp_path):
    dist = tmp_path / "dist"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = dist.glob("recp-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "recp/factors/ipcc2006-fuels.csv" in names
    assert "recp/factors/ipcc2006-fuels.meta.yaml" in names
    assert "recp/py.typed" in names and "recp/recp_units.txt" in names
    target = tmp_path / "site"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import recp, recp.factors as f;"
        "assert recp.__file__.startswith(sys.argv[1]), recp.__file__;"
        "assert str(f.factors_dir()).startswith(sys.argv[1]), f.factors_dir();"
        "print(recp.library().get('ipcc2006-fuels:natural_gas:ncv').value)"
    )
    r = subprocess.run(
        [sys.executable, "-c", probe, str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "48.0"
