"""``recp serve``: a local web page for consultants who do not live in a terminal.

A small ASGI application (Starlette, served by uvicorn) with server-rendered pages: start a
plant from a sector template, upload a workbook or scenario file, edit it in forms, see each
validation problem beside its field, assess, read and download the report, compare plants and
scenarios, and run a programme's batch in the background. It calls the same library functions
as the command line (:func:`recp.scenario.load`, :func:`recp.assessment.assess`,
:func:`recp.report.render`, :func:`recp.batch.iter_run`): there is no second engine and no
second validator.

Safe by default: it binds the loopback interface; any other host needs an access token set at
start. See ``docs/serve.md``.

>>> from recp.serve import Config, create_app
>>> app = create_app(Config())  # doctest: +SKIP
"""

from __future__ import annotations

from recp.serve.config import Config, check_config
from recp.serve.routes import create_app
from recp.serve.server import run

__all__ = ["Config", "check_config", "create_app", "run"]
