"""Open the session store the configuration names."""

from __future__ import annotations

import logging
from pathlib import Path

from platformdirs import user_data_dir

from bot.config import SessionsConfig
from bot.storage.errors import StoreUnavailable
from bot.storage.sessions.base import SessionStore
from bot.storage.sessions.memory import MemoryStore

log = logging.getLogger(__name__)


def default_sqlite_path() -> Path:
    """Where the SQLite store lives unless ``sessions.sqlite_path`` says otherwise."""
    return Path(user_data_dir("cuishou-bot")) / "sessions.sqlite3"


async def open_store(config: SessionsConfig) -> SessionStore:
    """Open the store of ``config.store``.

    SQLite is opened now, so a path that cannot be used fails at start-up
    (:class:`StoreUnavailable`). A Redis that does not answer only logs a warning: the bot
    starts, answers without memory meanwhile, and the client connects once Redis is up.
    """
    idle_seconds = config.idle_minutes * 60
    if config.store == "memory":
        return MemoryStore(idle_seconds, config.max_sessions)
    if config.store == "sqlite":
        from bot.storage.sessions.sqlite import SqliteStore

        path = config.sqlite_path or default_sqlite_path()  # SqliteStore expands "~"
        return await SqliteStore.open(path, idle_seconds, config.max_sessions)
    if config.store == "redis":
        from bot.storage.sessions.redis import RedisStore

        store = RedisStore(config.redis_url, idle_seconds, config.max_sessions)
        try:
            await store.ping()
        except StoreUnavailable as exc:
            log.warning("%s; sessions are not remembered until it is back", exc)
        return store
    raise ValueError(f"sessions.store: unknown store {config.store!r}")
