"""The safety layer in front of every page: sessions, access token, origin, size, headers.

A pure ASGI middleware, so that it sees every request before the framework parses a byte:

- **size**: a body larger than ``Config.max_upload`` gets 413 (by its Content-Length, and by
  counting what arrives, so a chunked or lying request is cut off too);
- **host**: on the loopback interface only loopback host names are answered (a page of another
  site cannot reach the server by DNS rebinding);
- **token**: off loopback, every page but ``/healthz`` and ``/login`` needs the access token
  (the session remembers it; tools send ``Authorization: Bearer TOKEN``);
- **origin**: a POST from another site (``Origin`` or ``Sec-Fetch-Site``) gets 403; the forms
  also carry a per-session CSRF token, checked by the pages;
- **session**: a random HttpOnly, SameSite=Strict cookie names the caller's own workspace;
- **headers**: a strict Content-Security-Policy (no inline script or style, no framing),
  ``nosniff``, no referrer to other sites, no caching.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from recp.serve.config import Config, is_loopback
from recp.serve.store import Session, Store

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "recp_session"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
PUBLIC = ("/healthz", "/login", "/static/")
NO_SESSION = ("/healthz", "/static/", "/api/")


class TooLarge(Exception):
    """The request body is past the upload limit."""


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[1 : host.find("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """Wrap the app: see the module docstring."""

    def __init__(self, app: ASGIApp, cfg: Config, store: Store):
        self.app, self.cfg, self.store = app, cfg, store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check, then pass the request on (or answer it here)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        h = _headers(scope)
        path = str(scope.get("path", "/"))
        refused = self._refuse(scope, h, path)
        if refused is not None:
            await _plain(send, *refused, api=path.startswith("/api/"))
            return
        session = self._existing(h)
        if self.cfg.token and not path.startswith(PUBLIC) and not self._authed(h, session):
            if path.startswith("/api/"):
                await _plain(send, 401, "access token required", api=True)
            else:  # no session is made for a caller without the token, but on /login
                await _redirect(send, "/login")
            return
        new = session is None and not path.startswith(NO_SESSION)
        if new:
            session = self.store.create()
        scope.setdefault("state", {})["session"] = session
        await self._forward(scope, receive, send, session if new else None, path)

    def _refuse(self, scope: Scope, h: dict[str, str], path: str) -> tuple[int, str] | None:
        """Status and reason when the request is refused before the app sees it."""
        host = h.get("host", "")
        if self.cfg.loopback and not self.cfg.token and not is_loopback(_host_name(host)):
            return 400, "this server answers only on the loopback interface (Host refused)"
        if scope["method"] not in ("GET", "HEAD"):
            site = h.get("sec-fetch-site")
            origin = h.get("origin")
            if site is not None:  # browsers say where a request comes from
                cross = site not in ("same-origin", "none")
            else:  # older browsers and tools: the Origin header, when sent, must be ours
                cross = origin is not None and origin not in (f"http://{host}", f"https://{host}")
            if cross:
                return 403, "cross-site request refused"
        length = h.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.cfg.max_upload):
            return 413, f"upload larger than {self.cfg.max_upload // 2**20} MiB"
        return None

    def _existing(self, h: dict[str, str]) -> Session | None:
        """The live session named by the request's cookie, if any."""
        cookie = SimpleCookie()
        try:
            cookie.load(h.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie is no session
            cookie = SimpleCookie()
        return self.store.get(cookie[COOKIE].value if COOKIE in cookie else None)

    def _authed(self, h: dict[str, str], session: Session | None) -> bool:
        if session is not None and session.authed:
            return True
        bearer = h.get("authorization", "")
        token = self.cfg.token or ""
        return bearer.startswith("Bearer ") and secrets.compare_digest(
            bearer.removeprefix("Bearer ").encode(), token.encode()
        )

    async def _forward(
        self, scope: Scope, receive: Receive, send: Send, new: Session | None, path: str
    ) -> None:
        limit = self.cfg.max_upload
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise TooLarge
            return msg

        async def secured(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                msg["headers"] = _secure(list(msg.get("headers", [])), new, path)
            await send(msg)

        try:
            await self.app(scope, counted, secured)
        except TooLarge:
            if not started:
                await _plain(send, 413, f"upload larger than {limit // 2**20} MiB", api=True)


def _secure(headers: list[Any], new: Session | None, path: str) -> list[Any]:
    names = {k.lower() for k, _ in headers}
    add = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cache-control", b"no-store"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if b"content-security-policy" not in names:
        add += [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY")]
    if new is not None:
        cookie = f"{COOKIE}={new.sid}; Path=/; HttpOnly; SameSite=Strict"
        add.append((b"set-cookie", cookie.encode()))
    return headers + [(k, v) for k, v in add if k not in names or k == b"set-cookie"]


async def _plain(send: Send, status: int, text: str, api: bool = False) -> None:
    if api:
        body = json.dumps({"errors": [text]}).encode()
        ctype = b"application/json"
    else:
        body = f"{status}: {text}\n".encode()
        ctype = b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": _secure([(b"content-type", ctype)], None, ""),
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, to: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": _secure([(b"location", to.encode())], None, ""),
        }
    )
    await send({"type": "http.response.body", "body": b""})
