"""Terminal tables (recp.texttable): aligned in terminal cells, never cut."""

from __future__ import annotations

from recp.texttable import TextTable, cells, wrap


def test_wide_characters_count_two_cells_and_columns_align():
    assert cells("plant") == 5 and cells("印染厂") == 6 and cells("Ünye") == 4
    t = TextTable("T", ["name", "value"], ["left", "right"])
    t.add_row("印染厂", "1")
    t.add_row("dairy", "22")
    lines = t.render().splitlines()
    # title, blank, header, rule, two rows, blank: every table line ends at the same cell
    assert [cells(line) for line in lines[2:6]] == [cells(lines[2])] * 4
    assert lines[4].endswith(" 1") and lines[5].endswith("22")


def test_long_lines_wrap_on_words_with_the_indent():
    text = "  - [code] " + " ".join(["word"] * 40)
    out = wrap(text, 80, "    ").splitlines()
    assert len(out) > 1 and all(cells(line) <= 80 for line in out)
    assert all(line.startswith("    word") for line in out[1:])
    assert wrap("x" * 200, 80) == "x" * 200  # never cut inside a word


def test_recp_assess_does_not_import_rich():
    # rich cost 20-45 ms of every `recp assess` to import (issue 18's 0.5 s start-up target);
    # recp itself must not import it (typer before 0.12 does, on the lowest versions)
    import subprocess
    import sys

    from tests.conftest import ROOT

    plant = str(ROOT / "scenarios" / "textile-dyeing-bd.yaml")
    code = (
        "import io, contextlib, sys\n"
        "import typer\n"
        "by_typer = 'rich' in sys.modules  # older typer versions import rich themselves\n"
        "from recp.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    assert main(['assess', {plant!r}]) == 0\n"
        "assert 'Indicators per year' in out.getvalue()\n"
        "assert by_typer or 'rich' not in sys.modules, 'rich imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
