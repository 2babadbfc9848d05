"""Warning signs: gaps, misspellings, pinyin, English, negations, exceptions, calm cues, no
floor, and the checks on intents/warning_signs.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import ContentError, default_intents_dir, load_content
from bot.engine import Understanding
from bot.signs import SIGNALS_FILE
from bot.understanding.urgent import UrgentMatcher, _chains


@pytest.fixture(scope="module")
def classify(understanding: Understanding):
    """Classify, with the urgency decision of a first message flagged (the classifier only
    gives evidence; bot/conversation/policies/urgency.py decides)."""
    from bot.conversation.policies.urgency import flagged

    return lambda text: flagged(understanding.classifier.classify(text))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("早上发现门上被泼了红油漆", "threat"),  # 泼…油漆 with two characters between
        ("锁眼里被灌了胶水", "threat"),
        ("他们说我们知道你住哪", "threat"),
        ("有人在学校门口拍我孩子", "threat"),
        ("门外的人在撬我家的锁", "threat"),
        ("催收说今天就把我带走", "threat"),
        ("tamen zai qiao suo", "threat"),
        ("they said they know where I live", "threat"),
        ("被催得要奔溃了 不想活了", "despair"),
        ("bu xiang huo le", "despair"),
        ("buxianghuole", "despair"),
        ("I want to kill myself", "despair"),
        ("thinking about suicide", "despair"),
        ("我要是走了 债是不是就没了", "despair"),
        ("在楼顶坐了一下午", "despair"),
        ("把东西都送人了 跟大家说声再见", "despair"),
    ],
)
def test_signals_find_the_kind_of_danger(classify, text: str, kind: str) -> None:
    result = classify(text)
    assert result.urgent
    assert kind in {hit.kind for hit in result.signals}


@pytest.mark.parametrize("text", ["I can't go on", "撑不下去了", "以卡养卡撑不住了"])
def test_cannot_go_on_alone_is_a_possible_sign(understanding: Understanding, text: str) -> None:
    """ "撑不下去了" is said of money as often as of life: a warning sign of despair (the
    possible tier asks and gives the numbers), not clear danger on its own."""
    from bot.conversation.policies.urgency import decide

    classification = understanding.classifier.classify(text)
    assert "despair" in {hit.kind for hit in classification.signals}
    assert all(hit.strength == "possible" for hit in classification.signals)
    assert decide(classification).tier.value in ("possible", "calm")


@pytest.mark.parametrize(
    "text",
    [
        "不会跳楼的 放心",
        "我不会想不开的 只是问问分期",
        "I'm not going to kill myself, just asking about fees",
        "跳楼价甩卖买了一堆东西 现在还不上",
    ],
)
def test_negations_and_exceptions_cancel_a_signal(classify, text: str) -> None:
    assert classify(text).signals == ()


@pytest.mark.parametrize(
    "text",
    [
        "吓死我了 一个月利息这么多",
        "压力好大",
        "我要疯了 这些手续费怎么算的",
        "老板说再接到催收电话就开除我",
        "催收说下周去我单位找我",
        "我妈让外访的人进来坐了 在聊天",
        "逾期几天算逾期",
    ],
)
def test_calm_wordings_are_not_urgent(classify, text: str) -> None:
    assert classify(text).urgent == []


def test_calm_cue_never_cancels_a_signal(classify) -> None:
    result = classify("压力好大 真的不想活了")
    assert result.urgent == ["emotional_distress"]


def test_a_likelihood_alone_is_never_clear_below_the_model_threshold(understanding) -> None:
    """No floor: without a sign, only the model's probability decides, by its thresholds."""
    from bot.conversation.policies.urgency import Tier, decide

    for text in ("逾期几天算逾期", "我的地址被催收知道了 怎么办"):
        c = understanding.classifier.classify(text)
        assert c.signals == ()
        urgency = decide(c)
        assert urgency.tier is not Tier.CLEAR or (c.urgent_probability or 0) >= 0.85


def test_chains_allow_only_the_gap() -> None:
    found = {"泼": [(0, 1)], "油漆": [(3, 5)]}
    assert list(_chains(found, ("泼", "油漆"), 2)) == [(0, 5)]
    assert list(_chains(found, ("泼", "油漆"), 1)) == []
    assert list(_chains({"a": [(0, 1)]}, ("a", "b"), 2)) == []


def test_an_exception_with_a_gap_cancels_the_sign(understanding: Understanding) -> None:
    """ "不准…去找" in the reunion sign's exceptions holds with words between its parts; the
    sign itself still fires when nobody else is going."""
    matcher = UrgentMatcher(understanding.content)

    def reunion(text: str) -> bool:
        hits = matcher.find(text, text).hits
        return any(hit.signal == "reunion_with_the_dead" for hit in hits)

    assert not reunion("你们不准再派人去找我妈")
    assert not reunion("他们昨天又开车去找我爸了")
    assert reunion("我好想去找我妈 她走了三年了")


def test_matcher_reads_any_text(understanding: Understanding) -> None:
    matcher = UrgentMatcher(understanding.content)
    for text in ("", " ", "…", "a" * 5000, "泼" * 3000 + "油漆"):
        hits = matcher.find(text, text).hits
        assert isinstance(hits, list)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    target = tmp_path / "intents"
    shutil.copytree(default_intents_dir(), target)
    return target


def _problems(directory: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(directory)
    return info.value.problems


def _edit(directory: Path, change) -> None:
    path = directory / SIGNALS_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_check_names_file_sign_and_field_of_a_bad_value(broken: Path) -> None:
    _edit(broken, lambda data: data["signs"][0].update({"class": "sadness"}))
    assert _problems(broken) == [
        "warning_signs.yaml: sign damage_to_property: field signs[0].class: Input should "
        "be 'danger' or 'despair'"
    ]


def test_check_names_file_sign_and_field(broken: Path) -> None:
    data = yaml.safe_load((broken / SIGNALS_FILE).read_text(encoding="utf-8"))
    index = {sign["id"]: i for i, sign in enumerate(data["signs"])}

    def change(data: dict) -> None:
        data["signs"][index["violence"]]["phrases"].append("泼…")
        data["signs"][index["forced_entry"]]["strength"] = "maybe"

    _edit(broken, change)
    problems = "\n".join(_problems(broken))
    assert f"sign forced_entry: field signs[{index['forced_entry']}].strength" in problems


def test_check_wants_the_signs_of_every_urgent_intent(broken: Path) -> None:
    _edit(
        broken,
        lambda data: data.update(signs=[s for s in data["signs"] if s["class"] == "danger"]),
    )
    assert any("emotional_distress has no sign" in p for p in _problems(broken))
    (broken / SIGNALS_FILE).unlink()
    assert any(p.startswith("warning_signs.yaml: missing") for p in _problems(broken))


@pytest.mark.parametrize("text", ["不知道", "是的", "没有", "2", "不清楚"])
def test_a_bare_short_answer_is_not_read_by_the_floor(classify, text: str) -> None:
    assert classify(text).urgent == []


def test_a_short_cry_is_still_urgent(classify) -> None:
    assert classify("好绝望").urgent == ["emotional_distress"]


@pytest.mark.parametrize("text", ["那我该怎么办呢", "现在怎么办", "我该怎么办"])
def test_a_bare_follow_up_question_is_not_read_by_the_floor(classify, text: str) -> None:
    assert classify(text).urgent == []


def test_a_cry_for_help_is_a_signal(classify) -> None:
    assert classify("救命").urgent == ["threat_or_violence"]
    assert classify("这可是我的救命钱 能不能先别扣").signals == ()


def test_they_left_is_not_a_cry_but_i_am_leaving_is(classify) -> None:
    assert classify("走了👍").urgent == []
    assert classify("我要走了").urgent == ["emotional_distress"]


@pytest.mark.parametrize(
    ("text", "calm"),
    [
        ("我要杀了那个天天打电话的催收，我知道他住哪", False),
        ("游戏里杀了那个boss好爽", True),
        ("电视剧里男主杀了他全家", True),
    ],
)
def test_the_persons_own_intent_to_kill_is_asked_about(
    understanding: Understanding, text: str, calm: bool
) -> None:
    """The person's own intent against someone is never doubted away by the model (its words
    are mostly games and films in the corpus); a game or a film still frames it as calm."""
    from bot.conversation.policies.urgency import Tier, decide

    urgency = decide(understanding.classifier.classify(text))
    assert (urgency.tier is Tier.CALM) is calm, urgency
