"""Uploaded files: read through the CLI's own loaders, never trusted as paths.

An uploaded file's name is shown as text only; the bytes are written under a fixed name chosen
here (``upload.yaml``, ``upload.xlsx``) inside the session's temporary folder, read, and
removed. A zip is checked entry by entry before anything is written (no absolute path, no
``..``, no link, no device name, size and count limits) and unpacked flat under sanitised names
into its own folder; the resolved target of each entry is checked to stay inside it.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from recp.errors import InputError, Problem
from recp.scenario import Scenario, loads
from recp.workbook import read_located

#: Upload kinds by extension.
SCENARIO_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
BATCH_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".parquet", ".xlsx")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def display_name(name: str | None) -> str:
    """The uploaded file's name as plain text for messages (never a path).

    >>> display_name("../../etc/passwd")
    'passwd'
    >>> display_name(None)
    'upload'
    """
    base = PurePosixPath(str(name or "").replace("\\", "/")).name.strip()
    return base[:120] or "upload"


def suffix_of(name: str, allowed: tuple[str, ...], what: str) -> str:
    """The lower-case extension of ``name`` if allowed, else an InputError naming the valid ones."""
    suf = PurePosixPath(display_name(name)).suffix.lower()
    if suf not in allowed:
        raise InputError(
            [
                Problem(
                    "",
                    f"cannot read {suf or 'a file without extension'} as {what}; "
                    f"valid: {', '.join(allowed)}",
                    display_name(name),
                )
            ]
        )
    return suf


def yaml_data(text: str, name: str) -> dict[str, Any] | None:
    """The mapping of a YAML/JSON text for the editor (None when it cannot be parsed safely).

    Anchors and aliases are not expanded here (they can blow up to billions of values);
    :func:`recp.scenario.loads`, which checks them, has already reported such a file.
    """
    try:
        if any(isinstance(ev, yaml.AliasEvent) for ev in yaml.parse(text)):
            return None
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def read_scenario(
    raw: bytes, name: str, folder: Path
) -> tuple[dict[str, Any] | None, Scenario | None, list[Problem], str | None]:
    """Read an uploaded scenario file or workbook as the CLI does.

    Returns the document (for the forms), the validated Scenario (None when invalid), the
    problems, and the text when it is YAML or JSON.
    """
    shown = display_name(name)
    suf = suffix_of(shown, SCENARIO_SUFFIXES, "a scenario")
    if suf == ".xlsx":
        target = folder / "upload.xlsx"
        target.write_bytes(raw)
        try:
            data, cells = read_located(target)
        except InputError as e:
            return None, None, _rename(e, str(target), shown), None
        finally:
            target.unlink(missing_ok=True)
        try:
            return data, Scenario.from_dict(data, file=shown, cells=cells), [], None
        except InputError as e:
            return data, None, _rename(e, str(target), shown), None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, None, [Problem("", "not UTF-8 text: save the file as UTF-8", shown)], None
    try:
        sc = loads(text, file=shown)
    except InputError as e:
        return yaml_data(text, shown), None, e.problems, text
    return yaml_data(text, shown), sc, [], text


def _rename(e: InputError, path: str, shown: str) -> list[Problem]:
    """The problems with the uploaded name for the temporary file (cells and ids kept)."""
    return [dataclasses.replace(p, file=shown if p.file in (None, path) else p.file)
            for p in e.problems]  # fmt: skip


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a zip entry is refused, or None."""
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    mode = info.external_attr >> 16
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in parts:
        return "a '..' path that leaves the folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if "\x00" in name:
        return "a NUL byte in its name"
    return None


def unpack_zip(raw: bytes, dest: Path, max_files: int, max_bytes: int) -> list[Path]:
    """Unpack a zip's usable files flat into the empty folder ``dest``; refuse unsafe zips.

    Raises
    ------
    InputError
        For a zip that is unreadable, has an unsafe entry, too many entries or unpacks too big.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError):
        raise InputError([Problem("", "not a readable .zip file", "upload.zip")]) from None
    infos = zf.infolist()
    if len(infos) > max_files:
        raise InputError([Problem("", f"{len(infos)} entries; at most {max_files}", "upload.zip")])
    bad = [(i.filename, why) for i in infos if (why := _entry_problem(i)) is not None]
    if bad:
        raise InputError(
            [Problem(display_name(n) or "entry", f"refused: {why}", "upload.zip") for n, why in bad]
        )
    if sum(i.file_size for i in infos) > max_bytes:
        raise InputError(
            [Problem("", f"unpacks to more than {max_bytes // 2**20} MiB", "upload.zip")]
        )
    base = dest.resolve()
    written: list[Path] = []
    used: set[str] = set()
    for info in infos:
        if info.is_dir():
            continue
        stem = _SAFE.sub("_", PurePosixPath(info.filename.replace("\\", "/")).name).strip("._")
        if not stem or PurePosixPath(stem).suffix.lower() not in BATCH_SUFFIXES:
            continue  # README, __MACOSX resources...: not input
        if stem.lower() in used:
            raise InputError(
                [Problem(display_name(info.filename), "two files with this name", "upload.zip")]
            )
        used.add(stem.lower())
        target = (base / stem).resolve()
        if target.parent != base:  # pragma: no cover - the name has no separator left
            raise InputError([Problem(stem, "refused: leaves the folder", "upload.zip")])
        with zf.open(info) as src, open(target, "xb") as out:
            _copy_limited(src, out, info.file_size)
        written.append(target)
    return written


def _copy_limited(src: Any, out: Any, declared: int) -> None:
    """Copy at most the declared size (a lying header cannot unpack more)."""
    left = declared
    while True:
        chunk = src.read(min(65536, left + 1))
        if not chunk:
            return
        left -= len(chunk)
        if left < 0:
            raise InputError([Problem("", "an entry is larger than it declares", "upload.zip")])
        out.write(chunk)


def remove(folder: Path) -> None:
    """Remove a temporary folder and everything in it."""
    shutil.rmtree(folder, ignore_errors=True)
