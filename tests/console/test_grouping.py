"""Grouping similar messages (bot/operations/grouping.py): small differences never split a
group, different questions never share one, and the output is the same whatever the order."""

from __future__ import annotations

import random

import pytest

from bot.engine import Understanding
from bot.messages import RankedIntent
from bot.operations.grouping import Grouper, group_records
from bot.storage.turns.base import TurnRecord


def record(text: str, at: float = 1000.0, intent: str = "fallback", **guesses: float) -> TurnRecord:
    return TurnRecord(
        at=at,
        intent=intent,
        confidence=0.1,
        text=text,
        guesses=tuple(RankedIntent(i, s) for i, s in guesses.items()),
    )


@pytest.fixture(scope="module")
def grouper(understanding: Understanding) -> Grouper:
    return Grouper.for_content(understanding.content)


SAME_QUESTIONS = [
    # one question: numbers masked or not, particles, punctuation, a typo, Traditional,
    # emoji, full width
    [
        "我的手机号13812345678被催收轰炸了怎么办",
        "我的手机号138****5678被催收轰炸了怎么办？",
        "我的手机号139****0000被催收轰炸了怎么办啊",
        "我的手機號13812345678被催收轟炸了怎麼辦",
        "我的手机号13812345678被催收轰炸了怎么办😭😭",
        "我的手机号１３８１２３４５６７８被催收轰炸了怎么办！",
        "我的手机号13812345678被催收哄炸了怎么办",
    ],
    [
        "催收说明天要上门吗",
        "催收说明天要上门了",
        "催收说明天要上门",
        "催收说明天要上門了嗎？？",
        "崔收说明天要上门",  # the lexicon's variant spelling
        "催收说明天要上门 [捂脸]",
    ],
    [
        "他们给我看的委托书没有盖章是真的吗",
        "他们给我看的委拖书没有盖章是真的吗",
        "他们给我看的委托书没有盖章，是真的吗？",
    ],
]
DIFFERENT_QUESTIONS = [
    "催收上门怎么办",
    "催收打电话怎么办",
    "怎么查征信",
    "红烧肉怎么做",
    "今天天气怎么样",
    "能不能分期还款",
]


def test_small_differences_do_not_split_a_group(grouper: Grouper) -> None:
    records = [record(t) for group in SAME_QUESTIONS for t in group]
    grouping = group_records(records, grouper)
    found = sorted(sorted(g.texts) for g in grouping.groups)
    assert found == sorted(sorted(group) for group in SAME_QUESTIONS)


def test_different_questions_stay_apart(grouper: Grouper) -> None:
    records = [record(t) for t in DIFFERENT_QUESTIONS] + [
        record(t) for group in SAME_QUESTIONS for t in group
    ]
    groups = group_records(records, grouper).groups
    assert len(groups) == len(DIFFERENT_QUESTIONS) + len(SAME_QUESTIONS)
    singles = sorted(g.representative for g in groups if g.count == 1)
    assert singles == sorted(DIFFERENT_QUESTIONS)


def test_keys_ignore_numbers_particles_and_width(grouper: Grouper) -> None:
    assert grouper.key("电话13812345678能查吗？") == grouper.key("电话138****5678能查")
    assert grouper.key("欠了３万块啊") == grouper.key("欠了5万块")
    assert grouper.key("他們來了嗎") == grouper.key("他们来了")
    assert grouper.key("他们来了😡") == "他们来"
    assert grouper.similarity(grouper.key("催收上门怎么办"), grouper.key("催收打电话怎么办")) < 0.8
    # a question asked the other way round: the sorted words are alike
    assert grouper.similarity(grouper.key("他们说要起诉我"), grouper.key("要起诉我他们说")) == 1


def test_the_output_does_not_depend_on_the_order(grouper: Grouper) -> None:
    records = [
        record(t, at=1000.0 + i)
        for i, t in enumerate(DIFFERENT_QUESTIONS + [t for g in SAME_QUESTIONS for t in g])
    ]
    expected = [
        (g.signature, g.count, g.representative, sorted(g.texts))
        for g in group_records(records, grouper).groups
    ]
    for seed in range(3):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        got = [
            (g.signature, g.count, g.representative, sorted(g.texts))
            for g in group_records(shuffled, grouper).groups
        ]
        assert got == expected


def test_a_group_carries_counts_members_guesses_and_times(grouper: Grouper) -> None:
    records = [
        record("催收说明天要上门", at=50, collector_at_door=0.4, verify_identity=0.2),
        record("催收说明天要上门", at=10, collector_at_door=0.2),
        record("催收说明天要上门吗", at=30, intent="clarify", collector_at_door=0.3),
        record("催收说明天要上门了", at=40, intent="collector_at_door", collector_at_door=0.5),
        record("红烧肉怎么做", at=20),
    ]
    first, second = group_records(records, grouper).groups
    assert (first.count, first.fallback, first.clarify, first.low_confidence) == (4, 2, 1, 1)
    assert first.representative == "催收说明天要上门"  # the most frequent text
    assert first.members() == [
        ("催收说明天要上门", 2),
        ("催收说明天要上门了", 1),
        ("催收说明天要上门吗", 1),
    ]
    assert (first.first_seen, first.last_seen) == (10, 50)
    assert first.guesses() == [
        ("collector_at_door", pytest.approx(0.35)),
        ("verify_identity", pytest.approx(0.05)),
    ]
    assert second.representative == "红烧肉怎么做" and second.count == 1


def test_only_records_with_text_are_grouped_and_the_cap_holds(grouper: Grouper) -> None:
    records = [
        TurnRecord(at=1.0, intent="harassment", confidence=0.9),  # answered: no text
        record("红烧肉怎么做", at=2),
        record("今天天气怎么样", at=3),
        record("今天天气怎么样", at=4),
    ]
    grouping = group_records(records, grouper, max_distinct=1)
    assert [(g.representative, g.count) for g in grouping.groups] == [("今天天气怎么样", 2)]
    assert grouping.left_out == 1
