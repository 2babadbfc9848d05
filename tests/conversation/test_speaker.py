"""The right speaker (issue 26, item 5), through Engine.handle: the role comes from who speaks
and how (the counsellor list, staff words, forward markers), never from one word; a
counsellor's brief fits a phone (≤ 600 characters) with the full dossier on 详细; a group
reply never passes 300 characters, on any path."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from bot.engine import Engine
from bot.storage.sessions.memory import MemoryStore
from tests.harness import Chat

BRIEF = "【给顾问的简要】"
GROUP_LIMIT = 300
CASE = (
    "客户说：欠招行信用卡6万，逾期4个月，催收天天打电话到她单位和父母家，还说下周上门，"
    "要她签一份还款承诺书，问能不能协商分期、要不要签、能不能报警。"
)


def _engine_with_counsellor(engine: Engine) -> Engine:
    config = engine.config.model_copy(update={"counsellors": ["terminal:li"]})
    return Engine(config, engine.understanding, MemoryStore(3600))


async def test_client_words_from_a_collector_open_no_counsellor_dossier(engine: Engine) -> None:
    chat = Chat(engine, user="collector")
    await chat.say("我是做外访的 客户一直不开门")
    for said in ("客户说他要报警", "客户说他没钱还", "客户问我们能不能上门"):
        replies = await chat.say(said)
        assert not any(BRIEF in r or "【问题" in r for r in replies), (said, replies)


async def test_client_words_in_the_same_message_as_staff_words(engine: Engine) -> None:
    chat = Chat(engine, user="collector2")
    replies = await chat.say("我是银行的外访人员 客户说他要去投诉我们")
    assert not any(BRIEF in r for r in replies), replies


async def test_a_bare_client_word_from_anyone_is_not_a_case(engine: Engine) -> None:
    chat = Chat(engine, user="someone")
    replies = await chat.say("客户说他要报警")
    assert not any(BRIEF in r for r in replies), replies


@pytest.mark.parametrize(
    "said",
    [
        CASE,
        "【转】客户欠网商贷6万 月收入4000 想分36期",
        "转发：客户说催收天天打电话给她父母和单位 还说要上门",
        "帮客户问 借呗逾期半年 催收说要去他单位 这合法吗",
    ],
)
async def test_a_forward_opens_a_brief_that_fits_a_phone(engine: Engine, said: str) -> None:
    chat = Chat(engine, user="forwarder")
    replies = await chat.say(said)
    assert replies[-1].startswith(BRIEF) or BRIEF in replies[-1], replies
    assert sum(len(r) for r in replies) <= 600
    dossier = await chat.say("详细")
    assert sum(len(r) for r in dossier) > 600  # the full answers with their rules
    assert any("依据" in r or "规定" in r for r in dossier)


async def test_a_listed_counsellor_opens_a_case_and_follows_up_with_points(
    engine: Engine,
) -> None:
    eng = _engine_with_counsellor(engine)
    try:
        chat = Chat(eng, user="li")
        first = await chat.say("客户说欠招行4万 逾期半年 想问能不能分期 催收天天打电话")
        assert first[-1].startswith(BRIEF)
        assert sum(len(r) for r in first) <= 600
        follow = await chat.say("那能报警吗")
        assert not any(r.startswith(BRIEF) for r in follow)
        rules = await chat.say("具体是哪个文件第几条")
        text = "\n".join(rules)
        assert "没太看懂" not in text and ("第" in text or "办法" in text or "规定" in text)
    finally:
        await eng.close()


def _messages(limit: int) -> list[str]:
    path = resources.files("bot.operations") / "data" / "testset.jsonl"
    rows = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    return rows[::2][:limit]


async def test_group_replies_never_pass_300_characters(engine: Engine) -> None:
    """Every path in a group: topics, direct answers, urgent replies, a forwarded case and its
    dossier (详细), commands, long texts, English, a member's phone number."""
    extra = [
        CASE,
        "详细",
        "菜单",
        "再说一遍",
        "步骤",
        "帮我算一下 借了3万 等额本息 分24期 年化18%",
        "I am being harassed by debt collectors at my door, what should I do",
        "催收天天打电话给我 我的手机13812345678 怎么办" * 3,
        "有人在我家门口砸门 说不还钱就不走 我好怕 " * 10,
        "我不想活了",
        "详细",
    ]
    over: list[tuple[str, int]] = []
    for index, said in enumerate([*_messages(160), *extra]):
        chat = Chat(engine, user=f"m{index % 7}", room="group-1")
        replies = await chat.say(said)
        total = sum(len(r) for r in replies)
        if total > GROUP_LIMIT:
            over.append((said[:30], total))
    assert not over, over


async def test_a_forwarded_case_after_the_idle_reset_says_the_details_were_cleared(
    engine: Engine,
) -> None:
    import time
    from dataclasses import replace

    from bot.messages import Incoming

    # the store keeps a conversation past the idle reset, for the return notice
    engine = Engine(
        engine.config, engine.understanding, MemoryStore(engine.config.sessions.keep_seconds)
    )
    chat = Chat(engine, user="returning")
    await chat.say("我欠招行3万5 催收的人在门口")
    key = engine.session_key(Incoming(user="returning", text=""))
    record = await engine.store.get(key)
    assert record is not None
    idle = engine.config.sessions.retention_seconds
    await engine.store.put(replace(record, last_seen=time.time() - idle - 60))
    try:
        replies = await chat.say(CASE)
        assert any("清掉了" in r for r in replies), replies
        assert any(BRIEF in r for r in replies)
    finally:
        await engine.close()


async def test_staff_reporting_a_customers_despair_is_not_asked_about_themselves(
    engine: Engine,
) -> None:
    """A collector passing on what a customer said gets the staff answer with the numbers for
    the customer, never "你是在想伤害自己吗" addressed to the collector."""
    chat = Chat(engine, user="staff1")
    await chat.say("我是银行的外访员 客户一直不开门 我们能在门上贴催款通知吗")
    replies = await chat.say("客户说压力太大撑不下去了 我们怎么办")
    text = "\n".join(replies)
    assert "你是在想伤害自己吗" not in text
    assert "12356" in text  # the numbers, for the customer


async def test_a_staff_members_visit_is_not_the_debtors_news(engine: Engine) -> None:
    """A bank employee planning visits who says "客户不开门" gets a staff answer, never the
    debtor's "他们现在真的来了：先别开门"."""
    chat = Chat(engine, user="staff-visit")
    await chat.say("我是银行贷后岗的 明天第一次外访 要注意什么")
    text = "\n".join(await chat.say("客户不开门 我们能在门口等多久"))
    assert "真的来了" not in text and "先别开门" not in text
    assert chat.last.intent == "collector_conduct"


async def test_a_customers_words_of_suicide_from_staff_bring_the_numbers_first(
    engine: Engine,
) -> None:
    """Whatever answer the staff question gets, what to do for the customer comes first, with
    the numbers — and the staff member is never asked about self-harm."""
    chat = Chat(engine, user="staff-suicide")
    await chat.say("我是银行贷后岗的 明天第一次外访 要注意什么")
    replies = await chat.say("客户说要跳楼 我们该怎么办")
    assert "12356" in replies[0] and "120" in replies[0]
    assert "你是在想伤害自己吗" not in "\n".join(replies)


@pytest.mark.parametrize(
    ("opening", "said"),
    [
        (
            "我是招行信用卡中心的，想问下外访上门有什么要注意的",
            "客户说压力太大不想活了 我们该怎么办",
        ),
        ("", "我是催收公司的 客户说他现在就在楼顶上 我们怎么办"),
    ],
)
async def test_a_customers_danger_told_by_staff_is_the_customers(
    engine: Engine, opening: str, said: str
) -> None:
    """Words of suicide or a customer on a rooftop, passed on by bank or agency staff: what to
    do for the customer, with the numbers, first — never the speaker's own crisis or the
    question whether they themselves think of harming themselves."""
    chat = Chat(engine, user=f"staff-{len(said)}")
    if opening:
        await chat.say(opening)
    replies = await chat.say(said)
    assert "替他/她" in replies[0] or "他/她" in replies[0], replies
    assert re.search(r"120|110|12356", replies[0])
    text = "\n".join(replies)
    assert "你是在想伤害自己吗" not in text and "你现在有伤害自己的想法" not in text


async def test_a_request_for_the_rules_is_no_question_of_the_client(engine: Engine) -> None:
    """ "请给出依据" at the end of a forwarded case asks for the rules: it is not read as a
    question of its own (it had been answered as despair), and each rule is named once."""
    chat = Chat(engine, user="planner-rules")
    reply = await chat.text(
        "我是债务规划师，转述客户的问题：她招行信用卡逾期8个月，共欠15万，"
        "催收说已经构成信用卡诈骗、马上立案。请给出依据"
    )
    assert "焦虑、害怕和绝望" not in reply and "我很担心你" not in reply
    rules = next(line for line in reply.splitlines() if line.startswith("适用规定："))
    names = rules.removeprefix("适用规定：").split("；")
    assert len(names) == len(set(names)) and "《刑法》第一百九十六条" in names


@pytest.mark.parametrize(
    "said",
    [
        "我爸说他不想活了 在阳台上",
        "我妈刚才打电话说她想死 不想拖累我们",
        # named before, now "他": the relative's words passed on
        "他这几天整天不说话 昨晚跟我说活着没意思 想一了百了",
    ],
)
async def test_a_relatives_words_of_suicide_bring_what_to_do_for_them(
    engine: Engine, said: str
) -> None:
    """A son passing on his father's words: what he can do for his father now (120/110,
    then 12356), never the block for his own feelings nor the question about himself."""
    chat = Chat(engine, user=f"relative-{len(said)}")
    replies = await chat.say(said)
    text = "\n".join(replies)
    assert "120" in replies[0] and "替他/她" in replies[0], replies
    assert "你现在有伤害自己" not in text and "听你这么说" not in text


@pytest.mark.parametrize(
    "said",
    [
        "我是工行的客户经理 下周要上门拜访一个逾期客户 他是开小饭馆的 我该怎么跟他谈",
        "我们是一家消金公司的贷后专员，明天要去走访一个客户，要注意什么",
    ],
)
async def test_a_job_named_after_the_employer_is_staff(engine: Engine, said: str) -> None:
    """ "我是工行的客户经理": bank staff, answered as staff, never the debtor's door steps."""
    chat = Chat(engine, user=f"staff-job-{len(said)}")
    text = await chat.text(said)
    assert "你有权不让对方进门" not in text, text
    assert chat.last.intent == "collector_conduct", text
