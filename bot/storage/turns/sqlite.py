"""A turn log in a table of the sessions' SQLite file.

Each record is one row; ``at`` is indexed for the report's period queries. The row count is
kept at ``max_records`` on every write (rows are numbered in insertion order, so the oldest
are the lowest ids) and rows past the retention period are deleted at most every
``purge_interval`` seconds; queries never return them meanwhile.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import aiosqlite

from bot.messages import RankedIntent
from bot.storage.sqlite_file import SqliteFile
from bot.storage.turns.base import TurnLog, TurnRecord

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    intent TEXT NOT NULL,
    platform TEXT NOT NULL,
    confidence REAL NOT NULL,
    text TEXT,            -- masked, only for unanswered messages
    guesses TEXT          -- JSON [[intent, score], ...], only for unanswered messages
);
CREATE INDEX IF NOT EXISTS turns_by_at ON turns (at);
"""


class SqliteTurnLog(TurnLog):
    """Turn records in the ``turns`` table of the SQLite file at ``path``."""

    def __init__(self, path: str | Path, retention_seconds: float, max_records: int, *,
                 purge_interval: float = 60.0, busy_timeout: float = 5.0) -> None:
        super().__init__(retention_seconds, max_records)
        self._file = SqliteFile(path, schema=_SCHEMA, label="turn log database",
                                busy_timeout=busy_timeout)
        self.path = self._file.path
        self.purge_interval = purge_interval
        self._last_purge = 0.0

    @classmethod
    async def open(cls, path: str | Path, retention_seconds: float, max_records: int,
                   **kwargs: float) -> SqliteTurnLog:
        """Create the log and open its database now, so a bad path fails at start-up."""
        turn_log = cls(path, retention_seconds, max_records, **kwargs)
        await turn_log._file.open()
        return turn_log

    async def record_many(self, turns: Sequence[TurnRecord]) -> None:
        if not turns:
            return
        rows = [(t.at, t.intent, t.platform, t.confidence, t.text,
                 json.dumps([list(g) for g in t.guesses], ensure_ascii=False)
                 if t.guesses else None) for t in turns]
        async with self._file.transaction() as db:
            await db.executemany(
                "INSERT INTO turns (at, intent, platform, confidence, text, guesses) "
                "VALUES (?, ?, ?, ?, ?, ?)", rows)
            async with db.execute("SELECT max(id) FROM turns") as cursor:
                row = await cursor.fetchone()
            newest = row[0] if row and row[0] is not None else 0
            await db.execute("DELETE FROM turns WHERE id <= ?", (newest - self.max_records,))
            now = time.time()
            if now - self._last_purge >= self.purge_interval:
                await self._purge(db, now)

    async def purge(self) -> int:
        """Delete the records past the retention period now; return how many."""
        async with self._file.transaction() as db:
            return await self._purge(db, time.time())

    async def _purge(self, db: aiosqlite.Connection, now: float) -> int:
        cursor = await db.execute("DELETE FROM turns WHERE at < ?", (self.oldest_kept(now),))
        purged = max(cursor.rowcount, 0)
        await cursor.close()
        self._last_purge = now
        return purged

    async def query(self, since: float, until: float | None = None) -> list[TurnRecord]:
        since = max(since, self.oldest_kept())
        sql = ("SELECT at, intent, platform, confidence, text, guesses FROM turns "
               "WHERE at >= ?" + ("" if until is None else " AND at < ?") + " ORDER BY at, id")
        args = (since,) if until is None else (since, until)
        async with self._file.transaction() as db, db.execute(sql, args) as cursor:
            rows = await cursor.fetchall()
        records = []
        for at, intent, platform, confidence, text, guesses in rows:
            try:
                ranked = tuple(RankedIntent(str(i), float(s))
                               for i, s in (json.loads(guesses) if guesses else []))
            except (ValueError, TypeError):
                log.warning("ignoring unreadable guesses of a turn record in %s", self.path)
                ranked = ()
            records.append(TurnRecord(at=at, intent=intent, platform=platform,
                                      confidence=confidence, text=text, guesses=ranked))
        return records

    async def count(self) -> int:
        """How many rows the table holds (those past retention not yet purged included)."""
        async with self._file.transaction() as db, db.execute("SELECT count(*) FROM turns") as cur:
            row = await cur.fetchone()
        return row[0] if row else 0

    async def close(self) -> None:
        await self._file.close()
