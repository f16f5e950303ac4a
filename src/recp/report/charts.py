"""Charts as inline SVG, drawn in Python: no JavaScript, no network, prints sharply.

Every function returns one ``<svg class="chart">`` element whose data-carrying shapes have the
class ``mark`` (the report's self-check and the browser test count them). Every piece of text is
escaped here; labels that come from the user's file are marked ``translate="no"``.

Text widths are estimated (Latin about 0.56 em, CJK 1 em per character) to place labels, since
Python cannot measure the browser's fonts; layouts leave room for that estimate to be off.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape, unescape

from recp.report.fmt import MINUS, num

W = 900  # viewBox width of every chart [px]


class Markup(str):
    """Text that is already SVG markup (escaped, with ``<tspan translate="no">`` for user text).

    Chart titles mix labels with the user's names; the caller builds them as Markup so that
    the user's part stays marked. Plain ``str`` is always escaped.
    """


def _plain(s: str) -> str:
    """Return the text of ``s`` without markup (for attributes such as ``aria-label``)."""
    return unescape(re.sub(r"<[^>]+>", "", s)) if isinstance(s, Markup) else s


def _esc(s: str) -> str:
    return s if isinstance(s, Markup) else escape(s)


#: Colours (a restrained palette that stays readable in greyscale print).
NAVY = "#1d3557"
TEAL = "#2a7f8f"
GREEN = "#3a8d5c"
RED = "#c0392b"
GREY = "#8795a1"
GRID = "#e3e8ec"
INK = "#22303c"
MUTED = "#5f6b76"

CARRIER_COLOURS = {
    "electricity": "#3f7fbf",
    "heat": "#c8553d",
    "natural_gas": "#e0a030",
    "lpg": "#e8b75a",
    "diesel": "#8c564b",
    "residual_fuel_oil": "#6d4c41",
    "motor_gasoline": "#a1887f",
    "kerosene": "#b07a5a",
    "naphtha": "#9c6f54",
    "anthracite": "#3c3c3c",
    "bituminous_coal": "#4d4d4d",
    "sub_bituminous_coal": "#5e5e5e",
    "lignite": "#6f6a5f",
    "coke": "#555a60",
    "coking_coal": "#474b50",
    "petroleum_coke": "#5b5148",
    "peat": "#7d6b4f",
    "wood": "#5f9e48",
    "biomass": "#6aa84f",
    "charcoal": "#4f6d3a",
    "biogas": "#7bb662",
    "landfill_gas": "#8fbf6a",
}
SERIES = ["#2a7f8f", "#1d3557", "#e0a030", "#7a5195", "#c8553d", "#3a8d5c", "#5b8db8"]
CATEGORY_COLOURS = {
    "good housekeeping": "#4e9a6b",
    "input substitution": "#8c6bb1",
    "better process control": "#2a7f8f",
    "equipment modification": "#3f7fbf",
    "technology change": "#1d3557",
    "on-site recovery and reuse": "#e0a030",
    "production of useful by-product": "#c8553d",
    "product modification": "#a0522d",
}


def colour(key: str | None, palette: dict[str, str], i: int = 0) -> str:
    """Return the colour of ``key`` in ``palette``, else a series colour by position."""
    return palette.get(key or "", SERIES[i % len(SERIES)])


# -- text helpers ------------------------------------------------------------------------------


def text_width(s: str, size: float) -> float:
    """Estimated width of ``s`` at font size ``size`` [px]."""
    w = 0.0
    for ch in s:
        o = ord(ch)
        if o >= 0x2E80:  # CJK and full-width forms
            w += 1.0
        elif ch in "il.,:;|!'":
            w += 0.3
        elif ch in "mwMW@%":
            w += 0.85
        elif ch.isupper() or ch.isdigit():
            w += 0.63
        else:
            w += 0.53
    return w * size


def fit(s: str, width: float, size: float) -> str:
    """``s`` cut with an ellipsis so that it fits ``width`` at ``size``."""
    if text_width(s, size) <= width:
        return s
    while s and text_width(s + "…", size) > width:
        s = s[:-1]
    return s.rstrip() + "…"


def _f(x: float) -> str:
    """Format a coordinate with at most one decimal."""
    return f"{x:.1f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def text(
    x: float,
    y: float,
    s: str,
    *,
    size: float = 12,
    anchor: str = "start",
    weight: str | None = None,
    fill: str = INK,
    user: bool = False,
    cls: str | None = None,
    rotate: float | None = None,
    baseline: str | None = None,
) -> str:
    """Return an escaped SVG ``<text>``; ``user`` marks text from the scenario file."""
    attrs = [f'x="{_f(x)}"', f'y="{_f(y)}"', f'font-size="{_f(size)}"']
    if anchor != "start":
        attrs.append(f'text-anchor="{anchor}"')
    if weight:
        attrs.append(f'font-weight="{weight}"')
    if fill != INK:
        attrs.append(f'fill="{fill}"')
    if baseline:
        attrs.append(f'dominant-baseline="{baseline}"')
    if rotate is not None:
        attrs.append(f'transform="rotate({_f(rotate)} {_f(x)} {_f(y)})"')
    if cls:
        attrs.append(f'class="{cls}"')
    if user:
        attrs.append('translate="no"')
    return f"<text {' '.join(attrs)}>{_esc(s)}</text>"


def rect(
    x: float,
    y: float,
    w: float,
    h: float,
    fill: str,
    *,
    mark: bool = True,
    tip: str | None = None,
    extra: str = "",
    user_tip: bool = False,
) -> str:
    """Return a ``<rect>`` (a data mark unless ``mark`` is false) with an optional tooltip.

    ``user_tip`` marks a tooltip that contains text from the scenario file.
    """
    cls = ' class="mark"' if mark else ""
    tr = ' translate="no"' if user_tip else ""
    body = f"<title{tr}>{escape(tip)}</title>" if tip else ""
    return (
        f'<rect{cls} x="{_f(x)}" y="{_f(y)}" width="{_f(max(w, 0))}" '
        f'height="{_f(max(h, 0))}" fill="{fill}"{extra}>{body}</rect>'
    )


def line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    stroke: str = GRID,
    width: float = 1,
    dash: str | None = None,
) -> str:
    """Return a ``<line>``."""
    d = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" '
        f'stroke="{stroke}" stroke-width="{_f(width)}"{d}/>'
    )


def svg(name: str, height: float, body: list[str], title: str) -> str:
    """Wrap chart elements into a responsive ``<svg class="chart">`` labelled ``title``."""
    return (
        f'<svg class="chart" data-chart="{escape(name)}" viewBox="0 0 {W} {_f(height)}" '
        f'width="{W}" height="{_f(height)}" role="img" '
        f'aria-label="{escape(_plain(title))}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(body)
        + "</svg>"
    )


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering ``[lo, hi]``.

    >>> nice_ticks(0, 5140)
    [0.0, 2000.0, 4000.0, 6000.0]
    >>> nice_ticks(-980, 120)
    [-1000.0, -750.0, -500.0, -250.0, 0.0, 250.0]
    """
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step + 1e-9) * step
    ticks = []
    v = start
    while v < hi + step * 0.999:
        ticks.append(round(v, 10) + 0.0)
        v += step
        if len(ticks) > 50:  # pragma: no cover - defensive
            break
    return ticks


def legend(
    items: Sequence[tuple[str, str, bool]],
    x: float,
    y: float,
    size: float = 12,
    max_x: float = W - 10,
) -> tuple[list[str], float]:
    """Swatches with labels ``(label, fill, from_user)`` in rows from ``(x, y)``.

    Returns the elements and the y below the legend.
    """
    out: list[str] = []
    cx, cy = x, y
    for label, fill, user in items:
        lab = fit(label, max_x - x - 40, size)
        w = 14 + 6 + text_width(lab, size) + 18
        if cx + w > max_x and cx > x:
            cx, cy = x, cy + size + 10
        out.append(rect(cx, cy - size + 2, 12, 12, fill, mark=False, extra=' rx="2"'))
        out.append(text(cx + 18, cy, lab, size=size, fill=MUTED, user=user))
        cx += w
    return out, cy + size + 10


# -- Sankey ------------------------------------------------------------------------------------


@dataclass
class SankeyFlow:
    """One energy flow into the site: its label, carrier key and label, and value [GJ]."""

    label: str
    carrier: str
    carrier_label: str
    value: float


def _band(x1: float, a1: float, b1: float, x2: float, a2: float, b2: float) -> str:
    """Path of a Sankey band from ``x1`` (top a1, bottom b1) to ``x2`` (top a2, bottom b2)."""
    xm = (x1 + x2) / 2
    return (
        f"M{_f(x1)},{_f(a1)} C{_f(xm)},{_f(a1)} {_f(xm)},{_f(a2)} {_f(x2)},{_f(a2)} "
        f"L{_f(x2)},{_f(b2)} C{_f(xm)},{_f(b2)} {_f(xm)},{_f(b1)} {_f(x1)},{_f(b1)} Z"
    )


#: Sankey geometry [px]: x of the flow and carrier columns, node width, gaps, top of the nodes.
SANKEY_X_LEFT, SANKEY_X_MID, SANKEY_NODE_W = 250.0, 470.0, 14.0
SANKEY_GAP, SANKEY_MIN_PITCH, SANKEY_TOP = 10.0, 30.0, 34.0


@dataclass
class SankeyLayout:
    """Where a Sankey diagram's nodes go.

    ``left`` holds each flow with the top and bottom of its node, ``mid`` each carrier's
    (when ``three`` columns are drawn); ``k`` is the scale [px/GJ].
    """

    flows: list[SankeyFlow]
    carriers: dict[str, list[SankeyFlow]]
    order: list[str]
    k: float
    three: bool
    x_right: float
    left: list[tuple[SankeyFlow, float, float]]
    mid: dict[str, tuple[float, float]]
    left_bottom: float
    tot_h: float

    def h(self, v: float) -> float:
        """Height of a band carrying ``v`` [GJ], at least 1.5 px so that it shows."""
        return max(v * self.k, 1.5)


def sankey_layout(flows: Sequence[SankeyFlow], scale_total: float) -> SankeyLayout:
    """Place the nodes: flows sorted by carrier (largest first), then by value."""
    flows = [f for f in flows if f.value > 0]
    carriers: dict[str, list[SankeyFlow]] = {}
    for f in flows:
        carriers.setdefault(f.carrier, []).append(f)
    order = sorted(carriers, key=lambda c: -sum(f.value for f in carriers[c]))
    flows = [f for c in order for f in sorted(carriers[c], key=lambda f: -f.value)]
    three = any(len(v) > 1 for v in carriers.values())
    k = 240.0 / scale_total if scale_total > 0 else 0.0
    lay = SankeyLayout(
        flows, carriers, order, k, three, 690.0 if three else 650.0, [], {}, 0.0, 0.0
    )
    # Left column: one node per flow (pitch at least the minimum so labels never collide).
    y = SANKEY_TOP
    for f in flows:
        hh = lay.h(f.value)
        lay.left.append((f, y, y + hh))
        y += max(hh, SANKEY_MIN_PITCH) + SANKEY_GAP
    lay.left_bottom = y - SANKEY_GAP
    # Middle column (carriers) when some carrier has several flows.
    if three:
        y = SANKEY_TOP
        for c in order:
            hh = sum(lay.h(f.value) for f in carriers[c])
            lay.mid[c] = (y, y + hh)
            y += max(hh, SANKEY_MIN_PITCH) + SANKEY_GAP
        lay.left_bottom = max(lay.left_bottom, y - SANKEY_GAP)
    lay.tot_h = sum(lay.h(f.value) for f in flows)
    return lay


def _sankey_band(d: str, carrier: str, tip: str | None = None) -> str:
    """A band (path) in the carrier's colour, with an optional tooltip from the user's file."""
    title = f'<title translate="no">{escape(tip)}</title>' if tip else ""
    return (
        f'<path class="mark band" d="{d}" fill="{colour(carrier, CARRIER_COLOURS)}" '
        f'fill-opacity="0.45">{title}</path>'
    )


def _sankey_bands(lay: SankeyLayout, unit: str, fmt: Callable[[float | None], str]) -> list[str]:
    """Bands from each flow to its carrier and on to the total, or straight to the total."""
    x_left, x_mid, node_w = SANKEY_X_LEFT, SANKEY_X_MID, SANKEY_NODE_W
    body: list[str] = []
    t0 = SANKEY_TOP
    if lay.three:
        offs = {c: lay.mid[c][0] for c in lay.order}
        for f, a, b in lay.left:
            m0 = offs[f.carrier]
            offs[f.carrier] += b - a
            body.append(
                _sankey_band(
                    _band(x_left + node_w, a, b, x_mid, m0, m0 + b - a),
                    f.carrier,
                    f"{f.label}: {fmt(f.value)} {unit}",
                )
            )
        for c in lay.order:
            a, b = lay.mid[c]
            body.append(_sankey_band(_band(x_mid + node_w, a, b, lay.x_right, t0, t0 + b - a), c))
            t0 += b - a
    else:
        for f, a, b in lay.left:
            body.append(
                _sankey_band(
                    _band(x_left + node_w, a, b, lay.x_right, t0, t0 + b - a),
                    f.carrier,
                    f"{f.label}: {fmt(f.value)} {unit}",
                )
            )
            t0 += b - a
    return body


def _sankey_flow_nodes(
    lay: SankeyLayout, unit: str, fmt: Callable[[float | None], str], user_labels: bool
) -> list[str]:
    """The left column: a node per flow, labelled with its name (and carrier) and value."""
    x_left = SANKEY_X_LEFT
    body: list[str] = []
    for f, a, b in lay.left:
        body.append(rect(x_left, a, SANKEY_NODE_W, b - a, colour(f.carrier, CARRIER_COLOURS)))
        cy = (a + b) / 2
        lab = (
            f.label
            if lay.three
            else f"{f.label} ({f.carrier_label})"
            if f.label != f.carrier_label
            else f.label
        )
        body.append(
            text(
                x_left - 8,
                cy - 2,
                fit(lab, x_left - 20, 12),
                size=12,
                anchor="end",
                user=user_labels,
            )
        )
        body.append(
            text(x_left - 8, cy + 12, f"{fmt(f.value)} {unit}", size=11, anchor="end", fill=MUTED)
        )
    return body


def _sankey_carrier_nodes(
    lay: SankeyLayout, unit: str, fmt: Callable[[float | None], str]
) -> list[str]:
    """The middle column (three columns only): a node per carrier with its total."""
    x, node_w = SANKEY_X_MID, SANKEY_NODE_W
    body: list[str] = []
    for c in lay.order if lay.three else []:
        a, b = lay.mid[c]
        body.append(rect(x, a, node_w, b - a, colour(c, CARRIER_COLOURS)))
        v = sum(f.value for f in lay.carriers[c])
        cy = (a + b) / 2
        body.append(
            text(x + node_w + 6, cy - 2, lay.carriers[c][0].carrier_label, size=12, cls="halo")
        )
        body.append(
            text(x + node_w + 6, cy + 12, f"{fmt(v)} {unit}", size=11, fill=MUTED, cls="halo")
        )
    return body


def _sankey_saved(
    lay: SankeyLayout, saved: float, label: str, unit: str, fmt: Callable[[float | None], str]
) -> tuple[list[str], float]:
    """A dashed block under the total for the energy saved; returns it and its lowest y."""
    x, top = lay.x_right, SANKEY_TOP + lay.tot_h
    sh = saved * lay.k
    sy = top + sh / 2
    body = [
        rect(
            x,
            top,
            SANKEY_NODE_W,
            sh,
            "none",
            mark=False,
            extra=f' stroke="{GREY}" stroke-dasharray="3 2"',
        ),
        text(x + SANKEY_NODE_W + 8, sy - 2, label, size=11, fill=GREEN, weight="600"),
        text(x + SANKEY_NODE_W + 8, sy + 12, f"{MINUS}{fmt(saved)} {unit}", size=11, fill=GREEN),
    ]
    return body, max(top + sh, sy + 16)


def sankey(
    name: str,
    flows: Sequence[SankeyFlow],
    *,
    scale_total: float,
    title: str,
    total_label: str,
    unit: str,
    saved: float | None = None,
    saved_label: str = "",
    fmt: Callable[[float | None], str] = num,
    user_labels: bool = True,
) -> str:
    """Energy flows: flows -> carriers (when a carrier has several flows) -> site total.

    Parameters
    ----------
    flows : sequence of SankeyFlow
        Flows with positive final energy [GJ].
    scale_total : float
        The total drawn 240 px tall (the baseline's, so that every diagram shares one scale).
    saved : float, optional
        Energy avoided against the baseline [GJ], drawn as a dashed block under the total.
    """
    lay = sankey_layout(flows, scale_total)
    total = sum(f.value for f in lay.flows)
    x, top = lay.x_right + SANKEY_NODE_W + 8, SANKEY_TOP
    body = [text(10, 16, title, size=14, weight="600")]
    body += _sankey_bands(lay, unit, fmt)
    body += _sankey_flow_nodes(lay, unit, fmt, user_labels)
    body += _sankey_carrier_nodes(lay, unit, fmt)
    body.append(rect(lay.x_right, top, SANKEY_NODE_W, lay.tot_h, NAVY))
    body.append(text(x, top + 14, total_label, size=12, weight="600"))
    body.append(text(x, top + 29, f"{fmt(total)} {unit}", size=12))
    bottom = max(lay.left_bottom, top + lay.tot_h)
    if saved is not None and saved > 0 and lay.k > 0:
        saved_body, saved_bottom = _sankey_saved(lay, saved, saved_label, unit, fmt)
        body += saved_body
        bottom = max(bottom, saved_bottom)
    return svg(name, bottom + 14, body, title)


# -- waterfall ---------------------------------------------------------------------------------


@dataclass
class WaterfallFrame:
    """The geometry of a waterfall chart: value axis, one slot per bar, label placement."""

    ticks: list[float]
    slot: float
    bw: float
    rotate: bool
    left: float = 70.0
    right: float = 20.0
    top: float = 40.0
    plot_h: float = 240.0

    @property
    def labels_y(self) -> float:
        """Baseline of the bar labels under the plot [px]."""
        return self.top + self.plot_h + 18

    def yv(self, v: float) -> float:
        """The y of value ``v`` [px]."""
        vmin, vmax = self.ticks[0], self.ticks[-1]
        span = vmax - vmin or 1.0
        return self.top + self.plot_h * (vmax - v) / span

    def bar_x(self, i: int) -> float:
        """The left edge of bar ``i`` [px]."""
        return self.left + self.slot * i + (self.slot - self.bw) / 2

    def connector(self, i: int, level: float) -> str:
        """The dashed line from the bar before bar ``i`` at ``level``."""
        x = self.bar_x(i)
        return line(x - (self.slot - self.bw), self.yv(level), x, self.yv(level), GREY, 1, "3 2")

    def label(self, i: int, lab: str, user: bool) -> str:
        """The label under bar ``i``, rotated when some label does not fit its slot."""
        cx = self.left + self.slot * (i + 0.5)
        if self.rotate:
            return text(
                cx + 4,
                self.labels_y - 4,
                fit(lab, 120, 11),
                size=11,
                anchor="end",
                rotate=-35,
                user=user,
            )
        return text(
            cx, self.labels_y, fit(lab, self.slot - 4, 11), size=11, anchor="middle", user=user
        )


def _y_grid(
    ticks: Sequence[float],
    yv: Callable[[float], float],
    left: float,
    right: float,
    fmt: Callable[[float | None], str],
) -> list[str]:
    """Horizontal grid lines with their values at the left of the plot."""
    body: list[str] = []
    for t in ticks:
        body.append(line(left, yv(t), W - right, yv(t), GRID))
        body.append(text(left - 8, yv(t) + 4, fmt(t), size=11, anchor="end", fill=MUTED))
    return body


def _waterfall_total(
    fr: WaterfallFrame,
    i: int,
    item: tuple[str, float],
    fill: str,
    user: bool,
    unit: str,
    fmt: Callable[[float | None], str],
) -> list[str]:
    """The start or end bar ``i`` (from zero), with its value above and its label under it."""
    lab, v = item
    x = fr.bar_x(i)
    return [
        rect(
            x,
            fr.yv(max(v, 0)),
            fr.bw,
            abs(fr.yv(v) - fr.yv(0)),
            fill,
            tip=f"{lab}: {fmt(v)} {unit}",
            user_tip=user,
        ),
        text(x + fr.bw / 2, fr.yv(max(v, 0)) - 5, fmt(v), size=11, anchor="middle", weight="600"),
        fr.label(i, lab, user),
    ]


def _waterfall_steps(
    fr: WaterfallFrame,
    start: float,
    steps: Sequence[tuple[str, float]],
    unit: str,
    fmt: Callable[[float | None], str],
) -> list[str]:
    """One floating bar per saving: green down for a saving, red up for an increase."""
    body: list[str] = []
    prev = start
    for i, (lab, s) in enumerate(steps, start=1):
        new = prev - s
        x = fr.bar_x(i)
        y1, y2 = fr.yv(max(prev, new)), fr.yv(min(prev, new))
        fill = GREEN if s >= 0 else RED
        body.append(fr.connector(i, prev))
        body.append(
            rect(
                x,
                y1,
                fr.bw,
                max(y2 - y1, 1.0),
                fill,
                tip=f"{lab}: {MINUS if s > 0 else '+'}{fmt(abs(s))} {unit}",
                user_tip=True,
            )
        )
        sign = MINUS if s > 0 else ("+" if s < 0 else "")
        body.append(
            text(x + fr.bw / 2, y1 - 5, f"{sign}{fmt(abs(s))}", size=11, anchor="middle", fill=fill)
        )
        body.append(fr.label(i, lab, True))
        prev = new
    return body


def waterfall(
    name: str,
    start: tuple[str, float],
    steps: Sequence[tuple[str, float]],
    end: tuple[str, float],
    *,
    title: str,
    unit: str,
    fmt: Callable[[float | None], str] = num,
) -> str:
    """From ``start`` to ``end``, one floating bar per step (``steps`` are *savings*).

    A positive saving is drawn as a green step down, a negative one (an increase) as a red step
    up. The axis starts at zero, so bar heights compare honestly.
    """
    n = len(steps) + 2
    levels = [start[1]]
    for _, s in steps:
        levels.append(levels[-1] - s)
    hi = max(max(levels), end[1], 0.0)
    lo = min(min(levels), end[1], 0.0)
    slot = (W - WaterfallFrame.left - WaterfallFrame.right) / n
    rotate = any(text_width(lab, 11) > slot - 6 for lab, _ in [start, *steps, end])
    fr = WaterfallFrame(nice_ticks(lo, hi), slot, min(slot * 0.62, 90.0), rotate)
    body = [text(10, 18, title, size=14, weight="600")]
    body += _y_grid(fr.ticks, fr.yv, fr.left, fr.right, fmt)
    body.append(line(fr.left, fr.yv(0), W - fr.right, fr.yv(0), "#9aa5b1"))
    body += _waterfall_total(fr, 0, start, NAVY, False, unit, fmt)
    body += _waterfall_steps(fr, start[1], steps, unit, fmt)
    body.append(fr.connector(n - 1, levels[-1]))
    body += _waterfall_total(fr, n - 1, end, TEAL, True, unit, fmt)
    height = fr.labels_y + (80 if rotate else 12)
    return svg(name, height, body, title)


# -- marginal abatement cost curve ------------------------------------------------------------


@dataclass
class MaccBar:
    """A measure on the MAC curve: width [t CO2e/yr], height [currency/t CO2e]."""

    label: str
    width: float
    cost: float
    category: str
    category_label: str


def macc(
    name: str,
    bars: Sequence[MaccBar],
    *,
    title: str,
    x_label: str,
    y_label: str,
    fmt: Callable[[float | None], str] = num,
) -> str:
    """Draw a marginal abatement cost curve: bars sorted by cost, widths in t CO2e avoided.

    Bars are numbered; the key under the plot gives each number's measure, abatement and cost.
    """
    bars = sorted([b for b in bars if b.width > 0], key=lambda b: b.cost)
    left, right, top, plot_h = 80.0, 20.0, 40.0, 250.0
    total = sum(b.width for b in bars) or 1.0
    lo = min(0.0, *(b.cost for b in bars))
    hi = max(0.0, *(b.cost for b in bars))
    pad = 0.08 * ((hi - lo) or 1.0)  # room for the bar numbers
    ticks_y = nice_ticks(lo - pad if lo < 0 else lo, hi + pad if hi > 0 else hi)
    vmin, vmax = ticks_y[0], ticks_y[-1]
    span = vmax - vmin or 1.0
    ticks_x = nice_ticks(0, total)
    xmax = ticks_x[-1]
    pw = W - left - right

    def yv(v: float) -> float:
        return top + plot_h * (vmax - v) / span

    def xv(v: float) -> float:
        return left + pw * v / xmax

    body = [text(10, 18, title, size=14, weight="600")]
    body += _y_grid(ticks_y, yv, left, right, fmt)
    for t in ticks_x:
        body.append(line(xv(t), top + plot_h, xv(t), top + plot_h + 4, "#9aa5b1"))
        body.append(text(xv(t), top + plot_h + 17, fmt(t), size=11, anchor="middle", fill=MUTED))
    body.append(
        text(left + pw / 2, top + plot_h + 36, x_label, size=12, anchor="middle", fill=MUTED)
    )
    body.append(
        text(16, top + plot_h / 2, y_label, size=12, anchor="middle", fill=MUTED, rotate=-90)
    )
    body += _macc_bars(bars, xv, yv, fmt)
    body.append(line(left, yv(0), W - right, yv(0), "#9aa5b1"))
    key, y = _macc_key(bars, top + plot_h + 62, fmt)
    body += key
    return svg(name, y, body, title)


def _macc_bars(
    bars: Sequence[MaccBar],
    xv: Callable[[float], float],
    yv: Callable[[float], float],
    fmt: Callable[[float | None], str],
) -> list[str]:
    """The numbered bars of a MAC curve, side by side from zero abatement."""
    body: list[str] = []
    cum = 0.0
    for i, b in enumerate(bars, start=1):
        x1, x2 = xv(cum), xv(cum + b.width)
        y1, y2 = yv(max(b.cost, 0)), yv(min(b.cost, 0))
        fill = colour(b.category, CATEGORY_COLOURS, i)
        body.append(
            rect(
                x1,
                y1,
                max(x2 - x1 - 1, 1.0),
                max(y2 - y1, 1.0),
                fill,
                tip=f"{b.label}: {fmt(b.width)}, {fmt(b.cost)}",
                user_tip=True,
                extra=' stroke="#ffffff" stroke-width="0.5"',
            )
        )
        ly = y1 - 5 if b.cost >= 0 else y2 + 14
        body.append(
            text((x1 + x2) / 2, ly, str(i), size=11, anchor="middle", weight="600", cls="num")
        )
        cum += b.width
    return body


def _macc_key(
    bars: Sequence[MaccBar], y: float, fmt: Callable[[float | None], str]
) -> tuple[list[str], float]:
    """The key from ``y`` down: number, colour, measure, abatement and cost, then categories.

    Returns the elements and the y below them.
    """
    body: list[str] = []
    cats: dict[str, str] = {}
    col_w = (W - 20) / 2
    for i, b in enumerate(bars, start=1):
        cx = 10 + ((i - 1) % 2) * col_w
        if (i - 1) % 2 == 0 and i > 1:
            y += 18
        fill = colour(b.category, CATEGORY_COLOURS, i)
        cats.setdefault(b.category_label, fill)
        body.append(rect(cx, y - 10, 12, 12, fill, mark=False, extra=' rx="2"'))
        body.append(text(cx + 18, y, f"{i}", size=11, weight="600"))
        body.append(text(cx + 34, y, fit(b.label, col_w - 150, 11), size=11, user=True))
        body.append(
            text(
                cx + col_w - 12,
                y,
                f"{fmt(b.width)} · {fmt(b.cost)}",
                size=11,
                anchor="end",
                fill=MUTED,
            )
        )
    y += 26
    items, y = legend([(k, v, False) for k, v in cats.items()], 10, y, 11)
    return body + items, y


# -- stacked and grouped bars -----------------------------------------------------------------


@dataclass
class Segment:
    """One part of a stacked bar."""

    key: str
    label: str
    value: float
    fill: str


def stacked_bars(
    name: str,
    rows: Sequence[tuple[str, Sequence[Segment]]],
    *,
    title: str,
    unit: str,
    fmt: Callable[[float | None], str] = num,
    user_rows: bool = True,
) -> str:
    """Horizontal stacked bars, one per row (e.g. GHG by scope and gas per state)."""
    label_w = min(200.0, max(text_width(r[0], 12) for r in rows) + 16) if rows else 100.0
    left, right, top = label_w + 10, 80.0, 36.0
    keys: dict[str, tuple[str, str]] = {}
    for _, segs in rows:
        for s in segs:
            if s.value > 0:
                keys.setdefault(s.key, (s.label, s.fill))
    leg, y_after = legend([(lab, fill, False) for lab, fill in keys.values()], 10, top + 6, 12)
    top = y_after + 4
    bar_h, pitch = 24.0, 36.0
    totals = [sum(max(s.value, 0) for s in segs) for _, segs in rows]
    ticks = nice_ticks(0, max(totals) if totals else 1.0)
    xmax = ticks[-1]
    pw = W - left - right

    def xv(v: float) -> float:
        return left + pw * v / xmax

    plot_h = pitch * len(rows)
    body = [text(10, 18, title, size=14, weight="600"), *leg]
    for t in ticks:
        body.append(line(xv(t), top, xv(t), top + plot_h, GRID))
        body.append(text(xv(t), top + plot_h + 15, fmt(t), size=11, anchor="middle", fill=MUTED))
    for j, (lab, segs) in enumerate(rows):
        y = top + j * pitch + (pitch - bar_h) / 2
        body.append(
            text(
                left - 8,
                y + bar_h / 2 + 4,
                fit(lab, label_w - 6, 12),
                size=12,
                anchor="end",
                user=user_rows and j > 0,
            )
        )
        x = 0.0
        for s in segs:
            if s.value <= 0:
                continue
            body.append(
                rect(
                    xv(x),
                    y,
                    pw * s.value / xmax,
                    bar_h,
                    s.fill,
                    tip=f"{s.label}: {fmt(s.value)} {unit}",
                )
            )
            x += s.value
        body.append(text(xv(x) + 6, y + bar_h / 2 + 4, fmt(totals[j]), size=11, weight="600"))
    body.append(text(left + pw / 2, top + plot_h + 32, unit, size=11, anchor="middle", fill=MUTED))
    return svg(name, top + plot_h + 40, body, title)


def grouped_bars(
    name: str,
    groups: Sequence[str],
    series: Sequence[tuple[str, str, bool]],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    axis: str,
    fmt: Callable[[float | None], str] = num,
    tick_fmt: Callable[[float | None], str] | None = None,
) -> str:
    """Horizontal grouped bars: one group per row label, one bar per series (may be negative).

    ``series`` are ``(label, fill, from_user)``; ``values[g][s]`` is the value of series ``s``
    in group ``g``; None draws nothing.
    """
    flat = [v for row in values for v in row if v is not None and math.isfinite(v)]
    lo, hi = min([0.0, *flat]), max([0.0, *flat])
    ticks = nice_ticks(lo, hi)
    vmin, vmax = ticks[0], ticks[-1]
    span = vmax - vmin or 1.0
    label_w = min(220.0, max([text_width(g, 12) for g in groups] + [60]) + 16)
    left, right = label_w + 10, 60.0
    leg, top = legend(series, 10, 42, 12)
    bar_h = 12.0 if len(series) > 1 else 16.0
    gpitch = bar_h * len(series) + 12
    pw = W - left - right

    def xv(v: float) -> float:
        return left + pw * (v - vmin) / span

    plot_h = gpitch * len(groups)
    body = [text(10, 18, title, size=14, weight="600")]
    body += leg
    for t in ticks:
        body.append(line(xv(t), top, xv(t), top + plot_h, GRID))
        body.append(
            text(
                xv(t), top + plot_h + 15, (tick_fmt or fmt)(t), size=11, anchor="middle", fill=MUTED
            )
        )
    body.append(line(xv(0), top, xv(0), top + plot_h, "#9aa5b1"))
    for g, lab in enumerate(groups):
        gy = top + g * gpitch + 7
        body.append(
            text(
                left - 8,
                gy + bar_h * len(series) / 2 + 4,
                fit(lab, label_w - 6, 12),
                size=12,
                anchor="end",
            )
        )
        body += _bar_group(series, values[g], gy, bar_h, xv, fmt)
    body.append(text(left + pw / 2, top + plot_h + 32, axis, size=11, anchor="middle", fill=MUTED))
    return svg(name, top + plot_h + 40, body, title)


def _bar_group(
    series: Sequence[tuple[str, str, bool]],
    values: Sequence[float | None],
    gy: float,
    bar_h: float,
    xv: Callable[[float], float],
    fmt: Callable[[float | None], str],
) -> list[str]:
    """One group of a grouped bar chart from ``gy`` down: a labelled bar per series."""
    body: list[str] = []
    for s, (label, fill, user) in enumerate(series):
        v = values[s]
        if v is None or not math.isfinite(v):
            continue
        y = gy + s * bar_h
        x1, x2 = sorted((xv(0), xv(v)))
        body.append(
            rect(
                x1,
                y + 1,
                max(x2 - x1, 1.0),
                bar_h - 2,
                fill,
                tip=f"{label}: {fmt(v)}",
                user_tip=user,
            )
        )
        if v >= 0:
            body.append(text(x2 + 4, y + bar_h - 3, fmt(v), size=10, fill=MUTED))
        else:
            body.append(text(x1 - 4, y + bar_h - 3, fmt(v), size=10, fill=MUTED, anchor="end"))
    return body
