"""A turn log in a table of the sessions' SQLite file.

Each record is one row; ``at`` is indexed for the report's period queries. The row count is
kept at ``max_records`` on every write (rows are numbered in insertion order, so the oldest
are the lowest ids) and rows past the retention period are deleted at most every
``purge_interval`` seconds; queries never return them meanwhile. Rows that keep a text also
keep a salted hash of the person (``user_tag``) so "删除我的记录" can clear them; the salt is
created once per file, in the ``turn_meta`` table.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.messages import RankedIntent
from bot.storage.sqlite_file import DEFAULT_TIMEOUT, SqliteFile
from bot.storage.turns.base import TurnLog, TurnRecord, new_salt, user_tag

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    intent TEXT NOT NULL,
    platform TEXT NOT NULL,
    confidence REAL NOT NULL,
    text TEXT,            -- masked, only for unanswered and low-confidence messages
    guesses TEXT          -- JSON [[intent, score], ...], only where text is kept
);
CREATE INDEX IF NOT EXISTS turns_by_at ON turns (at);
CREATE TABLE IF NOT EXISTS turn_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


_COLUMNS = "at, intent, platform, confidence, text, guesses, user, urgent, danger, safety_only"


def _danger_json(turn: TurnRecord) -> str | None:
    """The ``danger`` column of a record: NULL for a calm one."""
    if not turn.tier:
        return None
    data = {
        "tier": turn.tier,
        "kind": turn.kind,
        "rule": turn.rule,
        "conv": turn.conversation,
        "ref": turn.ref,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class SqliteTurnLog(TurnLog):
    """Turn records in the ``turns`` table of the SQLite file at ``path``."""

    def __init__(
        self,
        path: str | Path,
        retention_seconds: float,
        max_records: int,
        *,
        purge_interval: float = 60.0,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(retention_seconds, max_records)
        self._file = SqliteFile(
            path, schema=_SCHEMA, label="turn log database", timeout=timeout, on_open=self._on_open
        )
        self.path = self._file.path
        self.purge_interval = purge_interval
        self._last_purge = 0.0
        self._salt = ""

    @classmethod
    async def open(
        cls, path: str | Path, retention_seconds: float, max_records: int, **kwargs: float
    ) -> SqliteTurnLog:
        """Create the log and open its database now, so a bad file fails at start-up."""
        turn_log = cls(path, retention_seconds, max_records, **kwargs)
        await turn_log._file.open()
        return turn_log

    def _on_open(self, db: sqlite3.Connection) -> None:
        """Add the user and urgent columns to a file made before them; read (or create) the
        salt."""
        columns = {row[1] for row in db.execute("PRAGMA table_info(turns)")}
        if "user" not in columns:
            db.execute("ALTER TABLE turns ADD COLUMN user TEXT")
        if "urgent" not in columns:  # NULL in older rows: not urgent
            db.execute("ALTER TABLE turns ADD COLUMN urgent INTEGER")
        # the safety view's (clear- and possible-danger turns; NULL in calm and older rows):
        # JSON {tier, kind, rule, conv, ref} and whether the text is kept for it alone
        if "danger" not in columns:
            db.execute("ALTER TABLE turns ADD COLUMN danger TEXT")
        if "safety_only" not in columns:
            db.execute("ALTER TABLE turns ADD COLUMN safety_only INTEGER")
        db.execute("CREATE INDEX IF NOT EXISTS turns_danger ON turns (at) WHERE danger IS NOT NULL")
        db.execute(
            "CREATE INDEX IF NOT EXISTS turns_by_user ON turns (user) WHERE user IS NOT NULL"
        )
        db.execute(
            "INSERT OR IGNORE INTO turn_meta (name, value) VALUES ('salt', ?)", (new_salt(),)
        )
        row = db.execute("SELECT value FROM turn_meta WHERE name = 'salt'").fetchone()
        self._salt = str(row[0])

    async def tag_of(self, user: str) -> str:
        if not self._salt:  # the salt is read when the file is opened
            await self._file.run(lambda db: None, write=False)
        return user_tag(self._salt, user)

    async def record_many(self, turns: Sequence[TurnRecord]) -> None:
        if not turns:
            return

        def record(db: sqlite3.Connection) -> None:
            rows = [
                (
                    t.at,
                    t.intent,
                    t.platform,
                    t.confidence,
                    t.text,
                    json.dumps([list(g) for g in t.guesses], ensure_ascii=False)
                    if t.guesses
                    else None,
                    user_tag(self._salt, t.user) if t.user else None,
                    1 if t.urgent else None,
                    _danger_json(t),
                    1 if t.safety_only else None,
                )
                for t in turns
            ]
            db.executemany(
                "INSERT INTO turns (at, intent, platform, confidence, text, guesses, user, "
                "urgent, danger, safety_only) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            row = db.execute("SELECT max(id) FROM turns").fetchone()
            newest = row[0] if row and row[0] is not None else 0
            db.execute("DELETE FROM turns WHERE id <= ?", (newest - self.max_records,))
            now = time.time()
            if now - self._last_purge >= self.purge_interval:
                self._purge(db, now)

        await self._file.run(record)

    async def forget_user(self, user: str) -> int:
        def forget(db: sqlite3.Connection) -> int:
            return max(
                db.execute(
                    "UPDATE turns SET text = NULL, guesses = NULL, user = NULL, "
                    "safety_only = NULL, danger = json_remove(danger, '$.conv') WHERE user = ?",
                    (user_tag(self._salt, user),),
                ).rowcount,
                0,
            )

        forgotten = await self._file.run(forget)
        if forgotten:
            try:  # the old texts must not linger in the WAL either
                await self._file.checkpoint()
            except sqlite3.Error as exc:
                log.warning("could not checkpoint %s after a deletion: %s", self.path, exc)
        return forgotten

    async def purge(self) -> int:
        """Delete the records past the retention period now; return how many."""
        return await self._file.run(lambda db: self._purge(db, time.time()))

    def _purge(self, db: sqlite3.Connection, now: float) -> int:
        purged = max(
            db.execute("DELETE FROM turns WHERE at < ?", (self.oldest_kept(now),)).rowcount, 0
        )
        self._last_purge = now
        return purged

    async def query(self, since: float, until: float | None = None) -> list[TurnRecord]:
        since = max(since, self.oldest_kept())
        sql = (
            f"SELECT {_COLUMNS} FROM turns "
            "WHERE at >= ?" + ("" if until is None else " AND at < ?") + " ORDER BY at, id"
        )
        args = (since,) if until is None else (since, until)
        rows = await self._file.run(lambda db: db.execute(sql, args).fetchall(), write=False)
        return [self._record(row) for row in rows]

    async def danger(self, limit: int = 200) -> list[TurnRecord]:
        sql = (
            f"SELECT {_COLUMNS} FROM turns WHERE danger IS NOT NULL AND at >= ? "
            "ORDER BY at DESC, id DESC LIMIT ?"
        )
        args = (self.oldest_kept(), limit)
        rows = await self._file.run(lambda db: db.execute(sql, args).fetchall(), write=False)
        return [self._record(row) for row in rows]

    def _record(self, row: Sequence[Any]) -> TurnRecord:
        at, intent, platform, confidence, text, guesses, user, urgent, danger, safety_only = row
        try:
            ranked = tuple(
                RankedIntent(str(i), float(s)) for i, s in (json.loads(guesses) if guesses else [])
            )
        except (ValueError, TypeError):
            log.warning("ignoring unreadable guesses of a turn record in %s", self.path)
            ranked = ()
        try:
            flags = json.loads(danger) if danger else {}
            if not isinstance(flags, dict):
                raise TypeError("not an object")
        except (ValueError, TypeError):
            log.warning("ignoring the unreadable urgency of a turn record in %s", self.path)
            flags = {}
        return TurnRecord(
            at=at,
            intent=intent,
            platform=platform,
            confidence=confidence,
            text=text,
            guesses=ranked,
            user=user or "",
            urgent=bool(urgent),
            tier=str(flags.get("tier", "")),
            kind=str(flags.get("kind", "")),
            rule=str(flags.get("rule", "")),
            conversation=str(flags.get("conv", "")),
            ref=str(flags.get("ref", "")),
            safety_only=bool(safety_only),
        )

    async def count(self) -> int:
        """How many rows the table holds (those past retention not yet purged included)."""

        def count(db: sqlite3.Connection) -> int:
            row = db.execute("SELECT count(*) FROM turns").fetchone()
            return int(row[0]) if row else 0

        return await self._file.run(count, write=False)

    async def close(self) -> None:
        await self._file.close()
