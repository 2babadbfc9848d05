"""Content validation: the shipped content is valid and safe; broken content is reported
with the file, the intent and the field."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.content import REQUIRED_INTENTS, ContentError, default_intents_dir, load_content
from bot.facts import intent_texts

INTENTS = default_intents_dir()


@pytest.fixture(scope="module")
def content():
    return load_content(INTENTS)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A writable copy of the shipped content to break."""
    target = tmp_path / "intents"
    shutil.copytree(INTENTS, target)
    return target


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(directory)
    return info.value.problems


def test_shipped_content_is_complete(content) -> None:
    assert set(REQUIRED_INTENTS) <= set(content.ids)
    for spec in content.intents:
        assert len(spec.examples) >= 20, spec.id
        assert len(spec.advice.short) <= 360, spec.id
        if spec.id not in ("greeting", "help", "thanks", "fallback"):
            assert 1 <= len(spec.follow_ups) <= 3, spec.id
            assert spec.references, spec.id


def test_urgent_intents_name_the_emergency_lines(content) -> None:
    assert content.intent("threat_or_violence").urgent
    assert "110" in content.intent("threat_or_violence").advice.short
    distress = content.intent("emotional_distress")
    assert distress.urgent
    assert "12356" in distress.advice.short


def _all_advice_text(content) -> str:
    parts = [text for spec in content.intents for _, text in intent_texts(spec)]
    parts += [f.statement for f in content.facts.values() if f.verified]
    return "\n".join(parts)


def test_advice_avoids_known_mistakes(content) -> None:
    """The mistakes domain-facts.md lists as seen in other bots never appear."""
    text = _all_advice_text(content)
    # §293之一 applies to illegal debts only, never to ordinary card debt: wherever it is
    # named, the same sentence is about 高利放贷 / illegal debts.
    for match in re.finditer(r"二百九十三条之一|293", text):
        start = text.rfind("\n", 0, match.start()) + 1
        line = text[start : text.find("\n", match.end())]
        assert "高利" in line and "信用卡欠款不适用" in line, line
    # Superseded article numbers of 治安管理处罚法.
    assert not re.search(r"治安管理处罚法》?第(四十|四十二|40|42)条", text)
    # The unsourced "8:00–21:00" window; the rule is no contact 22:00–08:00.
    assert not re.search(r"21[:：]00|21点|晚上9点|晚9点", text)
    # Visits are regulated, not banned.
    assert not re.search(r"上门(催收)?(本身)?(就)?(是)?违法的", text)
    # 12315 is not the channel for bank collection complaints (it is market regulation: named
    # only as that, or for a shopping dispute the bot declines)
    for match in re.finditer(r"12315", text):
        window = text[max(0, match.start() - 20) : match.end() + 20]
        assert "不是" in window or "不受理" in window or "消费纠纷" in window, window
    # Art. 70: the bank may agree; never that it must.
    assert not re.search(r"银行(必须|一定|应当)(同意|给你?)(停息|分期|减免)", text)
    # The 24 % benchmark for financial loans ([S] since 2026-12-05) is a line above which a
    # court reduces the cost on request: never a cap that lets anyone stop paying.
    for match in re.finditer(r"24%", text):
        start = text.rfind("\n", 0, match.start()) + 1
        line = text[start : text.find("\n", match.end())]
        assert "调减" in line, line


def test_every_intent_cites_known_verified_facts(content) -> None:
    for spec in content.intents:
        for ref in spec.references:
            assert content.facts[ref].verified, (spec.id, ref)


def test_unknown_field_is_named(broken: Path) -> None:
    path = broken / "verify_identity.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["advise"] = "typo"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = problems_of(broken)
    assert any(
        "verify_identity.yaml" in p and "intent verify_identity" in p and "advise" in p
        for p in problems
    ), problems


def test_missing_field_and_too_few_examples(broken: Path) -> None:
    path = broken / "complain.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["advice"]["short"]
    data["examples"] = data["examples"][:3]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = problems_of(broken)
    assert any("complain.yaml" in p and "advice.short" in p for p in problems), problems
    assert any("complain.yaml" in p and "examples" in p for p in problems), problems


def test_example_listed_under_two_intents(broken: Path) -> None:
    source = yaml.safe_load((broken / "harassment.yaml").read_text(encoding="utf-8"))
    path = broken / "complain.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["examples"].append(source["examples"][0])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = problems_of(broken)
    assert any(
        "also listed under intent" in p and ("complain" in p or "harassment" in p) for p in problems
    ), problems


def test_invalid_yaml_is_reported_with_file(broken: Path) -> None:
    (broken / "thanks.yaml").write_text("id: thanks\nexamples: [unclosed\n", encoding="utf-8")
    problems = problems_of(broken)
    assert any(p.startswith("thanks.yaml: not valid YAML") for p in problems), problems


def test_binary_file_is_reported(broken: Path) -> None:
    (broken / "greeting.yaml").write_bytes(b"\xff\xfe\x00garbage\x81")
    problems = problems_of(broken)
    assert any(p.startswith("greeting.yaml") for p in problems), problems


def test_bad_dictionary_line(broken: Path) -> None:
    with (broken / "userdict.txt").open("a", encoding="utf-8") as fh:
        fh.write("停息 挂账 100 n\n催收，上门 10\n")
    problems = problems_of(broken)
    assert sum("userdict.txt: line" in p for p in problems) == 2, problems


def test_unknown_fact_reference_and_missing_intent(broken: Path) -> None:
    path = broken / "record_evidence.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["references"].append("no_such_rule")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (broken / "help.yaml").unlink()
    problems = problems_of(broken)
    assert any("record_evidence.yaml" in p and "no_such_rule" in p for p in problems), problems
    assert any(p.startswith("help.yaml: intent help: missing") for p in problems), problems


def test_urgent_intent_without_110_is_rejected(broken: Path) -> None:
    path = broken / "threat_or_violence.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["advice"]["short"] = "请保持冷静。"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = problems_of(broken)
    assert any("threat_or_violence" in p and "advice.short" in p for p in problems), problems


def test_missing_directory() -> None:
    with pytest.raises(ContentError, match="does not exist"):
        load_content("/nonexistent/intents")


#: numbers a reader must get right in any language: phone lines, articles, hours, amounts
_NUMBER = re.compile(r"\d[\d,.:：]*\d|\d")


def test_english_steps_say_the_same_numbers(content) -> None:
    """Every topic whose steps have an English text: the same numbers as the Chinese (phone
    lines, articles, hours), so the translation never drops or changes a number to call."""
    translated = [spec for spec in content.intents if spec.advice.short_en]
    assert len(translated) >= 12
    for spec in translated:
        chinese = set(_NUMBER.findall(spec.advice.short))
        english = set(_NUMBER.findall(spec.advice.short_en or ""))
        assert chinese <= english, (spec.id, chinese - english)
        assert not re.search(r"[\u4e00-\u9fff]{12,}", spec.advice.short_en or ""), spec.id


async def test_an_english_speaker_gets_the_steps_in_english(engine) -> None:
    from tests.harness import Chat

    chat = Chat(engine, user="english-steps")
    replies = await chat.say(
        "Two collectors are at my door saying they're from the bank, what do I do?"
    )
    text = "\n".join(replies)
    from bot.conversation.english import is_chinese

    assert not any(is_chinese(line) for reply in replies for line in reply.splitlines())
    assert "work ID" in text or "ID" in text
    assert "110" in text
