"""Fuzz harness over the scenario reader and validator, and the corpus of inputs that once failed.

The only outcomes allowed for any input are a valid assessment (exit 0, finite results) or an
input error (exit 2) printed as one located line per problem: never a traceback, an internal
error, a hang or a crash. ``RECP_FUZZ_EXAMPLES=5000`` runs the fuzzers longer (see
docs/reliability.md).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recp
from recp.cli import main
from recp.errors import InputError
from tests.strategies import (
    BOMB,
    EXAMPLE,
    FUZZ_EXAMPLES,
    mutated_docs,
    mutated_texts,
)

REGRESSIONS = Path(__file__).resolve().parent / "regressions"
#: Longest any single input may take before it counts as a hang [s].
HANG_SECONDS = 20

FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@contextlib.contextmanager
def no_hang(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail (instead of waiting for ever) when the block runs longer than ``seconds``."""

    def alarm(signum, frame):  # noqa: ARG001
        raise TimeoutError(f"input took more than {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(
        content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
    )
    return path


def run_cli(capsys, *args) -> tuple[int, str, str]:
    with no_hang():
        code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def check_outcome(code: int, out: str, err: str, path: Path) -> None:
    """Exit 0 with a sound result document, or exit 2 with one located line per problem."""
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    assert code in (0, 2), (code, err)
    if code == 2:
        assert out == ""
        lines = err.splitlines()
        assert lines, "exit 2 without a message"
        for line in lines:
            # "error: FILE[:LINE]: [PLACE: ]MESSAGE": the file is named on every line.
            assert line.startswith(f"error: {path}"), line
            assert len(line) > len(f"error: {path}: "), line
    else:
        doc = json.loads(out)
        check_document(doc)


def check_document(doc: dict) -> None:
    """What every successful result document promises, whatever the input."""
    nonneg = {"energy", "water", "wastewater", "waste"}
    for r in doc["results"]:
        assert r["unit"], r
        v = r["value"]
        assert v is not None and math.isfinite(v), r  # no NaN/inf ever reaches a result
        if r["indicator"] in nonneg or (
            r["indicator"] == "ghg"
            and r["component"] in ("total", "scope1", "scope2", "co2", "ch4", "n2o", "biogenic_co2")
        ):
            assert v >= 0, r
    for r in doc["savings"]:
        assert r["unit"] and r["value"] is not None, r


@pytest.fixture
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(content=mutated_texts())
def test_fuzz_cli_assess(capsys, fuzz_dir, content):
    """Broken files through `recp assess`: exit 0 or 2, one located line each, no traceback."""
    path = write(fuzz_dir / "plant.yaml", content)
    code, out, err = run_cli(capsys, "assess", path, "-f", "json")
    check_outcome(code, out, err, path)


@FUZZ
@given(doc=mutated_docs(), ascii_only=st.booleans())
def test_fuzz_loads_and_assess(doc, ascii_only):
    """Mutated documents through the library: a Scenario and an Assessment, or an InputError."""
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=not ascii_only)
    with no_hang():
        try:
            sc = recp.loads(text, file="fuzz.yaml")
            a = recp.assess(sc)
        except InputError as e:
            assert e.problems
            for p in e.problems:
                line = str(p)
                assert "\n" not in line and "\r" not in line, line
                assert line.startswith("fuzz.yaml"), line
            return
    check_document(json.loads(json.dumps(a.to_dict(), allow_nan=False)))


@FUZZ
@given(doc=mutated_docs())
def test_fuzz_from_dict(doc):
    """Mappings that never went through YAML (NaN, huge ints...): the same two outcomes."""
    with no_hang():
        try:
            recp.assess(recp.Scenario.from_dict(doc, file="doc"))
        except InputError as e:
            assert all("\n" not in str(p) for p in e.problems)


# -- every bad-input class of the issue, one by one, through the CLI --------------------------

BASE = EXAMPLE.read_text(encoding="utf-8")


def _sub(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, s in enumerate(text.splitlines(), 1) if needle in s)


# (class, file content, expected fragment, expected place, line: text on that line or None)
BAD_CLASSES = [
    (
        "wrong type: list for a quantity",
        _sub("amount: 300 t", "amount: [300, t]"),
        "expected a quantity",
        "flows[4].amount",
        "amount: [300, t]",
    ),
    (
        "wrong type: mapping for a text",
        _sub("name: Sample Dyeing Mill", "name: {a: 1}"),
        "valid string",
        "plant.name",
        "name: {a: 1}",
    ),
    (
        "wrong type: text for a list",
        _sub("quick wins: [condensate]", "quick wins: condensate"),
        "valid list",
        "scenarios.quick wins",
        "quick wins: condensate",
    ),
    (
        "huge number 1e308",
        _sub("amount: 300 t", "amount: 1e308 t"),
        "too large",
        "flows[4].amount",
        "1e308 t",
    ),
    (
        "huge integer",
        _sub("amount: 300 t", "amount: " + "9" * 400),
        "finite number",
        "flows[4].amount",
        "9999",
    ),
    (
        "tiny number 1e-308 where recp divides",
        _sub("ncv: 35.8 MJ/m3", "ncv: 1e-308 MJ/m3"),
        "must be positive",
        "flows[0].ncv",
        "1e-308",
    ),
    (
        "string nan",
        _sub("amount: 300 t", "amount: nan"),
        "expected '<number> <unit>'",
        "flows[4].amount",
        "amount: nan",
    ),
    ("YAML .inf", _sub("amount: 300 t", "amount: .inf"), "finite", "flows[4].amount", ".inf"),
    (
        "YAML -.inf",
        _sub("amount: 300 t", "amount: {value: -.inf, unit: t}"),
        "finite",
        "flows[4].amount",
        "-.inf",
    ),
    ("1e999", _sub("amount: 300 t", "amount: 1e999 t"), "finite", "flows[4].amount", "1e999"),
    (
        "NaN in a value mapping",
        _sub("amount: 300 t", "amount: {value: .nan, unit: t}"),
        "finite",
        "flows[4].amount",
        ".nan",
    ),
    (
        "RTL override",
        _sub("carrier: natural_gas", 'carrier: "natural\u202egas"'),
        "unknown carrier 'natural\\u202egas'",
        "flows[0].carrier",
        "carrier:",
    ),
    (
        "emoji",
        _sub("carrier: natural_gas", "carrier: 🔥"),
        "unknown carrier '🔥'",
        "flows[0].carrier",
        "carrier: 🔥",
    ),
    (
        "combining marks",
        _sub("carrier: natural_gas", "carrier: natural_gas\u0301\u0301"),
        "did you mean 'natural_gas'",
        "flows[0].carrier",
        "carrier:",
    ),
    (
        "line break inside a key",
        BASE + '"bad\\nkey": 1\n',
        "unknown key 'bad\\nkey'",
        "bad\\nkey",
        "bad\\nkey",
    ),
    ("NUL byte", _sub("Sample", "Sam\x00ple"), "NUL", None, None),
    (
        "surrogate escape",
        _sub("name: Sample Dyeing Mill", 'name: "\\ud800"'),
        "invalid Unicode",
        None,
        'name: "\\ud800"',
    ),
    # refused by recp's depth check or the YAML parser's, whichever comes first: the line and
    # the exit code are promised, the wording of the parser's message is not
    (
        "deep nesting",
        BASE + "notes: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "",
        None,
        "notes: [[[",
    ),
    (
        "duplicate ids",
        _sub("id: effluent", "id: sludge"),
        "duplicate flow id 'sludge' (also flows[3])",
        "flows[4].id",
        "hazardous: true",
    ),
    (
        "duplicate YAML keys",
        _sub("  sector: textiles\n", "  sector: textiles\n  country: UA\n"),
        "duplicate key 'country' (first given on line 4)",
        None,
        "country: UA",
    ),
    (
        "unknown key",
        _sub("amount: 300 t", "amount: 300 t, amout: 5 t"),
        "unknown key 'amout': did you mean 'amount'?",
        "flows[4].amout",
        "amout",
    ),
    (
        "broken YAML",
        _sub("  - {id: grid,", "  - {id: grid,,"),
        "YAML syntax error",
        None,
        "{id: grid,,",
    ),
    ("binary junk", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not UTF-8 text", None, None),
    ("alias bomb", BOMB + BASE, "alias bomb", None, "a6: &a6"),
    (
        "python object tag",
        _sub(
            "amount: 300 t",
            "amount: !!python/object/apply:os.system ['echo pwned > /tmp/recp-pwned']",
        ),
        "YAML tag '!!python/object/apply:os.system' is not allowed",
        None,
        "!!python",
    ),
    (
        "unit exponent bomb",
        _sub("amount: 300 t", "amount: 300 t**9**9**9"),
        "an exponent is a small number",
        "flows[4].amount",
        "t**9**9**9",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "fragment", "place", "line_text"),
    BAD_CLASSES,
    ids=[b[0] for b in BAD_CLASSES],
)
def test_bad_input_class_exit_2_located_one_line(
    capsys, tmp_path, name, content, fragment, place, line_text
):
    path = write(tmp_path / "plant.yaml", content)
    code, out, err = run_cli(capsys, "assess", path)
    assert code == 2, err
    assert out == "" and "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    where = f"error: {path}"
    if line_text is not None:
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        where += f":{_line_of(text, line_text)}"
    assert line.startswith(where + ": "), line
    if place is not None:  # the place, then the flow or intervention it is about by id
        assert re.search(rf": {re.escape(place)}( \((flow|intervention) '[^)]*\))?: ", line), line
    assert fragment in line, line
    assert not Path("/tmp/recp-pwned").exists()


def test_empty_and_non_mapping_files(capsys, tmp_path):
    for content in ("", "---\n", "[1, 2]\n", "just text\n", "42\n", "a: 1\n---\nb: 2\n"):
        path = write(tmp_path / "plant.yaml", content)
        code, out, err = run_cli(capsys, "assess", path)
        assert code == 2 and len(err.splitlines()) == 1, (content, err)
        assert err.startswith(f"error: {path}"), err


def test_tiny_production_is_an_input_error(capsys, tmp_path):
    path = write(tmp_path / "plant.yaml", _sub("production: 12000 t", "production: 1e-308 t"))
    code, _, err = run_cli(capsys, "assess", path, "-f", "json")
    assert code == 2 and "plant.production" in err


def test_negative_zero_is_zero_in_the_output(capsys, tmp_path):
    path = write(tmp_path / "plant.yaml", _sub("amount: 300 t", "amount: -0.0 t"))
    code, out, err = run_cli(capsys, "assess", path, "-f", "json")
    assert code == 0, err
    assert "-0.0" not in out
    check_document(json.loads(out))


# -- the corpus of inputs that once failed ------------------------------------------------------

CORPUS = sorted(p for p in REGRESSIONS.iterdir() if p.is_file() and p.name != "README.md")


def _expectation(path: Path) -> tuple[int | None, str | None]:
    """Read ``# expect: CODE [fragment]`` from the file's first line, when it has one."""
    head = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    if not head.startswith("# expect:"):
        return None, None
    code, _, fragment = head.removeprefix("# expect:").strip().partition(" ")
    return int(code), fragment or None


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_regression_corpus(capsys, path):
    code, out, err = run_cli(capsys, "assess", path, "-f", "json")
    check_outcome(code, out, err, path)
    want, fragment = _expectation(path)
    if want is not None:
        assert code == want, err
    if fragment:
        assert fragment in err, err


def test_corpus_is_not_empty():
    assert len(CORPUS) >= 10
