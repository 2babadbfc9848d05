"""No non-answer as a whole reply (issue 26, item 4), through Engine.handle in private chats and
groups: a pointer to earlier text only with the point itself; a calculation asked for is
always computed; the scope line only for what is out of scope; "没看懂" only with a concrete
question back; a short anxious message said again gets presence and one step, never the same
line twice."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from importlib import resources

import pytest

from bot.conversation import texts
from bot.conversation.numbers import quieted
from bot.engine import Engine
from bot.messages import Incoming
from tests.harness import Chat

#: what a bare pointer used to say, with nothing of the point
BARE_POINTERS = ("往上翻", "上面已经发过", "已经发过了")


def _in_scope_messages(limit: int = 60) -> list[str]:
    path = resources.files("bot.operations") / "data" / "testset.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    topics = [r["text"] for r in rows if r["intent"] not in ("fallback", "greeting", "thanks")]
    return topics[::3][:limit]


def _has_point(reply: str) -> bool:
    """The reply carries something to do or know, not only "see above"."""
    return not any(p in reply for p in BARE_POINTERS) and len(reply) > 20


@pytest.mark.parametrize("room", [None, "g1"], ids=["private", "group"])
async def test_a_clear_question_asked_again_gets_its_steps(
    engine: Engine, room: str | None
) -> None:
    chat = Chat(engine, room=room)
    first = await chat.text("信用卡上门了怎么办")
    for _ in range(3):
        again = await chat.say("信用卡上门了怎么办")
        assert again and _has_point(again[0]), again
        assert "1." in again[0] and "2." in again[0], again  # the steps, not a guessed step
        assert not any(p in "\n".join(again) for p in BARE_POINTERS)
    assert "1." in first


async def test_after_the_idle_reset_a_question_is_answered_not_pointed_at(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("催收的人在门口")
    key = engine.session_key(Incoming(user=chat.user, text=""))
    record = await engine.store.get(key)
    assert record is not None
    idle = engine.config.sessions.retention_seconds
    await engine.store.put(replace(record, last_seen=time.time() - idle - 60))
    replies = await chat.say("催收的人在门口")  # the block is in the person's chat, not here
    joined = "\n".join(replies)
    assert not any(p in joined for p in BARE_POINTERS), joined
    assert "1." in joined and "110" in joined


@pytest.mark.parametrize(
    ("ask", "figure"),
    [
        ("欠招商银行5万 免息分12期 每月还多少", "4,166.66"),
        ("帮我算一下 借了3万 等额本息 分24期 年化18%", "1,497.72"),
    ],
)
async def test_a_calculation_asked_again_is_computed_again(
    engine: Engine, ask: str, figure: str
) -> None:
    chat = Chat(engine)
    assert figure in await chat.text(ask)
    again = await chat.text(ask)
    assert figure in again, again
    assert "上面第" not in again


@pytest.mark.parametrize("room", [None, "g1"], ids=["private", "group"])
async def test_the_scope_line_only_for_what_is_out_of_scope(
    engine: Engine, room: str | None
) -> None:
    """In-scope questions asked in the middle of a visit never get the scope line, and
    "没看懂" always comes with a question back."""
    chat = Chat(engine, user="scope", room=room)
    await chat.say("催收的人在门口")
    for said in _in_scope_messages():
        reply = await chat.text(said)
        assert texts.SCOPE_LINE not in reply, (said, reply)
        if "没太看懂" in reply:
            assert "？" in reply or "?" in reply, (said, reply)
    fresh = Chat(engine, user="scope-fresh", room=room)
    out = await fresh.text("帮我写个请假条呗")
    assert "帮不上" in out or "范围" in out


async def test_not_understood_inside_a_topic_asks_a_concrete_question(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("怎么和银行协商分期")
    await chat.say("欠5万 分24期")  # the topic's questions answered
    for said in ("嗯那个啥", "这个那个"):
        reply = await chat.text(said)
        if "没太看懂" in reply:
            assert "？" in reply, reply


@pytest.mark.parametrize("room", [None, "g1"], ids=["private", "group"])
async def test_a_short_anxious_message_again_gets_presence_and_one_step(
    engine: Engine, room: str | None
) -> None:
    chat = Chat(engine, user="fear", room=room)
    await chat.say("催收的人在门口 在敲门")
    seen: set[str] = set()
    for said in ("怕", "好怕", "我好害怕", "怕", "慌"):
        replies = await chat.say(said)
        # (possible danger's warm lines may come first: urgency is asked before all else)
        first = next((r for r in replies if r.startswith(texts.PRESENCE)), "")
        assert first, (said, replies)
        assert "先做这一步：" in first
        assert texts.SCOPE_LINE not in "\n".join(replies)
        assert first not in seen, (said, first)  # never the same line twice
        seen.add(first)
        if room is not None:
            assert sum(len(r) for r in replies) <= 300


async def test_venting_again_is_met_in_new_words(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("怎么和银行协商分期")
    lines = [(await chat.say(said))[0] for said in ("烦死了", "烦死了", "真的烦死了")]
    assert len(set(lines)) == 3, lines
    assert all(texts.SCOPE_LINE not in line for line in lines)


def _tying_questions(engine: Engine, limit: int = 5) -> list[str]:
    """Questions of the direct-answer set the selector reads as two tying answers today (asked
    ones: a message that only tells gets the topic's steps, see policies/direct.py)."""
    from bot.conversation.policies.direct import TIE_FLOOR

    path = resources.files("bot.operations") / "data" / "direct_answers.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    found = []
    for row in rows:
        reading = engine.understanding.reader.read(row["text"])
        direct = reading.direct
        if (
            reading.cues.asked
            and direct is not None
            and not direct.confident
            and direct.runner_up is not None
            and min(direct.score, direct.runner_up_score) >= TIE_FLOOR
            and not engine.understanding.reader.read(row["text"]).classification.urgent
        ):
            found.append(row["text"])
        if len(found) == limit:
            break
    return found


@pytest.mark.parametrize("room", [None, "g1"], ids=["private", "group"])
async def test_two_tying_questions_are_both_answered_briefly_not_a_menu(
    engine: Engine, room: str | None
) -> None:
    questions = _tying_questions(engine)
    assert questions, "no tying question in the direct-answer set: the test would prove nothing"
    answered_both = 0
    for i, text in enumerate(questions):
        direct = engine.understanding.reader.read(text).direct
        assert direct is not None and direct.runner_up is not None
        content = engine.understanding.content
        first, second = content.answer(direct.answer)[1], content.answer(direct.runner_up)[1]
        response = await engine.handle(
            Incoming(user=f"tie{i}", text=("@助手 " if room else "") + text, room=room)
        )
        reply = "\n".join(response.replies)
        assert response.intent not in ("help", "clarify"), (text, reply)
        one, two = quieted(first.short), quieted(second.short)  # (calm: output.quiet_numbers)
        if one in reply and two in reply:
            answered_both += 1
            assert reply.index(one) < reply.index(two)  # the likelier first
        if room is not None:
            assert all(len(r) <= 300 for r in response.replies), reply
    assert answered_both >= 1, questions


async def test_a_question_read_ahead_of_the_topic_is_answered_not_misunderstood(
    engine: Engine,
) -> None:
    """At the door, "how do I know it's real?" reads a little more like checking the visitor
    than the visit itself: that topic answers, with its one-line check — never "没看懂"."""
    chat = Chat(engine, user="ahead")
    await chat.say("They're at my door now, two guys, say they're from the bank about my card")
    text = "\n".join(
        await chat.say("They show some card with Chinese on it. How do I know it's real?")
    )
    assert "没太看懂" not in text and "没看懂" not in text and "didn't quite understand" not in text
    assert "核实" in text or "check" in text.lower()  # (answered in English: "check yourself")


async def test_a_reply_over_one_phone_screen_drops_the_detail_hint(engine: Engine) -> None:
    """Over 300 characters the "详细" hint goes first (the steps stay whole); a short reply
    keeps it."""
    from bot.conversation import texts

    chat = Chat(engine, user="phone-screen")
    replies = await chat.say("催收的讲我再不还就要去坐牢 是不是真的啊")
    text = "\n".join(replies)
    if len(text) > 300:
        assert texts.MORE_HINT not in text
    assert "民事" in text or "非法占有" in text
