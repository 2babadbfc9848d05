"""Reading short answers: yes/no, numbered choices, commands."""

from __future__ import annotations

import pytest

from bot.understanding.short_answers import (
    Command,
    YesNo,
    read_choice,
    read_closing,
    read_closing_plan,
    read_closing_with_tail,
    read_command,
    read_yes_no,
)


@pytest.mark.parametrize(
    "text",
    ["有", "有的", "是", "是的", "对", "嗯", "嗯嗯", "yes", "ok", "出示了", "给看了", "好像有"],
)
def test_affirm(text: str) -> None:
    assert read_yes_no(text) is YesNo.AFFIRM


@pytest.mark.parametrize(
    "text", ["没有", "没", "不是", "还没", "好像没有", "no", "没给", "没出示", "不对", "没呢"]
)
def test_deny(text: str) -> None:
    assert read_yes_no(text) is YesNo.DENY


@pytest.mark.parametrize("text", ["不知道", "不清楚", "没看清", "不确定"])
def test_unsure(text: str) -> None:
    assert read_yes_no(text) is YesNo.UNSURE


@pytest.mark.parametrize("text", ["他们说明天来我家，要我准备好三万块", "催收上门了", ""])
def test_not_an_answer(text: str) -> None:
    assert read_yes_no(text) is None


@pytest.mark.parametrize(
    ("text", "index"), [("1", 0), ("2", 1), ("第二个", 1), ("选3", 2), ("三", 2), ("3.", 2)]
)
def test_choice(text: str, index: int) -> None:
    assert read_choice(text, 3) == index


@pytest.mark.parametrize("text", ["4", "0", "第五个", "一些", "12期"])
def test_not_a_choice(text: str) -> None:
    assert read_choice(text, 3) is None


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("详细", Command.MORE),
        ("更多", Command.MORE),
        ("菜单", Command.MENU),
        ("帮助", Command.MENU),
        ("重新开始", Command.RESET),
        ("取消", Command.RESET),
        ("人工", Command.HUMAN),
        ("联系顾问", Command.HUMAN),
        ("删除我的记录", Command.FORGET),
    ],
)
def test_commands(text: str, command: Command) -> None:
    assert read_command(text) is command


def test_command_only_as_whole_message() -> None:
    assert read_command("详细说说催收上门的规定有哪些吧") is None


def test_out_of_range_names_the_range() -> None:
    from bot.understanding.short_answers import out_of_range

    assert out_of_range("9", 5) == "请回复1到5之间的数字。"
    assert out_of_range("选0", 3) == "请回复1到3之间的数字。"
    assert out_of_range("六", 1) == "请回复数字1。"
    assert out_of_range("3", 5) is None  # one of the choices
    assert out_of_range("我有3张卡", 5) is None  # not a lone number


def test_an_acknowledgement_then_content_is_not_a_yes() -> None:
    assert read_yes_no("好吧我不开") is None  # "heard you", not "yes, they showed it"
    assert read_yes_no("好的有") is YesNo.AFFIRM
    assert read_yes_no("嗯没有") is YesNo.DENY
    assert read_yes_no("好吧") is YesNo.AFFIRM


@pytest.mark.parametrize("text", ["thx bro", "谢谢哥", "谢了亲", "谢谢你啊兄弟", "ok thanks man"])
def test_a_thanks_with_a_friendly_address_is_a_closing(text: str) -> None:
    assert read_closing(text) is True


@pytest.mark.parametrize(
    "text", ["嗯 懂了 我去问问客服", "懂了 长记性了", "中 俺知道了 回头跟俺娘说"]
)
def test_understood_with_a_tail_is_a_closing(text: str) -> None:
    assert read_closing_with_tail(text)


@pytest.mark.parametrize(
    "text", ["懂了 那利息能免吗", "明白了 但是他们还会来吗", "知道了 怎么投诉"]
)
def test_understood_then_a_question_is_not_a_closing(text: str) -> None:
    assert not read_closing_with_tail(text)


@pytest.mark.parametrize(
    "text",
    [
        "麻烦把刚才提到的规章全称和文号发我一下，我要写进咨询记录",
        "你说的那条规定是哪个文件",
        "上面提到的法规全称是什么",
    ],
)
def test_a_sentence_asking_for_the_rules_just_mentioned_is_the_more_command(text: str) -> None:
    assert read_command(text) is Command.MORE


@pytest.mark.parametrize(
    "text",
    [
        "催收上门有什么法律依据吗",  # a question of its own: its topic answers it
        "这个规定合法吗",
        "刚才催收又打电话来了，说要去我单位找领导，还说已经准备好起诉的文件了",
    ],
)
def test_a_question_of_its_own_about_rules_is_no_command(text: str) -> None:
    assert read_command(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "行 那我明早上班前打个电话问问",
        "好 我让孙子带我去问问",
        "ok 懂了 我跟客户讲",
        "懂 我先截图存着",
        "好的 我转给他看",
    ],
)
def test_okay_then_a_deed_is_a_closing(text: str) -> None:
    assert read_closing_plan(text)


@pytest.mark.parametrize("text", ["嗯 我现在很害怕", "好 我是招行的卡", "好 我让他们进来了吗"])
def test_okay_then_a_feeling_a_fact_or_a_question_is_no_closing(text: str) -> None:
    assert not read_closing_plan(text)


@pytest.mark.parametrize("text", ["收到法院短信 里面有个网址", "收到一封律师函"])
def test_received_something_is_news_not_a_closing(text: str) -> None:
    assert not read_closing_with_tail(text)


@pytest.mark.parametrize("text", ["好的 长见识了", "学到了 谢谢", "受教了"])
def test_learning_something_is_a_closing(text: str) -> None:
    assert read_closing(text) is True
