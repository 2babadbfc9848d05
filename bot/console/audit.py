"""The console's own records: every change (the audit) and the inbox's decisions.

Both live in one SQLite file beside the turn log (``console.sqlite3`` in the directory of
the sessions' SQLite file, whatever the store), shared by every process of one installation.

* ``changes`` is append-only: a change is never deleted. An undo is a change of its own
  (action ``undo``) naming the change it undoes, so the history reads top to bottom. The one
  update is privacy's: texts are masked (:func:`bot.privacy.mask`) before they are written, and
  "删除我的记录" replaces the texts a person wrote (a group's representative message, a taught
  example taken from it) with :data:`FORGOTTEN` and empties the group's keys (its texts reduced),
in the change and in the decision it made, which then no longer applies to new messages
(:meth:`ConsoleRecords.forget_author`); such a change cannot be undone any more. Who
  wrote a text is kept apart, in ``change_authors``, as the turn log's salted hash.
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
from bot.privacy import mask
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
CREATE TABLE IF NOT EXISTS change_authors (
    change INTEGER NOT NULL,  -- a change quoting a person's text
    author TEXT NOT NULL      -- the person, as the turn log's salted hash (user_tag)
);
CREATE INDEX IF NOT EXISTS change_authors_by_author ON change_authors (author);
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

#: What replaces a text its author asked to delete.
FORGOTTEN = "（已按用户要求删除）"

#: What a change can be.
ACTIONS = ("add_example", "add_answer", "off_topic", "dismiss", "undo")
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
        data, authors = _masked(data)
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True)

        def insert(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO changes (at, who, action, undoes, data) VALUES (?, ?, ?, ?, ?)",
                (at, who, action, undoes, payload),
            )
            change_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO change_authors (change, author) VALUES (?, ?)",
                [(change_id, author) for author in authors],
            )
            return change_id

        change_id = await self._file.run(insert)
        return Change(change_id, at, who, action, data, undoes)

    async def undo_once(
        self, who: str, change_id: int, data: dict[str, Any]
    ) -> tuple[Change | None, Change]:
        """Record the undo of ``change_id`` unless it is already undone: (the undo or None,
        the change as it was). Checking and recording happen in one transaction, so two
        undos of one change never both pass. KeyError: no such change."""
        at = time.time()
        data, _ = _masked(data)
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
            new_id = int(cursor.lastrowid or 0)
            db.execute(  # the undo quotes what the change quoted
                "INSERT INTO change_authors (change, author) "
                "SELECT ?, author FROM change_authors WHERE change = ?",
                (new_id, change_id),
            )
            return new_id, (*row, None)

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

    async def forget_author(self, author: str) -> int:
        """ "删除我的记录": replace the texts ``author`` (a salted hash) wrote in every change
        quoting them with :data:`FORGOTTEN`; return how many changes that was."""

        def forget(db: sqlite3.Connection) -> int:
            rows = db.execute(
                "SELECT id, data FROM changes WHERE id IN "
                "(SELECT change FROM change_authors WHERE author = ?)",
                (author,),
            ).fetchall()
            for change_id, payload in rows:
                data = json.loads(payload)
                for key in _TEXT_KEYS:
                    if isinstance(data.get(key), str):
                        data[key] = FORGOTTEN
                group = data.get("group")
                if isinstance(group, dict):
                    # a group's keys are its texts reduced: they go too
                    group["representative"] = FORGOTTEN
                    group["keys"] = []
                data["forgotten"] = True
                db.execute(
                    "UPDATE changes SET data = ? WHERE id = ?",
                    (json.dumps(data, ensure_ascii=False, sort_keys=True), change_id),
                )
            db.executemany(  # a decision about the texts lapses with them
                "UPDATE decisions SET keys = '[]' WHERE change = ?", [(r[0],) for r in rows]
            )
            db.execute("DELETE FROM change_authors WHERE author = ?", (author,))
            return len(rows)

        return await self._file.run(forget)

    async def close(self) -> None:
        """Close the database."""
        await self._file.close()


#: the fields of a change's data that quote a person's words
_TEXT_KEYS = ("text",)


def _masked(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``data`` with its texts masked and the ``authors`` lists (of the change and of its
    group) taken out; and those authors."""
    data = dict(data)
    authors = set(data.pop("authors", None) or ())
    for key in _TEXT_KEYS:
        if isinstance(data.get(key), str):
            data[key] = mask(data[key])
    group = data.get("group")
    if isinstance(group, dict):
        group = dict(group)
        authors |= set(group.pop("authors", None) or ())
        if isinstance(group.get("representative"), str):
            group["representative"] = mask(group["representative"])
        data["group"] = group
    return data, sorted(str(a) for a in authors)


async def forget_author_everywhere(config: Config, author: str) -> int:
    """Clear ``author``'s texts from the console's records of ``config``'s installation, when
    it has any (the file is never created here); how many changes."""
    path = console_path(config)
    if not path.exists():
        return 0
    records = ConsoleRecords(path)
    try:
        return await records.forget_author(author)
    finally:
        await records.close()


def _change(row: tuple[Any, ...]) -> Change:
    change_id, at, who, action, undoes, data, undone_by = row
    return Change(
        int(change_id), float(at), str(who), str(action), json.loads(data), undoes, undone_by
    )
