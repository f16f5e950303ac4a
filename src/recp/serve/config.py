"""Settings of ``recp serve`` and the safety rules checked before it starts."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from typing import Any

from recp.errors import InputError, Problem

#: Environment variable that may carry the access token (keeps it out of the process list).
TOKEN_ENV = "RECP_SERVE_TOKEN"
#: Shortest access token accepted [characters].
MIN_TOKEN = 12
LOOPBACK_NAMES = ("localhost", "localhost.localdomain")


def is_loopback(host: str) -> bool:
    """True when ``host`` names the loopback interface only (127.0.0.0/8, ::1, localhost).

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    h = host.strip().strip("[]").lower()
    if h in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


@dataclass
class Config:
    """What ``recp serve`` was started with.

    Parameters
    ----------
    host, port : str, int
        Interface and port to bind (default the loopback interface, port 8765).
    token : str or None
        Access token; required when ``host`` is not loopback. Then every page asks for it once
        (a cookie keeps it for the session) and the API takes ``Authorization: Bearer TOKEN``.
    max_upload : int
        Largest request body accepted [bytes]; larger ones get 413.
    max_files : int
        Most files in one request, and most entries in one uploaded zip.
    max_unpacked : int
        Most bytes a zip may unpack to [bytes] (zip bombs are refused).
    max_plants : int
        Most plants one session keeps.
    session_idle : float
        Seconds after which an idle session and its temporary files are removed.
    """

    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = None
    max_upload: int = 50 * 2**20
    max_files: int = 2000
    max_unpacked: int = 500 * 2**20
    max_plants: int = 50
    max_sessions: int = 200
    session_idle: float = 12 * 3600.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def loopback(self) -> bool:
        """True when bound to the loopback interface."""
        return is_loopback(self.host)


def check_config(cfg: Config) -> Config:
    """Refuse an unsafe start: a non-loopback host without a token, or a short token.

    Raises
    ------
    InputError
        One line saying what to do.
    """
    if cfg.token is None and os.environ.get(TOKEN_ENV):
        cfg.token = os.environ[TOKEN_ENV]
    if not cfg.loopback and not cfg.token:
        raise InputError(
            [
                Problem(
                    "--host",
                    f"{cfg.host!r} is reachable from other machines: set an access token with "
                    f"--token or the {TOKEN_ENV} environment variable (at least {MIN_TOKEN} "
                    "characters), or bind 127.0.0.1",
                )
            ]
        )
    if cfg.token is not None and len(cfg.token) < MIN_TOKEN:
        raise InputError(
            [Problem("--token", f"the access token must have at least {MIN_TOKEN} characters")]
        )
    if not 0 < cfg.port < 65536:
        raise InputError([Problem("--port", f"port {cfg.port} is not between 1 and 65535")])
    return cfg
