"""Conversations that carry on: the crisis state, situation memory, replies read in context,
closings, no repeats, no one-option menus, roles and group behaviour — through Engine.handle."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.engine import Engine, Understanding
from bot.messages import Incoming, Response
from bot.storage.sessions.memory import MemoryStore
from tests.harness import Chat, memory_config, stored_session

APOLOGY = "抱歉，这个我帮不上忙"


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


async def key_session(chat: Chat):  # type: ignore[no-untyped-def]
    return await stored_session(
        chat.engine, chat.engine.session_key(Incoming(user=chat.user, text="", room=chat.room))
    )


# -- the crisis state --------------------------------------------------------------------------


async def test_a_threat_is_followed_through_to_safety(chat: Chat) -> None:
    first = await chat.say("他们说今天不还钱就不走 还在踹门")
    assert "110" in first[0]
    called = await chat.say("打过了 说在路上")
    assert "110已经打了" in joined(called)
    assert "你已经打110报警了吗" not in joined(called)  # answered: never asked again
    waiting = await chat.say("等警察的时候我该干嘛")
    assert waiting and APOLOGY not in joined(waiting)
    assert "锁" in joined(waiting)
    arrived = await chat.say("警察来了")
    assert "派出所" in joined(arrived)
    left = await chat.say("他们走了")
    assert "投诉" in joined(left) and "12378" in joined(left)
    safe = await chat.say("安全了 谢谢")
    assert "安全了就好" in joined(safe)
    session = await key_session(chat)
    assert session is not None and session.crisis is None  # the crisis ends when safe


async def test_inside_a_threat_every_message_keeps_the_numbers(chat: Chat) -> None:
    await chat.say("有人在我家门口砸门 说不还钱就不走")
    reply = await chat.say("他们是哪家公司的我怎么查")
    assert any(n in joined(reply) for n in ("110",))
    nonsense = await chat.say("啊啊啊啊啊")
    assert APOLOGY not in joined(nonsense) and "110" in joined(nonsense)
    assert chat.last.choices == [] or len(chat.last.choices) >= 2


async def test_despair_is_stayed_with_never_dropped(chat: Chat) -> None:
    first = await chat.say("欠了十几万网贷 真的不想活了")
    assert "12356" in first[0]
    seen: set[str] = set(first)
    for said in ("谁也帮不了我", "那我该怎么办呢", "就是累", "我真的不想活了", "不想活了"):
        replies = await chat.say(said)
        text = joined(replies)
        assert replies and APOLOGY not in text, said
        assert any(n in text for n in ("12356", "110", "120")) or said == "就是累", said
        assert not (set(replies) & seen), said  # never the same block twice
        assert chat.last.choices == [], said  # no menu to a person in despair
        assert "上面已经发过" not in text, said
        seen.update(replies)
    ok = await chat.say("我没事了 好多了")
    assert "12356" in joined(ok)
    session = await key_session(chat)
    assert session is not None and session.crisis is None


# -- situation memory and replies in context ----------------------------------------------------


async def test_a_question_already_answered_is_not_asked(chat: Chat) -> None:
    replies = await chat.say("催收的人在我家门口敲门")
    assert "还是说过几天要来" not in joined(replies)  # they said: now, at the door


async def test_the_next_step_uses_what_is_known(chat: Chat) -> None:
    replies = await chat.say("催收的人在门口敲门 没给看证件")
    text = joined(replies)
    assert "你说" in text and "没出示证件" in text
    assert "他们出示工作证和银行的委托书了吗" not in text


async def test_a_paraphrased_no_answers_the_question(chat: Chat) -> None:
    await chat.say("催收的人在门口")
    replies = await chat.say("没看到什么证")
    assert "没有证件就先不要谈钱" in joined(replies)


async def test_yes_with_content_is_not_a_bare_yes(chat: Chat) -> None:
    await chat.say("门口有人说是银行的")
    replies = await chat.say("是借款确认书")
    text = joined(replies)
    assert "先别签" in text
    assert "出示了证件" not in text and "核实" not in text.split("先别签")[0]


async def test_an_option_answered_in_its_own_words(
    chat: Chat,
    understanding: Understanding,
) -> None:
    spec = understanding.content.intent("verify_identity")
    contact = next(f for f in spec.follow_ups if f.id == "contact_way")
    assert contact.options is not None
    await chat.say("怎么核实催收的人是不是真的")
    await chat.say("还没")
    replies = await chat.say("打电话")  # the words of option 2, "打电话或发短信"
    assert contact.options[1].reply is not None
    assert contact.options[1].reply.strip().splitlines()[0] in joined(replies)


async def test_inside_a_threat_still_there_is_the_next_step(chat: Chat) -> None:
    await chat.say("催收的人威胁我 说要打我")
    await chat.say("没有")  # not called the police yet
    replies = await chat.say("还在门外")
    assert "请现在就打110" in joined(replies)


async def test_money_already_handed_over(chat: Chat) -> None:
    replies = await chat.say("我已经转了2000到他个人微信了 怎么办")
    text = joined(replies)
    assert "110" in text and "96110" in text


# -- repair: closings, scope, repeats, menus ----------------------------------------------------


@pytest.mark.parametrize("said", ["好的明白了", "thx", "谢谢 没事了", "ok 知道了"])
async def test_closings_after_a_calm_visit_remind_of_the_door_not_of_110(
    chat: Chat, said: str
) -> None:
    await chat.say("催收的人在门口")
    replies = await chat.say(said)
    text = joined(replies)
    assert APOLOGY not in text
    assert len(text) < 120
    assert "核实身份" in text  # the door steps as a parting word
    assert "110" not in text and "12356" not in text  # a calm person is not alarmed


@pytest.mark.parametrize("said", ["好的明白了", "谢谢你"])
async def test_closings_after_danger_keep_110(chat: Chat, said: str) -> None:
    await chat.say("他们在踹我家的门")
    text = joined(await chat.say(said))
    assert APOLOGY not in text and "110" in text


@pytest.mark.parametrize("said", ["好 唔該晒", "行 我先打电话试试看"])
async def test_a_closing_the_model_reads_is_a_closing(chat: Chat, said: str) -> None:
    """A closing its words alone do not show (Cantonese thanks, "I'll go and try") is read
    by the topic model as thanks and gets the short closing, without numbers."""
    await chat.say("信用卡逾期了会不会影响征信")
    text = joined(await chat.say(said))
    assert chat.last.intent == "thanks"
    assert len(text) < 80 and "110" not in text


async def test_off_topic_gets_one_scope_line_never_unrelated_topics(chat: Chat) -> None:
    replies = await chat.say("信用卡额度怎么提高")
    assert chat.last.choices == []
    assert "焦虑" not in joined(replies)
    again = await chat.say("明天天气怎么样")
    assert chat.last.choices == []
    assert again != replies  # not the same block again


async def test_no_block_is_sent_twice(chat: Chat) -> None:
    first = await chat.say("催收的人在门口")
    again = await chat.say("催收的人在门口怎么办")
    assert not (set(first) & {r for r in again if len(r) > 20})
    repeat = await chat.say("再说一遍")
    assert any(r in first for r in repeat)  # asked for: sent again


async def test_menus_never_have_one_option(engine: Engine) -> None:
    for said in (
        "催收",
        "逾期",
        "银行",
        "还钱",
        "门口",
        "律师函",
        "上门",
        "网贷",
        "不想还",
        "卡",
        "电话",
        "征信",
        "欠款",
    ):
        chat = Chat(engine, user=f"menu-{said}")
        await chat.say(said)
        assert len(chat.last.choices) != 1, (said, chat.last)


# -- roles ---------------------------------------------------------------------------------------


async def test_a_collector_is_spoken_to_as_staff_all_along(chat: Chat) -> None:
    first = await chat.say("我是做外访的 客户不开门怎么办")
    assert "你有权不让对方进门" not in joined(first)
    notice = await chat.say("能在他家门上贴催收通知吗")
    assert "你有权不让对方进门" not in joined(notice)
    assert "带上家人和手机退到能反锁的房间" not in joined(notice)
    police = await chat.say("客户报警了怎么办")
    text = joined(police)
    assert "配合警察" in text and "待在能锁门的房间" not in text


async def test_a_relative_gets_advice_addressed_to_a_helper(chat: Chat) -> None:
    replies = await chat.say("我妈欠了信用卡 今天催收上门 我妈让他们进来了")
    text = joined(replies)
    assert "是家人或朋友的" in text
    assert "人已经进了屋" in text
    again = await chat.say("他们要我妈签字")
    assert "是家人或朋友的" not in joined(again)  # said once
    assert "先别签" in joined(again)


# -- groups --------------------------------------------------------------------------------------


def group_config(**groups: object) -> Config:
    config = memory_config()
    return config.model_copy(update={"groups": config.groups.model_copy(update=groups)})


@pytest.mark.parametrize(
    ("said", "number"), [("救命 他们在踹我家门", "110"), ("不想活了 想从这跳下去", "12356")]
)
async def test_an_unaddressed_urgent_group_message_is_answered(
    understanding: Understanding, said: str, number: str
) -> None:
    engine = Engine(group_config(), understanding, MemoryStore(600))
    response: Response = await engine.handle(
        Incoming(user="m1", text=said, room="g1", addressed=False)
    )
    assert response.urgent and response.replies
    assert number in response.replies[0]
    assert len(response.replies) == 1 and len(response.replies[0]) < 120
    chatter = await engine.handle(
        Incoming(user="m2", text="今天又被催了 烦死", room="g1", addressed=False)
    )
    assert chatter.replies == []


async def test_unaddressed_urgent_can_be_switched_off(understanding: Understanding) -> None:
    engine = Engine(group_config(answer_urgent_unaddressed=False), understanding, MemoryStore(600))
    response = await engine.handle(
        Incoming(user="m1", text="救命 他们在踹我家门", room="g1", addressed=False)
    )
    assert response.replies == []


async def test_a_number_posted_in_a_group_gets_one_retract_notice(
    understanding: Understanding,
) -> None:
    engine = Engine(group_config(), understanding, MemoryStore(600))
    first = await engine.handle(
        Incoming(user="m1", text="我电话13812345678 谁能帮我看看", room="g1", addressed=False)
    )
    assert first.replies and "撤回" in first.replies[0]
    assert "13812345678" not in joined(first.replies)
    second = await engine.handle(
        Incoming(user="m1", text="我卡号6222021234567890123", room="g1", addressed=False)
    )
    assert second.replies == []  # once


async def test_a_forwarded_case_in_a_group_never_quotes_the_member(
    understanding: Understanding,
) -> None:
    engine = Engine(group_config(), understanding, MemoryStore(600))
    said = "转发：客户说催收天天打电话给她父母和单位 手机13812345678 还说要上门"
    response = await engine.handle(Incoming(user="m1", text=said, room="g1"))
    text = joined(response.replies)
    assert "客户原话" not in text and "13812345678" not in text and "父母和单位" not in text


async def test_police_on_the_way_said_again_gets_the_waiting_step_in_other_words(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    await chat.say("催收的在门口不走 说不给钱就不走")
    first = await chat.text("报警了")
    again = await chat.text("打过了 说在路上")
    assert "警察" in again and again != first
    assert "你已经打110报警了吗" not in again


async def test_someone_asking_for_a_friend_in_danger_is_told_what_they_can_do(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    replies = await chat.say("我朋友家催收的人堵门不走 还威胁她 她让我问问怎么办")
    assert "110" in replies[0]
    assert any("替家人或朋友" in r for r in replies)


async def test_a_short_how_question_inside_a_topic_points_to_its_step(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("催收的人在我家门口")
    await chat.say("给我看了工作证 不知道真假")
    reply = await chat.text("怎么查")
    assert "核实" in reply
    assert "不在我能帮的范围" not in reply


async def test_a_question_with_a_figure_inside_a_topic_is_not_just_noted(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("催收的人在我家门口")
    reply = await chat.text("他们让我今天先还两千 可以吗")
    assert not reply.startswith("好，记下了")
    assert "官方" in reply or "银行" in reply


CASE = "转发客户的问题：客户欠招行信用卡6万，逾期4个月，催收说下周上门，客户问能不能协商分期"


async def test_a_forwarded_case_brief_does_not_ask_what_the_case_says(engine: Engine) -> None:
    chat = Chat(engine)
    text = await chat.text(CASE)
    brief = text[text.index("【给顾问的简要】") :]
    assert "60,000" in brief
    assert "大概欠多少" not in brief  # the case says 6万


async def test_a_case_follow_up_reuses_its_figures(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say(CASE)
    reply = await chat.text("每月大概还多少")
    assert "60,000.00元" in reply and "1,000.00元" in reply  # 60期, the longest for a card
    assert "详细说明" not in reply  # the point asked, not the dossier again


async def test_monthly_overview_needs_an_amount(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("想和银行协商分期")
    reply = await chat.text("每月大概还多少")
    assert "粗算" not in reply


async def test_fear_at_the_door_gets_the_threat_steps_not_a_self_harm_plan(engine: Engine) -> None:
    chat = Chat(engine)
    text = await chat.text("救命 门口有人一直敲门说我欠钱不还 我一个人在家 好害怕")
    assert "110" in text
    assert "伤害自己" not in text


async def test_after_the_police_came_and_they_left_the_steps_move_on(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("他们在砸我家门 说不还钱就不走")
    await chat.say("我报警了")
    await chat.say("警察来了 他们跑了")
    after = await chat.text("接下来我还要做什么")
    assert "投诉" in after and "等警察" not in after
    more = await chat.text("还有呢")
    assert "拨打110。说清地址" not in more and "锁好房间" not in more
    safe = await chat.text("嗯")
    assert safe.startswith("安全了就好")


async def test_a_yes_that_carries_a_plan_to_die_is_never_a_plain_yes(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("被催得要崩溃了")
    reply = await chat.say("有 想过从楼上跳下去")
    assert any(n in reply[0] for n in ("110", "120", "12356"))


async def test_a_paper_to_sign_inside_a_crisis_is_answered_on_its_point(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("他们在砸门 说不还钱就不走")
    reply = await chat.text("他们要我签个还款承诺书 怎么办")
    assert any(w in reply for w in ("先别签", "不要当场签", "别当场签")) and "110" in reply
    assert "回复 1、2" not in reply  # no menu of another topic inside a crisis


async def test_figures_are_said_back_in_private_but_never_in_a_group(engine: Engine) -> None:
    private = Chat(engine, user="p1")
    await private.say("想跟银行协商分期")
    assert "5万元" in await private.text("本金5万")
    group = Chat(engine, user="g1", room="debt-group")
    await group.say("助手 想跟银行协商分期", addressed=True)
    reply = await group.text("助手 本金5万", addressed=True)
    assert "5万" not in reply and "50,000" not in reply


async def test_asking_about_the_police_after_paying_a_person_is_a_fraud_report(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    await chat.say("他们让我扫码转了两千到个人微信 现在又说不算")
    reply = await chat.text("要不要报警")
    assert "96110" in reply and "110" in reply
    assert "锁的房间" not in reply


async def test_a_question_starting_with_keyi_is_not_a_yes(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("催收的人在门口 没给看证件")
    await chat.say("他们拿了张还款协议让我签")
    reply = await chat.text("可以先拍照给家里人看吗")
    assert "拍" in reply


async def test_an_explicit_calculation_request_is_calculated_first(engine: Engine) -> None:
    chat = Chat(engine)
    replies = await chat.say("我想算一下 本金8万分12期")
    assert replies[0].startswith("按80,000.00元、分12期")
    corrected = await chat.text("说错了 是18期")
    assert "分18期" in corrected


async def test_a_threat_to_a_child_at_school_gets_school_steps_once_police_are_called(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    await chat.say("有人在幼儿园门口拍我女儿 说下回就不止拍照了")
    reply = await chat.text("报警了")
    assert "班主任" in reply or "学校" in reply
    assert "还在门外" not in reply  # no door to be outside of


async def test_an_unsure_question_inside_a_conversation_gets_the_closest_point(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    await chat.say("想和银行协商分期 欠了5万")
    reply = await chat.text("我爸妈需要知道这个事吗")
    assert "不在我能帮的范围" not in reply and "没太看懂" not in reply
    assert "父母" in reply or "家" in reply


async def test_a_question_about_the_answer_just_given_gets_its_point_again(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    await chat.say("逾期记录在征信上保留几年")
    reply = await chat.text("是从还清那天开始算吗")
    assert "上面说过了" in reply and "结清" in reply
    assert "不在我能帮的范围" not in reply


async def test_a_question_repeating_a_figure_of_the_answer_just_given_is_about_it(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    await chat.say("逾期记录在征信上保留几年")
    reply = await chat.text("还清了也是5年吗")
    assert "上面说过了" in reply and "5年" in reply
    assert "没太看懂" not in reply


async def test_a_figure_the_answer_did_not_give_is_no_echo(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("逾期记录在征信上保留几年")
    reply = await chat.text("那我欠了3年了还能贷款吗")
    assert "上面说过了" not in reply


async def test_asking_in_a_sentence_for_the_rules_just_mentioned_gets_them(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    await chat.say("信用卡个性化分期最长能分几年")
    reply = await chat.text("麻烦把刚才提到的规章全称和文号发我一下，我要写进咨询记录")
    assert "依据" in reply and "商业银行信用卡业务监督管理办法" in reply
    assert "没太看懂" not in reply and "110" not in reply


async def test_what_to_say_when_a_collector_calls_is_answered_in_a_group(engine: Engine) -> None:
    chat = Chat(engine, room="callers")
    await chat.say("@助手 催收天天打我电话 这样合法吗")
    reply = await chat.text("@助手 那接到电话该怎么说比较好")
    assert "没太看懂" not in reply
    assert "核实" in reply and ("验证码" in reply or "身份证" in reply)
    assert len(reply) <= 300


@pytest.mark.parametrize("text", ["他们来了", "他们又来了"])
async def test_a_bare_they_are_here_is_read_as_the_door_not_apologised_for(
    engine: Engine, text: str
) -> None:
    chat = Chat(engine)
    reply = await chat.text(text)
    assert chat.last.intent == "collector_at_door", reply
    assert "工作证" in reply


async def test_a_choice_question_asked_again_lists_its_choices(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("催收天天打我电话")  # the topic asks "主要是哪种情况？回复 1、2 或 3："
    reply = await chat.text("那我该怎么办")
    assert "回复 1、2 或 3：1." in reply  # never a bare "回复数字：" without the choices


async def test_a_group_reply_never_exceeds_the_group_limit(engine: Engine) -> None:
    member = Chat(engine, user="m1", room="debt-group")
    await member.say("助手 催收天天打我电话", addressed=True)
    replies = await member.say("助手 那我该怎么办", addressed=True)
    assert sum(len(r) for r in replies) <= 300


async def test_two_questions_in_one_message_are_both_answered(chat: Chat) -> None:
    """ "How soon will they sue, and will they really visit?": each question its own short
    answer, in the order asked, named by the person's own words; no menu."""
    text = joined(await chat.say("借呗逾期多久会被起诉,真的会上门吗?"))
    assert text.startswith("你问了两件事")
    assert "「借呗逾期多久会被起诉」" in text and "「真的会上门吗」" in text
    assert text.index("12368") < text.index("22:00")  # the suit first, then the visit
    assert chat.last.choices == []


async def test_two_questions_in_a_group_do_not_quote_the_member(engine: Engine) -> None:
    group = Chat(engine, user="m1", room="g2")
    text = joined(await group.say("@助手 借呗逾期多久会被起诉,真的会上门吗?", addressed=True))
    assert text.startswith("你问了两件事")
    assert "借呗逾期多久会被起诉" not in text
    assert len(text) <= 300


@pytest.mark.parametrize(
    "said", ["我不敢打电话 他们看着我", "手机被抢走了", "I can't call, they're watching"]
)
async def test_inside_a_threat_someone_who_cannot_call_is_told_how_to_get_help(
    chat: Chat, said: str
) -> None:
    """Watched, the phone taken, unable to speak: a relative or friend calls 110 for them
    (in English for someone who writes English)."""
    await chat.say("他们堵在屋里不让我出门")
    text = joined(await chat.say(said))
    assert ("发消息给家人或朋友" in text or "text family or a friend" in text) and "110" in text


async def test_a_despair_crisis_never_sends_its_presence_line_twice(chat: Chat) -> None:
    await chat.say("有 想过从楼上跳下去")
    first = joined(await chat.say("没人会在乎"))
    second = joined(await chat.say("嗯"))
    assert "12356" in first and "12356" in second
    assert first != second


async def test_the_english_lead_is_never_sent_twice(chat: Chat) -> None:
    """Someone writing English learns once what any Chinese left in the reply is about; the
    same topic again gets a shorter line, then none (a block is never sent twice)."""
    leads = []
    for said in (
        "Two guys from a collection agency are at my door in Shanghai, what do I do?",
        "They said they will come back tomorrow, what should I do then?",
        "They are back at my door again today, same two guys, what now?",
    ):
        replies = await chat.say(said)
        leads.append([r for r in replies if r.startswith("(English)")])
    sent = [lead for batch in leads for lead in batch]
    assert len(sent) == len(set(sent))


@pytest.mark.parametrize(
    "said", ["really appreciate it mate", "thank you so much for all the help"]
)
async def test_an_english_closing_is_answered_in_english(chat: Chat, said: str) -> None:
    await chat.say("信用卡逾期了会不会影响征信")
    text = joined(await chat.say(said))
    assert "You're welcome" in text and "110" not in text


@pytest.mark.parametrize("said", ["行 我明天带材料去网点", "好 我先去睡了 明天再说"])
async def test_okay_then_what_i_will_do_is_a_closing(chat: Chat, said: str) -> None:
    await chat.say("怎么和银行协商分期")
    text = joined(await chat.say(said))
    assert chat.last.intent == "thanks" and len(text) < 80


async def test_possible_danger_is_followed_by_an_answer_never_a_menu(chat: Chat) -> None:
    """The warm lines of possible danger, then the likelier of two close topics answered (the
    person at the door with no ID gets the steps to check it), never a question between
    topics."""
    text = joined(await chat.say("现在有两个人在我家门口说是催收公司的 没出示任何证件"))
    assert "110" in text
    assert "委托书" in text or "证件" in text.split("110", 1)[1]
    assert chat.last.intent in ("verify_identity", "collector_at_door")  # a topic, no menu


async def test_a_lender_named_in_passing_is_said_back(chat: Chat) -> None:
    """Figures and the lender told inside a topic are said back, so a misreading shows."""
    await chat.say("网贷逾期了 催收天天打电话")
    text = joined(await chat.say("我的是京东金条 about 3w, 逾期 45 days"))
    assert "记下了：京东金条" in text


async def test_once_they_left_an_ordinary_question_gets_no_110_line(chat: Chat) -> None:
    await chat.say("他们在踹我家的门")
    await chat.say("警察来了 他们走了")
    text = joined(await chat.say("信用卡逾期会影响征信吗"))
    assert "征信" in text and "110" not in text


async def test_a_counsellor_who_says_so_gets_a_brief_about_the_client(chat: Chat) -> None:
    """ "我是债务规划师，客户…" is a counsellor's case (a brief), never the staff's visit rules;
    a later budget and "how long" is computed with the case's amount."""
    text = joined(
        await chat.say(
            "您好，我是债务规划师，客户信用卡欠了8万，月收入6000，被催收打到单位了，"
            "想问单位能不能因此辞退他"
        )
    )
    assert "给顾问的简要" in text and "依规外访" not in text
    text = joined(await chat.say("客户每月能还3000 要多久还完"))
    assert "80,000.00元要分几期" in text


async def test_a_collector_s_demand_is_not_a_down_payment(chat: Chat) -> None:
    await chat.say("他们让我扫码先还两千")
    text = joined(await chat.say("我一个月最多拿出1500 欠了四万 要还多久"))
    assert "先付" not in text and "40,000.00元要分几期" in text


@pytest.mark.parametrize(
    "said",
    [
        "您好，我是做个人债务规划的，帮一位客户转问：“工行信用卡逾期七个月，本金四万二左右，"
        "催收员说再不还就按恶意透支报案。”想请教从法律上怎么跟她解释。",
        "我是社区的债务咨询counsellor，替一位阿姨问：“老伴走了，留下两张信用卡欠款，银行让我还，我得还吗？”",
        "法援中心值班，当事人信用卡被起诉了，催收说不还就要让他坐牢，这种说法对吗",
    ],
)
async def test_counsellors_say_who_they_are_in_many_ways(chat: Chat, said: str) -> None:
    """A counsellor or a legal-aid worker introducing themselves in their own words gets the
    counsellor's brief, not the debtor's steps or the staff's visit rules."""
    text = joined(await chat.say(said))
    assert "给顾问的简要" in text and "依规外访" not in text


@pytest.mark.parametrize(
    "plan", ["行 那我明早上班前打个电话问问", "好 我让孙子带我去问问", "懂 我先截图存着"]
)
async def test_okay_and_what_i_will_do_is_a_goodbye_not_more_steps(
    engine: Engine, plan: str
) -> None:
    chat = Chat(engine)
    await chat.say("催收天天给我爸妈打电话 怎么让他们别打了")
    reply = await chat.text(plan)
    assert "随时" in reply and len(reply) <= 60
    assert "110" not in reply  # a calm conversation: no emergency numbers on the way out


async def test_a_group_member_s_okay_and_deed_after_the_address_is_a_goodbye(
    engine: Engine,
) -> None:
    chat = Chat(engine, room="members")
    await chat.say("@助手 催收把横幅拉到我们厂门口了 能告他们吗")
    reply = await chat.text("@助手 收到 我截图发他")
    assert "随时" in reply and len(reply) <= 60


async def test_thanks_in_english_with_a_tail_gets_an_english_goodbye(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("collectors keep calling my boss, is that allowed?")
    reply = await chat.text("brilliant, mate, cheers for the tips, I owe you a beer")
    assert "take care" in reply.lower() and "110" not in reply


async def test_the_police_having_dealt_with_it_moves_the_crisis_on(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("他们刚发语音说今晚不还就找人来卸我一条腿")
    reply = await chat.text("报警了 警察给我做了笔录")
    assert "等警察来之前" not in reply
    assert "警察到了" in reply


async def test_a_statement_at_the_door_is_not_answered_with_a_neighbouring_point(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    await chat.say("浦发外访来敲门了 我一个人在家")
    reply = await chat.text("隔着猫眼看是两个男的 说是浦发信用卡的 我确实欠了两万三")
    assert "窥视" not in reply


async def test_every_cost_told_counts_toward_what_is_left(engine: Engine) -> None:
    chat = Chat(engine)
    await chat.say("信用卡逾期了想协商分期")
    reply = await chat.text("我每月到手5200 房租1500 吃饭交通算1200")
    assert "2,500" in reply and "2,700" in reply


@pytest.mark.parametrize(
    "safe",
    ["嗯 我不会干傻事 就是憋屈 室友在旁边陪着我", "我不会真跳的 就是太累了 说说而已"],
)
async def test_saying_one_will_not_act_ends_the_despair_crisis(chat: Chat, safe: str) -> None:
    await chat.say("有时候站在阳台上就想往下一跳 什么都不用管了")
    replies = await chat.say(safe)
    assert "伤害自己" not in joined(replies)
    session = await key_session(chat)
    assert session is not None and session.crisis is None


async def test_the_amount_told_is_never_asked_again(chat: Chat) -> None:
    """With the amount told, the calculator asks only for the periods or the monthly budget;
    the answer then gives the figures."""
    from bot.conversation import texts

    text = joined(await chat.say("我欠招行4万 想跟银行谈分期"))
    assert texts.ASK_PERIODS in text and "大概欠多少" not in text
    assert "40,000.00元" in joined(await chat.say("分48期"))


async def test_a_detail_told_right_after_an_answer_refines_it(engine: Engine) -> None:
    """Told, not asked, right after an answer: a detail that changes the answer ("the card
    was his before we married") gets the answer it leads to, not the open menu again."""
    chat = Chat(engine, user="refine")
    await chat.say("我老公欠了招行信用卡五万多，催收让我替他还，我必须还吗")
    reply = await chat.text("他这张卡是我们结婚前他自己办的")
    assert "第三十三条" in reply  # the premarital-debt rule
    assert not reply.startswith("嗯，我在听")


async def test_an_acknowledgement_after_an_answer_is_not_read_as_a_new_point(
    engine: Engine,
) -> None:
    chat = Chat(engine, user="ack-after")
    await chat.say("浦发外访来敲门了 我一个人在家")
    reply = await chat.text("隔着猫眼看是两个男的 说是浦发信用卡的 我确实欠了两万三")
    assert "窥视" not in reply  # a statement shares words with a neighbouring point


async def test_the_same_question_asked_again_later_gets_its_point_not_only_a_pointer(
    engine: Engine,
) -> None:
    chat = Chat(engine, user="again-later")
    await chat.say("我在3个平台借了钱，现在全逾期了，不知道先还哪个")
    await chat.say("银行会不会起诉我")
    reply = await chat.text("那我到底先还哪个平台")
    assert "利率高的" in reply  # what comes first, not only "make a list"


async def test_a_visit_in_the_quiet_hours_is_told_the_rule(engine: Engine) -> None:
    """A visit or call told in 22:00–08:00 gets the guideline's quiet hours with the answer;
    said once; never to staff, and not when the answer names them itself."""
    chat = Chat(engine, user="night")
    reply = await chat.text("晚上11点了，有两个人在门口说是来催收的，我一个人在家")
    assert "22:00到次日08:00" in reply and "隔着门" in reply  # the rule and the door steps
    again = await chat.text("都快凌晨了他们还在门口")
    assert "22:00到次日08:00" not in again  # not news twice
    staff = Chat(engine, user="night-staff")
    await staff.say("我是银行外访员")
    assert "未经你同意" not in await staff.text("晚上十点半还能去客户家吗")


@pytest.mark.parametrize(
    "said",
    ["打了12356 没人接", "一直打不通", "ok. i called. its night here and the line doesnt answer"],
)
async def test_inside_despair_a_line_that_does_not_answer_gets_the_night_line(
    chat: Chat, said: str
) -> None:
    """12356 answers at least 18 hours a day, not all night: when it does not answer, the
    24-hour night line and 110/120 come at once, never a topic's steps."""
    await chat.say("我真的不想活了 药都准备好了")
    text = joined(await chat.say(said))
    assert "010-82951332" in text and "110" in text


async def test_what_happened_next_told_in_a_calm_topic_raises_no_alarm(engine: Engine) -> None:
    """A mother asked to pay her son's card, then "我跟他们说别再打了，他们还是打": no sign of
    danger and a weak reading inside a calm topic — the calls' answer, not the question
    about threats."""
    chat = Chat(engine, user="calm-next")
    await chat.say("我儿子欠了信用卡的钱，催收的天天打我电话，我是他妈，我要替他还吗")
    await chat.say("他们说父债子还 子债父还也是一样的")
    replies = await chat.say("我跟他们说别再打了，他们还是打")
    text = "\n".join(replies)
    assert chat.last.tier == "calm", text
    assert "110" not in text and "第三人" in text, text
