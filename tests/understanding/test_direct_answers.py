"""Direct answers: the selector (reader level), the held-out evaluation set, the content checks
on answers (missing fact, [U] fact, unknown audience) and the dialogue step through the engine
(every answer with three phrasings)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import SYSTEM_INTENTS, ContentError, default_intents_dir, load_content
from bot.conversation.numbers import quieted
from bot.conversation.policies.direct import DIRECT_REPLY_CHARS
from bot.conversation.texts import STEPS_OFFER
from bot.engine import Engine, Understanding
from bot.operations.evaluation import evaluate_direct, read_direct_set
from tests.harness import ROOT, Chat, memory_config

INTENTS = default_intents_dir()
DIRECT_SET = ROOT / "bot" / "operations" / "data" / "direct_answers.jsonl"


def _phrasings(understanding: Understanding) -> list[tuple[str, str]]:
    """Three phrasings per answer: its first three examples that no urgent intent claims
    (urgent messages get the urgent advice, never a direct answer)."""
    cases = []
    for spec in understanding.content.intents:
        for answer in spec.answers:
            chosen = [ex for ex in answer.examples if not understanding.reader.read(ex).urgent][:3]
            cases += [(answer.id, text) for text in chosen]
    return cases


def test_content_has_enough_answers(understanding: Understanding) -> None:
    content = understanding.content
    assert content.answer_count >= 80
    for spec in content.topics:
        if spec.answers:
            assert len(spec.answers) >= 5, spec.id
    ids = [a.id for s in content.intents for a in s.answers]
    assert len(ids) == len(set(ids))


def test_every_answer_has_three_non_urgent_phrasings(understanding: Understanding) -> None:
    cases = _phrasings(understanding)
    per_answer: dict[str, int] = {}
    for answer_id, _ in cases:
        per_answer[answer_id] = per_answer.get(answer_id, 0) + 1
    assert len(per_answer) == understanding.content.answer_count
    assert min(per_answer.values()) == 3


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("催收在敲门 我要不要开门", "open_door"),
        ("等额本息和等额本金哪个划算", "equal_payment_or_principal"),
        ("我爸妈要替我还钱吗", "parents_pay"),
        ("逾期记录多久能消", "credit_how_long"),
        ("我们能在客户门上贴催收通知吗", "staff_post_notice"),
    ],
)
def test_reader_fills_direct(understanding: Understanding, text: str, answer: str) -> None:
    direct = understanding.reader.read(text).direct
    assert direct is not None and direct.confident
    assert direct.answer == answer
    assert direct.intent == understanding.content.answer(answer)[0].id
    assert direct.runner_up is not None and direct.runner_up != answer
    assert direct.score > direct.runner_up_score


@pytest.mark.parametrize("text", ["催收上门了怎么办", "你好", "好的谢谢", "我要投诉"])
def test_general_messages_get_no_direct_answer(understanding: Understanding, text: str) -> None:
    direct = understanding.reader.read(text).direct
    assert direct is None or not direct.confident


def test_commands_and_empty_text_get_no_direct_answer(understanding: Understanding) -> None:
    assert understanding.reader.read("详细").direct is None
    assert understanding.reader.read("   ").direct is None


def test_held_out_set_accuracy(understanding: Understanding) -> None:
    """The evaluation set was written apart from the examples: a floor, not a perfect score."""
    items = read_direct_set(DIRECT_SET)
    report = evaluate_direct(understanding.reader, items)
    assert report.expected >= 2 * understanding.content.answer_count
    assert report.accuracy >= 0.75, report.line()
    assert report.false_answers <= 3, report.line()


# -- content checks ---------------------------------------------------------------------------


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    target = tmp_path / "intents"
    shutil.copytree(INTENTS, target)
    return target


def _edit_answer(directory: Path, intent: str, answer_id: str, **fields: object) -> None:
    path = directory / f"{intent}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for answer in raw["answers"]:
        if answer["id"] == answer_id:
            answer.update(fields)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _problems(directory: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(directory)
    return info.value.problems


def test_check_refuses_a_missing_fact_id(broken: Path) -> None:
    _edit_answer(broken, "collector_at_door", "open_door", facts=["visit_door", "no_such_fact"])
    problems = _problems(broken)
    assert any(
        "collector_at_door.yaml: intent collector_at_door: answer open_door: field "
        "facts: unknown fact 'no_such_fact'" in p
        for p in problems
    ), problems


def test_check_refuses_an_unverified_fact(broken: Path) -> None:
    _edit_answer(broken, "harassment", "call_limit", facts=["hours_8_to_21"])
    problems = _problems(broken)
    assert any(
        "answer call_limit: field facts: fact 'hours_8_to_21' is unverified" in p for p in problems
    ), problems


def test_check_refuses_an_unknown_audience(broken: Path) -> None:
    _edit_answer(broken, "collector_conduct", "staff_hours", audience="boss")
    problems = _problems(broken)
    assert any(
        p.startswith(
            "collector_conduct.yaml: intent collector_conduct: answer staff_hours: field answers["
        )
        and "audience" in p
        for p in problems
    ), problems


def test_check_refuses_too_few_examples_and_a_duplicate_id(broken: Path) -> None:
    _edit_answer(broken, "credit_report", "credit_notice", examples=["上征信前通知吗"])
    _edit_answer(broken, "complain", "complain_how", id="open_door")
    problems = _problems(broken)
    assert any("answer credit_notice: field answers[" in p and "examples" in p for p in problems), (
        problems
    )
    assert any("answer open_door: field id: the id is also used" in p for p in problems)


def test_answer_facts_count_as_used(broken: Path) -> None:
    """A fact cited only by a direct answer is used: drop it from every intent's references
    and the content still loads; drop the answer too and check reports it unused."""
    for path in broken.glob("*.yaml"):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(raw, dict) and "billing_scope" in raw.get("references", []):
            raw["references"].remove("billing_scope")
            path.write_text(
                yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
    load_content(broken)
    path = broken / "fallback.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw.pop("answers")
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    problems = _problems(broken)
    assert any("fact billing_scope: no reply cites it" in p for p in problems), problems


def test_answer_citation_must_be_backed(broken: Path) -> None:
    _edit_answer(broken, "credit_report", "credit_how_long", facts=["credit_17_free_reports"])
    problems = _problems(broken)
    assert any(
        "answer credit_how_long: field short: names 《征信业管理条例》" in p
        or "answer credit_how_long: field short: names 第十六条" in p
        for p in problems
    ), problems


# -- through the engine -------------------------------------------------------------------------


def _answer_cases() -> list[tuple[str, str]]:
    return _phrasings(Understanding.build(memory_config()))


@pytest.mark.parametrize(("answer_id", "text"), _answer_cases())
async def test_engine_gives_the_direct_answer(engine: Engine, answer_id: str, text: str) -> None:
    spec, answer = engine.understanding.content.answer(answer_id)
    chat = Chat(engine)
    reply = await chat.text(text)
    # (a calm reply names the police in words: output.quiet_numbers)
    short = answer.short.strip()
    if chat.last.tier == "possible":
        # possible danger: the warm lines with the numbers first, then the answer asked for
        assert short in reply and "110" in chat.last.replies[0], reply
    else:
        assert reply.startswith((short, quieted(short))), reply
    if spec.id in SYSTEM_INTENTS:  # out of scope, or asking for a human: the one line only
        assert chat.last.replies in ([short], [quieted(short)])
        assert "12356" not in reply and "1." not in reply
    else:
        assert chat.last.intent == spec.id
        steps = spec.advice.short.strip()
        if steps in reply or quieted(steps) in reply:  # the steps, when the reply stays short
            assert len(short) + len(steps) <= DIRECT_REPLY_CHARS
        else:  # else offered: "步骤" sends them
            assert STEPS_OFFER.format(title=spec.title) in reply
            again = await chat.text("步骤")
            assert steps in again or quieted(steps) in again


# -- issue 25: lender types and real-question sources ------------------------------------------


def test_check_refuses_an_unknown_lender_type(broken: Path) -> None:
    _edit_answer(broken, "complain", "complain_card", lenders=["bank_card", "pawnshop"])
    problems = _problems(broken)
    assert any("answer complain_card: field answers" in p and "lenders" in p for p in problems)


def test_check_refuses_any_beside_another_lender_type(broken: Path) -> None:
    _edit_answer(broken, "complain", "complain_card", lenders=["any", "bank_card"])
    assert any("'any' stands alone" in p for p in _problems(broken))


def test_check_refuses_a_source_that_is_not_an_example(broken: Path) -> None:
    _edit_answer(
        broken,
        "legal_consequences",
        "wage_deduction",
        sources=[{"text": "一个不在例句里的问题", "url": "https://example.org/q"}],
    )
    assert any("must also be one of the examples" in p for p in _problems(broken))


def test_lender_types_fit() -> None:
    content = load_content(default_intents_dir())
    _, card = content.answer("complain_card")
    _, anyone = content.answer("complain_how")
    assert card.fits("bank_card") and not card.fits("licensed_online") and not card.fits(None)
    assert anyone.fits(None) and anyone.fits("unlicensed")
    # the 2011 card rules' complaint number on the card's back is never offered to 借呗 users
    _, online = content.answer("complain_online_lender")
    assert "卡背面" not in online.short and "bank_card" not in online.lenders


def test_check_refuses_a_requires_that_is_no_pattern(broken: Path) -> None:
    _edit_answer(broken, "legal_consequences", "judgment_cant_pay", requires="判决(")
    assert any("'requires' is not a valid pattern" in p for p in _problems(broken))


@pytest.mark.parametrize(
    "text", ["欠了20万网贷还不起怎么办", "孩子網貸還不上怎麼辦", "真的没钱还怎么办"]
)
def test_an_answer_about_a_stage_is_not_given_when_the_stage_is_not_named(
    understanding: Understanding, text: str
) -> None:
    """ "判决后确实还不起…" is true after a judgment only: a plain "还不起怎么办" never gets it."""
    understood = understanding.reader.read(text)
    assert understood.direct is None or understood.direct.answer != "judgment_cant_pay"


def test_an_answer_about_a_stage_is_given_when_the_stage_is_named(
    understanding: Understanding,
) -> None:
    understood = understanding.reader.read("法院判了 我还是还不起")
    assert understood.direct is not None and understood.direct.answer == "judgment_cant_pay"


def test_an_answer_s_own_phrasings_name_its_stage(understanding: Understanding) -> None:
    """A ``requires`` pattern that most of the answer's own phrasings miss would hide the
    answer from the questions it was written for (pinyin phrasings may miss it: their
    reading is a guess at the characters)."""
    import re

    normalize = understanding.reader.classifier.normalizer.normalize
    for spec in understanding.content.intents:
        for answer in spec.answers:
            if answer.requires:
                hits = [re.search(answer.requires, normalize(e).text) for e in answer.examples]
                assert sum(map(bool, hits)) >= 0.75 * len(hits), answer.id
