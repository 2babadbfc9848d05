"""The console's safety view (安全, issue 23 item 8): the clear- and possible-danger turns as
they happen, for the counsellor on duty, and for reviewing false alarms later.

The turns come from the turn log (bot/storage/turns/), which keeps for each of them the tier,
the kind, the rule of the urgency decision (bot/conversation/policies/urgency.py) that decided,
the masked conversation and the masked text. A counsellor marks a turn 已查看 (reviewed) or 误报
(false alarm); marks are kept in ``safety_marks`` of the console's database
(``console.sqlite3``, bot/console/audit.py), append-only: a turn shows its newest mark, and
the history keeps who marked what and when. Marks name a turn by its random ``ref``, never
by its text.

- ``GET  /admin/api/safety?state=open|reviewed|false_alarm|all&limit=N``: the newest turns
  (newest first) with their marks and the counts per state; the page polls it;
- ``POST /admin/api/safety/mark`` ``{ref, state}``: mark one turn (behind the CSRF and Origin
  checks like every console change; the page asks for one confirmation first).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.console.audit import console_path
from bot.console.inbox_api import store_errors
from bot.console.web import Console, ConsoleError, read_json, session_of
from bot.storage.sqlite_file import SqliteFile
from bot.storage.turns.base import TurnRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS safety_marks (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    who TEXT NOT NULL,
    ref TEXT NOT NULL,        -- the turn record's ref (bot/storage/turns/base.py)
    state TEXT NOT NULL       -- reviewed | false_alarm
);
CREATE INDEX IF NOT EXISTS safety_marks_by_ref ON safety_marks (ref);
"""

#: What a counsellor can mark a turn as, with its label.
MARKS = {"reviewed": "已查看", "false_alarm": "误报"}
#: The states the page filters by ("open": not marked yet).
STATES = ("open", *MARKS)
TIERS = {"clear": "明确危险", "possible": "可能危险"}
KINDS = {"violence": "人身或财产威胁", "self_harm": "自伤或轻生"}
#: The rules of bot/conversation/policies/urgency.py that give clear or possible danger.
RULES = {
    "yes to the safety question": "对安全询问回答了“是”",
    "a clear sign": "明确的危险信号",
    "a clear sign the model doubts": "明确的危险信号，但模型读来偏平静",
    "a clear sign the model reads as possible danger": "明确的危险信号，模型读来只是可能危险",
    "the model is confident": "模型很有把握是紧急情况",
    "a possible sign": "可能的预警信号",
    "a middling probability": "模型判断有一定可能",
}
#: Turns shown at most, and how many of the newest danger turns are read to fill them.
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
SCAN = 2000


@dataclass(frozen=True)
class Mark:
    """A counsellor's mark on one turn."""

    ref: str
    state: str
    who: str
    at: float

    def to_json(self) -> dict[str, Any]:
        """JSON-ready, with the label."""
        return {**asdict(self), "label": MARKS.get(self.state, self.state)}


class SafetyMarks:
    """The marks in the console's database (see the module docstring)."""

    def __init__(self, path: str | Path, timeout: float = 5.0) -> None:
        self._file = SqliteFile(path, schema=_SCHEMA, label="console database", timeout=timeout)
        self.path = self._file.path

    async def mark(self, who: str, ref: str, state: str) -> Mark:
        """Record ``state`` for the turn ``ref``."""
        if state not in MARKS:
            raise ValueError(f"unknown mark {state!r}")
        mark = Mark(ref, state, who, time.time())
        await self._file.run(
            lambda db: db.execute(
                "INSERT INTO safety_marks (at, who, ref, state) VALUES (?, ?, ?, ?)",
                (mark.at, mark.who, mark.ref, mark.state),
            )
        )
        return mark

    async def newest(self, refs: list[str]) -> dict[str, Mark]:
        """The newest mark of each of ``refs`` that has one."""
        if not refs:
            return {}

        def read(db: sqlite3.Connection) -> list[Any]:
            found: list[Any] = []
            for start in range(0, len(refs), 500):  # SQLite's limit on parameters
                chunk = refs[start : start + 500]
                found += db.execute(
                    "SELECT ref, state, who, at FROM safety_marks "
                    f"WHERE ref IN ({','.join('?' * len(chunk))}) ORDER BY id",
                    chunk,
                ).fetchall()
            return found

        rows = await self._file.run(read, write=False)
        return {str(r[0]): Mark(str(r[0]), str(r[1]), str(r[2]), float(r[3])) for r in rows}

    async def history(self, ref: str) -> list[Mark]:
        """Every mark of ``ref``, oldest first."""
        rows = await self._file.run(
            lambda db: db.execute(
                "SELECT ref, state, who, at FROM safety_marks WHERE ref = ? ORDER BY id", (ref,)
            ).fetchall(),
            write=False,
        )
        return [Mark(str(r[0]), str(r[1]), str(r[2]), float(r[3])) for r in rows]

    async def close(self) -> None:
        """Close the database."""
        await self._file.close()


def describe(turn: TurnRecord, mark: Mark | None) -> dict[str, Any]:
    """One turn for the page: the facts, their Chinese labels, and its mark."""
    return {
        "ref": turn.ref,
        "at": turn.at,
        "platform": turn.platform,
        "conversation": turn.conversation,
        "tier": turn.tier,
        "tier_label": TIERS.get(turn.tier, turn.tier),
        "kind": turn.kind,
        "kind_label": KINDS.get(turn.kind, turn.kind or "—"),
        "rule": turn.rule,
        "rule_label": RULES.get(turn.rule, turn.rule),
        "intent": turn.intent,
        "text": turn.text,
        "mark": None if mark is None else mark.to_json(),
    }


class SafetyApi:
    """The endpoints over one engine (see the module docstring)."""

    def __init__(self, console: Console, marks: SafetyMarks | None = None) -> None:
        self.engine = console.engine
        self.marks = marks or SafetyMarks(console_path(console.config))

    async def _turns(self) -> list[TurnRecord]:
        recorder = self.engine.insights
        if recorder.log is None:
            return []
        await recorder.flush()  # what was just handled is shown
        return [t for t in await recorder.log.danger(limit=SCAN) if t.ref]

    async def turns(self, request: web.Request) -> dict[str, Any]:
        """GET safety."""
        state = request.query.get("state", "all")
        if state not in (*STATES, "all"):
            raise ConsoleError(400, "bad_request", "没有这种状态。")
        try:
            limit = int(request.query.get("limit", DEFAULT_LIMIT))
        except ValueError:
            raise ConsoleError(400, "bad_request", "limit 必须是数字。") from None
        limit = max(1, min(limit, MAX_LIMIT))
        turns = await self._turns()
        marks = await self.marks.newest([t.ref for t in turns])
        counts = dict.fromkeys(STATES, 0)
        shown: list[dict[str, Any]] = []
        for turn in turns:
            mark = marks.get(turn.ref)
            turn_state = mark.state if mark is not None else "open"
            counts[turn_state] = counts.get(turn_state, 0) + 1
            if state in ("all", turn_state) and len(shown) < limit:
                shown.append(describe(turn, mark))
        return {
            "state": state,
            "turns": shown,
            "counts": counts,
            "recording": self.engine.insights.log is not None,
            "retention_days": self.engine.config.insights.retention_days,
            "now": time.time(),
        }

    async def mark(self, request: web.Request) -> dict[str, Any]:
        """POST safety/mark."""
        body = await read_json(request)
        ref, state = body.get("ref"), body.get("state")
        if not isinstance(ref, str) or not ref or len(ref) > 64:
            raise ConsoleError(400, "bad_request", "请求缺少有效的 ref。")
        if state not in MARKS:
            raise ConsoleError(400, "bad_request", "只能标为“已查看”或“误报”。")
        if not any(t.ref == ref for t in await self._turns()):
            raise ConsoleError(404, "no_such_turn", "找不到这条消息了（可能已过保留期），请刷新。")
        mark = await self.marks.mark(session_of(request).who, ref, str(state))
        return {"mark": mark.to_json()}


#: where the console's sub-application keeps its :class:`SafetyApi`
SAFETY_API = web.AppKey("safety_api", SafetyApi)


def install(console: Console) -> None:
    """Add the safety view's endpoints and tab."""
    api = SafetyApi(console)
    console.app[SAFETY_API] = api
    console.on_cleanup(api.marks.close)
    console.get("safety", store_errors(api.turns))
    console.post("safety/mark", store_errors(api.mark))
    console.section("safety", "安全", script="safety.js", order=15)
