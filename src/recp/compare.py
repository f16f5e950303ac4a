"""Plants or scenarios side by side (``recp compare``)."""

from __future__ import annotations

import io

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from recp.errors import InputError

#: Rows shown in a comparison: totals, the scopes, effluent loads, and intensities.
_KEEP = {
    ("energy", "total"),
    ("ghg", "total"),
    ("ghg", "scope1"),
    ("ghg", "scope2"),
    ("ghg", "scope3"),
    ("water", "total"),
    ("wastewater", "total"),
    ("waste", "total"),
    ("waste", "hazardous"),
    ("cost", "total"),
}


def wide(results: pd.DataFrame, scenario: str | None = None) -> pd.DataFrame:
    """Pivot tidy batch results to one column per plant (or per scenario for one plant).

    With several plants the columns are the plants (their ``scenario`` state, default the
    baseline) plus ``total`` (sum over plants; not for intensities). With one plant and no
    ``scenario``, the columns are its baseline and scenarios.
    """
    df = results[
        [
            (i, c) in _KEEP or i == "effluent_load" or i.endswith("_intensity")
            for i, c in zip(results["indicator"], results["component"], strict=True)
        ]
    ]
    plants = list(dict.fromkeys(df["plant"]))
    if len(plants) == 1 and scenario is None:
        key = "scenario"
        cols = list(dict.fromkeys(df["scenario"]))
    else:
        want = scenario or "baseline"
        missing = [p for p in plants if not ((df["plant"] == p) & (df["scenario"] == want)).any()]
        if missing:
            raise InputError(f"--scenario: plant(s) {', '.join(missing)} have no scenario {want!r}")
        df = df[df["scenario"] == want]
        key = "plant"
        cols = plants
    rows = df[["indicator", "component", "unit"]].drop_duplicates()
    out = rows.copy()
    for c in cols:
        sub = df[df[key] == c][["indicator", "component", "unit", "value"]].rename(
            columns={"value": c}
        )
        out = out.merge(sub, on=["indicator", "component", "unit"], how="left")
    if key == "plant" and len(cols) > 1:
        inten = out["indicator"].str.endswith("_intensity")
        same_unit = ~inten
        out["total"] = out[cols].sum(axis=1, min_count=1).where(same_unit)
    return pd.DataFrame(out).reset_index(drop=True)


def render(table: pd.DataFrame) -> str:
    """Plain-text rendering of a comparison table."""
    t = Table(box=box.SIMPLE_HEAD)
    for c in table.columns:
        t.add_column(
            str(c), justify="right" if c not in ("indicator", "component", "unit") else "left"
        )
    for row in table.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append("-" if v != v else (f"{v:,.1f}" if abs(v) >= 100 else f"{v:.4g}"))
            else:
                cells.append(str(v))
        t.add_row(*cells)
    buf = io.StringIO()
    Console(file=buf, width=160, color_system=None, force_terminal=False).print(t)
    return buf.getvalue()
