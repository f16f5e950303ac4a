"""Check that an environment holds exactly the locked set: ``pip freeze`` against ``uv.lock``.

Run by ``make check-install`` (and so by CI) after ``uv sync --frozen``::

    .venv/bin/python tools/check_install.py [path/to/uv]

The lock's pins for this platform and Python come from ``uv export --frozen`` (markers evaluated
here); the installed set from ``pip freeze --all`` less the editable recp itself. Any package
missing, extra or at another version is one line, and the exit code is 1.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def locked(uv: str) -> dict[str, str]:
    """Return {package: version} that uv.lock pins for this interpreter and platform."""
    out = subprocess.run(
        [
            uv,
            "export",
            "--frozen",
            "--no-hashes",
            "--no-emit-project",
            "--no-header",
            "--no-annotate",
            "--format",
            "requirements.txt",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pins: dict[str, str] = {}
    for line in out.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate():
            (spec,) = req.specifier
            pins[canonicalize_name(req.name)] = spec.version
    return pins


def installed() -> dict[str, str]:
    """Return {package: version} as ``pip freeze --all`` lists it (editable installs left out)."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "freeze",
            "--all",
            "--exclude-editable",
            "--disable-pip-version-check",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pins: dict[str, str] = {}
    for line in out.splitlines():
        name, sep, version = line.partition("==")
        if not sep:
            raise SystemExit(f"pip freeze gave a line that is not a pin: {line!r}")
        pins[canonicalize_name(name)] = version
    return pins


def main() -> int:
    """Compare the two sets; print one line per difference."""
    uv = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".uv" / "bin" / "uv")
    want, have = locked(uv), installed()
    problems = [
        f"{name}: locked {want[name]}, installed {have.get(name, 'nothing')}"
        for name in sorted(want)
        if have.get(name) != want[name]
    ]
    problems += [
        f"{name}: installed {have[name]}, not in uv.lock" for name in sorted(set(have) - set(want))
    ]
    for line in problems:
        print(line, file=sys.stderr)
    if problems:
        return 1
    print(f"pip freeze equals uv.lock: {len(want)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
