"""Open the turn log in the backend the sessions use."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.config import Config
from bot.storage.errors import StoreUnavailable
from bot.storage.turns.base import TurnLog
from bot.storage.turns.memory import MemoryTurnLog

log = logging.getLogger(__name__)

DAY = 86_400.0


def memory_turn_log(config: Config) -> MemoryTurnLog:
    """An in-memory log with the configured bounds."""
    return MemoryTurnLog(config.insights.retention_days * DAY, config.insights.max_records)


def sqlite_path(config: Config) -> Path:
    """The SQLite file the sessions (and so the turn log) live in."""
    from bot.storage.factory import default_sqlite_path

    return Path(config.sessions.sqlite_path or default_sqlite_path()).expanduser()


async def open_turn_log(config: Config) -> TurnLog:
    """Open the log in ``sessions.store``'s backend: a table in the SQLite file, a sorted set
    in Redis, or a bounded deque in memory.

    SQLite is opened now (a path that cannot be used raises :class:`StoreUnavailable`); a
    Redis that does not answer only logs a warning, and records are skipped until it is back.
    """
    retention = config.insights.retention_days * DAY
    cap = config.insights.max_records
    store = config.sessions.store
    if store == "sqlite":
        from bot.storage.turns.sqlite import SqliteTurnLog

        return await SqliteTurnLog.open(sqlite_path(config), retention, cap)
    if store == "redis":
        from bot.storage.turns.redis import RedisTurnLog

        turn_log = RedisTurnLog(config.sessions.redis_url, retention, cap)
        try:
            await turn_log.query(since=float("inf"))
        except StoreUnavailable as exc:
            log.warning("%s; messages are not recorded for the report until it is back", exc)
        return turn_log
    return memory_turn_log(config)
