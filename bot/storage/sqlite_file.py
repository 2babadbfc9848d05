"""One SQLite database file as the embedded stores use it (the sessions and the turn log).

:class:`SqliteFile` opens the connection lazily, runs every statement sequence as its own
``BEGIN IMMEDIATE`` … ``COMMIT`` transaction under a lock, and reports database errors as
:class:`~bot.storage.errors.StoreUnavailable`. The database runs in WAL mode with
``synchronous=NORMAL``: a transaction that has committed survives the process being killed
(only a power cut or OS crash may lose the last moments).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage.errors import StoreUnavailable

OnOpen = Callable[[aiosqlite.Connection], Awaitable[None]]


def _prepare_file(path: Path) -> None:
    """Create the parent directory and an empty database file readable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Sessions and turn texts hold personal data: create the file 0600 (SQLite gives -wal/-shm
    # the same mode).
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)


class SqliteFile:
    """A connection to the SQLite file at ``path`` (or ``":memory:"``), opened on first use.

    Opening creates the file (and its parent directory) if missing, sets the pragmas, runs
    ``schema`` (which must be idempotent: ``CREATE … IF NOT EXISTS``) and then ``on_open``, if
    given, with the new connection. ``label`` names the database in error messages
    (``"<label> <path>: <error>"``).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        schema: str,
        label: str,
        busy_timeout: float = 5.0,
        on_open: OnOpen | None = None,
    ) -> None:
        self.path = path if str(path) == ":memory:" else Path(path).expanduser()
        self.schema = schema
        self.label = label
        self.busy_timeout = busy_timeout
        self._on_open = on_open
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()  # one statement sequence (transaction) at a time

    async def open(self) -> None:
        """Open the database now (in an empty transaction), so a bad path fails at start-up."""
        async with self.transaction():
            pass

    async def _connect(self) -> aiosqlite.Connection:
        if isinstance(self.path, Path):
            await asyncio.to_thread(_prepare_file, self.path)
        db = await aiosqlite.connect(self.path, isolation_level=None, timeout=self.busy_timeout)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows hold personal details (sessions, the text of unanswered turns):
            # overwrite them, do not just unlink them.
            await db.execute("PRAGMA secure_delete=ON")
            await db.executescript(self.schema)
            if self._on_open is not None:
                await self._on_open(db)
        except BaseException:
            await db.close()
            raise
        return db

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """The open connection inside BEGIN IMMEDIATE … COMMIT, under the lock.

        An exception inside rolls the transaction back; :class:`sqlite3.Error` and
        :class:`OSError` (locked, unreadable, disk full) are raised as
        :class:`StoreUnavailable`.
        """
        async with self._lock:
            try:
                if self._db is None:
                    self._db = await self._connect()
                db = self._db
                await db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    await db.rollback()
                    raise
                await db.commit()
            except (sqlite3.Error, OSError) as exc:
                raise StoreUnavailable(f"{self.label} {self.path}: {exc}") from exc

    async def checkpoint(self) -> None:
        """Copy the WAL into the database and empty it (``wal_checkpoint(TRUNCATE)``), so the
        earlier versions of deleted rows it still holds are gone from the disk too.

        Does nothing when the database is not open. A :class:`sqlite3.Error` is raised as it
        is, not as :class:`StoreUnavailable`: the caller's change is already committed.
        """
        async with self._lock:
            if self._db is not None:
                await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def close(self) -> None:
        """Close the connection, if open; the next transaction opens it again."""
        async with self._lock:
            if self._db is not None:
                db, self._db = self._db, None
                await db.close()
