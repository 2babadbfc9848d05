"""Multi-turn conversations: every follow-up branch of every intent, details remembered,
the calculator, overrides, expiry, reset, forgetting, and persistence across a restart."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from bot.content import FollowUp, IntentSpec, load_content
from bot.conversation.actions import NOTED_OPENING
from bot.conversation.numbers import quieted
from bot.conversation.state import Session
from bot.engine import Engine, Understanding
from bot.messages import Incoming
from bot.storage.sessions.memory import MemoryStore
from bot.understanding.details import extract_details
from tests.harness import Chat, memory_config, stored_session

CONTENT = load_content(memory_config().intents_path)

#: A message that carries each kind of detail a follow-up may ask for.
DETAIL_ANSWERS = {
    "amount": "大概3万",
    "months": "想分24期",
    "lender": "是招商银行的",
    "overdue": "已经逾期3个月了",
    "any": "招行的，欠了3万左右",
}


def branches(follow_up: FollowUp) -> list[tuple[str, str]]:
    """(what the person types, text the reply must contain) for every branch."""
    if follow_up.answers is not None:
        out = [("是的", follow_up.answers.affirm), ("没有", follow_up.answers.deny)]
        out.append(("不知道", follow_up.answers.unsure or follow_up.answers.deny))
        return out
    if follow_up.options is not None:
        out = []
        for i, option in enumerate(follow_up.options, start=1):
            if option.reply is not None:
                out.append((str(i), option.reply))
            else:  # a jump to another intent: its advice is the answer
                out.append((str(i), CONTENT.intent(option.intent or "").advice.short))
        return out
    assert follow_up.detail is not None and follow_up.reply is not None
    return [(DETAIL_ANSWERS[follow_up.detail], follow_up.reply)]


def first_line(text: str) -> str:
    return text.strip().splitlines()[0]


CASES = [
    pytest.param(spec, index, said, expected, id=f"{spec.id}-{fu.id}-{n}")
    for spec in CONTENT.topics
    for index, fu in enumerate(spec.follow_ups)
    for n, (said, expected) in enumerate(branches(fu))
]


async def _reach(chat: Chat, spec: IntentSpec, index: int) -> None:
    """Start the topic and answer its earlier follow-ups until follow-up ``index`` is asked.
    The opening message is an example that does not already answer any of these questions
    (the bot rightly skips a question whose answer it was told), nor asks a specific question
    the question bank answers (its answer comes first, and the topic's question is not asked)."""
    slots = {fu.slot for fu in spec.follow_ups[: index + 1] if fu.slot}
    key = chat.engine.session_key(Incoming(user=chat.user, text=""))
    for opening in (
        e
        for e in spec.examples
        if not any(getattr(extract_details(e.lower()), s) is not None for s in slots)
    ):
        await chat.say(opening)
        started = await stored_session(chat.engine, key)
        if started is not None and started.pending is not None:
            break
        await chat.say("重新开始")  # a specific question answered, no question asked: next one
    assert chat.last.intent == spec.id or spec.id in (r.intent for r in chat.last.intents)
    for earlier in spec.follow_ups[:index]:
        said, _ = branches(earlier)[0]
        if earlier.options is not None and earlier.options[0].intent is not None:
            said, _ = next(
                (
                    (s, e)
                    for (s, e), o in zip(branches(earlier), earlier.options, strict=True)
                    if o.intent is None
                ),
                branches(earlier)[0],
            )
        await chat.say(said)
    asked = spec.follow_ups[index].question
    session = await stored_session(
        chat.engine, chat.engine.session_key(Incoming(user=chat.user, text=""))
    )
    assert session is not None and session.pending is not None, asked
    assert session.pending.follow_up == spec.follow_ups[index].id, asked


@pytest.mark.parametrize(("spec", "index", "said", "expected"), CASES)
async def test_follow_up_branch(
    chat: Chat, spec: IntentSpec, index: int, said: str, expected: str
) -> None:
    await _reach(chat, spec, index)
    replies = await chat.say(said)
    expected = NOTED_OPENING.sub("", first_line(expected))  # "记下了" may say what was heard
    # (a calm reply names the police in words: output.quiet_numbers)
    assert any(expected in r or quieted(expected) in r for r in replies), (said, replies)


async def test_credentials_not_shown_means_no_money_talk(chat: Chat) -> None:
    await chat.say("催收的人在门口")
    text = await chat.text("没有")
    assert "不要谈钱" in text or "先不要谈钱" in text
    assert "卡背面" in text


async def test_new_topic_overrides_pending_question(chat: Chat) -> None:
    await chat.say("催收的人在门口")
    await chat.say("欠信用卡不还会坐牢吗")
    assert chat.last.intent == "legal_consequences"


async def test_urgent_message_wins_over_pending_question(chat: Chat) -> None:
    await chat.say("怎么和银行协商分期")
    replies = await chat.say("他们现在在踹门 说不给钱不走")
    assert chat.last.intent == "threat_or_violence"
    assert "110" in replies[0]


async def test_details_are_remembered_and_reused(chat: Chat, engine: Engine) -> None:
    await chat.say("我欠招行3万5，逾期3个月了")
    session = await stored_session(engine, engine.session_key(Incoming(user="alice", text="")))
    assert session is not None
    assert session.details.amount == 35000
    assert session.details.lender == "招商银行"
    assert session.details.overdue_months == 3
    text = await chat.text("想分24期，每个月要还多少")
    assert "35,000.00元" in text and "24期" in text
    text = await chat.text("那分36期呢？")
    assert "36期" in text and "972.22" in text  # 35000 / 36, interest-free


async def test_calculator_values_and_rate_shown(chat: Chat) -> None:
    text = await chat.text("欠了12万，想协商分12期还")
    assert "10,000.00" in text  # interest-free: 120000 / 12
    assert "年化10%举例" in text  # the configured example rate is stated
    assert "银行" in text and "第七十条" in text


async def test_more_than_60_months_gets_a_note(chat: Chat) -> None:
    text = await chat.text("欠5万，能不能分72期还")
    assert "72期" in text and "5年" in text


async def test_calculator_never_repeats_amounts_in_a_group(engine: Engine) -> None:
    group = Chat(engine, user="bob", room="g1")
    text = await group.text("欠了12万，想协商分12期还")
    assert "120,000" not in text and "12万" not in text
    assert "私聊" in text


async def test_number_picks_clarified_topic(chat: Chat) -> None:
    await chat.say("菜单")
    await chat.say("2")
    assert chat.last.intent == "verify_identity"


async def test_session_expires_after_idle_time(understanding: Understanding) -> None:
    config = memory_config()
    store = MemoryStore(idle_seconds=60)
    engine = Engine(config, understanding, store)
    chat = Chat(engine)
    await chat.say("催收的人在门口")
    key = engine.session_key(Incoming(user="alice", text=""))
    record = await store.get(key)
    assert record is not None and Session.from_json(record.data).pending is not None
    await store.put(replace(record, last_seen=time.time() - 3600))
    replies = await chat.say("没有")  # the stale question is gone: "没有" alone means nothing
    assert chat.last.intent != "collector_at_door"
    assert not any("不要谈钱" in r for r in replies)


@pytest.mark.parametrize("word", ["重新开始", "退出"])  # on chat platforms 退出 ends the topic
async def test_reset_clears_pending_question_and_details(
    chat: Chat, engine: Engine, word: str
) -> None:
    await chat.say("我欠招行3万，催收的人在门口")
    await chat.say(word)
    assert chat.last.intent == "reset"
    session = await stored_session(engine, engine.session_key(Incoming(user="alice", text="")))
    assert session is not None
    assert session.pending is None and not session.details and session.active_intent is None


async def test_delete_my_records(engine: Engine) -> None:
    private = Chat(engine, user="carol")
    group = Chat(engine, user="carol", room="g9")
    other = Chat(engine, user="dave")
    await private.say("催收的人在门口")
    await group.say("怎么投诉")
    await other.say("怎么投诉")
    text = await private.text("删除我的记录")
    assert "已删除" in text and "2" in text
    assert await engine.store.get(engine.session_key(Incoming(user="carol", text=""))) is None
    assert await engine.store.get(engine.session_key(Incoming(user="dave", text=""))) is not None
    assert "没有" in await private.text("删除我的记录")


async def test_group_members_have_separate_conversations(engine: Engine) -> None:
    alice = Chat(engine, user="alice", room="g1")
    bob = Chat(engine, user="bob", room="g1")
    await alice.say("怎么和银行协商分期")
    text = await bob.text("详细")
    assert "菜单" in text  # bob has no topic of his own


async def test_sqlite_conversation_survives_restart(understanding: Understanding, tmp_path) -> None:
    config = memory_config()
    sessions = config.sessions.model_copy(
        update={"store": "sqlite", "sqlite_path": str(tmp_path / "s.db")}
    )
    config = config.model_copy(update={"sessions": sessions})
    first = await Engine.create(config)
    await Chat(first).say("催收的人在门口")
    await first.close()
    second = await Engine.create(config)
    try:
        text = await Chat(second).text("没有")  # answers the question asked before the restart
        assert "不要谈钱" in text
    finally:
        await second.close()


async def test_yes_no_question_answered_by_number(chat: Chat) -> None:
    await chat.say("催收的人在门口")
    assert chat.last.choices == ["有", "没有"]
    text = await chat.text("2")  # the second offered choice: 没有
    assert "先不要谈钱" in text


@pytest.mark.parametrize("number", ["0", "99", "第20"])
async def test_a_menu_number_out_of_range_says_which_numbers(chat: Chat, number: str) -> None:
    await chat.say("菜单")
    count = len(chat.last.choices)
    assert count > 2
    assert await chat.say(number) == [f"请回复1到{count}之间的数字。"]
    replies = await chat.say("1")  # the menu is still waiting for its number
    assert chat.last.intent is not None
    assert chat.last.intent != "fallback"
    assert replies
