"""Monte Carlo and sensitivity on the same engine: results, savings and economics as ranges.

The engine is linear in what an uncertain input moves: a flow amount, a change size, an entry
of the coefficient matrix ``W`` (a price, a calorific value, an emission factor), a capex,
an opex, a lifetime, the discount rate, the carbon price. :func:`linearise` compiles the plant
once more per uncertain input, with the input one step away from its central value, and keeps
the differences; a sample is then the central arrays plus the steps times those differences
(``W`` entries move multiplicatively, so two inputs of the same flow, a calorific value and a
price per GJ, multiply as they do in the engine). Every sample is evaluated at once: amounts
of shape ``(N, F)`` through ``W``, the change rules over ``N`` copies, and the vectorised
:func:`recp.models.finance.appraise`.

>>> import recp
>>> from recp.uncertainty import monte_carlo
>>> a = recp.assess(recp.load("scenarios/textile-dyeing-bd.yaml"))      # doctest: +SKIP
>>> mc = monte_carlo(a, 10_000, seed=1)                                 # doctest: +SKIP
>>> doc = mc.annotate(a.to_dict())                                      # doctest: +SKIP

Every correlated input is drawn once: a factor used by several flows is one input whose
targets are all of them (:func:`recp.uncertain.factor_inputs`). The same seed gives the same
samples and the same document, byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from recp.assessment import INTENSITY
from recp.assessment import json_number as _num
from recp.engine import SAVINGS_ONLY, Compiled, compile_scenario
from recp.factors import FactorLibrary, library
from recp.models import distributions, finance
from recp.models.changes import MOVE, changed
from recp.toolkits import RELEASE_ECONOMICS
from recp.uncertain import (
    UncertainInput,
    catalogue_inputs,
    factor_inputs,
    set_value,
)
from recp.uncertain import (
    at_place as _at,
)

if TYPE_CHECKING:
    from recp.assessment import Assessment

Array = np.ndarray

#: Percentiles every uncertain figure is reported with.
PERCENTILES = (5.0, 50.0, 95.0)


@dataclass
class Linear:
    """How the compiled arrays move with each input, per step of the input (shape ``(K, ...)``)."""

    base: Compiled
    x0: Array  # (K,) central values
    step: Array  # (K,) the step each difference was taken over
    amount: Array  # (K, F)
    W: Array  # (K, F, R)
    change: dict[str, Array]  # iid -> (K, c)
    capex: Array  # (K, I)
    opex: Array  # (K, I)
    life: Array  # (K, I)
    rate: Array  # (K,)
    price: Array  # (K,)
    ids: list[str] = field(default_factory=list)  # intervention order of capex/opex/life


def _setting(c: Compiled, key: str) -> float:
    v = c.settings.get(key)
    return np.nan if v is None else float(v)


def linearise(a: Assessment, inputs: list[UncertainInput], *, exact: bool = False) -> Linear:
    """How the compiled arrays move with each input, per step of the input.

    Inputs the compiled arrays are proportional to take their slopes from the arrays
    themselves (:func:`_proportional`); any other (a calorific value, an emission factor, a
    grid factor, a process activity) is compiled once more one step up. ``exact`` compiles
    every input (the tests check both ways agree).
    """
    c = a.compiled
    ids = list(c.interventions)
    k = len(inputs)
    F, R = c.W.shape
    x0 = np.array([u.dist.central for u in inputs], dtype=float)
    step = np.array(
        [abs(x) if x != 0 else max(u.dist.width, 1.0) for x, u in zip(x0, inputs, strict=True)]
    )
    out = Linear(
        base=c,
        x0=x0,
        step=step,
        amount=np.zeros((k, F)),
        W=np.zeros((k, F, R)),
        change={i: np.zeros((k, len(ch.value))) for i, ch in c.interventions.items()},
        capex=np.zeros((k, len(ids))),
        opex=np.zeros((k, len(ids))),
        life=np.zeros((k, len(ids))),
        rate=np.zeros(k),
        price=np.zeros(k),
        ids=ids,
    )
    for j, u in enumerate(inputs):
        if not (exact or x0[j] == 0 or a.scenario.processes) and _proportional(a, out, j, u):
            continue
        _recompiled(a, out, j, u)
    return out


_PLACE = re.compile(r"(flows|interventions)\[(\d+)\]\.(?:changes\[(\d+)\]\.)?(\w+)|(\w+)")


def _proportional(a: Assessment, out: Linear, j: int, u: UncertainInput) -> bool:
    """Slopes of an input the compiled arrays are proportional to, without compiling.

    Amounts, change sizes, capex, opex, lifetime, the discount rate and the carbon price are
    converted to canonical units by a factor, so one step of ``x0`` moves the compiled
    value by the compiled value itself; a price moves the flow's ``cost`` entry of ``W`` the
    same way. False (compile instead) for anything else.
    """
    c, sc = a.compiled, a.scenario
    k = out.step[j] / out.x0[j]  # compiled value per step = compiled value * step / x0
    if len(u.targets) != 1:
        return False
    m = _PLACE.fullmatch(u.targets[0])
    if m is None:
        return False
    section, i, ch, key, top = m.groups()
    if top in ("discount_rate", "carbon_price"):
        arr = out.rate if top == "discount_rate" else out.price
        arr[j] = _setting(c, top) * k
        return True
    if section == "flows" and key in ("amount", "price"):
        f = c.flow_ids.index(sc.flows[int(i)].id)
        if key == "amount":
            out.amount[j, f] = c.amount[f] * k
        else:
            col = c.row_index("cost")
            out.W[j, f, col] = c.W[f, col] * k
        return True
    if section != "interventions":
        return False
    iv = sc.interventions[int(i)]
    pos = out.ids.index(iv.id)
    if ch is None and key in ("capex", "opex", "lifetime"):
        arr = {"capex": out.capex, "opex": out.opex, "lifetime": out.life}[key]
        base = getattr(c, key)[iv.id]
        arr[j, pos] = base * k if np.isfinite(base) else 0.0
        return True
    comp = c.interventions[iv.id]
    if ch is None or len(comp.value) != len(iv.changes) or any(x.flow is None for x in iv.changes):
        return False
    out.change[iv.id][j, int(ch)] = comp.value[int(ch)] * k
    return True


def _recompiled(a: Assessment, out: Linear, j: int, u: UncertainInput) -> None:
    """Slopes of an input from one more compile with the input one step up (any field)."""
    c, sc = a.compiled, a.scenario
    saved = [(t, _get(sc, t)) for t in u.targets]
    lib = a.lib
    if u.factor is not None:  # a table cell: a fresh copy of the library with the cell moved
        lib = FactorLibrary((a.lib or library()).folder)
        table, row, column = u.factor
        lib.table(table).rows[row][column] = out.x0[j] + out.step[j]
    try:
        for t in u.targets:
            set_value(sc, t, out.x0[j] + out.step[j], u.unit)
        cj = compile_scenario(sc, lib)
    finally:
        for t, q in saved:
            _put(sc, t, q)
    out.amount[j] = cj.amount - c.amount  # per step: the sample gives steps, not units
    out.W[j] = cj.W - c.W
    for i, ch in c.interventions.items():
        out.change[i][j] = cj.interventions[i].value - ch.value
    for arr, name in ((out.capex, "capex"), (out.opex, "opex"), (out.life, "lifetime")):
        b, p = getattr(c, name), getattr(cj, name)
        arr[j] = [p[i] - b[i] if np.isfinite(b[i]) else 0.0 for i in out.ids]
    for arr, key in ((out.rate, "discount_rate"), (out.price, "carbon_price")):
        b0, b1 = _setting(c, key), _setting(cj, key)
        arr[j] = b1 - b0 if np.isfinite(b0) and np.isfinite(b1) else 0.0


def _get(sc: Any, place: str) -> Any:
    holder = _at(sc, place)
    key = place.rsplit(".", 1)[-1]
    return holder[key] if isinstance(holder, dict) else getattr(holder, key)


def _put(sc: Any, place: str, value: Any) -> None:
    holder = _at(sc, place)
    key = place.rsplit(".", 1)[-1]
    if isinstance(holder, dict):
        holder[key] = value
    else:
        object.__setattr__(holder, key, value)


@dataclass
class Sampled:
    """All figures of ``N`` samples, columns in the order of the JSON rows."""

    results: Array  # (N, rows of "results")
    savings: Array  # (N, rows of "savings")
    economics: list[dict[str, Array]]  # one per row of "economics": field -> (N,)
    outputs: dict[str, dict[str, Array]]  # scenario -> {"npv", "ghg_reduction"} -> (N,)
    clamped: int  # samples in which a change took a flow below zero (set to zero)


class _Model:
    """The plant at ``N`` sampled input values: amounts, ``W`` and economics per sample."""

    def __init__(self, a: Assessment, lin: Linear, x: Array):
        c = lin.base
        self.a, self.lin, self.c = a, lin, c
        d = (x - lin.x0) / lin.step  # (N, K) steps away from the central values
        self.d = d
        self.n = len(x)
        self.amount = c.amount + d @ lin.amount if d.shape[1] else np.tile(c.amount, (self.n, 1))
        moving = np.flatnonzero(np.any(lin.W != 0, axis=(0, 2)))
        rows = np.flatnonzero(np.any(lin.W != 0, axis=(0, 1)))
        self.cols, self.rows = moving, rows
        if moving.size:
            w0 = c.W[np.ix_(moving, rows)]  # (A, Rm): only the entries that move
            slope = lin.W[:, moving][:, :, rows]  # (K, A, Rm)
            used = np.flatnonzero(np.any(slope != 0, axis=(1, 2)))
            slope, dj = slope[used], d[:, used]
            nz = w0 != 0
            rel = np.divide(slope, w0, out=np.zeros_like(slope), where=nz)
            if np.all((slope != 0).sum(axis=0) <= 1):  # one input per entry: a sum is exact
                self.dW = np.einsum("nk,kar->nar", dj, slope)
            else:  # entries moved by several inputs multiply, as in the engine
                mult = np.ones((self.n, *w0.shape))
                add = np.zeros((self.n, *w0.shape))
                for j in range(len(used)):
                    mult *= 1.0 + dj[:, j, None, None] * rel[j]
                    add += dj[:, j, None, None] * np.where(nz, 0.0, slope[j])
                self.dW = w0 * (mult - 1.0) + add  # (N, A, Rm): sample's W minus central W
        self.clamped = np.zeros(self.n, dtype=bool)

    def indicators(self, amounts: Array) -> Array:
        """Result rows of amounts ``(N, ..., F)`` with each sample's own ``W``."""
        f = amounts.shape[-1]
        out = (np.ascontiguousarray(amounts).reshape(-1, f) @ self.c.W).reshape(
            *amounts.shape[:-1], -1
        )
        if self.cols.size:
            out[..., self.rows] += np.einsum("n...f,nfr->n...r", amounts[..., self.cols], self.dW)
        return np.asarray(out)

    def apply(self, amounts: Array, iid: str, *, inplace: bool = False) -> Array:
        """One intervention applied to amounts ``(N, F)``, change sizes sampled.

        The flows it changes are then clamped at zero (the samples where one went below are
        noted). ``inplace`` changes ``amounts`` itself (a scenario's running state).
        """
        ch = self.c.interventions[iid]
        assert ch.src is not None
        values = ch.value + self.d @ self.lin.change[iid] if self.d.shape[1] else None
        out = amounts if inplace else np.array(amounts, copy=True)
        for j, (f, k, s) in enumerate(
            zip(ch.flow.tolist(), ch.kind.tolist(), ch.src.tolist(), strict=True)
        ):
            v = ch.value[j] if values is None else values[:, j]
            moved = out[:, s] if k == MOVE else 0.0
            out[:, f] = changed(out[:, f], k, v, moved)
            if k == MOVE:
                out[:, s] = 0.0
        cols = np.unique(ch.flow)
        part = out[:, cols]
        neg = part < 0
        if neg.any():
            self.clamped |= neg.any(axis=1)
            out[:, cols] = np.maximum(part, 0.0)
        return out

    def econ(self, name: str, ids: list[str]) -> Array:
        """capex, opex, lifetime ``(N, k)`` of the interventions ``ids``."""
        lin = self.lin
        pos = [lin.ids.index(i) for i in ids]
        c = self.c
        out = []
        for attr, slope in (("capex", lin.capex), ("opex", lin.opex), ("lifetime", lin.life)):
            base = np.array([getattr(c, attr)[i] for i in ids])
            out.append(
                base + self.d @ slope[:, pos] if self.d.shape[1] else np.tile(base, (self.n, 1))
            )
        return np.stack(out)

    def setting(self, key: str, slope: Array) -> Array:
        """Discount rate or carbon price per sample ``(N,)``; NaN when not set."""
        b = _setting(self.c, key)
        return b + self.d @ slope if self.d.shape[1] else np.full(self.n, b)


def _col(c: Compiled, indicator: str, component: str = "total") -> int | None:
    try:
        return c.row_index(indicator, component)
    except KeyError:
        return None


def evaluate(a: Assessment, lin: Linear, x: Array) -> Sampled:
    """Every figure of the plant at the input values ``x`` of shape ``(N, K)``."""
    m = _Model(a, lin, x)
    c = lin.base
    base = m.indicators(m.amount)  # (N, R)
    res_end: dict[str, Array] = {}  # scenario -> (N, k+1, R), the results of each state
    for name, ids in a.scenario.scenario_map.items():
        amt, per_state = m.amount.copy(), [base]
        for iid in ids:
            per_state.append(m.indicators(m.apply(amt, iid, inplace=True)))
        res_end[name] = np.stack(per_state, axis=1)
    standalone = {iid: m.indicators(m.apply(m.amount, iid)) for iid in c.interventions}
    results = _results(a, base, res_end)
    stand = {k: base - v for k, v in standalone.items()}
    blocks: list[Array] = []
    for name, res in res_end.items():
        steps = res[:, :-1] - res[:, 1:]
        for k, iid in enumerate(a.scenario.scenario_map[name]):
            blocks += [steps[:, k], stand[iid]]
        blocks.append(res[:, 0] - res[:, -1])
    savings = np.concatenate(blocks, axis=1) if blocks else np.zeros((m.n, 0))
    econ, outputs = _economics(a, m, base, res_end, standalone)
    return Sampled(results, savings, econ, outputs, int(m.clamped.sum()))


def _results(a: Assessment, base: Array, res_end: dict[str, Array]) -> Array:
    """Columns of the "results" rows: every state's rows, then its intensities."""
    c = a.compiled
    keep = [i for i, r in enumerate(c.rows) if r.indicator not in SAVINGS_ONLY]
    inten = [i for i, r in enumerate(c.rows) if r.component == "total" and r.indicator in INTENSITY]
    prod = a.scenario.plant.production
    cols: list[Array] = []
    for vals in [base] + [r[:, -1] for r in res_end.values()]:
        cols.append(vals[:, keep])
        if prod is not None:
            cols.append(vals[:, inten] / float(prod.magnitude))
    return np.concatenate(cols, axis=1)


def _economics(
    a: Assessment, m: _Model, base: Array, res_end: dict[str, Array], standalone: dict[str, Array]
) -> tuple[list[dict[str, Array]], dict[str, dict[str, Array]]]:
    """Economics rows as in :meth:`recp.assessment.Assessment.economics`, per sample."""
    c = m.c
    rate = m.setting("discount_rate", m.lin.rate)
    price = m.setting("carbon_price", m.lin.price)
    has_price = c.settings.get("carbon_price") is not None
    cost_col, red_col = _col(c, "cost"), _col(c, "ghg_reduction")
    cols = {"ghg": _col(c, "ghg")} | {ind: _col(c, ind) for ind, _, _ in RELEASE_ECONOMICS}
    rows: list[dict[str, Array]] = []
    outputs: dict[str, dict[str, Array]] = {}

    def avoided(before: Array, after: Array) -> dict[str, Array]:
        return {
            k: before[..., i] - after[..., i]
            if i is not None
            else np.full(after.shape[:-1], np.nan)
            for k, i in cols.items()
        }

    for name, res in res_end.items():
        ids = a.scenario.scenario_map[name]
        if not ids:
            continue
        capex, opex, life = m.econ(name, ids)
        st_res = np.stack([standalone[i] for i in ids], axis=1)  # (N, k, R) results
        seq: tuple[Array, Array, Array | None] | None = None
        for before, after in (
            (res[:, :-1], res[:, 1:]),
            (np.broadcast_to(base[:, None], st_res.shape), st_res),
        ):
            flow_saving = (
                before[..., cost_col] - after[..., cost_col]
                if cost_col is not None
                else np.zeros(capex.shape)
            )
            av = avoided(before, after)
            credit = (
                finance.carbon_revenue(before[..., red_col] - after[..., red_col], price[:, None])
                if has_price and red_col is not None
                else None
            )
            ap = finance.appraise(
                capex, opex, flow_saving, rate[:, None], life, av, 0.0 if credit is None else credit
            )
            if seq is None:
                seq = (ap.annual_saving, av["ghg"], credit)
            rows += [_econ_row(ap, (slice(None), k), av, credit) for k in range(len(ids))]
        assert seq is not None
        total = avoided(res[:, 0], res[:, -1])
        total["ghg"] = seq[1].sum(axis=1)
        ap = finance.appraise_scenarios(capex, seq[0], rate, life, total)
        credit = None if seq[2] is None else seq[2].sum(axis=1)
        rows.append(_econ_row(ap, (slice(None),), total, credit))
        ghg = _col(c, "ghg")
        outputs[name] = {
            "npv": ap.npv,
            "ghg_reduction": res[:, 0, ghg] - res[:, -1, ghg]
            if ghg is not None
            else np.full(m.n, np.nan),
        }
    return rows, outputs


def _econ_row(
    ap: finance.Appraisal, k: tuple[Any, ...], avoided: dict[str, Array], credit: Array | None
) -> dict[str, Array]:
    """One economics row's figures, each ``(N,)``, keyed as in the JSON document."""
    n = ap.capex[k].shape[0]
    row = {
        "capex": ap.capex[k],
        "annual_saving": ap.annual_saving[k],
        "carbon_revenue": np.full(n, np.nan) if credit is None else credit[k],
        "simple_payback_years": ap.simple_payback[k],
        "lifetime_years": ap.lifetime[k],
        "npv": ap.npv[k],
        "irr": ap.irr[k],
        "ghg_avoided_t_co2e_per_year": avoided["ghg"][k],
        "cost_per_t_co2e": ap.cost_per_unit["ghg"][k],
    }
    for ind, c_av, c_cost in RELEASE_ECONOMICS:
        row[c_av] = avoided[ind][k]
        row[c_cost] = ap.cost_per_unit[ind][k]
    return row


def summary(x: Array) -> dict[str, Array]:
    """mean, p5, p50, p95 of each column of ``x`` (N, M); NaN samples left out."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    nan = np.isnan(x).any(axis=0)
    out = {
        "mean": np.full(x.shape[1], np.nan),
        **{f"p{p:g}": np.full(x.shape[1], np.nan) for p in PERCENTILES},
    }
    for cols, fn_mean, fn_pct in (
        (np.flatnonzero(~nan), np.mean, np.percentile),
        (np.flatnonzero(nan), np.nanmean, np.nanpercentile),
    ):
        if cols.size == 0:
            continue
        sub = x[:, cols]
        if fn_mean is np.nanmean:
            ok = ~np.all(np.isnan(sub), axis=0)
            cols, sub = cols[ok], sub[:, ok]
            if cols.size == 0:
                continue
        out["mean"][cols] = fn_mean(sub, axis=0)
        pct = fn_pct(sub, PERCENTILES, axis=0)
        for p, v in zip(PERCENTILES, pct, strict=True):
            out[f"p{p:g}"][cols] = v
    return out


@dataclass
class MonteCarlo:
    """A Monte Carlo run: the inputs, their samples, every figure's spread, the sensitivity."""

    inputs: list[UncertainInput]
    n: int
    seed: int
    x: Array  # (N, K)
    sampled: Sampled
    tornado: list[dict[str, Any]]

    def annotate(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The assessment's JSON document with ``mean``, ``p5``, ``p50``, ``p95`` on every row.

        ``results`` and ``savings`` rows gain the four numbers; ``economics`` rows gain four
        mappings (field -> number) and ``p_npv_positive``, ``p_payback_within_lifetime``.
        A top-level ``uncertainty`` section lists the inputs, the run and the sensitivity.
        """
        s = self.sampled
        for key, arr in (("results", s.results), ("savings", s.savings)):
            rows = doc[key]
            if len(rows) != arr.shape[1]:  # pragma: no cover - a bug, not bad input
                raise RuntimeError(f"{key}: {len(rows)} rows, {arr.shape[1]} sampled columns")
            st = summary(arr)
            for i, row in enumerate(rows):
                for name, vals in st.items():
                    row[name] = _num(float(vals[i]))
        econ = doc["economics"]
        if len(econ) != len(s.economics):  # pragma: no cover - a bug, not bad input
            raise RuntimeError("economics rows and sampled rows differ")
        names = list(s.economics[0]) if s.economics else []  # the fields, in row order
        cols = [fields[f] for fields in s.economics for f in names]
        st = summary(np.stack(cols, axis=1)) if cols else {}
        for k, (row, fields) in enumerate(zip(econ, s.economics, strict=True)):
            for name in ("mean", *(f"p{p:g}" for p in PERCENTILES)):
                vals = st[name][k * len(names) : (k + 1) * len(names)]
                row[name] = {f: _num(float(v)) for f, v in zip(names, vals, strict=True)}
            npv, pb, life = fields["npv"], fields["simple_payback_years"], fields["lifetime_years"]
            row["p_npv_positive"] = None if np.all(np.isnan(npv)) else _num(float(np.mean(npv > 0)))
            row["p_payback_within_lifetime"] = (
                None if np.all(np.isnan(life)) else _num(float(np.mean(pb < life)))
            )
        doc["uncertainty"] = {
            "samples": self.n,
            "seed": self.seed,
            "percentiles": list(PERCENTILES),
            "inputs": [u.to_dict() for u in self.inputs],
            "clamped_samples": s.clamped,
            "sensitivity": self.tornado,
        }
        if s.clamped:
            doc.setdefault("warnings", []).append(
                {
                    "code": "uncertainty_clamped",
                    "message": (
                        f"in {s.clamped} of {self.n} samples a change took a flow below zero; it "
                        "was set to zero (narrow the ranges of the change sizes or amounts)"
                    ),
                }
            )
        return doc


def sample_inputs(inputs: list[UncertainInput], n: int, seed: int) -> Array:
    """``(n, K)`` draws: one Generator seeded with ``seed``, each input drawn in turn."""
    rng = np.random.default_rng(seed)
    x = np.empty((n, len(inputs)))
    for j, u in enumerate(inputs):
        x[:, j] = distributions.sample(u.dist, n, rng)
    return x


def sensitivity(
    a: Assessment, lin: Linear, inputs: list[UncertainInput], x: Array, sampled: Sampled
) -> list[dict[str, Any]]:
    """Tornado (each input at its low and high end, the others central) and rank correlations.

    One row per scenario, output (``npv``, ``ghg_reduction``) and input, sorted by swing.
    """
    k = len(inputs)
    if k == 0:
        return []
    design = np.tile(lin.x0, (2 * k + 1, 1))
    for j, u in enumerate(inputs):
        design[2 * j, j], design[2 * j + 1, j] = u.dist.ends
    ev = evaluate(a, lin, design)
    rx = distributions.ranks(x)
    out: list[dict[str, Any]] = []
    for name, outs in ev.outputs.items():
        for what, vals in outs.items():
            rho = distributions.spearman(x, sampled.outputs[name][what], rx)
            rows = []
            for j, u in enumerate(inputs):
                lo, hi, b = vals[2 * j], vals[2 * j + 1], vals[-1]
                rows.append(
                    {
                        "scenario": name,
                        "output": what,
                        "input": u.place,
                        "label": u.label,
                        "input_low": _num(u.dist.ends[0]),
                        "input_high": _num(u.dist.ends[1]),
                        "base": _num(float(b)),
                        "at_low": _num(float(lo)),
                        "at_high": _num(float(hi)),
                        "swing": _num(abs(float(hi) - float(lo))),
                        "rank_correlation": _num(float(rho[j])),
                    }
                )
            rows.sort(key=lambda r: -float(r["swing"] or 0.0))
            out += rows
    return out


def monte_carlo(
    a: Assessment,
    n: int,
    seed: int = 0,
    *,
    catalogue: bool = False,
    factors: bool = False,
    lib: FactorLibrary | None = None,
) -> MonteCarlo:
    """Run ``n`` samples of the plant's uncertain inputs.

    Parameters
    ----------
    a : Assessment
        The deterministic assessment (its scenario carries the distributions).
    n : int
        Number of samples (>= 1).
    seed : int
        Seed of the numpy Generator; the same seed gives the same document.
    catalogue, factors : bool
        Also take the catalogue measures' typical ranges and the factor tables' bounds as
        uncertain inputs (opt-in; :func:`recp.uncertain.catalogue_inputs`,
        :func:`recp.uncertain.factor_inputs`).
    """
    inputs = list(a.scenario.uncertain)
    taken = {t for u in inputs for t in u.targets}
    extra: list[UncertainInput] = []
    if catalogue:
        extra += catalogue_inputs(a.scenario)
    if factors:
        extra += factor_inputs(a.scenario, lib or a.lib or library())
    inputs += [u for u in extra if not set(u.targets) & taken]
    lin = linearise(a, inputs)
    x = sample_inputs(inputs, n, seed)
    sampled = evaluate(a, lin, x)
    return MonteCarlo(inputs, n, seed, x, sampled, sensitivity(a, lin, inputs, x, sampled))


def portfolio_totals(assessments: list[Assessment], n: int, seed: int = 0) -> list[dict[str, Any]]:
    """A portfolio's totals as ranges: the sum over plants of each sample's results.

    Each plant is sampled on its own (its seed is spawned from ``seed`` with
    ``numpy.random.SeedSequence``, so plants are independent and the run is reproducible);
    the samples are summed plant by plant for every (scenario, indicator, component) row
    whose unit is the same in every plant, so the totals' p5 and p95 are those of the sum,
    not sums of percentiles.

    Returns
    -------
    list of dict
        ``scenario``, ``indicator``, ``component``, ``unit``, ``value`` (the deterministic
        total), ``mean``, ``p5``, ``p50``, ``p95``, ``plants``.
    """
    seeds = np.random.SeedSequence(seed).spawn(len(assessments))
    totals: dict[tuple[str, str, str, str], list[Any]] = {}
    for a, ss in zip(assessments, seeds, strict=True):
        plant_seed = int(ss.generate_state(1, dtype=np.uint32)[0])
        mc = monte_carlo(a, n, plant_seed)
        rows = a.results()
        for j, row in enumerate(rows):
            if row["indicator"].endswith("_intensity"):
                continue  # intensities do not add up
            key = (row["scenario"], row["indicator"], row["component"], row["unit"])
            acc = totals.setdefault(key, [0.0, np.zeros(n), 0])
            acc[0] += row["value"] or 0.0
            acc[1] = acc[1] + np.nan_to_num(mc.sampled.results[:, j])
            acc[2] += 1
    keys = list(totals)
    st = summary(np.stack([totals[k][1] for k in keys], axis=1)) if keys else {}
    return [
        {
            "scenario": k[0],
            "indicator": k[1],
            "component": k[2],
            "unit": k[3],
            "value": _num(float(totals[k][0])),
            **{name: _num(float(st[name][i])) for name in st},
            "plants": totals[k][2],
        }
        for i, k in enumerate(keys)
    ]
