"""Safe output files: written to a temporary file beside the target, then renamed.

A reader never sees a half-written file; an existing output is replaced only when asked
(``force``); an input file is never overwritten.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from recp.errors import OutputError


def check_output(path: str | Path, inputs: Iterable[str | Path] = (), force: bool = False) -> Path:
    """Check that ``path`` may be written; return it resolved.

    Raises
    ------
    OutputError
        If ``path`` is one of ``inputs``, exists and ``force`` is false, or is a folder.
    """
    p = Path(path)
    for i in inputs:
        try:
            if Path(i).exists() and p.exists() and os.path.samefile(p, i):
                raise OutputError(f"{p}: refusing to write over an input file")
        except OSError as e:
            if isinstance(e, OutputError):
                raise
        if Path(i).resolve() == p.resolve():
            raise OutputError(f"{p}: refusing to write over an input file")
    if p.is_dir():
        raise OutputError(f"{p}: is a folder; give a file name")
    if p.exists() and not force:
        raise OutputError(f"{p}: exists; use --force to replace it")
    return p


def write_atomic(
    path: str | Path, data: bytes | str, inputs: Iterable[str | Path] = (), force: bool = False
) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file + rename).

    Parameters
    ----------
    path : str or Path
        Target file.
    data : bytes or str
        Content; ``str`` is written as UTF-8.
    inputs : iterable of paths
        Files that must not be overwritten.
    force : bool
        Replace an existing ``path``.

    Raises
    ------
    OutputError
        If the target is refused (see :func:`check_output`) or the write fails (disk full,
        read-only folder); no partial file is left behind.
    """
    p = check_output(path, inputs, force)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    folder = p.parent if str(p.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise OutputError(f"{p}: cannot write in {folder}: {e.strerror or e}") from None
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        # (or keep the mode of the file it replaces).
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), _mode(p))
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"{p}: write failed: {e.strerror or e}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return p


def _mode(p: Path) -> int:
    """Permission bits for a new output: those of the file it replaces, else 0666 - umask."""
    try:
        return p.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def read_yaml(text: str) -> Any:
    """Plain data from YAML text, with libyaml's C parser when PyYAML has it.

    For the meta files of factor tables (shipped, or a user's own ``factors:`` folder), the
    templates and the catalogues: the pure-Python parser cost tens of milliseconds of every
    ``recp`` start. The safe loader, as before: plain data only. Scenario files go through
    :func:`recp.scenario.loads` (duplicate keys, depth and alias limits).
    """
    import yaml  # lazy: CLI start-up

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
