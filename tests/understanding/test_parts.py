"""Reading the questions one message asks (bot/understanding/parts.py)."""

from __future__ import annotations

import pytest

from bot.understanding.parts import MAX_PARTS, question_parts


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("借呗逾期多久会被起诉,真的会上门吗?", ["借呗逾期多久会被起诉", "真的会上门吗"]),
        ("能不能分期，分期会不会上征信", ["能不能分期", "分期会不会上征信"]),
        ("会坐牢吗？还有会不会上门", ["会坐牢吗", "会不会上门"]),
        (
            "360借条逾期会上门吗?如果真的还不上,应该怎么办?",
            ["360借条逾期会上门吗", "如果真的还不上,应该怎么办"],
        ),
    ],
)
def test_several_questions_are_read_in_order(text: str, parts: list[str]) -> None:
    assert question_parts(text) == parts


@pytest.mark.parametrize(
    "text",
    [
        "信用卡逾期了怎么办",  # one question
        "我欠了5万，现在怎么办",  # a statement, then one question
        "如果平台拒绝协商，我们该怎么办",  # a condition, then one question
        "催收的人在门口 怎么办 要开门吗",  # one situation said in pieces
        "好的？？？",  # nothing to read
        "",
    ],
)
def test_one_question_is_not_split(text: str) -> None:
    assert question_parts(text) == []


def test_at_most_three_and_never_a_story() -> None:
    many = "会坐牢吗？会上门吗？会扣工资吗？会影响孩子吗？会上征信吗？"
    assert len(question_parts(many)) == MAX_PARTS
    story = "我" * 200 + "会坐牢吗？会上门吗？"
    assert question_parts(story) == []


@pytest.mark.parametrize("junk", [None, 42, b"\xff", ["a"]])
def test_wrong_types_are_no_questions(junk: object) -> None:
    assert question_parts(junk) == []  # type: ignore[arg-type]
