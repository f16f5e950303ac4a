"""Wheel build hook: compile the report catalogues (``.po`` -> ``.mo``) into the wheel.

The sources are ``src/recp/locale/<lang>/LC_MESSAGES/recp.po``; the wheel carries the compiled
``recp.mo`` beside them (and not the ``.po``, see ``[tool.hatch.build.targets.wheel]``). A fuzzy
or untranslated message is left out of the ``.mo``; the tests refuse such catalogues anyway.
Editable installs read the ``.po`` directly (recp.report.lang), so nothing is compiled for them.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compile every ``recp.po`` with Babel and force-include the ``.mo`` files."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile the catalogues into a temporary folder and add them to the wheel."""
        if self.target_name != "wheel" or version == "editable":
            return
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        self._tmp = Path(tempfile.mkdtemp(prefix="recp-mo-"))
        root = Path(self.root) / "src" / "recp" / "locale"
        for po in sorted(root.glob("*/LC_MESSAGES/recp.po")):
            lang = po.parts[-3]
            with po.open("rb") as f:
                cat = read_po(f, locale=lang, domain="recp")
            mo = self._tmp / lang / "recp.mo"
            mo.parent.mkdir(parents=True)
            with mo.open("wb") as f:
                write_mo(f, cat, use_fuzzy=False)
            build_data["force_include"][str(mo)] = f"recp/locale/{lang}/LC_MESSAGES/recp.mo"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary folder of compiled catalogues."""
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
