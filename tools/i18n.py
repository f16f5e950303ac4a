"""Report catalogues (gettext, managed with Babel): template, migration and compilation.

The report labels live in ``src/recp/locale/<lang>/LC_MESSAGES/recp.po``. Each message has a
context (``msgctxt``), the dotted key the renderers ask for (``sections.summary``), an English
``msgid`` and the translated ``msgstr``. English (``en``) is the reference: its catalogue is
where a new label is added, and ``recp.pot`` (the template a new language starts from with
``pybabel init``) is written from it.

Usage (from the repository root)::

    python tools/i18n.py pot                 # write src/recp/locale/recp.pot from en
    python tools/i18n.py update              # add new/changed English labels to every .po
    python tools/i18n.py compile [OUTDIR]    # .po -> .mo (the wheel build does this)
    python tools/i18n.py from-yaml LANG FILE # a YAML label file (the old format) -> LANG .po

docs/languages.md describes how a centre adds a language.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "recp" / "locale"
DOMAIN = "recp"
HEADER = "recp report labels. Context: the key the renderers use; msgid: the English label."


def po_path(lang: str, base: Path = LOCALE) -> Path:
    """Path of the catalogue of ``lang``."""
    return base / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    """The catalogue of ``lang``."""
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def write(cat: Catalog, path: Path) -> None:
    """Write ``cat`` as a .po (or .pot when ``path`` ends so), sorted by key, unwrapped."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, cat, width=0, sort_output=False, omit_header=False, no_location=True)


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = "" if v is None else str(v)
    return out


def _new(lang: str | None) -> Catalog:
    return Catalog(
        locale=lang,
        domain=DOMAIN,
        project="recp",
        version="0.1",
        header_comment=f"# {HEADER}",
        copyright_holder="recp developers",
        msgid_bugs_address="",
        fuzzy=False,
    )


def from_yaml(lang: str, yaml_file: Path) -> None:
    """Write the catalogue of ``lang`` from a nested YAML label file (the pre-gettext format).

    The keys are those of the English catalogue; a key the file lacks stays untranslated
    (empty), which the tests refuse.
    """
    import yaml  # lazy: only this command reads YAML

    values = _flatten(yaml.safe_load(yaml_file.read_text("utf-8")))
    cat = _new(lang)
    for m in read("en"):
        if m.id:
            cat.add(m.id, values.get(str(m.context), ""), context=m.context)
    write(cat, po_path(lang))


def pot() -> None:
    """Write ``recp.pot``: the English messages with empty translations."""
    cat = _new(None)
    for m in read("en"):
        if m.id:
            cat.add(m.id, "", context=m.context, auto_comments=m.auto_comments)
    write(cat, LOCALE / f"{DOMAIN}.pot")


def update() -> None:
    """Add new English labels to every catalogue; a changed English text marks it fuzzy."""
    pot()
    en = {m.context: m for m in read("en") if m.id}
    for d in sorted(p for p in LOCALE.iterdir() if p.is_dir() and p.name != "en"):
        cat = read(d.name)
        have = {m.context: m for m in cat if m.id}
        out = _new(d.name)
        for key, ref in en.items():
            old = have.get(key)
            string = old.string if old is not None else ""
            flags = set()
            if old is not None and old.id != ref.id:
                flags.add("fuzzy")
            out.add(ref.id, string, context=key, flags=flags, auto_comments=ref.auto_comments)
        write(out, po_path(d.name))


def compile_all(outdir: Path = LOCALE) -> list[Path]:
    """Compile every ``.po`` under ``src/recp/locale`` to ``.mo`` under ``outdir``."""
    written = []
    for po in sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po.open("rb") as f:
            cat = read_po(f, locale=po.parts[-3], domain=DOMAIN)
        mo = outdir / po.relative_to(LOCALE).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as f:
            write_mo(f, cat, use_fuzzy=False)
        written.append(mo)
    return written


def main(argv: list[str]) -> int:
    """Command line: see the module docstring."""
    if argv[:1] == ["pot"]:
        pot()
    elif argv[:1] == ["update"]:
        update()
    elif argv[:1] == ["compile"]:
        for mo in compile_all(Path(argv[1]) if len(argv) > 1 else LOCALE):
            print(mo)
    elif argv[:1] == ["from-yaml"] and len(argv) == 3:
        from_yaml(argv[1], Path(argv[2]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
