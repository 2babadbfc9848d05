"""Cues read once from a message: whether it asks, and whether thanks is a goodbye."""

from __future__ import annotations

import pytest

from bot.understanding.cues import Cues
from bot.understanding.details import extract_details


def _cues(text: str) -> Cues:
    return Cues(text, extract_details(text))


@pytest.mark.parametrize(
    "text",
    [
        "异议提交以后多长时间要给结果",  # 多长时间
        "这个6次是所有坐席加起来算,还是每个坐席各算各的",  # either-or
        "有没有什么办法让他们别打了",
        "是否可以只还本金",
        "要还几年",
        "那我老婆呢",  # a final 呢 still asks
    ],
)
def test_a_question_without_a_question_mark_is_asked(text: str) -> None:
    assert _cues(text).asked


@pytest.mark.parametrize(
    "text",
    [
        "我还是还不起",
        "没啥好说的 先这样",
        "我欠了三年了",
        "老爸除了一套老房子啥都没有",
        "孩子还等着我呢",  # 着…呢: told, not asked
        "我好着呢",
    ],
)
def test_a_statement_is_not_asked(text: str) -> None:
    assert not _cues(text).asked


@pytest.mark.parametrize(
    "text",
    [
        "brilliant, mate, cheers for the tips, i owe you a beer",
        "ta heaps, will phone them",
        "谢谢 我明天去网点",
    ],
)
def test_thanks_with_a_short_tail_is_a_goodbye(text: str) -> None:
    assert _cues(text).thanks_closing


@pytest.mark.parametrize(
    "text", ["谢谢 但是他们还在楼下", "thanks, but what about my mum?", "谢谢 我还欠招行3万"]
)
def test_thanks_with_news_or_a_question_is_no_goodbye(text: str) -> None:
    assert not _cues(text).thanks_closing


@pytest.mark.parametrize(
    "text",
    ["怎么办怎么办", "咋办咋办啊", "那我该怎么办呢", "那我接下来要做什么", "之后还需要做什么"],
)
def test_what_now_said_over_and_over_is_what_now(text: str) -> None:
    assert _cues(text).what_now


@pytest.mark.parametrize("text", ["接下来要做什么工作证明", "我该做什么分期"])
def test_a_what_now_with_words_of_its_own_is_not_bare(text: str) -> None:
    assert not _cues(text).what_now


@pytest.mark.parametrize(
    "text",
    [
        "They said they'd call my university. Can they?",
        "ta men shuo ming tian lai wo jia",
        "this is a tasty problem, what do I do",
    ],
)
def test_english_thanks_is_a_whole_word(text: str) -> None:
    """ "ty" inside "university", "ta" as pinyin (他): no thanks."""
    assert not _cues(text).thanks


@pytest.mark.parametrize("text", ["Got it, thanks!", "ty", "thx a lot", "cheers mate", "谢谢你"])
def test_thanks_in_any_words_is_thanks(text: str) -> None:
    assert _cues(text).thanks


@pytest.mark.parametrize(
    ("said", "asked"),
    [
        ("two men are at my door. do i have to open the door?", True),
        ("can they call my boss", True),
        ("is it legal for them to visit at night", True),
        ("this is my door", False),
        ("they have to leave", False),
    ],
)
def test_an_english_yes_no_question_is_a_question(said: str, asked: bool) -> None:
    assert Cues(said, extract_details(said)).question_word is asked


@pytest.mark.parametrize("said", ["银行必须同意对吧", "这样算没错吧", "利息照算是吧"])
def test_a_tag_question_is_a_question(said: str) -> None:
    assert Cues(said, extract_details(said)).asks


def test_words_in_quotation_marks_do_not_ask_back() -> None:
    """ "他在电话里笑着说“你家住几楼来着，我忘了”": the collector's words, not the person asking
    what they told."""
    from bot.understanding.cues import recall_words

    assert recall_words("他在电话里笑着说“你家住几楼来着，我忘了”") == ""
    assert recall_words("我刚才说欠多少来着") != ""


@pytest.mark.parametrize("text", ["我爸去世了，留下8万信用卡欠款，银行让我还", "催收找我妈还钱"])
def test_a_demand_to_pay_told_last_asks(text: str) -> None:
    """ "…银行让我还" asks whether one must: read as a question (its answer, not the steps)."""
    assert _cues(text).asked


def test_a_demand_to_pay_in_passing_is_told() -> None:
    assert not _cues("银行让我还的那笔我已经还完了").asked


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("你刚才说的中断是啥意思 没太懂", True),
        ("什么意思？", True),
        ("能解释一下吗", True),
        ("what do you mean by that?", True),
        ("终本是什么意思", False),  # a term named: a question of its own
        ("这份合同我看不懂 要签吗", False),
    ],
)
def test_asking_what_was_just_said_means(text: str, asks: bool) -> None:
    assert _cues(text).asks_meaning is asks
