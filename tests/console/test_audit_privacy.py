"""The console's audit keeps no personal data: texts are masked when written (also what the
masking of the inbox missed before), and "删除我的记录" clears the texts its author wrote from
every change that quotes them (real SQLite files, as the console keeps them)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.console.audit import FORGOTTEN, ConsoleRecords
from bot.console.editing import EditError
from bot.messages import Incoming
from tests.console.desk import Desk


async def say(desk: Desk, text: str, user: str) -> str | None:
    response = await desk.engine.handle(Incoming(user=user, text=text, platform="test"))
    return response.intent


def raw_audit(records: ConsoleRecords) -> str:
    with sqlite3.connect(records.path) as db:
        return json.dumps(db.execute("SELECT * FROM changes").fetchall(), ensure_ascii=False)


async def test_the_audit_is_masked_on_write(desk: Desk) -> None:
    change = await desk.records.record(
        "li",
        "dismiss",
        {
            "text": "我电话１３８１２３４５６７８",
            "group": {"signature": "s", "representative": "我是张三 住在李家村", "keys": []},
        },
    )
    stored = raw_audit(desk.records)
    for secret in ("１３８１２３４５６７８", "13812345678", "张三", "李家村"):
        assert secret not in stored
        assert secret not in json.dumps(change.data, ensure_ascii=False)


async def test_forgetting_clears_the_audit_of_that_person_only(desk: Desk) -> None:
    assert await say(desk, "推荐一部好看的电影给我", "alice") in ("fallback", "clarify")
    assert await say(desk, "红烧肉怎么做才好吃", "bob") in ("fallback", "clarify")
    groups, _ = await desk.inbox.groups()
    by_text = {g.group.representative: g for g in groups}
    film = by_text["推荐一部好看的电影给我"]
    pork = by_text["红烧肉怎么做才好吃"]
    film_change = await desk.inbox.decide("li", "off_topic", film.signature)
    pork_change = await desk.inbox.decide("li", "dismissed", pork.signature)
    undo = await desk.teacher.undo(film_change.id, who="wang")
    assert "电影" in raw_audit(desk.records)
    assert "authors" not in json.dumps(film_change.data)  # who wrote it is kept apart

    response = await desk.engine.handle(
        Incoming(user="alice", text="删除我的记录", platform="test")
    )
    assert response.intent == "forget"

    stored = raw_audit(desk.records)
    assert "电影" not in stored  # the change and its undo
    assert "红烧肉怎么做才好吃" in stored  # another person's text stays
    for change_id in (film_change.id, undo.id):
        change = await desk.records.get(change_id)
        assert change is not None
        assert change.data["group"]["representative"] == FORGOTTEN
    kept = await desk.records.get(pork_change.id)
    assert kept is not None and kept.data["group"]["representative"] == "红烧肉怎么做才好吃"
    assert await say(desk, "删除我的记录", "bob") == "forget"
    # a decision about forgotten words cannot be undone any more (and says why)
    with pytest.raises(EditError, match="已按用户要求删除"):
        await desk.teacher.undo(pork_change.id, who="wang")
