"""The ``recp`` command line.

Heavy modules (pint, numpy, pandas, pydantic) are imported inside the commands, so that
``recp --help`` starts at once. Bad input prints one line per problem and exits with code 2;
``--debug`` shows the traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import traceback
from pathlib import Path
from typing import Annotated, Any

import typer

from recp.errors import InputError, Problem, RecpError, one_line
from recp.factors import GWP_SETS, GWP_SOURCES, library
from recp.io import check_output, write_atomic
from recp.version import __version__

app = typer.Typer(
    name="recp",
    help="Resource-efficient and cleaner production calculator: energy, water, waste, GHG and "
    "economics of a plant and its interventions, on cited factors.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
factors_app = typer.Typer(
    help="List and show the cited factor tables.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(factors_app, name="factors")

EXIT_INPUT = 2


def _version(value: bool) -> None:
    if value:
        typer.echo(f"recp {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Recp command line."""


def _dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


@app.command()
def assess(
    files: Annotated[
        list[Path], typer.Argument(help="Scenario files (YAML or JSON).", show_default=False)
    ],
    format: Annotated[
        str, typer.Option("--format", "-f", help="Output: table (readable), json or csv.")
    ] = "table",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing output files.")] = False,
    report: Annotated[
        list[Path] | None,
        typer.Option(
            "--report",
            "-r",
            help="Write a report; the format follows the extension (.html, .xlsx, "
            ".md). May be given several times.",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="Report language: ar, en, es, fr, ru or zh.")
    ] = "en",
    uncertainty: Annotated[
        int | None,
        typer.Option(
            "--uncertainty",
            help="Monte Carlo with this many samples: every figure gains mean, p5, p50, p95 "
            "(docs/uncertainty.md).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option("--seed", help="Seed of the Monte Carlo samples (same seed, same output)."),
    ] = 0,
    catalogue_ranges: Annotated[
        bool,
        typer.Option("--catalogue-ranges", help="With --uncertainty: catalogue measures' ranges."),
    ] = False,
    factor_bounds: Annotated[
        bool,
        typer.Option("--factor-bounds", help="With --uncertainty: factor tables' bounds."),
    ] = False,
) -> None:
    """Assess plants: baseline, scenarios, intervention savings and economics."""
    from recp.assessment import assess as run  # lazy: CLI start-up
    from recp.scenario import load  # lazy: CLI start-up

    fmt = format.lower()
    if fmt not in ("table", "json", "csv"):
        raise InputError(f"--format: unknown format {format!r}; valid: table, json, csv")
    problems = []
    docs = []
    results = []
    for f in files:
        try:
            a = run(load(f))
        except InputError as e:
            problems += e.with_file(str(f)).problems
            continue
        results.append(a)
    if problems:
        raise InputError(problems)
    runs = _monte_carlo(results, uncertainty, seed, catalogue_ranges, factor_bounds)
    if report:
        if len(results) != 1:
            raise InputError("--report: give one scenario file per report")
        from recp.report import write_report  # lazy: CLI start-up

        for path in report:
            write_report(results[0], path, lang=lang, force=force, inputs=files)
            if runs:
                from recp.uncertainty_report import add_uncertainty  # lazy: CLI start-up

                add_uncertainty(path, results[0], runs[0], lang=lang)
            if path.suffix.lower() == ".xlsx":
                from recp.uncertainty_report import add_cash_flow_sheet  # lazy: CLI start-up

                add_cash_flow_sheet(path, results[0])
            typer.echo(f"wrote {path}", err=True)
        if out is None and format == "table":
            return
    if fmt == "json":
        docs = [a.to_dict() for a in results]
        docs = [mc.annotate(d) for mc, d in zip(runs, docs, strict=True)] if runs else docs
        text = _dumps(docs[0] if len(docs) == 1 else docs)
    elif fmt == "csv":
        text = _csv(results, runs)
    else:
        from recp.textreport import render  # lazy: CLI start-up

        text = "\n".join(render(a) for a in results)
        if runs:
            from recp.uncertainty_report import render_text  # lazy: CLI start-up

            text += "\n".join(render_text(a, mc) for a, mc in zip(results, runs, strict=True))
    _emit(text, out, files, force)


def _monte_carlo(
    results: list[Any], n: int | None, seed: int, catalogue: bool, factors: bool
) -> list[Any]:
    """One Monte Carlo run per assessment, or none without ``--uncertainty``."""
    if n is None:
        if catalogue or factors:
            raise InputError("--catalogue-ranges and --factor-bounds need --uncertainty N")
        return []
    if not 1 <= n <= 1_000_000:  # memory: every sample holds the plant's arrays
        raise InputError(f"--uncertainty: give a number of samples from 1 to 1000000, got {n}")
    if seed < 0:
        raise InputError(f"--seed: give a seed >= 0, got {seed}")
    from recp.uncertainty import monte_carlo  # lazy: CLI start-up

    return [monte_carlo(a, n, seed, catalogue=catalogue, factors=factors) for a in results]


def _csv(results: list[Any], runs: list[Any] | None = None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    extra = ["mean", "p5", "p50", "p95"] if runs else []
    w.writerow(["plant", "scenario", "indicator", "component", "value", "unit", *extra])
    for k, a in enumerate(results):
        rows = runs[k].annotate({**a.to_dict()})["results"] if runs else a.results()
        for r in rows:
            v = r["value"]
            w.writerow(
                [
                    a.scenario.plant.name,
                    r["scenario"],
                    r["indicator"],
                    r["component"],
                    "" if v is None else repr(v),
                    r["unit"],
                    *("" if r[x] is None else repr(r[x]) for x in extra),
                ]
            )
    return buf.getvalue()


def _emit(text: str, out: Path | None, inputs: list[Path], force: bool) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    write_atomic(out, text, inputs=inputs, force=force)
    typer.echo(f"wrote {out}", err=True)


@app.command()
def validate(
    files: Annotated[
        list[Path], typer.Argument(help="Scenario files to check.", show_default=False)
    ],
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Fail (exit 2) on warnings too, not only on errors."),
    ] = False,
) -> None:
    """Check scenario files without writing results: errors, then the assessment's warnings.

    Exit 2 if any file has a problem (or, with --strict, a warning).
    """
    from recp.assessment import assess as run  # lazy: CLI start-up
    from recp.scenario import load  # lazy: CLI start-up

    problems = []
    for f in files:
        try:
            warnings = run(load(f)).warnings()  # also checks factors and below-zero changes
        except InputError as e:
            problems += e.with_file(str(f)).problems
            continue
        warnings += _todo_comments(f)
        for w in warnings:
            line = f"{f}: warning [{w.get('code', 'other')}]: {w['message']}"
            typer.echo(one_line(line), err=True)
        if strict and warnings:
            problems.append(Problem("", f"{len(warnings)} warning(s) and --strict: not ok", str(f)))
            continue
        n = len(warnings)
        typer.echo(f"{f}: ok" + (f" ({n} warning{'s' if n > 1 else ''})" if n else ""))
    if problems:
        raise InputError(problems)


def _todo_comments(path: Path) -> list[dict[str, str]]:
    """A warning for the ``# TODO`` comments a YAML template's placeholders carry, if any left."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return []
    lines = [
        i
        for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1)
        if re.search(r"^\s*[^#\s].*#.*\bTODO\b", line)  # a value marked, not a note
    ]
    if not lines:
        return []
    shown = ", ".join(str(i) for i in lines[:8]) + (", ..." if len(lines) > 8 else "")
    return [
        {
            "code": "todo_left",
            "message": f"{len(lines)} line(s) still marked TODO (template placeholders?): "
            f"line {shown}; replace the values and remove the marks",
        }
    ]


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Print the JSON Schema of scenario files (for editors' completion and checks)."""
    from recp.schema import schema_text  # lazy: CLI start-up

    _emit(schema_text(), out, [], force)


@app.command()
def batch(
    source: Annotated[
        Path,
        typer.Argument(
            help="A folder of scenario files, or tidy tables: a "
            "folder with plants/flows/interventions .csv or "
            ".parquet, or one .xlsx with those sheets.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Results file: .parquet, .csv, .xlsx "
            "or .json (savings, economics and errors beside it).",
            show_default=False,
        ),
    ],
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            help="Roll up totals by a plant column (sector, country, ...); repeatable.",
            show_default=False,
        ),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 2,
    engine: Annotated[
        str, typer.Option("--engine", help="local, or dask (needs recp[dask]).")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address (default: a local cluster)."),
    ] = None,
    chunk: Annotated[
        int, typer.Option("--chunk", min=1, help="Plants per chunk (bounds memory).")
    ] = 10_000,  # recp.batch.CHUNK_PLANTS (not imported here: start-up; a test keeps them equal)
    force: Annotated[bool, typer.Option("--force", help="Replace existing output files.")] = False,
    savings: Annotated[
        bool,
        typer.Option(
            "--savings",
            help="Also write every intervention's "
            "savings per indicator (large for big portfolios).",
        ),
    ] = False,
    factors: Annotated[
        list[Path] | None,
        typer.Option(
            "--factors",
            help="Own factor tables (a folder of CSV + .meta.yaml in recp's Toolkit format, "
            "or one CSV) that every plant's processes can use; repeatable.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Assess a portfolio of plants; each failing plant is reported, the rest complete."""
    if factors:
        _own_factors(factors)
    from recp.batch import iter_run, keep_freed_memory  # lazy: CLI start-up
    from recp.export import targets  # lazy: CLI start-up

    keep_freed_memory()

    names = ["results", "economics"] + (["savings"] if savings else [])
    if out.suffix.lower() == ".parquet":  # a dataset: each worker writes its own parts
        from recp.parts import write_dataset  # lazy: CLI start-up

        with _progress("assessing") as tick:
            written, n_ok, errors = write_dataset(
                source,
                out,
                names=names,
                by=by or [],
                jobs=jobs,
                engine=engine,
                scheduler=scheduler,
                chunk_plants=chunk,
                progress=tick,
                force=force,
            )
        _report_batch(n_ok, errors, written)
        return
    for t in targets(out, names + [f"rollup-{b}" for b in (by or [])]):
        check_output(t, [source], force)  # refuse before computing anything
    with _progress("assessing") as tick:
        chunks = iter_run(
            source,
            jobs=jobs,
            engine=engine,
            scheduler=scheduler,
            chunk_plants=chunk,
            progress=tick,
            details=savings,
        )
        written, n_ok, errors = _write_chunks(out, chunks, names, by, source, force)
    _report_batch(n_ok, errors, written)


def _write_chunks(
    out: Path, chunks: Any, names: list[str], by: list[str] | None, source: Path, force: bool
) -> tuple[list[Path], int, Any]:
    """Write a batch's chunks: streamed to CSV (memory stays bounded), else one whole file."""
    from recp.batch import ECON_COLUMNS, RESULT_COLUMNS, SAVING_COLUMNS  # lazy: CLI start-up
    from recp.export import write_stream  # lazy: CLI start-up

    if out.suffix.lower() != ".csv":  # Excel and JSON hold everything in one file
        return _write_whole(out, chunks, names, by, source, force)
    columns = {"results": RESULT_COLUMNS, "economics": ECON_COLUMNS, "savings": SAVING_COLUMNS}
    return write_stream(
        out,
        chunks,
        columns={n: columns[n] for n in names},
        by=by,
        inputs=[source],
        force=force,
    )


def _own_factors(paths: list[Path]) -> None:
    """Check own factor tables now (exit 2 on a bad one) and pass them to every plant."""
    import os  # lazy: only for --factors

    from recp.processes import OWN_FACTORS_ENV  # lazy: CLI start-up
    from recp.toolkits import read_own_tables  # lazy: CLI start-up

    read_own_tables(list(paths), library())  # raises InputError: one line per problem
    os.environ[OWN_FACTORS_ENV] = os.pathsep.join(str(p.resolve()) for p in paths)


def _write_whole(
    out: Path, chunks: Any, names: list[str], by: list[str] | None, source: Path, force: bool
) -> tuple[list[Path], int, Any]:
    """Combine every chunk and write one Excel or JSON file (with the roll-ups asked for)."""
    from recp.batch import combine, rollup  # lazy: CLI start-up
    from recp.export import DIAGNOSTICS, write_tables  # lazy: CLI start-up

    res = combine(chunks)
    tables = {n: getattr(res, n) for n in names}
    for b in by or []:
        if res.plants is None or b not in res.plants.columns:
            have = [] if res.plants is None else [c for c in res.plants.columns if c != "plant"]
            raise InputError(f"--by: no plant column {b!r}; valid: {', '.join(have)}")
        tables[f"rollup-{b}"] = rollup(res.results, res.plants, b)
    written = write_tables(
        out,
        tables,
        inputs=[source],
        force=force,
        errors=res.errors,
        diagnostics={n: getattr(res, n) for n in DIAGNOSTICS},
    )
    return written, 0 if res.plants is None else len(res.plants), res.errors


def _report_batch(n_ok: int, errors: Any, written: list[Path]) -> None:
    """One summary line, then one line per failed plant (exit 2 when any failed)."""
    n_bad = int(errors["plant"].nunique()) if len(errors) else 0
    typer.echo(
        f"{n_ok} plants assessed, {n_bad} failed; wrote " + ", ".join(str(w) for w in written),
        err=True,
    )
    if n_bad:
        for plant, grp in errors.groupby("plant", sort=True):
            first = grp.iloc[0]
            more = f" (+{len(grp) - 1} more)" if len(grp) > 1 else ""
            typer.echo(
                f"error: plant {plant}: {first['place']}: {first['message']}{more}", err=True
            )
        raise typer.Exit(EXIT_INPUT)


@app.command()
def compare(
    files: Annotated[list[Path], typer.Argument(help="Scenario files.", show_default=False)],
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            "-s",
            help="Compare this "
            "scenario of each plant (default: baseline; "
            "one file: all its scenarios).",
        ),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="table, json, csv or xlsx.")
    ] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out file.")] = False,
) -> None:
    """Plants or scenarios side by side, with totals and intensities."""
    from recp.batch import assess_many  # lazy: CLI start-up
    from recp.compare import render, wide

    res = assess_many(files)
    if len(res.errors):
        raise InputError([Problem(r.place, r.message, r.file) for r in res.errors.itertuples()])
    table = wide(res.results, scenario)
    fmt = format.lower()
    if fmt == "table":
        _emit(render(table), out, files, force)
    elif fmt in ("json", "csv", "xlsx"):
        from recp.export import csv_bytes, write_tables  # lazy: CLI start-up

        if fmt == "xlsx" and out is None:
            raise InputError("--format xlsx needs --out FILE.xlsx")
        if out is not None:
            target = out if out.suffix.lower() == f".{fmt}" else out.with_suffix(f".{fmt}")
            write_tables(target, {"results": table}, inputs=files, force=force)
            typer.echo(f"wrote {target}", err=True)
        elif fmt == "csv":
            sys.stdout.write(csv_bytes(table).decode())
        else:
            from recp.export import records  # lazy: CLI start-up

            sys.stdout.write(_dumps(records(table)))
    else:
        raise InputError(f"--format: unknown format {format!r}; valid: table, json, csv, xlsx")


class _progress:
    """A rich progress line on stderr for long runs; silent when stderr is not a terminal."""

    def __init__(self, label: str):
        self.label = label
        self.bar: Any = None

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            return lambda: None
        from rich.console import Console  # lazy: CLI start-up
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn(self.label),
            BarColumn(),
            TextColumn("{task.completed} chunks"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task(self.label, total=None)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


@app.command()
def sectors() -> None:
    """List the priority sectors, the reports that name them and what recp offers for each."""
    from recp.sectors import render_sectors  # lazy: CLI start-up

    typer.echo(render_sectors(), nl=False)


@app.command()
def measures(
    sector: Annotated[
        str,
        typer.Option("--sector", "-s", help="Sector key (see 'recp sectors').", show_default=False),
    ],
) -> None:
    """List the catalogue of typical measures of a sector, with savings ranges and sources."""
    from recp.sectors import render_measures  # lazy: CLI start-up

    typer.echo(render_measures(sector), nl=False)


@app.command()
def new(
    sector: Annotated[
        str,
        typer.Option("--sector", "-s", help="Sector key (see 'recp sectors').", show_default=False),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write to this file (.yaml, or .xlsx for a fill-in workbook); default stdout.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Start a scenario file from a sector template (the sector's usual flows and units)."""
    from recp.sectors import new_scenario  # lazy: CLI start-up

    text = new_scenario(sector, out, force=force)
    if text is not None:
        sys.stdout.write(text)
    else:
        typer.echo(f"wrote {out}", err=True)


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Interface to listen on. Default: this computer only. Any other (0.0.0.0, "
            "an intranet address) needs --token.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the page in the default browser.")
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="Access token (12+ characters) asked once per browser session; "
            "or set RECP_SERVE_TOKEN.",
            show_default=False,
        ),
    ] = None,
    max_upload_mb: Annotated[
        int, typer.Option("--max-upload-mb", min=1, help="Largest upload accepted [MiB].")
    ] = 50,
) -> None:
    """Open recp in a web browser: forms, validation, reports, comparisons and batches."""
    from recp.serve import Config, run  # lazy: the web stack loads only for 'recp serve'

    run(
        Config(host=host, port=port, token=token, max_upload=max_upload_mb * 2**20),
        open_browser=open_browser,
    )


@factors_app.command("list")
def factors_list(
    source: Annotated[
        bool, typer.Option("--source", help="Show each table's source and edition.")
    ] = False,
) -> None:
    """List the factor tables (and their rows)."""
    lib = library()
    for tid, t in lib.tables.items():
        cols = ", ".join(
            [f"{c} [{u}]" for c, u in t.units.items()]
            + [f"{c} [{'1' if u == '1' else 'per row: ' + u}]" for c, u in t.row_units.items()]
        )
        typer.echo(f"{tid}  ({len(t.rows)} rows; {cols})")
        if source:
            m = t.meta
            typer.echo(f"    source:  {m.get('source') or m.get('title')}")
            typer.echo(f"    edition: {m.get('edition')}")
            typer.echo(f"    section: {m.get('section')}")
            typer.echo(f"    url:     {m.get('url')}")
            typer.echo(f"    licence: {m.get('licence')}")
        else:
            keys = list(t.rows)
            shown = ", ".join(keys[:12]) + (f", ... ({len(keys)})" if len(keys) > 12 else "")
            typer.echo(f"    {shown}")
    typer.echo(f"gwp  (GWP-100 sets {', '.join(GWP_SETS)}; gases CO2, CH4, N2O, ...)")
    if source:
        for k, v in GWP_SOURCES.items():
            typer.echo(f"    {k}: {v}")
    _category_map_line(source)


def _category_map_line(source: bool) -> None:
    """The process categories that map onto the guidebook tables (a YAML map, not a table)."""
    from recp.toolkits import CATEGORY_MAP, guidebook  # lazy: CLI start-up

    gb = guidebook(library())
    typer.echo(
        f"{CATEGORY_MAP}  ({len(gb.categories)} process categories -> emep-eea-2023-ef rows; "
        f"'recp factors show {CATEGORY_MAP}')"
    )
    if source:
        typer.echo("    source:  recp mapping onto the EMEP/EEA guidebook 2023 tables above")


@factors_app.command("show")
def factors_show(
    factor_id: Annotated[
        str,
        typer.Argument(
            help="A table ('ipcc2006-fuels'), a row "
            "('ipcc2006-fuels:natural_gas') or a factor "
            "('ipcc2006-fuels:natural_gas:ncv', 'gwp:AR5:CH4').",
            show_default=False,
        ),
    ],
) -> None:
    """Show a factor table, row or single factor with its source."""
    lib = library()
    parts = factor_id.split(":")
    if parts[0] == "hg-pops-category-map":
        _show_categories(parts[1] if len(parts) > 1 else None)
        return
    if len(parts) == 3 or parts[0] == "gwp":
        f = lib.get(factor_id if len(parts) == 3 else factor_id + ":CH4")
        typer.echo(f"{f.id} = {f.value:g} {f.unit}{_bounds(lib, parts)}")
        typer.echo(f"source: {f.source}")
        return
    t = lib.table(parts[0])
    m = t.meta
    typer.echo(f"{t.id}: {m.get('title', '')}")
    for key in ("source", "edition", "section", "url", "doi", "licence", "retrieved", "vintage"):
        if m.get(key):
            typer.echo(f"  {key}: {m[key]}")
    rows = [t.row(parts[1])] if len(parts) == 2 else list(t.rows.values())
    for r in rows:
        vals = ", ".join(f"{c}={r[c]:g} {u}" for c, u in t.units.items() if r.get(c) is not None)
        if t.row_units:  # Toolkit tables: NA and ND are shown as printed
            vals = ", ".join(
                f"{c}={r.get(c) or '-'}"
                + (
                    ""
                    if u == "1" or not r.get(c) or str(r.get(c)).upper() in ("NA", "ND")
                    else f" {r.get(u)}"
                )
                for c, u in t.row_units.items()
            )
            label = r.get("class_text") or r.get("technology_text") or ""
            if r.get("nfr"):  # the guidebook: what the row is, and its 95 % bounds
                label = " ".join(str(r.get(k) or "") for k in ("technology", "fuel")).strip()
                vals += _bounds(lib, [t.id, str(r["id"]), "air"])
            typer.echo(
                f"  {r['id']} ({r.get('category_name') or r.get('nfr_name')}: {label}): {vals}"
            )
        else:
            typer.echo(f"  {r['id']}: {vals}")
        if len(parts) == 2 and r.get("source_row"):
            typer.echo(f"    row source: {r['source_row']}")


def _bounds(lib: Any, parts: list[str]) -> str:
    """`` (bounds lo-hi unit)`` for a factor whose row gives ``<column>_lower/_upper``."""
    if len(parts) != 3 or parts[0] == "gwp":
        return ""
    t = lib.table(parts[0])
    r = t.rows.get(parts[1]) or {}
    lo, hi = r.get(f"{parts[2]}_lower"), r.get(f"{parts[2]}_upper")
    if lo is None or hi is None or str(r.get(parts[2])).upper() in ("ND", "NA"):
        return ""
    unit = r.get("factor_unit") if parts[2] in t.row_units else t.units.get(parts[2], "")
    return f" (bounds {float(lo):g}-{float(hi):g} {unit or ''})".rstrip()


def _show_categories(key: str | None) -> None:
    """The guidebook process categories, or one with its technologies and abatements."""
    from recp.toolkits import guidebook  # lazy: CLI start-up

    gb = guidebook(library())
    if key is None:
        typer.echo("hg-pops-category-map: process categories on the EMEP/EEA guidebook 2023")
        for k, c in gb.categories.items():
            techs = ", ".join(str(v["key"]) for v in c["variants"])
            typer.echo(f"  {k} ({c['name']}; NFR {c['nfr']}): {techs}")
        for k, why in gb.missing.items():
            typer.echo(f"  {k}: no guidebook row ({why})")
        return
    c = gb.category(key)
    typer.echo(f"{c['key']}: {c['name']} (NFR {c['nfr']}); default {c['default_variant']}")
    for v in c["variants"]:
        rows = ", ".join(f"{k}={rid}" for k, rid in (v.get("rows") or {}).items())
        typer.echo(f"  technology {v['key']} ({v['text']}, per {v['activity_unit']}): {rows}")
    for a in c.get("abatement") or []:
        typer.echo(
            f"  abatement {a['key']} ({a['indicator']}, for {', '.join(a['applies_to'])}): "
            f"{a['row']}"
        )
    if c.get("missing"):
        typer.echo(f"  no guidebook factor (ND): {', '.join(c['missing'])}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``recp`` console script; returns the exit code.

    Usage errors (unknown option, missing argument) are reported by Typer with exit code 2;
    recp's own input errors print one line per problem, also with exit code 2.
    """
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    # numpy's OpenBLAS starts a thread per core on import: ~0.1 s of CPU at every start on this
    # project's 2-core machine, for no gain (recp's products are small or sparse, and batch
    # workers are processes, which one thread each keeps from oversubscribing the cores). A
    # setting the user made is kept; a process that already imported numpy is not affected.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        app(args=args, prog_name="recp", standalone_mode=True)
    except SystemExit as e:
        code = e.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except KeyboardInterrupt:
        typer.echo("recp: interrupted", err=True)
        return 130
    except Exception as e:  # noqa: BLE001 - the one place that turns errors into exit codes
        return _report(e, debug)
    return 0


def _report(e: BaseException, debug: bool) -> int:
    if debug:
        traceback.print_exception(e)
    if isinstance(e, InputError):
        for p in e.problems:
            typer.echo(f"error: {p}", err=True)
        return EXIT_INPUT
    if isinstance(e, RecpError):
        typer.echo(f"error: {one_line(str(e))}", err=True)
        return EXIT_INPUT
    if not debug:
        typer.echo(
            f"recp: internal error: {type(e).__name__}: {e} (run with --debug for the "
            "traceback, and please report it)",
            err=True,
        )
    return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
