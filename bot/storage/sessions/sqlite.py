"""A session store in one SQLite file: the embedded default, which survives a restart.

Puts are committed in groups: a put joins the batch being gathered while the previous one
commits, and the whole batch is written in one transaction (group commit); each put returns
only after its batch has committed, so a reply sent after ``put`` is durable. The database
runs in WAL mode with ``synchronous=NORMAL``: a put that has returned survives the process
being killed (only a power cut or OS crash may lose the last moments). Expired rows are
deleted when read and by a purge that runs on opening and then at most every
``purge_interval`` seconds from ``put``; the row count is kept at ``max_sessions`` by deleting
the sessions idle the longest. Every call has a deadline (``timeout``, seconds): see
bot/storage/sqlite_file.py.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import time
from pathlib import Path

from bot.storage.errors import StoreUnavailable
from bot.storage.sessions.base import SessionRecord, SessionStore
from bot.storage.sqlite_file import DEFAULT_TIMEOUT, SqliteFile

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

#: Keys per statement (well under SQLite's limit of bound parameters).
_CHUNK = 500

_UPSERT = (
    "INSERT INTO sessions (key, user, last_seen, data) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(key) DO UPDATE SET user = excluded.user, last_seen = excluded.last_seen, "
    "data = excluded.data"
)


class SqliteStore(SessionStore):
    """Sessions in a SQLite file at ``path`` (created with its parent directory if missing).

    The connection opens on first use (or with :meth:`open`); :meth:`close` releases it.
    Database errors (locked, unreadable, disk full) and calls past the deadline are raised as
    :class:`StoreUnavailable`.
    """

    def __init__(
        self,
        path: str | Path,
        idle_seconds: float,
        max_sessions: int = 10_000,
        *,
        purge_interval: float = 60.0,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(idle_seconds)
        if max_sessions < 1:
            raise ValueError("max_sessions must be at least 1")
        self._file = SqliteFile(
            path, schema=_SCHEMA, label="session database", timeout=timeout, on_open=self._on_open
        )
        self.path = self._file.path
        self.timeout = timeout
        self.max_sessions = max_sessions
        self.purge_interval = purge_interval
        self._rows = 0  # row count, kept in step by our writes and re-read at each purge
        self._last_purge = 0.0
        self._batch: list[tuple[SessionRecord, asyncio.Future[None]]] = []
        self._committer: asyncio.Task[None] | None = None
        self._reads: list[tuple[str, asyncio.Future[SessionRecord | None]]] = []
        self._reader: asyncio.Task[None] | None = None
        self.batches = 0  # how many group commits so far (for the bench and tests)

    @classmethod
    async def open(
        cls, path: str | Path, idle_seconds: float, max_sessions: int = 10_000, **kwargs: float
    ) -> SqliteStore:
        """Create the store and open its database now, so a bad file fails at start-up."""
        store = cls(path, idle_seconds, max_sessions, **kwargs)
        await store._file.open()
        return store

    def _on_open(self, db: sqlite3.Connection) -> None:
        """Stamp a new file with the schema version and purge (and count) the rows."""
        row = db.execute("PRAGMA user_version").fetchone()
        if row is not None and row[0] == 0:
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._purge(db, time.time())  # also counts the rows

    async def get(self, key: str) -> SessionRecord | None:
        """The live record for ``key``; reads that arrive while one is in flight are made
        together, in one transaction (as puts are committed)."""
        done: asyncio.Future[SessionRecord | None] = asyncio.get_running_loop().create_future()
        self._reads.append((key, done))
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read_batches())
        return await done

    async def _read_batches(self) -> None:
        while self._reads:
            batch, self._reads = self._reads, []
            try:
                found = await self._file.run(
                    functools.partial(self._get_many, keys=[key for key, _ in batch]), write=False
                )
            except Exception as exc:
                error = (
                    exc
                    if isinstance(exc, StoreUnavailable)
                    else StoreUnavailable(f"{self.path}: {exc}")
                )
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                for (_, done), record in zip(batch, found, strict=True):
                    if not done.done():
                        done.set_result(record)

    def _get_many(self, db: sqlite3.Connection, *, keys: list[str]) -> list[SessionRecord | None]:
        """The records of ``keys``, in one statement per chunk (few calls into SQLite: each
        one hands the interpreter lock over, which costs when the event loop is busy)."""
        rows: dict[str, tuple[object, object, object]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for key, user, last_seen, data in db.execute(
                f"SELECT key, user, last_seen, data FROM sessions WHERE key IN ({marks})", chunk
            ):
                rows[key] = (user, last_seen, data)
        return [self._live(db, key, rows.get(key)) for key in keys]

    def _live(
        self, db: sqlite3.Connection, key: str, row: tuple[object, object, object] | None
    ) -> SessionRecord | None:
        if row is None:
            return None
        user, last_seen, data = row
        if not (
            isinstance(user, str) and isinstance(data, str) and isinstance(last_seen, int | float)
        ):
            log.warning("dropping unreadable session %r in %s", key, self.path)
            self._delete_key(db, key)
            return None
        if self._expired_at(last_seen):
            self._delete_key(db, key)
            return None
        return SessionRecord(key=key, user=user, last_seen=float(last_seen), data=data)

    def _expired_at(self, last_seen: float) -> bool:
        return (time.time() - last_seen) > self.idle_seconds

    async def put(self, record: SessionRecord) -> None:
        """Save ``record`` in the next group commit; return once that has committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._batch.append((record, done))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.get_running_loop().create_task(self._commit_batches())
        await done

    async def _commit_batches(self) -> None:
        """Commit what has gathered, one transaction per batch, until nothing is left."""
        while self._batch:
            batch, self._batch = self._batch, []
            records = [record for record, _ in batch]
            try:
                await self._file.run(functools.partial(self._put_many, records=records))
            except Exception as exc:
                error = (
                    exc
                    if isinstance(exc, StoreUnavailable)
                    else StoreUnavailable(f"{self.path}: {exc}")
                )
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
            else:
                self.batches += 1
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)

    def _put_many(self, db: sqlite3.Connection, *, records: list[SessionRecord]) -> None:
        """Write ``records`` (in order: a later one for a key wins) in a few statements."""
        keys = list(dict.fromkeys(record.key for record in records))
        existing = 0
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            row = db.execute(
                f"SELECT count(*) FROM sessions WHERE key IN ({marks})", chunk
            ).fetchone()
            existing += int(row[0]) if row else 0
        db.executemany(_UPSERT, [(r.key, r.user, r.last_seen, r.data) for r in records])
        self._rows += len(keys) - existing
        now = time.time()
        if now - self._last_purge >= self.purge_interval:
            self._purge(db, now)
        if self._rows > self.max_sessions:
            self._evict(db)

    async def delete(self, key: str) -> bool:
        return await self._file.run(lambda db: self._delete_key(db, key))

    async def delete_user(self, user: str) -> int:
        def delete_user(db: sqlite3.Connection) -> int:
            count = max(db.execute("DELETE FROM sessions WHERE user = ?", (user,)).rowcount, 0)
            self._rows = max(self._rows - count, 0)
            return count

        count = await self._file.run(delete_user)
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
        return await self._file.run(lambda db: self._purge(db, time.time()))

    async def count(self) -> int:
        """How many sessions the file holds (expired ones not yet purged included)."""

        def count(db: sqlite3.Connection) -> int:
            row = db.execute("SELECT count(*) FROM sessions").fetchone()
            return int(row[0]) if row else 0

        return await self._file.run(count, write=False)

    async def close(self) -> None:
        if self._committer is not None and not self._committer.done():
            await asyncio.wait({self._committer}, timeout=self._file.timeout * 2)
        await self._file.close()

    def _delete_key(self, db: sqlite3.Connection, key: str) -> bool:
        deleted = db.execute("DELETE FROM sessions WHERE key = ?", (key,)).rowcount > 0
        if deleted:
            self._rows = max(self._rows - 1, 0)
        return deleted

    def _purge(self, db: sqlite3.Connection, now: float) -> int:
        purged = max(
            db.execute(
                "DELETE FROM sessions WHERE last_seen < ?", (now - self.idle_seconds,)
            ).rowcount,
            0,
        )
        # Another process may share the file: take the true count while we are here.
        row = db.execute("SELECT count(*) FROM sessions").fetchone()
        self._rows = row[0] if row else 0
        self._last_purge = now
        if purged:
            log.debug("purged %d expired sessions from %s", purged, self.path)
        return purged

    def _evict(self, db: sqlite3.Connection) -> None:
        """Delete the sessions idle the longest until at most ``max_sessions`` remain."""
        excess = self._rows - self.max_sessions
        cursor = db.execute(
            "DELETE FROM sessions WHERE key IN "
            "(SELECT key FROM sessions ORDER BY last_seen ASC LIMIT ?)",
            (excess,),
        )
        self._rows -= max(cursor.rowcount, 0)
