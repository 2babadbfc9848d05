"""What a message says besides its question: the request for the rules and a professional's
introduction are left out of the reading, and the request is kept as a cue (requests.py)."""

from __future__ import annotations

import pytest

from bot.engine import Engine, Understanding
from bot.understanding.requests import asks_rules, only_asks_rules, question_text
from tests.harness import Chat


@pytest.mark.parametrize(
    ("said", "question"),
    [
        ("催收员说的这些话本身违规吗，依据是什么", "催收员说的这些话本身违规吗"),
        ("银行说没有义务给我分期，有没有条文可引？", "银行说没有义务给我分期"),
        ("案主欠中信信用卡8万。请列出相关刑法条文", "案主欠中信信用卡8万。"),
        (
            "我是法律援助站的，当事人问：催收能不能给他同事打电话？请给出具体依据。",
            "当事人问：催收能不能给他同事打电话？",
        ),
        ("我是律所的公益律师，当事人被限高了，能解除吗？", "当事人被限高了，能解除吗？"),
    ],
)
def test_the_question_is_read_without_the_request_and_the_introduction(
    said: str, question: str
) -> None:
    assert question_text(said).text == question


@pytest.mark.parametrize(
    "said",
    [
        "我是他妈妈，催收让我替他还钱",  # who is asked to pay is the question
        "我是担保人，催收找我还钱",
        "这个规定合法吗",  # a question about a rule, not a request for one
        "依据是什么",  # the request alone: about the answer just given
        "我是债务规划师",  # nothing left to read
    ],
)
def test_what_is_the_question_stays(said: str) -> None:
    assert question_text(said).text == said


def test_the_request_is_a_cue() -> None:
    assert asks_rules("催收能不能打给我同事？请给出具体依据。")
    assert asks_rules("what is the legal basis")
    assert not asks_rules("催收能不能打给我同事？")
    assert only_asks_rules("请给出依据。") and not only_asks_rules("他违规吗，依据是什么")


def test_an_introduction_does_not_choose_the_topic(understanding: Understanding) -> None:
    """ "法律援助" in who asks is not a question about finding legal aid."""
    said = "我是法律援助站的，当事人问：催收能不能给他同事打电话？"
    assert understanding.reader.read(said).top.intent != "seek_help"


async def test_a_question_asking_for_the_rules_gets_them(engine: Engine) -> None:
    """The answer (or the steps) comes with a line naming the rules it rests on, their
    articles in figures; without the request, no such line."""
    asked = await Chat(engine, user="rules1").say("催收打电话给我同事合法吗？依据是什么")
    text = "\n".join(asked)
    assert "依据：" in text and "《" in text, text
    assert "第68条" in text, text  # the credit-card rules' article on whom collectors may contact
    plain = await Chat(engine, user="rules2").say("催收打电话给我同事合法吗？")
    assert "依据：" not in "\n".join(plain)
