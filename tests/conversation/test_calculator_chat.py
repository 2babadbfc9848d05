"""The calculator through the engine: what people say, over several messages, in private and
in groups (tests/harness.py Chat). Figures are hand-computed in tests/conversation/
test_calculator.py; here they show that the right details reached the calculator."""

from __future__ import annotations

from bot.engine import Engine
from bot.messages import Incoming
from tests.harness import Chat, stored_session

FREE = "免息分期（要和对方协商，对方可以不同意）"


async def test_their_rate_is_used_and_explained(chat: Chat) -> None:
    text = await chat.text("借了8万 年利率7.2% 等额本息分24期")
    # 80000 at 0.6% a month over 24: the annuity payment 3589.06 (see test_calculator)
    assert "1. 等额本息（按年化7.2%）：每月3,589.06元" in text
    assert "按你说的年利率7.2%算，月利率 = 年化 ÷ 12 = 0.6%" in text
    assert "举例" not in text
    assert chat.last.intent == "negotiate_installments"


async def test_rate_forms_across_messages(chat: Chat) -> None:
    await chat.say("欠12万，想协商分12期还")
    text = await chat.text("月息1分")  # 1% a month: the hand-computed 10661.85
    assert "等额本息（按年化12%）：每月10,661.85元" in text
    assert "按你说的月息1分算，即月利率1%，折合年化12%（× 12）" in text
    text = await chat.text("日息万五")
    assert "按你说的日息万分之五算：× 365 ≈ 年化18.25%，再按月利率 = 年化 ÷ 12 ≈ 1.52% 计算" in text
    assert chat.last.intent == "negotiate_installments"  # not taken for another topic
    text = await chat.text("年化18% 不对 是24%")
    assert "等额本息（按年化24%）" in text


async def test_without_a_rate_the_example_is_explained(chat: Chat) -> None:
    text = await chat.text("欠3万，想分24期还")
    assert "等额本息（按年化10%举例）" in text
    assert "年化10%只是举例，不是你的实际利率" in text
    assert "账单" in text
    # the plan people usually get first; the interest-free split last, as something to ask for
    assert text.index("1. 等额本息") < text.index("2. 等额本金") < text.index(f"3. {FREE}")


async def test_correction_in_one_message(chat: Chat) -> None:
    await chat.say("欠3万想分期")
    text = await chat.text("分24期 不对 是30期")
    assert "分30期" in text and "分24期" not in text
    assert "每月1,000.00元" in text  # 30000 / 30 interest-free


async def test_correction_across_messages(chat: Chat, engine: Engine) -> None:
    await chat.say("欠3万，想分24期还")
    text = await chat.text("不对，是36期")
    assert "分36期（3年）" in text
    assert "每月833.33元" in text  # 30000 / 36
    text = await chat.text("金额也不对，是4万")
    assert "按40,000.00元、分36期" in text
    session = await stored_session(engine, engine.session_key(Incoming(user="alice", text="")))
    assert session is not None
    assert (session.details.amount, session.details.months) == (40_000.0, 36)


async def test_several_debts_listed_and_totalled(chat: Chat) -> None:
    await chat.say("招行2万 还有平安1万8，想分期还")
    text = await chat.text("分24期")
    assert "你说的几笔：招商银行 20,000.00元；平安银行 18,000.00元；合计38,000.00元。" in text
    assert "按38,000.00元、分24期" in text
    text = await chat.text("只算招行的呢")
    assert "下面只算招商银行这一笔。" in text and "按20,000.00元、分24期" in text
    text = await chat.text("只算平安的")
    assert "下面只算平安银行这一笔。" in text and "按18,000.00元、分24期" in text


async def test_what_can_i_afford(chat: Chat) -> None:
    await chat.say("欠3万，想分24期还")
    text = await chat.text("每月最多能还1500，要几期？")
    assert "每月最多还1,500.00元，30,000.00元要分几期：" in text
    assert f"{FREE}：20期（1年8个月），每月1,500.00元" in text  # 30000 / 1500
    assert "等额本息（按年化10%举例）：" in text and "期（" in text
    assert "举例" in text
    text = await chat.text("年化12%")
    assert "等额本息（按年化12%）：23期（1年11个月），每月1,466.58元" in text
    text = await chat.text("每月最多还300")
    assert "每月光利息就约300.00元" in text and "连利息都不够" in text


async def test_edge_cases_get_a_sentence_not_the_fallback(chat: Chat) -> None:
    await chat.say("欠3万，想分24期还")
    for said, sentence in [
        ("0期", "你说的0期没法算：期数至少要1期"),
        ("-3期", "你说的-3期没法算"),
        ("600期", "600期超过5年（60期）"),
        ("700期", "700期（超过50年）太长了"),
        ("72期", "72期超过5年（60期）"),
    ]:
        text = await chat.text(said)
        assert sentence in text, said
        assert chat.last.intent == "negotiate_installments", said


async def test_over_60_names_art70_for_banks_and_the_lender_for_online_loans(chat: Chat) -> None:
    text = await chat.text("欠招行5万，能不能分72期还")
    assert "72期超过5年（60期），超出第七十条说的上限" in text
    assert "“可以”（不是必须）" in text
    other = Chat(chat.engine, user="carol")
    text = await other.text("欠借呗5万，能不能分72期还")
    assert "72期超过5年，网贷平台是否同意由平台决定" in text
    assert "第七十条" not in text.split("网贷、消费贷")[-1]
    assert "5年（60期）的个性化分期" not in text


async def test_amounts_zero_absurd_and_written_in_wan(chat: Chat) -> None:
    await chat.say("想分24期还")
    text = await chat.text("欠0元")
    assert "欠款是0元的话，就不用分期了" in text
    text = await chat.text("欠了2000万")
    assert "20,000,000.00元超过了1000万" in text and "多打了一个0" in text
    for user, said in [("w1", "欠3.5万"), ("w2", "欠三万五"), ("w3", "欠3w5"), ("w4", "欠35k")]:
        other = Chat(chat.engine, user=user)
        await other.say("想分24期还")
        text = await other.text(said)
        assert "按35,000.00元、分24期" in text, said


async def test_down_payment_leaves_the_rest_to_split(chat: Chat) -> None:
    text = await chat.text("欠3.5万，先付10%，剩下的分12期")
    assert "先付10%（3,500.00元），剩下31,500.00元分期。" in text
    assert "每月2,625.00元" in text  # 31500 / 12


async def test_the_asked_convention_comes_first(chat: Chat) -> None:
    text = await chat.text("欠3万，想分12期，等额本金")
    assert "1. 等额本金" in text
    text = await chat.text("免息分期呢")
    assert f"1. {FREE}" in text


async def test_group_no_amounts_and_corrections(engine: Engine) -> None:
    group = Chat(engine, user="bob", room="g1")
    text = await group.text("我欠招行3万想分24期", addressed=True)
    assert "不重复金额" in text and "私聊" in text
    assert "每期大约1,250.00元" in text  # the derived figure, not the amount
    for said, figure in (("不对 是36期", "833"), ("每月最多还1000", "30期"), ("日息万五", "")):
        # the calculator topic answers with the new figure; amounts and lender never said
        text = await group.text(said, addressed=True)
        assert "30,000" not in text and "3万" not in text and "招行" not in text, said
        assert figure in text, said
        assert group.last.intent == "negotiate_installments", said


async def test_a_bare_period_or_budget_starts_the_calculator(engine: Engine) -> None:
    for user, said, expected in [
        ("u1", "0期", "你说的0期没法算：期数至少要1期"),
        ("u2", "700期", "700期（超过50年）太长了"),
        ("u3", "600期", "大概欠多少"),
        ("u4", "每月最多能还1500，要几期？", "大概欠多少"),
    ]:
        chat = Chat(engine, user=user)
        text = await chat.text(said)
        assert expected in text, said
        assert chat.last.intent == "negotiate_installments", said
    chat = Chat(engine, user="u4")
    text = await chat.text("欠3万")  # the budget was remembered
    assert f"{FREE}：20期（1年8个月），每月1,500.00元" in text


async def test_a_figure_after_a_calculation_is_not_another_topic(chat: Chat) -> None:
    await chat.say("欠3万，想分24期还")
    for said, expected in [
        ("欠3.5万", "按35,000.00元、分24期"),
        ("不对，是4万", "按40,000.00元、分24期"),
        ("那分36期呢？", "按40,000.00元、分36期"),
    ]:
        text = await chat.text(said)
        assert expected in text, said
        assert chat.last.intent == "negotiate_installments", said
    # a message with words of its own still changes topic
    await chat.say("催收天天打电话骚扰我家人")
    assert chat.last.intent != "negotiate_installments"


import pytest  # noqa: E402


@pytest.mark.parametrize(
    "said",
    [
        "我每月最多还1500 欠3万 要还多久",
        "欠3万 每个月能还1500 几年能还完",
        "3万块 一个月还1500的话要分几期",
    ],
)
async def test_how_long_with_a_budget_is_computed(chat: Chat, said: str) -> None:
    """Asking how long (or how many periods) with an amount and a monthly budget is a
    calculation, not a menu between topics: 30,000 at 1,500 a month is 20 periods free."""
    text = await chat.text(said)
    assert "30,000.00元要分几期" in text
    assert "20期" in text
    assert "回复数字" not in text


async def test_how_long_until_sued_is_not_a_calculation(chat: Chat) -> None:
    text = await chat.text("欠3万多久会被起诉")
    assert "要分几期" not in text and "等额本息" not in text


async def test_an_amount_a_budget_and_how_long_is_a_calculation(chat: Chat) -> None:
    """Whoever asks (a parent helping a son here), an amount, what can be paid a month and
    "how long" is answered with the figure, whatever else the words resemble."""
    text = await chat.text("我想帮他一点 他一共欠六万左右 我每个月能出两千 要几个月")
    assert "30期（2年6个月）" in text  # 60000 / 2000, interest-free
    text = await chat.text("借呗那边欠三万整 我一个月顶多挤出1500块 按这个还得多少个月")
    assert "20期（1年8个月）" in text
    assert chat.last.choices == []


async def test_the_calculation_says_what_the_income_leaves_after_paying(engine: Engine) -> None:
    """Income and costs told, then periods asked: after the plans, what the income less the
    costs leaves each month once paid (interest-free to the example rate)."""
    chat = Chat(engine, user="left-after-paying")
    await chat.say("我欠招行信用卡8万，每个月工资6000，房租1500，想和银行谈分期")
    text = "\n".join(await chat.say("分60期的话每个月大概要还多少"))
    assert "剩4,500.00元" in text and "3,166.67元" in text, text
    chat = Chat(engine, user="short-after-paying")
    await chat.say("我欠平安信用卡20万，每个月工资3000，房租1500")
    text = "\n".join(await chat.say("分12期的话每个月还多少"))
    assert "不够等额本息" in text, text


async def test_what_is_left_after_a_repayment_told(chat: Chat) -> None:
    """ "还了这笔以后还欠多少" and "剩下的要还多久": the debt less the repayment told, said as
    the person's figures (the bill decides), and the calculation on what is left."""
    await chat.say("我昨天用建行手机银行还了5000 今天催收还打电话说没收到")
    text = await chat.text("我原来欠32000 还了这笔以后还欠多少")
    assert "27,000.00元" in text and "以账单" in text, text
    text = await chat.text("我每个月能拿出2000 那剩下的大概要还多久")
    assert "剩下的27,000.00元" in text and "27,000.00元要分几期" in text, text
