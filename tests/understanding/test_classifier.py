"""Intent recognition: ranking, urgency, fallback, and accuracy on the labelled test set."""

from __future__ import annotations

import pytest

from bot.conversation.policies.urgency import flagged
from bot.engine import Understanding
from bot.operations.evaluation import DEFAULT_TEST_SET, evaluate, read_test_set

TEST_SET = DEFAULT_TEST_SET


@pytest.fixture(scope="module")
def classify(understanding: Understanding):
    """Classify, with the urgency decision of a first message flagged (the classifier only
    gives evidence; bot/conversation/policies/urgency.py decides)."""
    from bot.conversation.policies.urgency import flagged

    return lambda text: flagged(understanding.classifier.classify(text))


def test_test_set_covers_every_intent(understanding: Understanding) -> None:
    items = read_test_set(TEST_SET)
    counts: dict[str, int] = {}
    for item in items:
        counts[item.intent] = counts.get(item.intent, 0) + 1
    assert set(counts) == set(understanding.content.ids)
    assert min(counts.values()) >= 10


def test_test_set_is_not_training_data(understanding: Understanding) -> None:
    examples = {e for spec in understanding.content.intents for e in spec.examples}
    overlap = [i.text for i in read_test_set(TEST_SET) if i.text in examples]
    assert overlap == []


def test_accuracy_on_own_test_set(understanding: Understanding) -> None:
    report = evaluate(understanding.classifier, read_test_set(TEST_SET))
    assert report.accuracy >= 0.90, report.table()


def test_urgent_topics_of_the_test_set_get_their_advice(understanding: Understanding) -> None:
    """A message labelled with an urgent intent is flagged urgent, or, when it is anxiety
    rather than danger ("焦虑得睡不着"), still answered with that intent's advice, which names
    the emergency lines (``check`` enforces it)."""
    urgent_ids = {spec.id for spec in understanding.content.intents if spec.urgent}
    dropped = []
    for item in read_test_set(TEST_SET):
        if item.intent in urgent_ids:
            result = flagged(understanding.classifier.classify(item.text))
            if item.intent not in result.urgent and result.top.intent != item.intent:
                dropped.append(item.text)
    assert dropped == []


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("催收的人在我家门口敲门怎么办", "collector_at_door"),
        ("信用卡上门怎么办", "collector_at_door"),
        ("怎么确认来的人是不是银行委托的", "verify_identity"),
        ("能不能跟银行申请停息挂账", "negotiate_installments"),
        ("他让我把钱转到他个人微信上", "safe_repayment"),
        ("半夜十二点还在给我打电话", "harassment"),
        ("投诉催收打什么电话", "complain"),
        ("欠信用卡不还会坐牢吗", "legal_consequences"),
        ("你好", "greeting"),
        ("谢谢你", "thanks"),
        ("今天天气怎么样", "fallback"),
    ],
)
def test_top_intent(classify, text: str, intent: str) -> None:
    assert classify(text).top.intent == intent


def test_ranking_is_complete_and_sorted(classify, understanding: Understanding) -> None:
    result = classify("催收上门了怎么核实身份")
    scores = [r.score for r in result.ranking]
    assert {r.intent for r in result.ranking} == set(understanding.content.ids)
    assert scores == sorted(scores, reverse=True)
    assert abs(sum(scores) - 1.0) < 0.01


def test_two_topics_are_both_ranked_high(classify) -> None:
    result = classify("催收打电话骚扰我家人，我想投诉他们")
    top_two = {r.intent for r in result.ranking[:2]}
    assert top_two == {"harassment", "complain"}


@pytest.mark.parametrize(
    "text",
    [
        "他们在砸门还说不给钱就不走",
        "催收的人威胁我说要打断我的腿，我想问能不能分期",
        "我真的不想活了",
        "buxiang huole",
        "欠了二十万 还不上 想跳楼",
        "想问下征信的事 不过门外那几个人一直在踹门",
        "我现在被他们关在车里不让下车",
    ],
)
def test_urgent_detected_and_first(classify, text: str) -> None:
    result = classify(text)
    assert result.urgent
    assert result.top.intent in ("threat_or_violence", "emotional_distress")


@pytest.mark.parametrize("text", ["怎么协商分期", "催收上门了", "征信多久恢复", "你好"])
def test_ordinary_messages_are_not_urgent(classify, text: str) -> None:
    assert classify(text).urgent == []


@pytest.mark.parametrize(
    "text", ["", "   ", "👍", "\x00\x01", "a" * 100_000, "\ud800 lone surrogate", "🙏" * 5000]
)
def test_any_text_is_classified(classify, text: str) -> None:
    result = classify(text)
    assert result.ranking
    assert 0.0 <= result.confidence <= 1.0


def test_despair_with_no_sign_is_possible_danger(understanding: Understanding) -> None:
    """Relabelled with the three tiers (issue 23): despair as the best guess with no warning
    sign is possible danger (the warm question and the numbers), not the crisis reply."""
    from bot.conversation.policies.urgency import Kind, Tier, decide

    urgency = decide(understanding.classifier.classify("我已经好几天没吃饭了 什么都不想做"))
    assert urgency.tier is Tier.POSSIBLE and urgency.kind is Kind.SELF_HARM
