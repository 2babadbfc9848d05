"""A session store in one SQLite file: the embedded default, which survives a restart.

Every :meth:`SqliteStore.put` is its own committed transaction. The database runs in WAL mode
with ``synchronous=NORMAL``: a put that has returned survives the process being killed (only a
power cut or OS crash may lose the last moments). Expired rows are deleted when read and by a
purge that runs on opening and then at most every ``purge_interval`` seconds from ``put``; the
row count is kept at ``max_sessions`` by deleting the sessions idle the longest.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import aiosqlite

from bot.storage.sessions.base import SessionRecord, SessionStore
from bot.storage.sqlite_file import SqliteFile

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    key TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    last_seen REAL NOT NULL,
    data TEXT NOT NULL  -- the conversation state (JSON)
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user);
CREATE INDEX IF NOT EXISTS sessions_by_last_seen ON sessions (last_seen);
"""


class SqliteStore(SessionStore):
    """Sessions in a SQLite file at ``path`` (created with its parent directory if missing).

    The connection opens on first use (or with :meth:`open`); :meth:`close` releases it.
    Database errors (locked, unreadable, disk full) are raised as :class:`StoreUnavailable`.
    """

    def __init__(
        self,
        path: str | Path,
        idle_seconds: float,
        max_sessions: int = 10_000,
        *,
        purge_interval: float = 60.0,
        busy_timeout: float = 5.0,
    ) -> None:
        super().__init__(idle_seconds)
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self._file = SqliteFile(path, schema=_SCHEMA, label="session database",
                                busy_timeout=busy_timeout, on_open=self._on_open)
        self.path = self._file.path
        self.max_sessions = max_sessions
        self.purge_interval = purge_interval
        self._rows = 0  # row count, kept in step by our writes and re-read at each purge
        self._last_purge = 0.0

    @classmethod
    async def open(
        cls, path: str | Path, idle_seconds: float, max_sessions: int = 10_000, **kwargs: float
    ) -> SqliteStore:
        """Create the store and open its database now, so a bad path fails at start-up."""
        store = cls(path, idle_seconds, max_sessions, **kwargs)
        await store._file.open()
        return store

    async def _on_open(self, db: aiosqlite.Connection) -> None:
        """Stamp a new file with the schema version and purge (and count) the rows."""
        async with db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        if row is not None and row[0] == 0:
            await db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        await self._purge(db, time.time())  # also counts the rows

    async def get(self, key: str) -> SessionRecord | None:
        async with self._file.transaction() as db:
            async with db.execute(
                "SELECT user, last_seen, data FROM sessions WHERE key = ?", (key,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            user, last_seen, data = row
            if not (isinstance(user, str) and isinstance(data, str)
                    and isinstance(last_seen, int | float)):
                log.warning("dropping unreadable session %r in %s", key, self.path)
                await self._delete_key(db, key)
                return None
            if self._expired_at(last_seen):
                await self._delete_key(db, key)
                return None
            return SessionRecord(key=key, user=user, last_seen=float(last_seen), data=data)

    def _expired_at(self, last_seen: float) -> bool:
        return (time.time() - last_seen) > self.idle_seconds

    async def put(self, record: SessionRecord) -> None:
        data = record.data
        async with self._file.transaction() as db:
            cursor = await db.execute(
                "INSERT OR IGNORE INTO sessions (key, user, last_seen, data) VALUES (?, ?, ?, ?)",
                (record.key, record.user, record.last_seen, data),
            )
            inserted = cursor.rowcount == 1
            await cursor.close()
            if inserted:
                self._rows += 1
            else:
                await db.execute(
                    "UPDATE sessions SET user = ?, last_seen = ?, data = ? WHERE key = ?",
                    (record.user, record.last_seen, data, record.key),
                )
            now = time.time()
            if now - self._last_purge >= self.purge_interval:
                await self._purge(db, now)
            if self._rows > self.max_sessions:
                await self._evict(db)

    async def delete(self, key: str) -> bool:
        async with self._file.transaction() as db:
            return await self._delete_key(db, key)

    async def delete_user(self, user: str) -> int:
        async with self._file.transaction() as db:
            cursor = await db.execute("DELETE FROM sessions WHERE user = ?", (user,))
            count = max(cursor.rowcount, 0)
            await cursor.close()
            self._rows = max(self._rows - count, 0)
        if count:
            await self._checkpoint()
        return count

    async def _checkpoint(self) -> None:
        """Copy the WAL into the database and empty it, so that the earlier versions of
        deleted sessions it still holds are gone from the disk too ("删除我的记录")."""
        try:
            await self._file.checkpoint()
        except sqlite3.Error as exc:  # the deletion itself is committed
            log.warning("could not checkpoint %s after a deletion: %s", self.path, exc)

    async def purge_expired(self) -> int:
        """Delete every expired session now; return how many."""
        async with self._file.transaction() as db:
            return await self._purge(db, time.time())

    async def count(self) -> int:
        """How many sessions the file holds (expired ones not yet purged included)."""
        async with (
            self._file.transaction() as db,
            db.execute("SELECT count(*) FROM sessions") as cur,
        ):
            row = await cur.fetchone()
        return row[0] if row else 0

    async def close(self) -> None:
        await self._file.close()

    async def _delete_key(self, db: aiosqlite.Connection, key: str) -> bool:
        cursor = await db.execute("DELETE FROM sessions WHERE key = ?", (key,))
        deleted = cursor.rowcount > 0
        await cursor.close()
        if deleted:
            self._rows = max(self._rows - 1, 0)
        return deleted

    async def _purge(self, db: aiosqlite.Connection, now: float) -> int:
        cursor = await db.execute(
            "DELETE FROM sessions WHERE last_seen < ?", (now - self.idle_seconds,)
        )
        purged = max(cursor.rowcount, 0)
        await cursor.close()
        # Another process may share the file: take the true count while we are here.
        async with db.execute("SELECT count(*) FROM sessions") as count_cursor:
            row = await count_cursor.fetchone()
        self._rows = row[0] if row else 0
        self._last_purge = now
        if purged:
            log.debug("purged %d expired sessions from %s", purged, self.path)
        return purged

    async def _evict(self, db: aiosqlite.Connection) -> None:
        """Delete the sessions idle the longest until at most ``max_sessions`` remain."""
        excess = self._rows - self.max_sessions
        cursor = await db.execute(
            "DELETE FROM sessions WHERE key IN "
            "(SELECT key FROM sessions ORDER BY last_seen ASC LIMIT ?)",
            (excess,),
        )
        self._rows -= max(cursor.rowcount, 0)
        await cursor.close()
