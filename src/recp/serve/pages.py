"""What the pages of ``recp serve`` share: sessions, templates, and the calls into the library.

Every computation goes through the functions the CLI uses: :meth:`Scenario.from_dict` and
:func:`recp.scenario.loads` to validate, :func:`recp.assessment.assess`,
:func:`recp.report.render`, :func:`recp.batch.assess_many` and :func:`recp.compare.wide`.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from recp.assessment import assess
from recp.batch import assess_many
from recp.compare import wide
from recp.errors import InputError, Problem, RecpError, one_line
from recp.report import render
from recp.report.lang import indicator_label, translator
from recp.scenario import Scenario
from recp.sectors import SECTORS, template_data
from recp.serve import uploads
from recp.serve.config import Config
from recp.serve.jobs import Runner
from recp.serve.store import Job, Plant, Session, Store
from recp.serve.text import labels, page_languages, ui

HERE = Path(__file__).resolve().parent
STATIC = {
    "app.css": "text/css",
    "app.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}
#: Downloads of a plant: format -> (report format or None, media type, extension).
DOWNLOADS = {
    "html": ("html", "text/html; charset=utf-8", ".html"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "md": ("md", "text/markdown; charset=utf-8", ".md"),
    "json": (None, "application/json", ".json"),
    "yaml": (None, "application/yaml; charset=utf-8", ".yaml"),
}
SUMMARY = (
    ("energy", "total"),
    ("ghg", "total"),
    ("ghg", "scope1"),
    ("ghg", "scope2"),
    ("ghg", "scope3"),
    ("water", "total"),
    ("wastewater", "total"),
    ("waste", "total"),
    ("cost", "total"),
)


class Pages:
    """The page handlers, sharing the configuration, sessions, templates and batch runner."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.store = Store(cfg.max_sessions, cfg.session_idle)
        self.runner = Runner()
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["number"] = number

    # -- helpers ---------------------------------------------------------------------------

    def page(self, request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        """Render template ``name`` for the caller's session."""
        s = session_of(request)
        html = self.env.get_template(name).render(
            t=ui(s.lang), labels=labels(s.lang), lang=s.lang, langs=page_languages(),
            rtl=translator(s.lang).rtl, csrf=s.csrf, session=s, path=request.url.path,
            token_mode=bool(self.cfg.token),
            **ctx,
        )  # fmt: skip
        return HTMLResponse(html, status_code=status)

    async def form(self, request: Request) -> FormData:
        """The posted form, within the limits, after checking its CSRF token (else 403)."""
        try:
            form = await request.form(max_files=10, max_fields=20_000)
        except HTTPException:
            raise
        except Exception as e:  # noqa: BLE001 - a malformed body is the caller's problem
            raise HTTPException(400, f"unreadable form: {type(e).__name__}") from None
        token = form.get("csrf")
        if not isinstance(token, str) or not secrets.compare_digest(
            token.encode(), session_of(request).csrf.encode()
        ):
            raise HTTPException(403, "the form's CSRF token is missing or wrong: reload the page")
        return form

    def plant(self, request: Request) -> Plant:
        """The caller's plant named in the path (404 for anyone else's)."""
        p = session_of(request).plants.get(str(request.path_params["pid"]))
        if p is None:
            raise HTTPException(404, "no such plant in your session")
        return p

    def add_plant(self, s: Session, name: str, data: dict[str, Any] | None, **kw: Any) -> Plant:
        """Keep a new plant in the session (the oldest goes past the limit)."""
        if len(s.plants) >= self.cfg.max_plants:
            raise InputError(
                f"this session keeps at most {self.cfg.max_plants} plants: remove one first"
            )
        p = Plant(pid=s.next_id("p"), name=name, data=data or {}, **kw)
        s.plants[p.pid] = p
        return p


def session_of(request: Request) -> Session:
    """The caller's session, set by the guard."""
    s = request.scope.get("state", {}).get("session")
    if s is None:  # pragma: no cover - every page route has a session
        raise HTTPException(500, "no session")
    return s  # type: ignore[no-any-return]


def check(p: Plant) -> None:
    """Validate and assess the plant's document with the CLI's functions; keep the problems."""
    p.assessment, p.problems = None, []
    try:
        p.assessment = assess(Scenario.from_dict(p.data, file=p.name))
    except InputError as e:
        p.problems = e.problems
    except RecpError as e:  # an unknown factor, as the CLI reports it: one line
        p.problems = [Problem("", one_line(str(e)), p.name)]


def upload_of(form: FormData, name: str = "file") -> UploadFile:
    """The uploaded file of field ``name`` (400 when there is none)."""
    f = form.get(name)
    if not isinstance(f, UploadFile):
        raise HTTPException(400, "no file was uploaded")
    return f


def local(url: str) -> str:
    """A redirect target only inside this site."""
    return url if re.fullmatch(r"/[A-Za-z0-9/_.#-]*", url) and not url.startswith("//") else "/"


def summary(a: Any, lang: str = "en") -> tuple[list[str], list[tuple[str, str, list[Any]]]]:
    """Scenario names and the key totals per scenario, from the assessment's result rows.

    Labels and units are the report's own, in ``lang``.
    """
    t = translator(lang)
    rows = a.results()
    scen = list(dict.fromkeys(r["scenario"] for r in rows))
    by = {(r["scenario"], r["indicator"], r["component"]): r for r in rows}
    out = []
    for ind, comp in SUMMARY:
        hit = [by.get((s, ind, comp)) for s in scen]
        if any(h is not None for h in hit):
            unit = t.unit(next(h["unit"] for h in hit if h is not None))
            label = indicator_label(t, ind, comp)
            out.append((label, unit, [None if h is None else h["value"] for h in hit]))
    return scen, out


def number(v: Any) -> str:
    """A number for the summary table.

    >>> number(1234567.8), number(0.01234), number(None)
    ('1,234,568', '0.0123', '')
    """
    if v is None:
        return ""
    x = float(v)
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


# -- used by the routes ------------------------------------------------------------------------


def download(p: Plant, fmt: str, lang: str) -> Response:
    """A plant's report or document as an attachment."""
    if fmt not in DOWNLOADS:
        raise HTTPException(404, f"unknown format {fmt!r}")
    kind, media, ext = DOWNLOADS[fmt]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", p.title).strip("-")[:60] or "plant"
    if fmt == "yaml":
        body: bytes = yaml.safe_dump(p.data, sort_keys=False, allow_unicode=True).encode()
    else:
        if p.assessment is None:
            raise HTTPException(409, "assess the plant first (it has problems to fix)")
        if kind is None:
            doc = p.assessment.to_dict()
            body = (json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()
        else:
            body = render(p.assessment, kind, lang=lang)
    return Response(
        body,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{stem}{ext}"'},
    )


def report_frame(p: Plant, lang: str) -> Response:
    """The HTML report itself, for the frame of the report page, under the report's own CSP."""
    if p.assessment is None:
        raise HTTPException(409, "assess the plant first")
    html = render(p.assessment, "html", lang=lang).decode("utf-8")
    m = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    csp = (m.group(1) if m else "default-src 'none'") + "; frame-ancestors 'self'"
    return HTMLResponse(
        html, headers={"content-security-policy": csp, "x-frame-options": "SAMEORIGIN"}
    )


def compare_table(plants: list[Plant], scenario: str | None) -> tuple[list[str], list[Any]]:
    """Plants (or one plant's scenarios) side by side, as ``recp compare`` puts them."""
    scs = [p.assessment.scenario for p in plants if p.assessment is not None]
    if not scs:
        raise InputError("tick at least one plant without problems")
    res = assess_many(scs)
    if len(res.errors):
        raise InputError([Problem(r.place, r.message, r.file) for r in res.errors.itertuples()])
    table = wide(res.results, scenario or None)
    cols = [c for c in table.columns if c not in ("indicator", "component", "unit")]
    rows = [
        (f"{r['indicator']} {r['component']}", r["unit"], [number(_nan(r[c])) for c in cols])
        for r in table.to_dict("records")
    ]
    return [str(c) for c in cols], rows


def _nan(v: Any) -> Any:
    return None if v is None or v != v else v


def new_from_template(pages: Pages, s: Session, sector: str) -> Plant:
    """A plant started from a sector template."""
    if sector not in SECTORS:
        raise HTTPException(400, "unknown sector")
    p = pages.add_plant(s, f"{sector}.yaml", template_data(sector))
    check(p)
    return p


def new_job(pages: Pages, s: Session, upload: UploadFile, raw: bytes) -> Job:
    """Unpack an uploaded zip or workbook into the job's folder and queue the run."""
    name = uploads.display_name(upload.filename)
    suf = uploads.suffix_of(name, (".zip", ".xlsx"), "a programme (zip or tidy-tables workbook)")
    folder = s.temp("job-")
    try:
        src = folder / "in"
        src.mkdir()
        if suf == ".zip":
            uploads.unpack_zip(raw, src, pages.cfg.max_files, pages.cfg.max_unpacked)
        else:
            (src / "tables.xlsx").write_bytes(raw)
            src = src / "tables.xlsx"
    except InputError:
        uploads.remove(folder)
        raise
    job = Job(jid=s.next_id("j"), name=name, folder=folder)
    s.jobs[job.jid] = job
    pages.runner.submit(job, src)
    return job


def redirect(url: str) -> RedirectResponse:
    """303 to a local page."""
    return RedirectResponse(local(url), status_code=303)
