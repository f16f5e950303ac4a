"""Per-session state of ``recp serve``: each consultant's plants, batch jobs and temp folder.

Sessions live in memory, keyed by a random cookie value (256 bits); a session never sees
another's plants or jobs. Each session owns one temporary folder under the server's root,
removed when the session has been idle for ``Config.session_idle`` seconds, when too many
sessions are open, and when the server stops.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recp.errors import Problem


@dataclass
class Plant:
    """One plant a consultant works on: the scenario document and what was found in it."""

    pid: str
    name: str  # display name of where it came from (an uploaded file's name is text only)
    data: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    text: str | None = None  # YAML text of the editor when it could not be parsed
    assessment: Any = None  # recp.Assessment of the current data, when valid and assessed

    @property
    def title(self) -> str:
        """The plant's name, or where it came from."""
        plant = self.data.get("plant")
        if isinstance(plant, dict) and isinstance(plant.get("name"), str) and plant["name"]:
            return str(plant["name"])
        return self.name


@dataclass
class Job:
    """A batch run in the background."""

    jid: str
    name: str
    folder: Path
    state: str = "queued"  # queued, running, done, failed
    done: int = 0
    total: int = 0
    message: str = ""
    n_ok: int = 0
    n_failed: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    started: float = field(default_factory=time.time)


@dataclass
class Session:
    """One browser's workspace."""

    sid: str
    csrf: str
    folder: Path
    lang: str = "en"
    authed: bool = False
    plants: dict[str, Plant] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    seen: float = field(default_factory=time.monotonic)
    counter: int = 0

    def next_id(self, prefix: str) -> str:
        """A short id unique in this session (``p1``, ``j2``)."""
        self.counter += 1
        return f"{prefix}{self.counter}"

    def temp(self, prefix: str) -> Path:
        """A new empty folder inside the session's own temporary folder."""
        return Path(tempfile.mkdtemp(prefix=prefix, dir=self.folder))


class Store:
    """Every open session, with their temporary folders under one root."""

    def __init__(self, max_sessions: int, idle: float):
        self.root = Path(tempfile.mkdtemp(prefix="recp-serve-"))
        self.max_sessions = max_sessions
        self.idle = idle
        self.sessions: dict[str, Session] = {}
        self.lock = threading.Lock()

    def get(self, sid: str | None) -> Session | None:
        """The live session of cookie value ``sid``, or None."""
        if not sid:
            return None
        with self.lock:
            self._expire()
            s = self.sessions.get(sid)
            if s is not None:
                s.seen = time.monotonic()
            return s

    def create(self) -> Session:
        """A new session with its own temporary folder (the oldest is dropped past the limit)."""
        with self.lock:
            self._expire()
            while len(self.sessions) >= self.max_sessions:
                # empty sessions go first: a flood of new visitors never evicts someone's work
                oldest = min(
                    self.sessions.values(), key=lambda s: (bool(s.plants or s.jobs), s.seen)
                )
                self._drop(oldest.sid)
            sid = secrets.token_urlsafe(32)
            folder = Path(tempfile.mkdtemp(prefix="s-", dir=self.root))
            s = Session(sid=sid, csrf=secrets.token_urlsafe(32), folder=folder)
            self.sessions[sid] = s
            return s

    def _expire(self) -> None:
        now = time.monotonic()
        for sid in [k for k, s in self.sessions.items() if now - s.seen > self.idle]:
            self._drop(sid)

    def _drop(self, sid: str) -> None:
        s = self.sessions.pop(sid, None)
        if s is not None:
            shutil.rmtree(s.folder, ignore_errors=True)

    def close(self) -> None:
        """Remove every session and the whole temporary root."""
        with self.lock:
            self.sessions.clear()
            shutil.rmtree(self.root, ignore_errors=True)
