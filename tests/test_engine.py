"""The engine end to end (without a platform): first replies, clarifying questions, the
fallback, commands, urgent messages first, groups, and bad input."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import Config
from bot.engine import Engine, Understanding
from bot.messages import Incoming, MessageKind, SessionKey
from bot.storage.sessions.memory import MemoryStore
from tests.harness import Chat, memory_config, stored_session

PHONE_SCREEN = 420  # one phone screen: about 300 characters of advice plus the question


async def test_collector_at_door_first_reply(chat: Chat) -> None:
    replies = await chat.say("催收的人在我家门口敲门怎么办")
    assert chat.last.intent == "collector_at_door"
    first = replies[0]
    assert len(first) <= PHONE_SCREEN
    for must in ("工作证", "委托书", "个人账户", "110"):
        assert must in "\n".join(replies), must
    assert any("？" in r or "?" in r for r in replies)  # a follow-up question is asked


async def test_every_topic_first_reply_fits_a_screen(chat: Chat, engine: Engine) -> None:
    for spec in engine.understanding.content.topics:
        await chat.say(spec.examples[0])
        assert all(len(r) <= PHONE_SCREEN for r in chat.last.replies), spec.id


async def test_more_gives_long_answer_with_rules(chat: Chat) -> None:
    await chat.say("怎么和银行协商个性化分期")
    text = await chat.text("详细")
    assert "第七十条" in text
    assert "依据" in text


async def test_more_without_topic(chat: Chat) -> None:
    text = await chat.text("详细")
    assert "菜单" in text


async def test_menu_then_number(chat: Chat, engine: Engine) -> None:
    text = await chat.text("菜单")
    topics = engine.understanding.content.topics
    assert f"1. {topics[0].title}" in text
    assert len(chat.last.choices) == len(topics)
    await chat.say("3")
    assert chat.last.intent == topics[2].id


async def test_clarifying_question_offers_topics_by_number(chat: Chat) -> None:
    text = await chat.text("银行")
    if chat.last.intent == "clarify":
        assert "1." in text
        assert "2." in text
        await chat.say("1")
        assert chat.last.intent not in ("clarify", "fallback")
    else:  # a clear enough topic is answered directly
        assert chat.last.intent != "fallback"


async def test_out_of_scope_gets_polite_fallback(chat: Chat) -> None:
    text = await chat.text("红烧肉怎么做")
    assert chat.last.intent == "fallback"
    assert "菜单" in text


async def test_urgent_advice_comes_first(chat: Chat) -> None:
    replies = await chat.say("我想问怎么分期，但是催收的人现在在砸门不肯走")
    assert chat.last.urgent
    assert "110" in replies[0]
    assert chat.last.intent == "threat_or_violence"
    assert any("分期" in r for r in replies[1:])


async def test_distress_names_crisis_line(chat: Chat) -> None:
    replies = await chat.say("欠了太多钱 真的不想活了")
    assert "12356" in replies[0]


async def test_reset_forgets_topic(chat: Chat) -> None:
    await chat.say("催收上门了")
    await chat.say("重新开始")
    text = await chat.text("详细")
    assert "菜单" in text  # no active topic any more


async def test_human_handover_explains_options(chat: Chat) -> None:
    text = await chat.text("人工")
    assert "12348" in text
    assert "110" in text


@pytest.mark.parametrize("text", ["", "   \n\t", "👍👍", "[捂脸][捂脸]", "\x00\x01\x02"])
async def test_empty_like_input_gets_clear_message(chat: Chat, text: str) -> None:
    replies = await chat.say(text)
    assert replies
    assert "文字" in replies[0]


async def test_huge_message_is_answered_and_truncation_said(chat: Chat) -> None:
    replies = await chat.say("催收的人在门口。" * 20_000)
    assert replies
    assert "前 2000 字" in replies[-1]


async def test_wrong_types_do_not_kill_the_engine(engine: Engine) -> None:
    response = await engine.handle("not an Incoming")  # type: ignore[arg-type]
    assert response.replies
    assert "110" in response.replies[0]
    response = await engine.handle(Incoming(user="u", text=None))  # type: ignore[arg-type]
    assert response.replies
    ok = await engine.handle(Incoming(user="u", text="催收上门了"))
    assert ok.intent == "collector_at_door"


async def test_exception_in_handling_becomes_apology(engine: Engine, monkeypatch, caplog) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(engine.understanding.dialogue, "respond", boom)
    response = await engine.handle(Incoming(user="u", text="催收上门了"))
    assert "抱歉" in response.replies[0]
    assert engine.admin.stats.errors == 1
    assert any(r.exc_info for r in caplog.records if "failed to handle" in r.getMessage())


async def test_group_needs_mention_or_trigger(engine: Engine) -> None:
    silent = await engine.handle(
        Incoming(user="a", room="g1", addressed=False, text="催收上门了怎么办")
    )
    assert silent.silent
    mentioned = await engine.handle(
        Incoming(user="a", room="g1", addressed=True, text="催收上门了怎么办")
    )
    assert mentioned.intent == "collector_at_door"
    triggered = await engine.handle(
        Incoming(user="b", room="g1", addressed=False, text="助手 催收上门了怎么办")
    )
    assert triggered.intent == "collector_at_door"


async def test_group_confident_questions_when_enabled(understanding, config) -> None:
    from bot.storage.sessions.memory import MemoryStore

    groups = config.groups.model_copy(update={"answer_confident_questions": True})
    eng = Engine(config.model_copy(update={"groups": groups}), understanding, MemoryStore(60))
    answered = await eng.handle(
        Incoming(user="a", room="g", addressed=False, text="催收的人在我家门口敲门怎么办")
    )
    assert answered.intent == "collector_at_door"
    chatter = await eng.handle(Incoming(user="a", room="g", addressed=False, text="哈哈哈好的"))
    assert chatter.silent


async def test_non_text_note_at_most_once_in_a_while(engine: Engine) -> None:
    first = await engine.handle(Incoming(user="a", text="", kind=MessageKind.IMAGE))
    assert first.replies
    assert "文字" in first.replies[0]
    second = await engine.handle(Incoming(user="a", text="", kind=MessageKind.VOICE))
    assert second.silent


async def test_conversations_are_kept_apart(engine: Engine) -> None:
    await engine.handle(Incoming(user="a", text="怎么和银行协商分期"))
    other = await engine.handle(Incoming(user="b", text="详细"))
    assert "菜单" in other.replies[0]  # b has no topic; a's is not shared


async def test_messages_of_one_conversation_are_handled_in_order(engine: Engine) -> None:
    texts = ["催收上门了", "详细", "菜单", "1", "重新开始"] * 4
    results = await asyncio.gather(*(engine.handle(Incoming(user="same", text=t)) for t in texts))
    assert all(r.replies for r in results)
    assert len(engine._locks) == 0  # the lock table empties when nobody waits


FORWARDED = (
    "客户问：催收的人昨天上门了，没出示证件，说不还就要起诉我坐牢。"
    "我欠了招行5万，逾期3个月了，能不能协商分期？另外他们天天打电话给我父母。"
)


async def test_counsellor_forward_is_split_answered_and_briefed(chat: Chat) -> None:
    replies = await chat.say(FORWARDED)
    assert len(replies) >= 3
    heads = [r.splitlines()[0] for r in replies[:-1]]
    assert all(h.startswith("【问题") for h in heads)
    answered = " ".join(heads)
    for title in ("起诉", "分期", "骚扰"):
        assert title in answered, answered
    brief = replies[-1]
    assert brief.startswith("【给顾问的简要】")
    assert "适用规定" in brief and "建议向客户了解" in brief
    assert "招商银行" in brief and "50,000" in brief
    # a phone screen: the full answers with the rules behind each come on 详细
    assert sum(len(r) for r in replies) <= 600
    assert "详细" in brief
    dossier = await chat.say("详细")
    assert len(dossier) == len(replies) - 1
    assert all("依据" in r for r in dossier)
    assert sum(len(r) for r in dossier) > 1000


async def test_a_counsellor_asking_for_the_rules_gets_them(chat: Chat) -> None:
    await chat.say(FORWARDED)
    await chat.say("详细")
    rules = await chat.say("具体是哪个文件第几条")
    assert "依据" in "\n".join(rules)


async def test_counsellor_forward_in_group_keeps_details_private(engine: Engine) -> None:
    group = Chat(engine, user="c1", room="g1")
    replies = await group.say(FORWARDED)
    assert "招商银行" not in replies[-1] and "50,000" not in replies[-1]


async def test_urgent_comes_first_in_counsellor_mode(chat: Chat) -> None:
    replies = await chat.say("【转】客户说想问问征信的事，现在催收的人在门口砸门不肯走。")
    assert "威胁" in replies[0].splitlines()[0] or "110" in replies[0]


async def test_listed_counsellor_gets_counsellor_answers(understanding, config) -> None:
    from bot.storage.sessions.memory import MemoryStore

    eng = Engine(
        config.model_copy(update={"counsellors": ["terminal:helper"]}),
        understanding,
        MemoryStore(60),
    )
    counsellor = Chat(eng, user="helper")
    replies = await counsellor.say("上门催收的时候能不能拒绝他们进门")
    assert replies[-1].startswith("【给顾问的简要】")
    short = await counsellor.say("详细")  # commands still work as commands
    assert not short[-1].startswith("【给顾问的简要】")


async def test_chat_history_message_is_counsellor_mode(engine: Engine) -> None:
    response = await engine.handle(
        Incoming(
            user="u", kind=MessageKind.CHAT_HISTORY, text="催收说要起诉我\n他们还打电话给我单位"
        )
    )
    assert response.replies[-1].startswith("【给顾问的简要】")


async def test_long_urgent_message_gets_short_urgent_steps_first(chat: Chat) -> None:
    story = (
        "我信用卡欠了好几万，之前一直在想办法还，也跟银行打过电话，" * 8
        + "现在有三个人在我家门口砸门，说不给钱就不走，我该怎么办"
    )
    replies = await chat.say(story)
    assert chat.last.intent == "threat_or_violence"
    assert "110" in replies[0]
    assert not replies[-1].startswith("【给顾问的简要】")  # not a counsellor's brief


async def test_a_described_client_case_is_counsellor_mode(chat: Chat) -> None:
    story = "客户的情况是这样的：信用卡逾期半年，欠招行五万多，催收天天打电话给她父母和单位。" * 8
    replies = await chat.say(story)
    assert replies[-1].startswith("【给顾问的简要】")


async def test_a_long_first_person_message_gets_short_steps_not_a_dossier(chat: Chat) -> None:
    story = (
        "我现在好害怕 刚才有两个人来敲门说是银行催收的 我没开门 他们在门口一直敲 "
        "说今天不还钱就不走 我一个人在家 孩子还在睡觉 我欠了招行五万多 已经逾期半年了 "
        "我不知道他们是不是真的银行的人 他们也没给我看什么证件 我该怎么办啊 "
    ) * 3
    assert len(story) >= 300
    replies = await chat.say(story)
    text = "\n".join(replies)
    assert "【给顾问的简要】" not in text and "客户" not in text
    assert "110" in replies[0]  # refusing to leave: the emergency line comes first
    assert sum(len(r) for r in replies) < 1200


async def test_a_counsellors_follow_up_answers_the_point_only(
    understanding: Understanding, config: Config
) -> None:
    from bot.storage.sessions.memory import MemoryStore

    eng = Engine(
        config.model_copy(update={"counsellors": ["terminal:helper"]}),
        understanding,
        MemoryStore(60),
    )
    counsellor = Chat(eng, user="helper")
    first = await counsellor.say("客户说催收上门了 没出示证件 还说不还钱就不走")
    assert first[-1].startswith("【给顾问的简要】")
    follow_up = await counsellor.say("那能报警吗")
    assert not any(r.startswith("【给顾问的简要】") for r in follow_up)
    assert "110" in "\n".join(follow_up)


async def test_despair_is_not_followed_by_an_unasked_topic(chat: Chat) -> None:
    replies = await chat.say("欠了十几万 真的不想活了")
    assert "12356" in replies[0]
    assert not any("核对" in r for r in replies)  # no debt-checking advice nobody asked for


async def _idle_chat(understanding: Understanding, config: Config, first: str):  # type: ignore[no-untyped-def]
    """A chat that said ``first``, then went quiet past the idle reset: (engine, chat, key)."""
    import time
    from dataclasses import replace

    from bot.storage.sessions.memory import MemoryStore

    store = MemoryStore(config.sessions.keep_seconds)
    engine = Engine(config, understanding, store)
    chat = Chat(engine)
    await chat.say(first)
    key = engine.session_key(Incoming(user="alice", text=""))
    record = await store.get(key)
    assert record is not None
    idle = config.sessions.retention_seconds
    await store.put(replace(record, last_seen=time.time() - idle - 60))
    return engine, chat, key


async def test_back_after_the_idle_reset_the_person_is_told_once(
    understanding: Understanding, config: Config
) -> None:
    engine, chat, key = await _idle_chat(understanding, config, "我欠招行3万5 催收的人在门口")
    back = await chat.say("没有")
    assert any("清掉了" in r for r in back)
    session = await stored_session(engine, key)
    assert session is not None and session.details.amount is None  # nothing kept
    again = await chat.say("他们还在门口")
    assert not any("清掉了" in r for r in again)  # once


async def test_after_the_idle_reset_the_steps_sent_before_are_pointed_to(
    understanding: Understanding, config: Config
) -> None:
    _, chat, _ = await _idle_chat(understanding, config, "催收的人在门口")
    # what was sent before the reset is still in the person's chat: not sent word for word
    back = await chat.say("有人上门催收")
    steps = next(s for s in understanding.content.intents if s.id == "collector_at_door")
    assert any("清掉了" in r for r in back)
    assert steps.advice.short.strip() not in back
    assert any("上面" in r for r in back), back


async def test_an_unreadable_stored_session_starts_afresh(
    engine: Engine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import time

    from bot.storage.sessions.base import SessionRecord

    key = engine.session_key(Incoming(user="bob", text=""))
    await engine.store.put(SessionRecord(key, "terminal:bob", time.time(), "{not json"))
    response = await engine.handle(Incoming(user="bob", text="催收的人在门口"))
    assert response.intent == "collector_at_door"
    assert "unreadable session" in caplog.text


async def test_a_counsellors_follow_up_reuses_the_cases_figures(
    understanding: Understanding, config: Config
) -> None:
    from bot.storage.sessions.memory import MemoryStore

    eng = Engine(
        config.model_copy(update={"counsellors": ["terminal:helper"]}),
        understanding,
        MemoryStore(60),
    )
    counsellor = Chat(eng, user="helper")
    await counsellor.say("客户说欠招行4万 逾期半年 想问能不能分期 催收天天打电话")
    replies = await counsellor.say("分24期每月大概多少")
    assert any("40,000.00元" in r and "24期" in r for r in replies), replies


# --------------------------------------------------------------------------- hostile ids

#: Pairs of distinct (platform, user, room) that naive "a:b:c" or "a/b/c" keys would merge.
#: The HTTP adapter's ids are "<conversation>/<user>" (bot/adapters/http.py).
HOSTILE_PAIRS = [
    (("http", "a/b/c", "a/b/r"), ("http", "a/b/r/c", "a")),
    (("http", "c", "a/b"), ("http", "b/c", "a")),  # conversation "a/b"+"c" vs "a"+"b/c"
    (("http", "a:b/c", None), ("http", "a", "b/c")),
    (("terminal", "c", "a:b"), ("terminal", "b:c", "a")),
    (("terminal", "u:x", None), ("terminal", "x", "u")),
    (("p:u", "x", None), ("p", "x", "u")),
    (("p:g", "x", None), ("p", "x", "u")),  # naive: both "p:g:u:x"
    (("a:b", "c", None), ("a", "b:c", None)),  # naive: one person "a:b:c" for 删除我的记录
    (("http", "c", "a:b"), ("http", "b:c", "a")),
    (("terminal", "a%3Ab", None), ("terminal", "a:b", None)),
    (("terminal", "%", "%25"), ("terminal", "%25", "%")),
]


@pytest.mark.parametrize(("first", "second"), HOSTILE_PAIRS)
async def test_hostile_ids_never_share_a_conversation(
    first: tuple[str, str, str | None],
    second: tuple[str, str, str | None],
    understanding: Understanding,
) -> None:
    store = MemoryStore(600)
    engine = Engine(memory_config(), understanding, store)

    def said(who: tuple[str, str, str | None], text: str) -> Incoming:
        platform, user, room = who
        return Incoming(user=user, text=text, platform=platform, room=room, addressed=True)

    async def remembers_amount(who: tuple[str, str, str | None]) -> bool:
        record = await store.get(engine.session_key(said(who, "")))
        return record is not None and "87654" in record.data

    try:
        one, two = said(first, ""), said(second, "")
        assert engine.session_key(one) != engine.session_key(two)
        assert SessionKey.of(one).user != SessionKey.of(two).user
        await engine.handle(said(first, "我欠平安银行87654元"))
        await engine.handle(said(second, "分12期每月还多少"))
        assert await remembers_amount(first)
        assert not await remembers_amount(second)  # nothing read across
        assert len(store) == 2
        # The second one's "删除我的记录" never deletes the first one's conversation.
        await engine.handle(said(second, "删除我的记录"))
        assert await remembers_amount(first)
        assert len(store) == 1
    finally:
        await engine.close()
