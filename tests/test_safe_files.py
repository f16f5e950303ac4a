"""Safe file handling: safe YAML, size/depth/alias limits, atomic outputs, faults, determinism."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import recp
from recp import io as recp_io
from recp import scenario as recp_scenario
from recp.cli import main
from recp.errors import InputError
from recp.io import write_atomic
from tests.strategies import BOMB, EXAMPLE

ROOT = Path(__file__).resolve().parents[1]
BASE = EXAMPLE.read_text(encoding="utf-8")


def cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def leftovers(folder: Path) -> list[str]:
    """Temporary files write_atomic would leave behind (hidden ``.name.*.tmp``)."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- YAML is read safely --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/object/apply:subprocess.call [['touch', '{marker}']]",
        "!!python/name:os.system ''",
        "!!python/module:os ''",
        "!!python/tuple [1, 2]",
        "!!binary AAEC",
        "!!set {a: null}",
        "!!omap [a: 1]",
        "!local x",
    ],
)
def test_object_tags_are_input_errors_and_never_run(tmp_path, tag):
    marker = tmp_path / "pwned"
    text = BASE.replace("amount: 300 t", "amount: " + tag.replace("{marker}", str(marker)))
    with pytest.raises(InputError, match="is not allowed: a scenario file holds plain data") as e:
        recp.loads(text, file="x.yaml")
    assert len(e.value.problems) == 1 and e.value.problems[0].line == 21
    assert not marker.exists()


def test_duplicate_keys_are_refused_with_both_lines():
    text = BASE.replace("  sector: textiles\n", "  sector: textiles\n  country: UA\n")
    with pytest.raises(InputError, match=r"duplicate key 'country' \(first given on line 4\)") as e:
        recp.loads(text)
    assert e.value.problems[0].line == 6
    flow = "  - {id: grid, type: electricity, amount: 4.2 GWh, amount: 5 GWh, price: 1 USD/kWh}"
    with pytest.raises(InputError, match="duplicate key 'amount'"):
        recp.loads(
            BASE.replace(
                "  - {id: grid, type: electricity, amount: 4.2 GWh, price: 0.09 USD/kWh}", flow
            )
        )


def test_merge_keys_and_anchors_still_work():
    text = BASE.replace("  - {id: grid, type: electricity,", "  - &g {id: grid, type: electricity,")
    text = text.replace("  - {id: well,", "  - {<<: *g, id: grid2}\n  - {id: well,")
    sc = recp.loads(text)
    assert [f.id for f in sc.flows][:3] == ["gas", "grid", "grid2"]
    assert sc.flows[2].amount == sc.flows[1].amount


# -- size, depth and alias limits --------------------------------------------------------------


def test_file_size_limit(tmp_path, monkeypatch, capsys):
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:  # sparse: instant, and read never reaches the bytes
        fh.truncate(recp_scenario.MAX_FILE_BYTES + 1)
    code, _, err = cli(capsys, "assess", big)
    assert code == 2 and err.strip() == f"error: {big}: file is 20 MiB; at most 20 MiB are read"
    monkeypatch.setattr(recp_scenario, "MAX_FILE_BYTES", 2**20)
    with pytest.raises(InputError, match="larger than 1 MiB"):
        recp.loads(BASE + "#" * 2**20)


def _nested(depth: int) -> str:
    return "[" * depth + "x" + "]" * depth


@pytest.mark.parametrize("depth", [recp_scenario.MAX_DEPTH - 1, recp_scenario.MAX_DEPTH])
def test_depth_limit_accepts_up_to_max_depth(depth):
    # 'notes' sits one level down, so the document is depth + 1 deep: at most MAX_DEPTH.
    text = BASE + f"notes: {_nested(depth - 1)}\n"
    with pytest.raises(InputError) as e:  # a list is not text: refused, but not for depth
        recp.loads(text)
    assert "levels deep" not in str(e.value)
    assert "notes" in str(e.value)


@pytest.mark.parametrize("depth", [recp_scenario.MAX_DEPTH, 1000, 1_000_000])
def test_depth_limit_refuses_deeper_at_once(depth):
    # What recp promises, whichever layer refuses first (recp's own depth check, or the YAML
    # parser's since PyYAML 6.0.4): one problem, located on the line, at once. The wording of
    # another project's message is not asserted.
    text = BASE + f"notes: {_nested(depth)}\n"
    t0 = time.perf_counter()
    with pytest.raises(InputError) as e:
        recp.loads(text, file="deep.yaml")
    assert time.perf_counter() - t0 < 10  # libyaml itself is quadratic in flow depth
    (problem,) = e.value.problems
    assert problem.file == "deep.yaml" and problem.line == BASE.count("\n") + 1
    assert "\n" not in str(e.value)


def test_depth_limit_of_recp_itself():
    # recp's own check, below any parser's limit: 33 levels of block mappings.
    deep = (
        "".join(f"{'  ' * i}k{i}:\n" for i in range(recp_scenario.MAX_DEPTH))
        + "  " * recp_scenario.MAX_DEPTH
        + "x: 1\n"
    )
    with pytest.raises(InputError, match="more than 32 levels deep; at most 32") as e:
        recp.loads(
            BASE + "notes:\n" + "".join("  " + ln + "\n" for ln in deep.splitlines()),
            file="deep.yaml",
        )
    (problem,) = e.value.problems
    assert problem.file == "deep.yaml" and problem.line is not None


def test_depth_through_aliases_counts():
    inner = "a: &d " + _nested(20) + "\n"
    text = inner + BASE + "notes: " + _nested(15).replace("x", "*d") + "\n"
    with pytest.raises(InputError, match="levels deep"):
        recp.loads(text)


def test_alias_bomb_is_refused_quickly():
    t0 = time.perf_counter()
    with pytest.raises(InputError, match="more than 1,000,000 values once its aliases") as e:
        recp.loads(BOMB + BASE, file="lol.yaml")
    assert time.perf_counter() - t0 < 5
    p = e.value.problems[0]
    assert p.file == "lol.yaml" and p.line is not None


def test_node_limit_is_a_constant(monkeypatch):
    monkeypatch.setattr(recp_scenario, "MAX_NODES", 50)
    with pytest.raises(InputError, match="more than 50 values"):
        recp.loads(BASE)


# -- outputs: atomic, never over an input, only with --force ------------------------------------


@pytest.fixture
def src(tmp_path) -> Path:
    p = tmp_path / "in.yaml"
    p.write_text(BASE)
    return p


def test_existing_output_replaced_only_with_force(capsys, tmp_path, src):
    out = tmp_path / "r.json"
    out.write_text("old")
    code, _, err = cli(capsys, "assess", src, "-f", "json", "-o", out)
    assert code == 2 and err.strip() == f"error: {out}: exists; use --force to replace it"
    assert out.read_text() == "old"
    assert cli(capsys, "assess", src, "-f", "json", "-o", out, "--force")[0] == 0
    assert json.loads(out.read_text())["plant"]["name"] == "Sample Dyeing Mill"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "variant", ["same", "dot", "dotdot", "symlink", "hardlink", "symlink_input"]
)
def test_input_never_overwritten(capsys, tmp_path, src, monkeypatch, variant):
    monkeypatch.chdir(tmp_path)
    inp = src
    if variant == "same":
        out = src
    elif variant == "dot":
        inp, out = Path("in.yaml"), Path("./in.yaml")
    elif variant == "dotdot":
        (tmp_path / "sub").mkdir()
        out = tmp_path / "sub" / ".." / "in.yaml"
    elif variant == "symlink":
        out = tmp_path / "link.yaml"
        out.symlink_to(src)
    elif variant == "hardlink":
        out = tmp_path / "hard.yaml"
        os.link(src, out)
    else:  # the input is given through a link, the output is the real file
        inp = tmp_path / "link.yaml"
        inp.symlink_to(src)
        out = src
    code, _, err = cli(capsys, "assess", inp, "-f", "json", "-o", out, "--force")
    assert code == 2, err
    assert err.strip().endswith("refusing to write over an input file")
    assert len(err.strip().splitlines()) == 1
    assert src.read_text() == BASE
    assert leftovers(tmp_path) == []


def test_output_to_a_folder_is_refused(capsys, tmp_path, src):
    code, _, err = cli(capsys, "assess", src, "-o", tmp_path, "--force")
    assert code == 2 and "is a folder" in err


def test_output_mode_is_not_private(tmp_path):
    p = write_atomic(tmp_path / "r.txt", "x")
    umask = os.umask(0o022)
    os.umask(umask)
    assert p.stat().st_mode & 0o777 == 0o666 & ~umask
    p.chmod(0o640)
    write_atomic(p, "y", force=True)
    assert p.stat().st_mode & 0o777 == 0o640 and p.read_text() == "y"


@pytest.mark.parametrize(
    "target", ["/proc/recp-test.json", "/sys/recp-test.json", "/nonexistent-folder/recp-test.json"]
)
def test_unwritable_folder_is_a_clear_error(capsys, src, target):
    # /proc and /sys refuse new files even to root (CI runs tests as root, where chmod does
    # not stop a write).
    code, out, err = cli(capsys, "assess", src, "-f", "json", "-o", target)
    assert code == 2 and out == "", err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {target}: cannot write in "), err
    assert not Path(target).exists()


def _fail_with(exc):
    def boom(*args, **kwargs):
        raise exc

    return boom


@pytest.mark.parametrize("where", ["fsync", "replace"])
def test_full_disk_leaves_no_partial_file(capsys, tmp_path, src, monkeypatch, where):
    out = tmp_path / "r.json"
    monkeypatch.setattr(
        recp_io.os, where, _fail_with(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    )
    code, stdout, err = cli(capsys, "assess", src, "-f", "json", "-o", out)
    assert code == 2 and stdout == ""
    assert err.strip() == f"error: {out}: write failed: No space left on device"
    assert not out.exists() and leftovers(tmp_path) == []


def test_read_only_folder_via_replace(capsys, tmp_path, src, monkeypatch):
    out = tmp_path / "r.json"
    out.write_text("old")
    monkeypatch.setattr(
        recp_io.os, "replace", _fail_with(OSError(errno.EROFS, os.strerror(errno.EROFS)))
    )
    code, _, err = cli(capsys, "assess", src, "-f", "json", "-o", out, "--force")
    assert code == 2 and err.strip() == f"error: {out}: write failed: Read-only file system"
    assert out.read_text() == "old" and leftovers(tmp_path) == []


# -- Ctrl-C during a write -------------------------------------------------------------------


class _Interrupting:
    """A file object whose write stores half the data and then raises KeyboardInterrupt."""

    def __init__(self, fh):
        self.fh = fh

    def write(self, data):
        self.fh.write(data[: len(data) // 2])
        self.fh.flush()
        raise KeyboardInterrupt

    def __getattr__(self, name):
        return getattr(self.fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


@pytest.mark.parametrize("existing", [True, False])
def test_ctrl_c_mid_write_keeps_the_previous_file(tmp_path, monkeypatch, existing):
    out = tmp_path / "r.json"
    if existing:
        out.write_text("previous complete file")
    real = os.fdopen
    monkeypatch.setattr(recp_io.os, "fdopen", lambda *a, **k: _Interrupting(real(*a, **k)))
    with pytest.raises(KeyboardInterrupt):
        write_atomic(out, "new content " * 1000, force=True)
    if existing:
        assert out.read_text() == "previous complete file"
    else:
        assert not out.exists()
    assert leftovers(tmp_path) == []


def test_ctrl_c_after_the_rename_leaves_the_complete_new_file(tmp_path, monkeypatch):
    out = tmp_path / "r.json"
    out.write_text("previous")
    real = os.replace

    def replace_then_interrupt(a, b):
        real(a, b)
        raise KeyboardInterrupt

    monkeypatch.setattr(recp_io.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(out, "new complete", force=True)
    assert out.read_text() == "new complete" and leftovers(tmp_path) == []


def test_ctrl_c_through_the_cli_exits_130_with_the_old_file(capsys, tmp_path, src, monkeypatch):
    out = tmp_path / "r.json"
    out.write_text("previous")
    monkeypatch.setattr(recp_io.os, "fsync", _fail_with(KeyboardInterrupt()))
    code, _, err = cli(capsys, "assess", src, "-f", "json", "-o", out, "--force")
    assert code == 130 and "Traceback" not in err
    assert out.read_text() == "previous" and leftovers(tmp_path) == []


# -- determinism ---------------------------------------------------------------------------------

INPUTS = [EXAMPLE, *sorted((ROOT / "scenarios").glob("*.yaml"))]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_same_input_same_bytes_in_one_process(capsys, fmt):
    for path in INPUTS:
        first = cli(capsys, "assess", path, "-f", fmt)
        second = cli(capsys, "assess", path, "-f", fmt)
        assert first[0] == 0 and first == second, path


@pytest.mark.slow
def test_same_input_same_bytes_across_processes_and_hash_seeds(tmp_path):
    """Byte-identical JSON and CSV from two processes with different PYTHONHASHSEED."""
    outputs = {}
    for seed in ("0", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        for fmt in ("json", "csv"):
            out = tmp_path / f"{seed}.{fmt}"
            r = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "recp.cli",
                    "assess",
                    str(EXAMPLE),
                    str(ROOT / "scenarios" / "textile-dyeing-bd.yaml"),
                    "-f",
                    fmt,
                    "-o",
                    str(out),
                ],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
            assert r.returncode == 0, r.stderr
            outputs[(seed, fmt)] = out.read_bytes()
    assert outputs[("0", "json")] == outputs[("4242", "json")]
    assert outputs[("0", "csv")] == outputs[("4242", "csv")]
