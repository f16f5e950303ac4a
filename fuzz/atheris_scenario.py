"""Coverage-guided fuzzing of recp's scenario reader with atheris (optional, not run by make test).

    .venv/bin/python -m pip install atheris        # not a recp dependency
    .venv/bin/python fuzz/atheris_scenario.py -max_total_time=600 tests/regressions

Seeds come from the corpus folders given on the command line (tests/regressions holds the
inputs that once failed). Any exception other than recp's InputError is a finding: add the
input that atheris writes (crash-*) to tests/regressions/ with an '# expect:' first line.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import recp
    from recp.errors import InputError


def test_one_input(data: bytes) -> None:
    """Read, validate and assess one input; only an InputError may come out."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # recp.load refuses non-UTF-8 before parsing; loads takes text
    try:
        recp.assess(recp.loads(text, file="fuzz.yaml"))
    except InputError as e:
        for p in e.problems:
            assert "\n" not in str(p), str(p)


def main() -> None:
    """Run atheris with the command line's options and corpus folders."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
