"""The one switch from configuration to storage: ``sessions.store`` names the backend, and
the session store and the turn log (for ``report``) are both opened in it.

To add a backend: a :class:`~bot.storage.sessions.base.SessionStore` in storage/sessions/, a
:class:`~bot.storage.turns.base.TurnLog` in storage/turns/, its name in
``SessionsConfig.store`` (bot/config.py), a branch in each function below, and the backend in
the contract suites' parameters (tests/storage/).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from bot.config import Config, SessionsConfig
from bot.storage.errors import StoreUnavailable
from bot.storage.sessions.base import SessionStore
from bot.storage.sessions.deadline import DeadlineStore
from bot.storage.sessions.memory import MemoryStore
from bot.storage.turns.base import TurnLog
from bot.storage.turns.memory import MemoryTurnLog

log = logging.getLogger(__name__)

DAY = 86_400.0
#: The turn log is written in the background: its calls may take longer than an answer's.
TURN_LOG_TIMEOUT = 2.0
#: SQLite keeps its deadline itself (the busy timeout); the outer net, for a disk that hangs.
SQLITE_NET_SECONDS = 10.0


class UnknownStore(ValueError):
    """``sessions.store`` names no backend (never silently replaced by memory)."""

    def __init__(self, store: str) -> None:
        super().__init__(f"sessions.store: unknown store {store!r} (memory, sqlite or redis)")


@dataclass(frozen=True)
class Storage:
    """What the engine keeps: conversations, and the turn log when insights are on."""

    sessions: SessionStore
    turns: TurnLog | None

    async def close(self) -> None:
        """Close both."""
        if self.turns is not None:
            await self.turns.close()
        await self.sessions.close()


def default_sqlite_path() -> Path:
    """Where the SQLite file lives unless ``sessions.sqlite_path`` says otherwise."""
    return Path(user_data_dir("cuishou-bot")) / "sessions.sqlite3"


def sqlite_path(config: SessionsConfig) -> Path:
    """The SQLite file of ``config`` (sessions and turn log share it)."""
    return Path(config.sqlite_path or default_sqlite_path()).expanduser()


async def open_store(config: SessionsConfig) -> SessionStore:
    """Open the session store of ``config.store``.

    SQLite is opened now, so a path that cannot be used fails at start-up
    (:class:`StoreUnavailable`). A Redis that does not answer only logs a warning: the bot
    starts, answers without memory meanwhile, and the client connects once Redis is up.
    """
    idle_seconds = config.keep_seconds  # the engine resets after idle_minutes itself
    timeout = config.timeout_ms / 1000
    if config.store == "memory":
        return MemoryStore(idle_seconds, config.max_sessions)
    if config.store == "sqlite":
        from bot.storage.sessions.sqlite import SqliteStore

        sqlite = await SqliteStore.open(
            sqlite_path(config), idle_seconds, config.max_sessions, timeout=timeout
        )
        # The store keeps the deadline itself: the busy timeout, for a file another process
        # has locked. The wrapper is only the safety net for a disk that hangs (long: a slow
        # fsync of a busy disk is no stall; no rest after it).
        return DeadlineStore(
            sqlite,
            max(timeout, SQLITE_NET_SECONDS),
            pause=0.0,
            name=f"session database {sqlite.path}",
        )
    if config.store == "redis":
        from bot.storage.sessions.redis import RedisStore

        # The deadline is the wrapper's (it tells a stalled Redis from a busy event loop);
        # the socket timeout is only the backstop.
        redis = RedisStore(
            config.redis_url, idle_seconds, config.max_sessions, timeout=max(timeout * 10, 2.0)
        )
        try:
            await redis.ping()
        except StoreUnavailable as exc:
            log.warning("%s; sessions are not remembered until it is back", exc)
        return DeadlineStore(redis, timeout, name=f"Redis at {redis.where}")
    raise UnknownStore(config.store)


def memory_turn_log(config: Config) -> MemoryTurnLog:
    """An in-memory turn log with the configured bounds."""
    return MemoryTurnLog(config.insights.retention_days * DAY, config.insights.max_records)


async def open_turn_log(config: Config) -> TurnLog:
    """Open the turn log in ``sessions.store``'s backend: a table in the SQLite file, a sorted
    set in Redis, or a bounded deque in memory.

    SQLite is opened now (a path that cannot be used raises :class:`StoreUnavailable`); a
    Redis that does not answer only logs a warning, and records are skipped until it is back.
    """
    retention = config.insights.retention_days * DAY
    cap = config.insights.max_records
    store = config.sessions.store
    if store == "memory":
        return memory_turn_log(config)
    if store == "sqlite":
        from bot.storage.turns.sqlite import SqliteTurnLog

        return await SqliteTurnLog.open(
            sqlite_path(config.sessions), retention, cap, timeout=TURN_LOG_TIMEOUT
        )
    if store == "redis":
        from bot.storage.turns.redis import RedisTurnLog

        turn_log = RedisTurnLog(config.sessions.redis_url, retention, cap, timeout=TURN_LOG_TIMEOUT)
        try:
            await turn_log.query(since=float("inf"))
        except StoreUnavailable as exc:
            log.warning("%s; messages are not recorded for the report until it is back", exc)
        return turn_log
    raise UnknownStore(store)


async def open_storage(config: Config) -> Storage:
    """Open the session store and, when ``insights.enabled``, the turn log, in one backend.

    A turn log that cannot be opened (e.g. an unreadable SQLite file raises for the sessions
    first) is a warning, and the report keeps this process's turns in memory: answering
    matters more than the report.
    """
    sessions = await open_store(config.sessions)
    turns: TurnLog | None = None
    if config.insights.enabled:
        try:
            turns = await open_turn_log(config)
        except StoreUnavailable as exc:
            log.warning("%s; the report keeps this process's turns in memory only", exc)
            turns = memory_turn_log(config)
    return Storage(sessions, turns)
