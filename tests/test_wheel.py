"""The built wheel carries factors/ and the compiled report catalogues, and loads them."""

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
    # The report catalogues ship compiled at build time (hatch_build.py), one per language.
    langs = sorted(p.name for p in (ROOT / "src" / "recp" / "locale").iterdir() if p.is_dir())
    assert len(langs) >= 6, langs
    for lang in langs:
        assert f"recp/locale/{lang}/LC_MESSAGES/recp.mo" in names, lang
    assert not [n for n in names if n.endswith((".po", ".pot"))]
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
        "print(recp.library().get('ipcc2006-fuels:natural_gas:ncv').value);"
        "from recp.report.lang import languages, translator;"
        "print(' '.join(languages()), translator('fr')('sections.summary'))"
    )
    r = subprocess.run(
        [sys.executable, "-c", probe, str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.strip().splitlines()
    assert lines[0] == "48.0"
    assert lines[1] == "ar en es fr ru zh Résumé"  # read from the wheel's recp.mo
