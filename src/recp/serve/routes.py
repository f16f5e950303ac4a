"""The routes of ``recp serve``: pages for consultants and programme managers, and a tiny API.

HTTP contract (for tools and tests):

- ``GET /healthz``: 200 ``{"status": "ok", "version": ...}``;
- ``POST /api/assess``: multipart field ``file`` (YAML, JSON or xlsx); 200 with the JSON
  document of ``recp assess --format json``, or 400 ``{"errors": ["file:line: place: message",
  ...]}`` (the CLI's one-line located messages); 413 past the upload limit.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import yaml
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from recp.assessment import assess
from recp.errors import InputError, Problem, RecpError, one_line
from recp.rules import WATER_SOURCES
from recp.scenario import loads
from recp.sectors import SECTORS, find_measure
from recp.serve import forms, uploads
from recp.serve.config import Config
from recp.serve.guard import Guard
from recp.serve.pages import (
    HERE,
    STATIC,
    Pages,
    check,
    compare_table,
    download,
    new_from_template,
    new_job,
    redirect,
    report_frame,
    session_of,
    summary,
    upload_of,
)
from recp.serve.text import page_languages
from recp.version import __version__

Handler = Callable[[Request], Awaitable[Response]]


def table(pg: Pages) -> list[Route]:
    """Every route, bound to ``pg``."""
    r = Routes(pg)
    return [
        Route("/", r.home),
        Route("/healthz", r.healthz),
        Route("/static/{name}", r.static),
        Route("/login", r.login, methods=["GET", "POST"]),
        Route("/lang", r.lang, methods=["POST"]),
        Route("/plants/new", r.new, methods=["POST"]),
        Route("/plants/upload", r.upload, methods=["POST"]),
        Route("/plants/{pid}", r.edit),
        Route("/plants/{pid}/save", r.save, methods=["POST"]),
        Route("/plants/{pid}/yaml", r.save_yaml, methods=["POST"]),
        Route("/plants/{pid}/measure", r.add_measure, methods=["POST"]),
        Route("/plants/{pid}/remove", r.remove, methods=["POST"]),
        Route("/plants/{pid}/report", r.report),
        Route("/plants/{pid}/frame", r.frame),
        Route("/plants/{pid}/download/{fmt}", r.download),
        Route("/compare", r.compare, methods=["GET", "POST"]),
        Route("/batch", r.batch, methods=["GET", "POST"]),
        Route("/batch/{jid}", r.job),
        Route("/batch/{jid}/status", r.job_status),
        Route("/batch/{jid}/file/{name}", r.job_file),
        Route("/api/assess", r.api_assess, methods=["POST"]),
    ]


class Routes:
    """The handlers."""

    def __init__(self, pg: Pages):
        self.pg = pg

    async def healthz(self, request: Request) -> Response:
        """GET /healthz: 200 when the server is up."""
        return JSONResponse({"status": "ok", "version": __version__})

    async def static(self, request: Request) -> Response:
        """The page's stylesheet and script (a fixed list)."""
        name = str(request.path_params["name"])
        if name not in STATIC:  # a fixed list: a request never names a file
            raise HTTPException(404, "not found")
        return FileResponse(HERE / "static" / name, media_type=STATIC[name])

    async def home(self, request: Request) -> Response:
        """The start page: templates, upload, the session's plants."""
        return self.pg.page(request, "home.html", sectors=SECTORS)

    async def login(self, request: Request) -> Response:
        """Ask for the access token (off loopback)."""
        s = session_of(request)
        if request.method == "POST":
            form = await self.pg.form(request)
            given = str(form.get("token", ""))
            token = self.pg.cfg.token or ""
            if token and secrets.compare_digest(given.encode(), token.encode()):
                s.authed = True
                return redirect("/")
            return self.pg.page(request, "login.html", status=403, wrong=True)
        return self.pg.page(request, "login.html", wrong=False)

    async def lang(self, request: Request) -> Response:
        """Switch the language of the page and the reports."""
        form = await self.pg.form(request)
        code = str(form.get("lang", "en"))
        if code in page_languages():
            session_of(request).lang = code
        return redirect(str(form.get("next", "/")))

    async def new(self, request: Request) -> Response:
        """Start a plant from a sector template."""
        form = await self.pg.form(request)
        try:
            p = new_from_template(self.pg, session_of(request), str(form.get("sector", "")))
        except InputError as e:
            return self.pg.page(
                request, "home.html", status=400, sectors=SECTORS, errors=e.problems
            )
        return redirect(f"/plants/{p.pid}")

    async def upload(self, request: Request) -> Response:
        """Open an uploaded workbook or scenario file as a new plant."""
        form = await self.pg.form(request)
        f = upload_of(form)
        s = session_of(request)
        raw = await f.read()
        folder = s.temp("up-")
        try:
            data, sc, problems, text = uploads.read_scenario(raw, f.filename or "", folder)
        except InputError as e:
            return self.pg.page(
                request, "home.html", status=400, sectors=SECTORS, errors=e.problems
            )
        finally:
            uploads.remove(folder)
        name = uploads.display_name(f.filename)
        try:
            p = self.pg.add_plant(s, name, data, problems=problems, text=None if data else text)
        except InputError as e:
            return self.pg.page(
                request, "home.html", status=400, sectors=SECTORS, errors=e.problems
            )
        if sc is not None:
            check(p)
        return redirect(f"/plants/{p.pid}")

    async def edit(self, request: Request) -> Response:
        """The plant's forms, each problem beside its field."""
        p = self.pg.plant(request)
        plant = forms.plant_fields(p.data)
        fl, iv, sc = (
            forms.flow_rows(p.data),
            forms.intervention_rows(p.data),
            forms.scenario_rows(p.data),
        )
        left = forms.attach(p.problems, plant, fl + iv + sc)
        text = p.text or yaml.safe_dump(p.data, sort_keys=False, allow_unicode=True)
        sector = (p.data.get("plant") or {}).get("sector") if isinstance(p.data, dict) else None
        return self.pg.page(
            request, "plant.html", p=p, plant=plant, flows=fl, interventions=iv, scenarios=sc,
            left=left, yaml_text=text, measures=forms.measures(sector if isinstance(sector, str)
                                                               else None),
            countries=forms.countries(), fuels=forms.fuels(),
            water_sources=list(WATER_SOURCES),
        )  # fmt: skip

    async def save(self, request: Request) -> Response:
        """Apply the posted forms, check, and assess when asked."""
        p = self.pg.plant(request)
        form = await self.pg.form(request)
        fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        p.data = forms.apply_form(p.data, fields)
        p.text = None
        check(p)
        if "assess" in form and p.assessment is not None:
            return redirect(f"/plants/{p.pid}/report")
        return redirect(f"/plants/{p.pid}" + ("#problems" if p.problems else ""))

    async def save_yaml(self, request: Request) -> Response:
        """Replace the document by the posted YAML."""
        p = self.pg.plant(request)
        form = await self.pg.form(request)
        text = str(form.get("yaml", ""))
        try:
            loads(text, file=p.name)
            problems: list[Problem] = []
        except InputError as e:
            problems = e.problems
        data = uploads.yaml_data(text, p.name)
        if data is None:
            p.text, p.problems, p.assessment = text, problems, None
        else:
            p.data, p.text = data, None
            check(p)
        return redirect(f"/plants/{p.pid}")

    async def add_measure(self, request: Request) -> Response:
        """Add a catalogue measure as an intervention."""
        p = self.pg.plant(request)
        form = await self.pg.form(request)
        try:
            m = find_measure(str(form.get("measure", "")))
        except KeyError:
            raise HTTPException(400, "unknown measure") from None
        ivs = list(p.data.get("interventions") or [])
        ids = {str(i.get("id")) for i in ivs if isinstance(i, dict)}
        base = str(m["id"]).rsplit(".", 1)[-1]
        new_id = base if base not in ids else f"{base}_{len(ivs) + 1}"
        ivs.append({"id": new_id, "measure": str(m["id"])})
        p.data = {**p.data, "interventions": ivs}
        check(p)
        return redirect(f"/plants/{p.pid}#interventions")

    async def remove(self, request: Request) -> Response:
        """Forget a plant."""
        p = self.pg.plant(request)
        await self.pg.form(request)
        session_of(request).plants.pop(p.pid, None)
        return redirect("/")

    async def report(self, request: Request) -> Response:
        """Summary, warnings, downloads and the full report in a frame."""
        p = self.pg.plant(request)
        if p.assessment is None:
            return redirect(f"/plants/{p.pid}")
        scen, rows = summary(p.assessment, session_of(request).lang)
        return self.pg.page(
            request, "report.html", p=p, scenarios=scen, rows=rows,
            warnings=p.assessment.warnings(),
        )  # fmt: skip

    async def frame(self, request: Request) -> Response:
        """The HTML report for the report page's frame."""
        return report_frame(self.pg.plant(request), session_of(request).lang)

    async def download(self, request: Request) -> Response:
        """A report (HTML, Excel, Markdown), the JSON results or the YAML document."""
        p = self.pg.plant(request)
        return download(p, str(request.path_params["fmt"]), session_of(request).lang)

    async def compare(self, request: Request) -> Response:
        """Plants, or one plant's scenarios, side by side."""
        s = session_of(request)
        ctx: dict[str, Any] = {"cols": None, "rows": [], "errors": [], "ticked": []}
        if request.method == "POST":
            form = await self.pg.form(request)
            ticked = [str(v) for v in form.getlist("plant")]
            chosen = [s.plants[k] for k in ticked if k in s.plants]
            ctx["ticked"] = ticked
            try:
                ctx["cols"], ctx["rows"] = compare_table(chosen, str(form.get("scenario", "")))
            except InputError as e:
                ctx["errors"] = e.problems
        return self.pg.page(request, "compare.html", **ctx)

    async def batch(self, request: Request) -> Response:
        """Upload a programme and start its batch run."""
        s = session_of(request)
        if request.method == "POST":
            form = await self.pg.form(request)
            f = upload_of(form)
            try:
                job = new_job(self.pg, s, f, await f.read())
            except InputError as e:
                return self.pg.page(request, "batch.html", status=400, errors=e.problems)
            return redirect(f"/batch/{job.jid}")
        return self.pg.page(request, "batch.html", errors=[])

    def _job(self, request: Request) -> Any:
        job = session_of(request).jobs.get(str(request.path_params["jid"]))
        if job is None:
            raise HTTPException(404, "no such run in your session")
        return job

    async def job(self, request: Request) -> Response:
        """A batch run's page: progress, then the results and errors."""
        return self.pg.page(request, "job.html", job=self._job(request))

    async def job_status(self, request: Request) -> Response:
        """A batch run's progress as JSON (polled by the page)."""
        j = self._job(request)
        return JSONResponse(
            {"state": j.state, "done": j.done, "total": j.total, "message": j.message,
             "n_ok": j.n_ok, "n_failed": j.n_failed}
        )  # fmt: skip

    async def job_file(self, request: Request) -> Response:
        """A file the batch run wrote."""
        j = self._job(request)
        path = j.outputs.get(str(request.path_params["name"]))
        if path is None:  # only a file the run wrote, by its own name
            raise HTTPException(404, "no such file")
        return FileResponse(path, filename=path.name)

    async def api_assess(self, request: Request) -> Response:
        """POST /api/assess."""
        return await api_assess(self.pg, request)


async def api_assess(pg: Pages, request: Request) -> Response:
    """``POST /api/assess``: the JSON of ``recp assess --format json``, or 400 with the lines."""
    try:
        form = await request.form(max_files=1, max_fields=10)
    except HTTPException:
        raise
    except Exception as e:  # noqa: BLE001 - a malformed body is the caller's problem
        return JSONResponse({"errors": [f"unreadable form: {type(e).__name__}"]}, 400)
    f = form.get("file")
    if f is None or isinstance(f, str):
        return JSONResponse({"errors": ["no multipart field 'file'"]}, 400)
    raw = await f.read()
    s_folder = pg.store.root / f"api-{secrets.token_hex(8)}"
    s_folder.mkdir()
    try:
        _, sc, problems, _ = uploads.read_scenario(raw, f.filename or "", s_folder)
        if sc is not None:
            try:
                doc = assess(sc).to_dict()
            except InputError as e:
                problems = e.problems
            except RecpError as e:
                problems = [Problem("", one_line(str(e)), uploads.display_name(f.filename))]
    except InputError as e:
        problems = e.problems
    finally:
        uploads.remove(s_folder)
    if problems or sc is None:
        return JSONResponse({"errors": [str(p) for p in problems]}, 400)
    return JSONResponse(doc)


def error_page(pg: Pages) -> Callable[[Request, Exception], Awaitable[Response]]:
    """The handler of HTTP errors: a page for people, JSON for the API."""

    async def handle(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        detail = str(getattr(exc, "detail", "error"))
        if request.url.path.startswith("/api/"):
            return JSONResponse({"errors": [detail]}, status)
        if request.scope.get("state", {}).get("session") is None:
            return PlainTextResponse(f"{status}: {detail}\n", status)
        return pg.page(request, "error.html", status=status, status_code=status, detail=detail)

    return handle


def create_app(cfg: Config | None = None) -> Any:
    """The ASGI application of ``recp serve``, wrapped in its safety layer (:mod:`.guard`)."""
    cfg = cfg or Config()
    pg = Pages(cfg)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        pg.runner.close()
        pg.store.close()

    app = Starlette(routes=table(pg), lifespan=lifespan)
    app.add_exception_handler(HTTPException, error_page(pg))
    app.state.pages = pg
    return Guard(app, cfg, pg.store)
