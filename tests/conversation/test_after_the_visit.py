"""After the visitors left: no emergency for the fright afterwards, the aftermath steps, and
"what now" answered with what to do afterwards, not the steps at the door (issue 26)."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from tests.harness import Chat

DOOR = "催收的人在门口 一直敲门 我好怕"


@pytest.mark.parametrize("room", [None, "debt-group"])
async def test_shaking_after_they_left_is_no_emergency(engine: Engine, room: str | None) -> None:
    chat = Chat(engine, user="after", room=room)
    await chat.say(DOOR, addressed=True)
    replies = await chat.say("他们走了 我手还在抖", addressed=True)
    text = "\n".join(replies)
    assert chat.last.tier == "calm" and not chat.last.urgent, replies
    assert "走了就好" in text and "投诉" in text
    assert "立即拨打110" not in text and "伤害自己" not in text


async def test_what_now_after_they_left_is_the_aftermath(engine: Engine) -> None:
    chat = Chat(engine, user="after-what-now")
    await chat.say(DOOR)
    await chat.say("他们走了")
    replies = await chat.say("那我接下来要做什么")
    text = "\n".join(replies)
    assert "录音" in text or "投诉" in text, replies
    assert "隔着门" not in text and "工作证" not in text


async def test_a_first_message_that_they_came_and_left_gets_the_aftermath(engine: Engine) -> None:
    chat = Chat(engine, user="came-and-left")
    replies = await chat.say("刚才催收的来家里 现在走了 我还在发抖")
    assert chat.last.tier == "calm" and not chat.last.urgent, replies
    assert "走了就好" in "\n".join(replies)


async def test_damage_left_behind_is_still_danger(engine: Engine) -> None:
    chat = Chat(engine, user="left-damage")
    await chat.say(DOOR)
    replies = await chat.say("他们走了 走之前把我家门砸了")
    assert chat.last.urgent and "110" in replies[0]


async def test_an_english_question_with_ty_inside_a_word_is_answered(engine: Engine) -> None:
    chat = Chat(engine, user="university")
    await chat.say("I missed two payments on my 微粒贷 loan, what can I do?")
    replies = await chat.say("They said they'd call my university. Can they?")
    assert chat.last.intent != "thanks", replies
    await chat.say("Got it, thanks!")
    replies = await chat.say("Thanks so much, really appreciate it")
    assert replies and all(not any("\u4e00" <= ch <= "\u9fff" for ch in r) for r in replies)


async def test_they_left_after_another_question_still_gets_the_aftermath(engine: Engine) -> None:
    """The visit told, then a question of another topic ("说要抓我"), then "他们走了": what
    to do now they left, not the steps at the door again."""
    chat = Chat(engine, user="left-after-question")
    await chat.say("催收的人在门口 两个人 说是建行的")
    await chat.say("他们说我不还就把我抓起来")
    text = "\n".join(await chat.say("他们走了"))
    assert "走了就好" in text and "投诉" in text
    assert "隔着门" not in text


async def test_they_left_after_a_visit_to_a_relative_gets_the_aftermath(engine: Engine) -> None:
    """A visit told by where it happened (the mother's door), a turn about something else,
    then "催收的也走了": the aftermath, not the follow-up question alone."""
    chat = Chat(engine, user="left-mother")
    await chat.say("我在上班 我妈一个人在家 刚说门口有两个人说是银行来要债的 我该让她怎么办")
    await chat.say("她吓得不行 一直哭")
    text = "\n".join(await chat.say("催收的也走了 我欠的是交行信用卡8千多 这事以后怎么弄"))
    assert "走了就好" in text and ("投诉" in text or "12378" in text), text


async def test_what_now_about_money_once_they_left_answers_the_money(engine: Engine) -> None:
    """Inside a threat crisis, after the police came and they left, "那这钱现在怎么办 我每个月
    最多能还2000" is a question about paying: it is answered (the crisis is over), not the
    visit's aftermath again."""
    chat = Chat(engine, user="left-money")
    await chat.say("门口来了两个男的说是招行信用卡的催收 一直敲门 我一个人在家 好害怕")
    await chat.say("他们说不开门就一直在这等 还说要让邻居都知道我欠钱")
    await chat.say("警察来了他们走了。我欠招行大概4万6")
    replies = await chat.say("那我这钱现在怎么办 我每个月最多能还2000")
    text = "\n".join(replies)
    assert "分期" in text or "协商" in text, text
    assert "走了就好" not in text and "110" not in text, text


async def test_called_and_gone_in_one_message_then_money_gets_the_money(engine: Engine) -> None:
    """ "我报警了…他们一听就下楼走了" is their leaving (the aftermath, not the wait for the
    police); then "那这钱我接下来怎么还比较好" is a question about paying, answered as one."""
    chat = Chat(engine, user="called-and-gone")
    await chat.say("有两个男的在敲门说是招商信用卡的外访，我一个人在家好怕")
    await chat.say("他们说再不开门就把门踹开")
    text = "\n".join(await chat.say("我报警了，警察说马上来，他们一听就下楼走了"))
    assert "走了就好" in text and "等警察来之前" not in text, text
    text = "\n".join(await chat.say("那这钱我接下来怎么还比较好"))
    assert "等警察" not in text and "走了" not in text, text
    assert chat.last.intent not in ("threat_or_violence", "collector_at_door"), text


async def test_gone_before_the_police_came_then_the_money_in_a_terminal_chat(
    engine: Engine,
) -> None:
    """As typed in the terminal chat: "我报警了 警察说马上来 他们一听就下楼走了" to the question
    whether the police were called is their leaving (the aftermath, the crisis not dropped as
    a false alarm), and "我欠招行5万 每月工资6000 房租2000" is owed 5万 with an income, so "分36
    期每个月多少" is calculated on 50,000."""
    chat = Chat(engine, user="gone-before-police")
    await chat.say("催收在门口一直敲门 说不开门就不走")
    text = "\n".join(await chat.say("我报警了 警察说马上来 他们一听就下楼走了"))
    assert "走了就好" in text and "等警察" not in text, text
    await chat.say("那这钱我接下来怎么还比较好 我欠招行5万 每月工资6000 房租2000")
    text = "\n".join(await chat.say("分36期每个月多少"))
    assert "按50,000.00元、分36期" in text, text


async def test_they_left_with_a_fright_word_is_never_a_death_answer(engine: Engine) -> None:
    """ "走了走了 吓死我了" after a visit and an open question: their leaving and its aftermath,
    never an answer about a death read into 走了 and 死."""
    chat = Chat(engine, user="left-fright")
    await chat.say("崔收的人在门口不走了已经一个多小时了 我老公不在家 就我和孩子")
    await chat.say("他们说是平安的 让我扫码先还两千就走")
    await chat.say("那要是我从平安app上还两千呢 他们会走吗")
    text = "\n".join(await chat.say("走了走了 吓死我了"))
    assert "走了就好" in text and "继承" not in text and "遗产" not in text, text


async def test_someone_else_gone_in_another_topic_is_no_visit_news(engine: Engine) -> None:
    """ "现在他人跑了" about the friend one guaranteed, inside that topic: no visit was told, so
    no aftermath of a visit; the guarantee is answered."""
    chat = Chat(engine, user="friend-ran")
    await chat.say("我给朋友的车贷当了担保人 要负什么责任")
    text = "\n".join(await chat.say("签了字的 现在他人跑了"))
    assert "走了就好" not in text and "保证" in text, text
