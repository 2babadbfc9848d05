"""The dialogue's direct-answer step: the answer first, the topic's steps only once, the next
follow-up question, 详细 expanding the answer with its sources, urgent messages untouched."""

from __future__ import annotations

import pytest

from bot.conversation.actions import Actions
from bot.conversation.numbers import quieted
from bot.conversation.policies.direct import DIRECT_REPLY_CHARS
from bot.engine import Engine
from tests.harness import Chat


async def test_direct_answer_then_topic_then_question(engine: Engine) -> None:
    content = engine.understanding.content
    spec, answer = content.answer("open_door")
    chat = Chat(engine)
    replies = await chat.say("催收在敲门 我要不要开门")
    assert replies[0] in (answer.short.strip(), quieted(answer.short.strip()))
    assert spec.advice.short.strip() in replies
    assert spec.follow_ups[0].question in replies[-1]


async def test_second_question_on_the_active_topic_skips_the_advice(engine: Engine) -> None:
    content = engine.understanding.content
    spec, _ = content.answer("open_door")
    chat = Chat(engine)
    await chat.say("催收在敲门 我要不要开门")
    same_topic, answer = content.answer("visit_at_night")
    assert same_topic.id == spec.id
    replies = await chat.say("晚上十点以后还能上门吗")
    assert replies[0] in (answer.short.strip(), quieted(answer.short.strip()))
    assert spec.advice.short.strip() not in "\n".join(replies)


async def test_more_after_a_direct_answer_gives_its_long_text_and_sources(engine: Engine) -> None:
    content = engine.understanding.content
    _, answer = content.answer("mediation_call")
    chat = Chat(engine)
    await chat.say("调解中心打电话给我是真的吗")
    text = await chat.text("详细")
    assert answer.long is not None and answer.long.strip().splitlines()[0] in text
    for source in content.sources(answer.facts):
        assert source in text


async def test_more_after_an_answer_without_long_gives_the_topic_long(engine: Engine) -> None:
    content = engine.understanding.content
    spec, answer = content.answer("credit_how_long")
    assert answer.long is None
    chat = Chat(engine)
    await chat.say("逾期记录多久能消")
    text = await chat.text("详细")
    assert (
        answer.short.strip() in text or quieted(answer.short.strip()) in text
    ) and spec.advice.long.strip()[:30] in text
    assert content.facts["credit_16_five_years"].source in text


async def test_urgent_message_gets_urgent_advice_not_a_direct_answer(engine: Engine) -> None:
    content = engine.understanding.content
    chat = Chat(engine)
    text = await chat.text("催收在门口不走 说要砸门进来 还威胁要打我")
    assert "110" in text
    assert content.answer("open_door")[1].short.strip() not in text


async def test_billing_question_gets_one_scope_line(engine: Engine) -> None:
    content = engine.understanding.content
    _, answer = content.answer("billing_basics")
    chat = Chat(engine)
    replies = await chat.say("信用卡账单日是哪天")
    assert replies in ([answer.short.strip()], [quieted(answer.short.strip())])


async def test_long_steps_are_offered_not_sent_after_a_direct_answer(engine: Engine) -> None:
    content = engine.understanding.content
    spec, answer = content.answer("credit_how_long")
    chat = Chat(engine)
    replies = await chat.say("逾期记录在征信上要挂几年")
    assert replies[0] in (answer.short.strip(), quieted(answer.short.strip()))
    assert spec.advice.short.strip() not in replies
    assert any("步骤" in r for r in replies)
    assert sum(len(r) for r in replies) <= DIRECT_REPLY_CHARS
    assert spec.advice.short.strip() in await chat.say("步骤")


async def test_a_short_question_of_the_active_topic_gets_its_answer(engine: Engine) -> None:
    _, answer = engine.understanding.content.answer("open_door")
    chat = Chat(engine)
    await chat.say("有人敲门说是来催收的")
    replies = await chat.say("要开吗")
    assert replies[0] in (answer.short.strip(), quieted(answer.short.strip()))
    # said again in other words: not the same block a second time
    again = await chat.say("好吧我不开")
    assert answer.short.strip() not in again and quieted(answer.short.strip()) not in again
    assert "没太看懂" not in again[0]


def test_the_step_asked_about_again_is_pointed_to(engine: Engine) -> None:
    specs = {spec.id: spec for spec in engine.understanding.content.intents}
    pointer = Actions.point_back(specs["collector_at_door"], "二维码能扫吗")
    assert pointer.startswith("上面第4条") and "二维码" in pointer
    pointer = Actions.point_back(specs["complain"], "12378是干嘛的")
    assert pointer.startswith("上面第2条")
    # nothing specific asked: the plain pointer, never a guessed step
    assert Actions.point_back(specs["collector_at_door"], "好的") is None


async def test_a_calm_reply_is_not_an_alarm_but_despair_still_is(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("有人敲门说是来催收的")
    calm = await chat.text("好吧我不开")  # the floor alone once read this as despair
    assert "12356" not in calm
    cry = await chat.say("我真的不想活了")
    assert "12356" in cry[0]


async def test_the_same_question_again_gets_the_gist_not_the_block(engine: Engine) -> None:
    _, answer = engine.understanding.content.answer("open_door")
    chat = Chat(engine)
    await chat.say("催收在敲门 我要不要开门")
    again = await chat.say("到底要不要开门啊")
    assert answer.short.strip() not in again and quieted(answer.short.strip()) not in again
    assert again[0].startswith("上面说过了：") and "开门" in again[0]


async def test_a_paper_to_sign_told_mid_visit_gets_the_signing_advice(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("催收的人在门口")
    reply = await chat.text("他们拿了一张什么还款协议让我签 我看不懂")
    assert "先别签" in reply


@pytest.mark.parametrize(
    "told", ["信用卡逾期三个月了 催收说要来家里", "网贷逾期两个月 今天催收的说要上门"]
)
async def test_news_told_not_asked_gets_its_topics_steps(engine: Engine, told: str) -> None:
    """Telling that a visit is coming asks no specific question: the visit topic answers it,
    not a question bank answer that shares a word ("说要" as in "说要起诉")."""
    chat = Chat(engine, user="told")
    replies = await chat.say(told)
    assert chat.last.intent == "collector_at_door", replies
    assert "起诉" not in replies[0]


async def test_asking_what_the_answer_just_given_means_gets_its_fuller_form(
    engine: Engine,
) -> None:
    """ "你刚才说的中断是啥意思" right after a direct answer is 详细 for that answer; a new
    question that happens to say "看不懂" is not."""
    chat = Chat(engine, user="meaning")
    await chat.say("我爸十年前办的工行信用卡 欠了两万多一直没还 他说拖这么多年应该不用还了吧")
    answered = chat.last.intent
    text = await chat.text("你刚才说的中断是啥意思 没太懂")
    assert "详细说明" in text and "第一百九十五条" in text, text
    assert chat.last.intent == answered
    other = Chat(engine, user="meaning-other")
    await other.say("我爸十年前办的工行信用卡 欠了两万多一直没还 他说拖这么多年应该不用还了吧")
    text = await other.text("他们寄来一份合同我看不懂 要签吗")
    assert "详细说明" not in text, text
