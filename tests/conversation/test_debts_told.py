"""What people say about several debts and their month's money, through the engine: the
total asked for, one debt corrected, how long the total takes on a budget, and what is left
of an income after the costs named (policies owed.py and spare.py)."""

from __future__ import annotations

from tests.harness import Chat

FIVE = "借呗2.3万 花呗6千 美团1.1万 分期乐9千 安逸花1.5万"


async def test_the_total_told_back_when_asked(chat: Chat) -> None:
    await chat.say(f"全线逾期了 {FIVE}")
    text = await chat.text("所以我总共欠多少来着 脑子乱了")
    assert "合计64,000.00元" in text
    assert "美团 11,000.00元" in text
    assert "核对" not in text  # not the topic block about checking a debt
    assert chat.last.intent is not None


async def test_debts_listed_and_summed_in_one_message(chat: Chat) -> None:
    text = await chat.text("建行3.8万 农行2.2万 交行5.5万 中行1.4万 加起来多少")
    assert "合计129,000.00元" in text
    assert "年化" not in text.split("合计")[0]  # the sum first, not an interest answer


async def test_one_debt_corrected_keeps_the_others_and_the_total(chat: Chat) -> None:
    await chat.say(f"全线逾期了 {FIVE}")
    text = await chat.text("不对，美团是1.6万不是1.1万，我看错了")
    assert "合计69,000元" in text
    text = await chat.text("假如一个月固定拿2500出来 分摊给这五家 不算利息的话大概多久能还完")
    assert "合计69,000.00元" in text
    assert "28期" in text  # 69,000 / 2,500 = 27.6: 28 months without interest


async def test_what_is_left_of_the_income(chat: Chat) -> None:
    text = await chat.text(
        f"全线逾期了 {FIVE} 工资5500 房租1500 吃饭通勤1200 我每个月到底能拿出多少来还"
    )
    assert "剩约2,800.00元" in text
    assert "23个月" in text  # 64,000 / 2,800 = 22.9
    assert "留出" in text  # never "pay all of it"


async def test_income_and_costs_in_spoken_numerals(chat: Chat) -> None:
    text = await chat.text("我现在每个月工资六千五房贷要三千孩子奶粉尿布一千你帮我算算能剩多少来还")
    assert "剩约2,500.00元" in text
    assert "欠款1,000" not in text  # a cost is not the debt


async def test_no_amounts_repeated_in_a_group(engine) -> None:  # type: ignore[no-untyped-def]
    group = Chat(engine, user="m1", room="g-debts")
    await group.say(f"@助手 {FIVE}")
    text = await group.text("@助手 所以我总共欠多少来着")
    assert "64,000" not in text and "23,000" not in text


async def test_costs_told_after_the_income_and_one_corrected(chat: Chat) -> None:
    await chat.say("他一个月挣四千")
    text = await chat.text("他说租房八百吃饭一千二 别的没啥")
    assert "剩约2,000.00元" in text
    text = await chat.text("等下 我算错了 房租其实是1000")
    assert "剩约1,800.00元" in text


async def test_an_income_with_how_much_asks_for_the_costs(chat: Chat) -> None:
    text = await chat.text("我一个月工资五千 每个月能还多少合适")
    assert "开销" in text or "开支" in text


async def test_a_correction_after_the_money_left_is_heard(chat: Chat) -> None:
    await chat.say("借呗2.3万 花呗6千 美团1.1万 工资5500 房租1500 吃饭1200 我每个月能拿出多少还")
    text = await chat.text("不对 美团是1.6万")
    assert "帮不上忙" not in text and "45,000" in text


async def test_a_debt_told_later_is_added_and_a_correction_is_not(chat: Chat) -> None:
    """Debts told one by one are kept apart by name and summed ("还有一张…"); a new lender
    said as a correction replaces the first instead."""
    await chat.say("借呗欠了2万8 逾期了 能不能申请分5年")
    await chat.say("还有一张浦发信用卡欠1万2 也逾期了")
    text = await chat.text("两个加起来我一共欠多少")
    assert "借呗" in text and "浦发" in text and "40,000" in text


async def test_a_new_lender_said_as_a_correction_replaces_the_first(engine) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(engine, user="debt-corrected")
    await chat.say("借呗欠了2万8 逾期了")
    await chat.say("不对 不是借呗 是浦发信用卡欠1万2")
    text = await chat.text("我一共欠多少来着")
    assert "40,000" not in text and "12,000" in text


async def test_the_total_asked_again_with_periods_is_the_sum_split(chat: Chat) -> None:
    """Three cards told, then one of them named about something else, then "我总共欠多少来着
    分五年每个月要还多少": the sum (not the card named last) split over 60 periods; asked
    once more, the sum is said again (never "上面说过了")."""
    await chat.say("一张工行2万 一张建行3万5 一张交行1万2 总共多少")
    await chat.say("工行的卡我工资也发在工行 他们会直接扣我工资卡吗")
    text = "\n".join(await chat.say("回到最开始 我总共欠多少来着 分五年每个月要还多少本金"))
    assert "合计67,000.00元" in text and "按67,000.00元、分60期" in text, text
    assert "只算工商银行" not in text
    text = "\n".join(await chat.say("我一共欠多少来着"))
    assert "67,000" in text and "上面说过了" not in text, text
