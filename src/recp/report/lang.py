"""Report languages: one gettext catalogue per language in ``recp/locale/<code>/LC_MESSAGES/``.

Each message of ``recp.po`` has a context, the dotted key the renderers ask for
(``sections.summary``), the English text as ``msgid`` and the translation as ``msgstr``.
English is the reference: every other catalogue has the same keys (tests check that every
message is translated: there is no silent fallback). The wheel ships the compiled ``recp.mo``
(compiled by the build hook, ``hatch_build.py``); a source checkout reads ``recp.po``.
Adding a language is adding one catalogue (docs/languages.md); :func:`languages` finds it.

>>> from recp.report.lang import translator
>>> t = translator("en")
>>> t("sections.summary")
'Summary'
>>> t.unit("t CO2e/year")
't CO₂e/yr'
>>> translator("zh")("sections.summary")
'摘要'
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

from recp.errors import InputError
from recp.report.fmt import change, clean, currency, money, num, pct, signed, years

#: The reference language: every key used by the renderers is in its file.
REFERENCE = "en"
#: No-break space: a unit in a column header is never split over two lines.
NBSP = "\u00a0"


#: The gettext domain of the report catalogues.
DOMAIN = "recp"


def _messages(code: str) -> Any:
    """The catalogue file of ``code``: ``recp.mo`` (wheel) or ``recp.po`` (source), or None."""
    folder = resources.files("recp").joinpath("locale", code, "LC_MESSAGES")
    for name in (f"{DOMAIN}.mo", f"{DOMAIN}.po"):
        f = folder.joinpath(name)
        if f.is_file():
            return f
    return None


def languages() -> list[str]:
    """Codes of the report languages shipped (one catalogue each), sorted."""
    folder = resources.files("recp").joinpath("locale")
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and _messages(p.name))


@lru_cache(maxsize=8)
def labels(code: str) -> dict[str, str]:
    """Return the labels of one language as a flat ``{"sections.summary": "Summary"}`` mapping.

    Raises
    ------
    InputError
        If no catalogue of ``code`` is shipped; the message lists the valid codes.
    """
    valid = languages()
    if code not in valid:
        raise InputError(f"--lang: unknown report language {code!r}; valid: {', '.join(valid)}")
    f = _messages(code)
    with f.open("rb") as fh:
        if f.name.endswith(".mo"):
            from babel.messages.mofile import read_mo  # lazy: CLI start-up

            cat = read_mo(fh)
        else:
            from babel.messages.pofile import read_po  # lazy: CLI start-up

            cat = read_po(fh, locale=code, domain=DOMAIN)
    # A fuzzy message (English changed, translation not yet checked) is not a translation.
    return {
        str(m.context): str(m.string)
        for m in cat
        if m.id and m.context and m.string and not m.fuzzy
    }


_UNIT_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[^A-Za-z_]+")


class Translator:
    """Labels, unit words and names of one language, with English as the fallback.

    Call it with a dotted key (``t("sections.plant")``); keyword arguments fill the
    ``{placeholders}``. Text comes back plain: the renderers escape it for their format.
    """

    def __init__(self, code: str):
        self.code = code
        self.table = labels(code)
        self.ref = labels(REFERENCE) if code != REFERENCE else self.table

    @property
    def rtl(self) -> bool:
        """Whether the language is written right to left (CLDR's character order)."""
        from babel import Locale  # lazy: CLI start-up

        return bool(Locale.parse(self.code).text_direction == "rtl")

    def __call__(self, key: str, **kw: Any) -> str:
        """Return the label ``key``, with ``{placeholders}`` filled from ``kw``."""
        text = self.table.get(key)
        if text is None:
            text = self.ref[key]  # KeyError for a key that no language has: a bug in recp
        return text.format(**kw) if kw else text

    def has(self, key: str) -> bool:
        """Whether ``key`` is a label (in this language or the reference)."""
        return key in self.table or key in self.ref

    def name(self, group: str, key: str | None) -> str:
        """Display name of a code such as a component, category or flow type.

        Codes without a label (a new fuel carrier, say) are shown humanised:
        ``sub_bituminous_coal`` -> ``sub bituminous coal``.
        """
        if key is None:
            return ""
        full = f"{group}.{key}"
        if self.has(full):
            return self(full)
        return key.replace("_", " ")

    def warning(self, code: str | None) -> str:
        """Return the title of a warning code (a generic title for codes without a label)."""
        key = f"warning_codes.{code}"
        return self(key) if code and self.has(key) else self("warning_codes.other")

    def warning_message(self, w: dict[str, str]) -> str:
        """Return the detail of warning ``w`` in this language.

        Codes with a template (``warning_messages.<code>``) are rendered from the template and
        the named fields the warning carries (``flow``, ``intervention`` ...; ``template``
        names a variant of a code's message); English, and
        codes without a template yet, show the engine's English message (as in the JSON).
        """
        key = f"warning_messages.{w.get('template') or w.get('code')}"
        if self.code == REFERENCE or not self.has(key):
            return str(w.get("message", ""))
        fields = {k: v for k, v in w.items() if k not in ("code", "message", "template")}
        return self(key, **fields)

    def unit(self, unit: str | None) -> str:
        """Return a unit string in this language: unit words translated, symbols kept.

        ``t CO2e/year`` -> ``t CO₂e/yr`` (en) or ``吨 CO₂e/年`` (zh); ``GJ``, ``kg`` and
        currency codes are kept as they are.
        """
        if not unit:
            return ""
        out = []
        for tok in _UNIT_TOKEN.findall(unit):
            key = f"units.{tok}"
            out.append(self(key) if tok[:1].isalpha() and self.has(key) else tok)
        return "".join(out)

    def header(self, key: str, unit: str | None = None, **kw: Any) -> str:
        """Return a column header with its unit in brackets: ``Capex [USD]``."""
        return self.with_unit(self(key, **kw), unit)

    def with_unit(self, label: str, unit: str | None) -> str:
        """``label [unit]`` with the unit translated and never split over two lines."""
        return f"{label} [{self.unit(unit).replace(' ', NBSP)}]" if unit else label


def sector_name(t: Translator, sector: str | None) -> str:
    """A plant's sector in ``t``'s language: a recp sector code translated, else as written."""
    if not sector:
        return ""
    key = f"sectors.{sector}"
    return t(key) if t.has(key) else sector


def intervention_headers(
    t: Translator, inds: list[tuple[str, str]], cur: str, *, carbon: bool = False
) -> list[tuple[str, bool]]:
    """Column labels of an interventions table (unescaped) and whether each is numeric.

    ``inds`` are the (indicator, unit) pairs shown as saving columns; every report format
    escapes the labels its own way.
    """
    head = [("#", True), (t("interventions.measure"), False), (t("interventions.category"), False)]
    head += [(t.header(f"interventions.{ind}", f"{unit}/year"), True) for ind, unit in inds]
    return head + economics_headers(t, cur, carbon=carbon)


def scenario_economics_headers(
    t: Translator, cur: str, *, carbon: bool = False
) -> list[tuple[str, bool]]:
    """Column labels of a scenario-economics table (unescaped) and whether each is numeric."""
    head = [(t("excel.scenario"), False), (t("scenarios.measures"), True)]
    return head + economics_headers(t, cur, ghg_avoided=True, carbon=carbon)


def economics_headers(
    t: Translator, cur: str, *, ghg_avoided: bool = False, carbon: bool = False
) -> list[tuple[str, bool]]:
    """Column labels (unescaped, all numeric) of capex, saving, payback, NPV, IRR and cost/t.

    ``carbon``: a carbon-revenue column after the annual saving (when a carbon price is given).
    """
    head = [
        t.header("interventions.capex", cur),
        t.header("interventions.saving", f"{cur}/year"),
    ]
    if carbon:
        head.append(t.header("ghg.carbon_revenue", f"{cur}/year"))
    head += [
        t.header("interventions.payback", "year"),
        t.header("interventions.npv", cur),
        t("interventions.irr"),
    ]
    if ghg_avoided:
        head.append(t.header("excel.ghg_avoided", "t CO2e/year"))
    head.append(t.header("interventions.cost_per_t", f"{cur}/t CO2e"))
    return [(label, True) for label in head]


def indicator_label(t: Translator, ind: str, comp: str) -> str:
    """Display name of a result row: ``Energy`` for a total, else ``GHG: scope 1``."""
    name = t.name("indicator_names", ind)
    return name if comp == "total" else f"{name}{t('report.colon')}{t.name('components', comp)}"


def scenario_summary(t: Translator, data: Any, s: str) -> dict[str, str] | None:
    """Arguments of the ``summary.scenario_sentence`` label for scenario ``s`` (unescaped).

    None when the scenario has no interventions or no economics. Every report format escapes
    the values its own way and fills in ``scenario`` itself.
    """
    ids = data.scenarios.get(s)
    ec = data.econ(s, None)
    if not ids or not ec:
        return None
    cur = data.currency

    def diff(ind: str) -> float | None:
        new, old = data.value(s, ind), data.value("baseline", ind)
        return None if new is None or old is None else clean(new - old, max(abs(new), abs(old)))

    def rel(ind: str) -> str:
        return pct(change(data.value(s, ind), data.value("baseline", ind)), sign=True)

    return {
        "n": str(len(ids)),
        "ghg": f"{signed(diff('ghg'))} {t.unit('t CO2e')}",
        "ghg_pct": rel("ghg"),
        "energy": f"{signed(diff('energy'))} {t.unit('GJ')}",
        "energy_pct": rel("energy"),
        "capex": currency(ec.get("capex"), cur),
        "saving": f"{money(ec.get('annual_saving'))} {t.unit(cur + '/year')}",
        "payback": years(ec.get("simple_payback_years")),
    }


def translator(code: str = REFERENCE) -> Translator:
    """Return the :class:`Translator` of language ``code``.

    Raises
    ------
    InputError
        For an unknown language, naming the valid ones.
    """
    return Translator(code)


def ghg_summary(t: Translator, data: Any) -> dict[str, str] | None:
    """Arguments of the ``summary.ghg_sentence`` label (baseline scopes), or None."""
    if data.value("baseline", "ghg") is None:
        return None

    def v(comp: str) -> str:
        return num(data.value("baseline", "ghg", comp) or 0.0)

    return {
        "scope1": v("scope1"),
        "scope2": v("scope2"),
        "scope3": v("scope3"),
        "total": v("total"),
        "unit": t.unit(data.unit("ghg") or "t CO2e"),
    }
