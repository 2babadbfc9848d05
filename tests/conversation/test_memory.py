"""Memory that matches people (issue 26, item 6), through Engine.handle: within the retention
window (sessions.retention_hours, default 24) a person who comes back after a pause continues
the case with a one-line recap and can start afresh with one word; past it the details are
gone and the bot says so once; the window is configurable and stated to the person."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.config import Config
from bot.engine import Engine, Understanding
from bot.messages import Incoming
from bot.storage.sessions.memory import MemoryStore
from tests.harness import Chat, memory_config, stored_session


@pytest.fixture
async def keeping(understanding: Understanding) -> AsyncIterator[Engine]:
    """An engine whose store keeps conversations as long as a real one does."""
    config = memory_config()
    engine = Engine(config, understanding, MemoryStore(config.sessions.keep_seconds))
    yield engine
    await engine.close()


async def _pause(engine: Engine, chat: Chat, seconds: float) -> None:
    key = engine.session_key(Incoming(user=chat.user, text="", room=chat.room))
    record = await engine.store.get(key)
    assert record is not None
    await engine.store.put(replace(record, last_seen=time.time() - seconds))


async def test_back_the_next_morning_the_case_goes_on_with_a_recap(keeping: Engine) -> None:
    chat = Chat(keeping, user="morning")
    await chat.say("欠招商银行5万 催收的人在门口 没给看证件")
    await _pause(keeping, chat, 10 * 3600)  # the next morning, within 24 hours
    replies = await chat.say("他们说改到下周再来")
    recap = next((r for r in replies if r.startswith("（接着上次说")), "")
    assert recap, replies
    assert "招商银行" in recap and "24小时" in recap and "重新开始" in recap
    monthly = await chat.text("每月大概还多少")
    assert "50,000" in monthly or "5万" in monthly  # the amount is still known
    assert not any(r.startswith("（接着上次说") for r in await chat.say("好的"))  # once


async def test_after_the_pause_an_old_question_is_no_longer_open(keeping: Engine) -> None:
    chat = Chat(keeping, user="menu")
    await chat.say("菜单")
    await _pause(keeping, chat, 3 * 3600)
    await chat.say("你好")
    key = keeping.session_key(Incoming(user="menu", text=""))
    session = await stored_session(keeping, key)
    assert (session is not None and session.pending is None) or session.pending.kind != "menu"


async def test_one_word_starts_afresh_after_the_pause(keeping: Engine) -> None:
    chat = Chat(keeping, user="afresh")
    await chat.say("欠招商银行5万 催收的人在门口")
    await _pause(keeping, chat, 5 * 3600)
    replies = await chat.say("重新开始")
    assert not any(r.startswith("（接着上次说") for r in replies)
    session = await stored_session(keeping, keeping.session_key(Incoming(user="afresh", text="")))
    assert session is not None and session.details.amount is None


async def test_past_the_window_the_details_are_gone_and_it_is_said_once(keeping: Engine) -> None:
    chat = Chat(keeping, user="late")
    await chat.say("欠招商银行5万 催收的人在门口")
    await _pause(keeping, chat, keeping.config.sessions.retention_seconds + 60)
    back = await chat.say("他们又来了")
    assert any("清掉了" in r and "24小时" in r for r in back), back
    session = await stored_session(keeping, keeping.session_key(Incoming(user="late", text="")))
    assert session is not None and session.details.amount is None
    assert not any("清掉了" in r for r in await chat.say("他们还在门口"))


async def test_past_the_window_someone_writing_english_is_told_in_english(
    keeping: Engine,
) -> None:
    chat = Chat(keeping, user="late-en")
    await chat.say("I owe CMB 50,000 and collectors are at my door")
    await _pause(keeping, chat, keeping.config.sessions.retention_seconds + 60)
    back = await chat.say("hi again, can my parents be forced to pay my cards?")
    assert any("has been cleared" in r and "24 hours" in r for r in back), back
    assert not any("清掉了" in r for r in back)


async def test_in_a_group_the_recap_names_no_figures(keeping: Engine) -> None:
    chat = Chat(keeping, user="member", room="g1")
    await chat.say("欠招商银行5万 催收的人在门口")
    await _pause(keeping, chat, 2 * 3600)
    replies = await chat.say("他们走了")
    recap = next((r for r in replies if r.startswith("（接着上次说")), "")
    assert recap and "5万" not in recap and "50,000" not in recap and "招商" not in recap


async def test_the_window_is_configurable(understanding: Understanding) -> None:
    base: Config = memory_config()
    config = base.model_copy(
        update={"sessions": base.sessions.model_copy(update={"retention_hours": 2})}
    )
    engine = Engine(config, understanding, MemoryStore(config.sessions.keep_seconds))
    try:
        chat = Chat(engine, user="short")
        await chat.say("欠招商银行5万 催收的人在门口")
        await _pause(engine, chat, 2 * 3600 + 600)  # past 2 hours, within the return notice
        back = await chat.say("他们又来了")
        assert any("清掉了" in r and "2小时" in r for r in back), back
    finally:
        await engine.close()


async def test_the_visit_of_that_moment_is_not_carried_into_the_next_day(keeping: Engine) -> None:
    chat = Chat(keeping, user="visit")
    await chat.say("欠招商银行5万 催收的人在门口 没给看证件 说不还钱就不走")
    await _pause(keeping, chat, 12 * 3600)
    replies = await chat.say("关于昨天说的 他们改到下周来了")
    recap = next((r for r in replies if r.startswith("（接着上次说")), "")
    assert recap and "现在就在门口" not in recap and "招商银行" in recap
    session = await stored_session(keeping, keeping.session_key(Incoming(user="visit", text="")))
    assert session is not None and session.details.amount == 50_000
    assert session.crisis is None


async def test_debts_are_kept_apart_and_referred_to_by_name(engine: Engine) -> None:
    """ "回到信用卡那笔" after a calculation of 借呗 computes the card's debt, not the other."""
    chat = Chat(engine, user="debts")
    await chat.say("我欠招商银行信用卡2万 借呗1万8 想协商分期")
    loan = await chat.text("借呗那笔分12期 每月多少")
    assert "只算借呗" in loan and "18,000.00元" in loan
    card = await chat.text("回到信用卡那笔 每月最多还1500")
    assert "只算招商银行" in card and "20,000.00元要分几期" in card, card
    back = await chat.text("借呗那笔呢")
    assert "只算借呗" in back, back
