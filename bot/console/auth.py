"""Who may use the counsellors' console: the admin token, the login sessions it opens, and
the checks every state-changing request passes (synchronizer CSRF token, Origin).

A counsellor logs in with a name (recorded with every change they make) and the admin token
(``platforms.http.admin_token`` or env ``BOT_ADMIN_TOKEN``). A successful login opens a
session: a random 256-bit id in an HttpOnly, SameSite=Strict cookie scoped to ``/admin``,
kept only in this process's memory with an idle expiry and an absolute one; a restart logs
everybody out. Every comparison with a secret is constant-time.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import time
import unicodedata
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.config import ConfigError

#: the session cookie's name
COOKIE = "cuishou_console"
#: the header the page's JavaScript sends the CSRF token in
CSRF_HEADER = "X-CSRF-Token"
#: the shortest admin token accepted
MIN_TOKEN_CHARS = 16
#: a session ends this long after login whatever happens
MAX_SESSION_SECONDS = 12 * 3600.0
#: at most this many sessions are open at once (the least recently used ends first)
MAX_SESSIONS = 200
#: the longest name a counsellor may log in with
MAX_NAME_CHARS = 32


def admin_token(configured: str | None) -> str | None:
    """The admin token to log in with, or None (the console is off). A configured token
    shorter than :data:`MIN_TOKEN_CHARS` is a :class:`ConfigError`."""
    token = (configured or "").strip() or None
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(
            f"platforms.http.admin_token (or env BOT_ADMIN_TOKEN) is {len(token)} characters "
            f"long; the console needs at least {MIN_TOKEN_CHARS} (e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(24))'`)"
        )
    return token


def same_secret(given: str | None, expected: str) -> bool:
    """Compare a secret from a request with the real one in constant time."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def clean_name(raw: str) -> str | None:
    """The name a counsellor typed, tidied (NFKC, inner spaces kept single); None when it is
    empty, too long, or holds control characters."""
    name = " ".join(unicodedata.normalize("NFKC", raw).split())
    if not name or len(name) > MAX_NAME_CHARS:
        return None
    if any(unicodedata.category(c).startswith("C") for c in name):
        return None
    return name


def origin_matches(origin: str | None, referer: str | None, *hosts: str) -> bool:
    """True when the request comes from a page of this server: its ``Origin`` (or, when a
    browser sent none, its ``Referer``) names exactly one of ``hosts`` (host and port, as in
    the ``Host`` header; the scheme is not compared, so a TLS-terminating proxy in front keeps
    working)."""
    source = origin if origin and origin != "null" else referer
    if not source:
        return False
    try:
        netloc = urlsplit(source).netloc.lower()
    except ValueError:
        return False
    return bool(netloc) and any(host and netloc == host.lower() for host in hosts)


@dataclass
class ConsoleSession:
    """One logged-in counsellor: who, the CSRF token of their page, and when it ends."""

    id: str
    who: str
    csrf: str
    created: float
    last_seen: float
    data: dict[str, object] = field(default_factory=dict)  # for extensions; never sent out

    def csrf_matches(self, given: str | None) -> bool:
        """True when ``given`` is this session's CSRF token (constant-time)."""
        return same_secret(given, self.csrf)


class SessionStore:
    """The open console sessions (in memory): created on login, ended on logout, after
    ``idle_seconds`` without a request, or :data:`MAX_SESSION_SECONDS` after login."""

    def __init__(
        self,
        idle_seconds: float,
        *,
        max_seconds: float = MAX_SESSION_SECONDS,
        max_sessions: int = MAX_SESSIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds
        self.max_sessions = max_sessions
        self.clock = clock
        self._sessions: OrderedDict[str, ConsoleSession] = OrderedDict()

    def open(self, who: str) -> ConsoleSession:
        """A new session for ``who`` with fresh random ids."""
        now = self.clock()
        session = ConsoleSession(
            id=secrets.token_urlsafe(32),
            who=who,
            csrf=secrets.token_urlsafe(32),
            created=now,
            last_seen=now,
        )
        self._sessions[session.id] = session
        while len(self._sessions) > self.max_sessions:
            self._sessions.popitem(last=False)
        return session

    def get(self, session_id: str | None) -> ConsoleSession | None:
        """The live session with this id (its idle clock restarts), else None (an expired
        one is ended). The lookup goes through a dict, so it reveals nothing by its timing
        that a guess of 256 random bits could use."""
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self.clock()
        if now - session.last_seen > self.idle_seconds or now - session.created > self.max_seconds:
            self.close(session_id)
            return None
        session.last_seen = now
        self._sessions.move_to_end(session_id)
        return session

    def close(self, session_id: str) -> None:
        """End the session (logout)."""
        self._sessions.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._sessions)


#: the longest a wrong login waits, however many came before it
MAX_FAILURE_DELAY = 60.0
#: clients whose failures are remembered (the least recently failing are forgotten first)
MAX_TRACKED_FAILURES = 10_000


@dataclass
class _Failures:
    times: deque[float] = field(default_factory=deque)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class LoginFailures:
    """Wrong logins per client: ``free_per_minute`` in any 60 seconds are answered at once;
    each one beyond waits :meth:`failed`'s delay, doubling from 1 s up to
    :data:`MAX_FAILURE_DELAY`, one at a time per client (:meth:`turn`). Only failures count,
    so a right token is never held back by earlier wrong ones."""

    def __init__(self, free_per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.free = free_per_minute
        self.clock = clock
        self._clients: OrderedDict[str, _Failures] = OrderedDict()

    def failed(self, client: str) -> float:
        """Count one wrong login of ``client``; the seconds its answer waits (0: at once)."""
        now = self.clock()
        entry = self._clients.pop(client, None) or _Failures()
        while entry.times and entry.times[0] <= now - 60.0:
            entry.times.popleft()
        entry.times.append(now)
        self._clients[client] = entry
        while len(self._clients) > MAX_TRACKED_FAILURES:
            oldest = next(iter(self._clients))
            if self._clients[oldest].lock.locked():
                break
            del self._clients[oldest]
        excess = len(entry.times) - self.free
        return 0.0 if excess <= 0 else min(2.0 ** (excess - 1), MAX_FAILURE_DELAY)

    def turn(self, client: str) -> asyncio.Lock:
        """The lock a client's delayed failures wait their turn on."""
        entry = self._clients.get(client)
        if entry is None:
            entry = self._clients[client] = _Failures()
        return entry.lock
