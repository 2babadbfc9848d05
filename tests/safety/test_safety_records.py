"""What the safety view reads (issue 23, item 8), through Engine.handle: every clear- and
possible-danger turn is recorded with its tier, kind, deciding rule, masked conversation and
masked text (even with texts off); a calm turn keeps nothing new; the inbox never sees the
safety view's texts; 删除我的记录 clears them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import InsightsConfig
from bot.console.audit import ConsoleRecords
from bot.console.inbox import Inbox
from bot.engine import Engine, Understanding
from bot.messages import Incoming
from bot.storage.sessions.memory import MemoryStore
from bot.storage.turns.memory import MemoryTurnLog
from tests.harness import memory_config

PHONE = "13812345678"
CLEAR = f"他拿着刀在我家楼下，说要砍我，我电话{PHONE}"
POSSIBLE = f"最近觉得自己是家里的累赘，{PHONE}"
CALM = f"怎么核实催收人员的身份，我电话{PHONE}"


def engine_with_log(
    understanding: Understanding, **insights: object
) -> tuple[Engine, MemoryTurnLog]:
    config = memory_config(insights=InsightsConfig(**insights))  # type: ignore[arg-type]
    turn_log = MemoryTurnLog(3600, 1000)
    return Engine(config, understanding, MemoryStore(600), turn_log), turn_log


@pytest.mark.parametrize("keep_text", [True, False])
async def test_clear_and_possible_turns_are_recorded_masked_calm_ones_are_not(
    understanding: Understanding, keep_text: bool
) -> None:
    engine, turn_log = engine_with_log(understanding, keep_unanswered_text=keep_text)
    try:
        clear = await engine.handle(Incoming(user="alice_1234", text=CLEAR, platform="wechat"))
        possible = await engine.handle(Incoming(user="bob", text=POSSIBLE))
        calm = await engine.handle(Incoming(user="carol", text=CALM))
        assert (clear.tier, possible.tier, calm.tier) == ("clear", "possible", "calm")
        assert (clear.kind, possible.kind, calm.kind) == ("violence", "self_harm", "")
        assert clear.rule and possible.rule and calm.rule == ""

        first, second, third = await turn_log.query(since=0)
        assert (first.tier, first.kind, first.rule) == ("clear", "violence", clear.rule)
        assert first.urgent and first.platform == "wechat"
        assert first.text == CLEAR.replace(PHONE, "138****5678")
        assert first.conversation == "wechat:u:al****34"
        assert (second.tier, second.kind, second.rule) == ("possible", "self_harm", possible.rule)
        assert second.text == POSSIBLE.replace(PHONE, "138****5678")
        assert second.conversation == "terminal:u:b****"
        for record in (first, second):
            assert record.safety_only and not record.reviewable and record.ref
            assert record.user and "alice" not in record.user  # hashed, for 删除我的记录
        # the calm turn: nothing beyond what was kept before (no text, no urgency)
        assert third.tier == "" and third.text is None and third.conversation == ""
        assert third.ref == "" and third.user == ""
        assert all(PHONE not in repr(r) for r in (first, second, third))
        assert [t.tier for t in await turn_log.danger()] == ["possible", "clear"]
    finally:
        await engine.close()


async def test_a_group_message_nobody_addressed_is_recorded_too(
    understanding: Understanding,
) -> None:
    engine, turn_log = engine_with_log(understanding)
    try:
        response = await engine.handle(
            Incoming(user="dave", text=CLEAR, platform="qq", room="group42", addressed=False)
        )
        assert response.replies and response.tier == "clear"
        [record] = await turn_log.danger()
        assert record.conversation == "qq:g:gr****42:d****" and record.kind == "violence"
        assert record.text is not None and PHONE not in record.text
    finally:
        await engine.close()


async def test_the_inbox_never_shows_the_safety_views_texts(
    understanding: Understanding, tmp_path: Path
) -> None:
    engine, _ = engine_with_log(understanding)
    records = ConsoleRecords(tmp_path / "console.sqlite3")
    try:
        await engine.handle(Incoming(user="alice", text=CLEAR))
        await engine.handle(Incoming(user="bob", text="红烧肉怎么做"))
        inbox = Inbox(engine, records)
        assert [t.text for t in await inbox.turns()] == ["红烧肉怎么做"]
    finally:
        await records.close()
        await engine.close()


async def test_delete_my_records_clears_the_safety_views_text(
    understanding: Understanding,
) -> None:
    engine, turn_log = engine_with_log(understanding)
    try:
        await engine.handle(Incoming(user="alice", text=CLEAR))
        await engine.handle(Incoming(user="bob", text=POSSIBLE))
        await engine.handle(Incoming(user="alice", text="删除我的记录"))
        possible, clear = await turn_log.danger()
        assert (clear.text, clear.conversation, clear.tier) == (None, "", "clear")
        assert possible.text is not None and possible.conversation
    finally:
        await engine.close()


async def test_a_counsellors_forwarded_case_is_recorded_with_its_kind_and_rule(
    understanding: Understanding,
) -> None:
    engine, turn_log = engine_with_log(understanding)
    try:
        text = "客户说：催收的人拿着刀在他家楼下，说要砍他，现在怎么办"
        response = await engine.handle(Incoming(user="counsellor", text=text))
        assert (response.tier, response.kind) == ("clear", "violence") and response.rule
        [record] = await turn_log.danger()
        assert (record.kind, record.rule, record.text) == ("violence", response.rule, text)
    finally:
        await engine.close()
