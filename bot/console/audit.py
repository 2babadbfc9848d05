"""The console's own records: every change (the audit) and the inbox's decisions.

Both live in one SQLite file beside the turn log (``console.sqlite3`` in the directory of
the sessions' SQLite file, whatever the store), shared by every process of one installation.

* ``changes`` is append-only: a change is never updated or deleted. An undo is a change of its
  own (action ``undo``) naming the change it undoes, so the history reads top to bottom.
* ``decisions`` says what a counsellor decided about a group of inbox messages (open,
  off-topic, dismissed, taught), with the group's keys (bot/operations/grouping.py): a group
  takes the newest decision whose keys it shares or resembles, so a dismissed group stays
  dismissed and new similar messages join it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.storage.factory import sqlite_path
from bot.storage.sqlite_file import SqliteFile

#: The console's database file name, beside the sessions' SQLite file.
FILE_NAME = "console.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    undoes INTEGER,           -- the change an undo undoes
    data TEXT NOT NULL        -- JSON: file, intent, answer, text, group, accuracies ...
);
CREATE INDEX IF NOT EXISTS changes_by_undoes ON changes (undoes) WHERE undoes IS NOT NULL;
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    who TEXT NOT NULL,
    state TEXT NOT NULL,      -- open | off_topic | dismissed | taught
    signature TEXT NOT NULL,
    keys TEXT NOT NULL,       -- JSON list of the group's keys when decided
    change INTEGER,           -- the change that made it
    detail TEXT               -- e.g. the intent a group was taught to
);
"""

#: What a change can be.
ACTIONS = ("add_example", "off_topic", "dismiss", "undo")
#: The states of an inbox group.
STATES = ("open", "off_topic", "dismissed", "taught")


def console_path(config: Config) -> Path:
    """Where the console's database lives: beside the sessions' SQLite file."""
    return sqlite_path(config.sessions).parent / FILE_NAME


@dataclass(frozen=True)
class Change:
    """One recorded change. ``data`` holds what the action needs: ``file``, ``intent``,
    ``answer``, ``text``, ``group`` ({signature, representative}), ``before``/``after``
    (accuracies), ``previous_state`` …; ``undone_by`` is the undo that undid it, if any."""

    id: int
    at: float
    who: str
    action: str
    data: dict[str, Any] = field(default_factory=dict)
    undoes: int | None = None
    undone_by: int | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready, for the console."""
        return asdict(self)


@dataclass(frozen=True)
class Decision:
    """A decision about a group of inbox messages."""

    id: int
    at: float
    who: str
    state: str
    signature: str
    keys: tuple[str, ...]
    change: int | None
    detail: str | None = None


class ConsoleRecords:
    """The console's database (see the module docstring)."""

    def __init__(self, path: str | Path, timeout: float = 5.0) -> None:
        self._file = SqliteFile(path, schema=_SCHEMA, label="console database", timeout=timeout)
        self.path = self._file.path

    @classmethod
    def for_config(cls, config: Config) -> ConsoleRecords:
        """The records of the installation ``config`` describes."""
        return cls(console_path(config))

    async def record(
        self, who: str, action: str, data: dict[str, Any], undoes: int | None = None
    ) -> Change:
        """Append a change; return it with its id."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        at = time.time()
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True)

        def insert(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO changes (at, who, action, undoes, data) VALUES (?, ?, ?, ?, ?)",
                (at, who, action, undoes, payload),
            )
            return int(cursor.lastrowid or 0)

        change_id = await self._file.run(insert)
        return Change(change_id, at, who, action, data, undoes)

    async def undo_once(
        self, who: str, change_id: int, data: dict[str, Any]
    ) -> tuple[Change | None, Change]:
        """Record the undo of ``change_id`` unless it is already undone: (the undo or None,
        the change as it was). Checking and recording happen in one transaction, so two
        undos of one change never both pass. KeyError: no such change."""
        at = time.time()
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True)

        def undo(db: sqlite3.Connection) -> tuple[int | None, tuple[Any, ...]]:
            row = db.execute(
                "SELECT id, at, who, action, undoes, data FROM changes WHERE id = ?",
                (change_id,),
            ).fetchone()
            if row is None:
                raise KeyError(change_id)
            done = db.execute(
                "SELECT id FROM changes WHERE undoes = ? LIMIT 1", (change_id,)
            ).fetchone()
            if done is not None:
                return None, (*row, int(done[0]))
            cursor = db.execute(
                "INSERT INTO changes (at, who, action, undoes, data) VALUES (?, ?, 'undo', ?, ?)",
                (at, who, change_id, payload),
            )
            return int(cursor.lastrowid or 0), (*row, None)

        new_id, row = await self._file.run(undo)
        original = _change(row)
        if new_id is None:
            return None, original
        return Change(new_id, at, who, "undo", data, change_id), original

    async def get(self, change_id: int) -> Change | None:
        """One change (with ``undone_by``), or None."""
        found = await self.changes(ids=[change_id])
        return found[0] if found else None

    async def changes(
        self, limit: int = 100, before: int | None = None, ids: Iterable[int] | None = None
    ) -> list[Change]:
        """The newest changes first (ids below ``before`` when given), each with the undo
        that undid it."""
        sql = (
            "SELECT c.id, c.at, c.who, c.action, c.undoes, c.data, "
            "(SELECT u.id FROM changes u WHERE u.undoes = c.id ORDER BY u.id LIMIT 1) "
            "FROM changes c"
        )
        args: list[Any] = []
        if ids is not None:
            wanted = list(ids)
            sql += f" WHERE c.id IN ({','.join('?' * len(wanted))})"
            args += wanted
        elif before is not None:
            sql += " WHERE c.id < ?"
            args.append(before)
        sql += " ORDER BY c.id DESC LIMIT ?"
        args.append(limit)
        rows = await self._file.run(lambda db: db.execute(sql, args).fetchall(), write=False)
        return [_change(row) for row in rows]

    async def decide(
        self,
        who: str,
        state: str,
        signature: str,
        keys: Iterable[str],
        change: int | None,
        detail: str | None = None,
    ) -> None:
        """Record a decision about a group."""
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        row = (
            time.time(),
            who,
            state,
            signature,
            json.dumps(sorted(keys), ensure_ascii=False),
            change,
            detail,
        )
        await self._file.run(
            lambda db: db.execute(
                "INSERT INTO decisions (at, who, state, signature, keys, change, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        )

    async def decisions(self) -> list[Decision]:
        """Every decision, oldest first."""
        rows = await self._file.run(
            lambda db: db.execute(
                "SELECT id, at, who, state, signature, keys, change, detail FROM decisions "
                "ORDER BY id"
            ).fetchall(),
            write=False,
        )
        return [
            Decision(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5])), r[6], r[7])
            for r in rows
        ]

    async def close(self) -> None:
        """Close the database."""
        await self._file.close()


def _change(row: tuple[Any, ...]) -> Change:
    change_id, at, who, action, undoes, data, undone_by = row
    return Change(
        int(change_id), float(at), str(who), str(action), json.loads(data), undoes, undone_by
    )
