"""The fact register (intents/facts.yaml): `check` enforces it, the shipped replies state the
nine corrected statements of issue 14 the safe way, and 详细 and counsellor briefs print the
sources from the register."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.config import CalculatorConfig
from bot.content import Content, ContentError, default_intents_dir, load_content
from bot.conversation import texts
from bot.conversation.calculator import calculator_reply
from bot.conversation.dialogue import Dialogue
from bot.facts import intent_texts
from bot.understanding.details import Details
from tests.harness import Chat, memory_config, run

INTENTS = default_intents_dir()


@pytest.fixture(scope="module")
def content() -> Content:
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


def edit_yaml(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def fact_entry(data: dict, fact_id: str) -> dict:  # type: ignore[type-arg]
    return next(f for f in data["facts"] if f["id"] == fact_id)


# -- the register itself --------------------------------------------------------------------


def test_register_is_complete_and_dated(content: Content) -> None:
    assert len(content.facts) >= 60
    for fact in content.facts.values():
        # 2026-11-30: taken from domain-facts.md; 2026-12-05: checked again in the legal review
        assert fact.checked.isoformat() in ("2026-11-30", "2026-12-05"), fact.id
        assert re.search(r"[\u4e00-\u9fff]", fact.statement), fact.id
    # the 2026-11-30 facts of domain-facts.md are all in the register
    for fact_id in (
        "credit_16_five_years",
        "credit_17_free_reports",
        "credit_25_objection",
        "credit_15_notice",
        "court_blacklist",
        "limitation_188_three_years",
        "limitation_195_restart",
        "limitation_192_defence",
        "summons_128_defence",
        "summons_service",
        "family_1064_spouse",
        "family_1161_heirs",
        "workplace_third_party",
        "guideline_no_fake_authority",
        "police_safe_account",
        "criminal_293_1_illegal_debts",
        "lpr4_private_lending",
        "evidence_106_recordings",
        "identity_theft",
        "spc_card_2_fee_clauses",
        "card_rules_70_scope",
        "mediation_pre_litigation",
        "visit_announced",
        "wechat_contact",
        "billing_scope",
        "collector_police",
        "interpretation_2018_6_evasion",
    ):
        assert content.facts[fact_id].verified, fact_id
    # the unverified claims are recorded as such and cited by no reply
    unverified = {f.id for f in content.facts.values() if not f.verified}
    assert {"hours_8_to_21", "credit_online_lenders"} <= unverified
    # the 24 % benchmark for financial loans is [S] since 2026-12-05 (法发〔2017〕22号 §2)
    assert content.facts["financial_loans_24_percent"].confidence == "S"
    cited = {ref for spec in content.intents for ref in spec.references}
    cited |= {ref for spec in content.intents for answer in spec.answers for ref in answer.facts}
    assert not cited & unverified


def test_every_verified_fact_is_cited(content: Content) -> None:
    cited = {ref for spec in content.intents for ref in spec.references}
    cited |= {ref for spec in content.intents for a in spec.answers for ref in a.facts}
    assert {f.id for f in content.facts.values() if f.verified} <= cited


# -- check fails on each violation -----------------------------------------------------------


def test_cited_id_missing_from_register(broken: Path) -> None:
    edit_yaml(broken / "credit_report.yaml", lambda d: d["references"].append("no_such_fact"))
    problems = problems_of(broken)
    assert (
        "credit_report.yaml: intent credit_report: field references: unknown fact "
        "'no_such_fact' (not in facts.yaml)"
    ) in problems, problems


def test_unverified_fact_used_by_a_reply(broken: Path) -> None:
    edit_yaml(broken / "harassment.yaml", lambda d: d["references"].append("hours_8_to_21"))
    problems = problems_of(broken)
    assert any(
        p.startswith(
            "harassment.yaml: intent harassment: field references: fact "
            "'hours_8_to_21' is unverified"
        )
        for p in problems
    ), problems


def test_fact_downgraded_to_unverified_fails_where_it_is_cited(broken: Path) -> None:
    edit_yaml(
        broken / "facts.yaml",
        lambda d: fact_entry(d, "credit_17_free_reports").update(confidence="U"),
    )
    problems = problems_of(broken)
    assert any(
        "credit_report.yaml: intent credit_report" in p
        and "'credit_17_free_reports' is unverified" in p
        for p in problems
    ), problems


def test_fact_no_reply_uses(broken: Path) -> None:
    def add(data: dict) -> None:  # type: ignore[type-arg]
        data["facts"].append(
            {
                "id": "orphan_fact",
                "statement": "没有任何回复引用的事实。",
                "source": "《某法》第一条",
                "confidence": "V",
                "checked": "2026-11-30",
            }
        )

    edit_yaml(broken / "facts.yaml", add)
    problems = problems_of(broken)
    assert any(p.startswith("facts.yaml: fact orphan_fact: no reply cites it") for p in problems), (
        problems
    )


def test_fact_dropped_from_every_reply_is_unused(broken: Path) -> None:
    for path in broken.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if "evidence_106_recordings" in text:  # intents' references and answers' facts
            text = text.replace("  - evidence_106_recordings\n", "")
            text = text.replace(", evidence_106_recordings]", "]")
            text = text.replace("[evidence_106_recordings]", "[]")
            path.write_text(text, encoding="utf-8")
    problems = problems_of(broken)
    assert any(
        p.startswith("facts.yaml: fact evidence_106_recordings: no reply cites it")
        for p in problems
    ), problems
    # and the text that still names the article is reported too
    assert any(
        "record_evidence.yaml: intent record_evidence: field advice.long: names 第一百零六条" in p
        for p in problems
    ), problems


def test_article_named_in_text_but_not_cited(broken: Path) -> None:
    def change(data: dict) -> None:  # type: ignore[type-arg]
        answers = data["follow_ups"][0]["answers"]  # (on its last line: same line count)
        answers["affirm"] = answers["affirm"].rstrip("\n") + "依据《民法典》第九十九条。\n"

    edit_yaml(broken / "verify_identity.yaml", change)
    problems = problems_of(broken)
    assert any(
        p.startswith(
            "verify_identity.yaml: intent verify_identity: field "
            "follow_ups.called_bank.answers.affirm: names 《民法典》"
        )
        for p in problems
    ), problems
    assert any("follow_ups.called_bank.answers.affirm: names 第九十九条" in p for p in problems), (
        problems
    )


def test_register_field_errors_are_named(broken: Path) -> None:
    edit_yaml(
        broken / "facts.yaml",
        lambda d: fact_entry(d, "visit_door").update(confidence="maybe", checked="soon"),
    )
    problems = problems_of(broken)
    assert any(p.startswith("facts.yaml: field facts[") and "confidence" in p for p in problems), (
        problems
    )
    assert any(p.startswith("facts.yaml: field facts[") and "checked" in p for p in problems), (
        problems
    )


def test_missing_register(broken: Path) -> None:
    (broken / "facts.yaml").unlink()
    assert any(p.startswith("facts.yaml: missing") for p in problems_of(broken))


def test_check_command_fails_on_each_violation(broken: Path) -> None:
    edit_yaml(
        broken / "seek_help.yaml",
        lambda d: d["references"].extend(["ghost_fact", "hours_8_to_21"]),
    )
    edit_yaml(
        broken / "facts.yaml",
        lambda d: d["facts"].append(
            {
                "id": "lonely",
                "statement": "无人引用。",
                "source": "某公告",
                "confidence": "S",
                "checked": "2026-11-30",
            }
        ),
    )
    proc = run("--intents", str(broken), "check")
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "seek_help.yaml: intent seek_help: field references: unknown fact 'ghost_fact'" in err
    assert "'hours_8_to_21' is unverified ([U])" in err
    assert "facts.yaml: fact lonely: no reply cites it" in err
    assert "Traceback" not in err


# -- the nine statements of issue 14, in the shipped texts ---------------------------------


def _replies(content: Content) -> list[tuple[str, str]]:
    """Every reply text with where it lives, each checked on its own (it is sent alone)."""
    out = [
        (f"{spec.id}.{field}", text)
        for spec in content.intents
        for field, text in intent_texts(spec)
    ]
    out += [
        (f"texts.{name}", value)
        for name, value in vars(texts).items()
        if name.isupper() and isinstance(value, str)
    ]
    return out


def test_civil_matter_always_comes_with_do_not_disappear(content: Content) -> None:
    found = 0
    for where, text in _replies(content):
        plain = re.sub(r"《[^》]*》", "", text)  # not the titles of laws (…民事纠纷案件…规定)
        if re.search(r"不是犯罪|不等于犯罪|民事纠纷", plain):
            found += 1
            assert "换号" in text, where
    assert found >= 8


def test_six_calls_is_the_debtors_number_and_an_industry_rule(content: Content) -> None:
    found = 0
    for where, text in _replies(content):
        if "6次" in text:
            found += 1
            assert re.search(r"同一个?号码|同一个联系方式|这个号码", text), where
            assert "指引" in text or "不宜" in text, where
            assert "最多6次" not in text, where
    assert found >= 6


def test_extortion_only_for_made_up_sums(content: Content) -> None:
    found = 0
    for where, text in _replies(content):
        if re.search(r"二百七十四条|敲诈勒索", text):
            found += 1
            assert re.search(r"编造|虚增|虚报", text), where
    assert found >= 2


def test_only_debtor_and_guarantor_has_the_spouse_exception(content: Content) -> None:
    found = 0
    for where, text in _replies(content):
        assert not re.search(r"只能(找|向|针对)(你|欠款人|债务人)?本人和担保人", text), where
        if re.search(r"本人和担保人", text):
            found += 1
            assert "配偶" in text or "父母" in text, where
    assert found >= 5


def test_five_years_only_for_credit_cards(content: Content) -> None:
    found = 0
    for where, text in _replies(content):
        for line in text.splitlines():
            if re.search(r"最长5年|5年的分期", line):
                found += 1
                assert "信用卡" in line, (where, line)
                if "网贷" in line or "消费贷" in line:
                    assert re.search(r"平台决定|不要套用|不适用", line), (where, line)
    assert found >= 8
    # never in the first reply to someone in despair
    assert "5年" not in content.intent("emotional_distress").advice.short
    assert "5年" not in content.intent("cannot_afford").advice.short


def test_no_unsourced_claim_about_consumer_loans(content: Content) -> None:
    for where, text in _replies(content):
        assert not re.search(r"没有.{0,12}专门(的)?条文", text), where


def test_calculator_labels_the_interest_free_split_and_the_example_rate() -> None:
    text = "\n".join(
        calculator_reply(Details(amount=35000.0, months=24), CalculatorConfig(), in_group=False)
    )
    line = next(li for li in text.splitlines() if "免息分期" in li)
    assert line.startswith("3. ")  # not listed first, as if it were the default
    assert "要和对方协商" in line and "对方可以不同意" in line
    assert "按年化10%举例" in text and "只是举例，不是你的实际利率" in text
    assert "“可以”（不是必须）" in text  # Art. 70: the bank may, not must
    assert "《商业银行信用卡业务监督管理办法》第七十条" in text
    assert "停息挂账" not in text


def test_calculator_quotes_no_five_years_for_online_lenders() -> None:
    text = "\n".join(
        calculator_reply(
            Details(amount=35000.0, months=24, lender="借呗"), CalculatorConfig(), in_group=False
        )
    )
    assert "第七十条" not in text and "5年（60期）" not in text and "由平台决定" in text


def test_human_text_warns_about_paid_agents() -> None:
    assert "债务优化" in texts.HUMAN and "收钱" in texts.HUMAN
    assert "债务规划师" not in texts.HUMAN


def test_quiet_hours_are_named_as_an_industry_rule(content: Content) -> None:
    found = 0
    for where, text in _replies(content):
        if "22:00" in text:
            found += 1
            assert "指引" in text or "行业" in text, where
    assert found >= 10


# -- coverage seeds -------------------------------------------------------------------------


def test_staff_are_told_how_to_carry_themselves(content: Content) -> None:
    spec = content.intent("collector_conduct")
    assert "核实我们" in spec.advice.short  # the ready sentence offering to verify first
    for words in ("距离", "整洁", "语气平和"):
        assert words in spec.advice.short + spec.advice.long, words


def test_debtor_gets_the_ready_sentence_to_call_the_bank(content: Content) -> None:
    for intent_id in ("collector_at_door", "verify_identity"):
        spec = content.intent(intent_id)
        assert "自己打银行" in spec.advice.short, intent_id


# -- 详细 and the counsellor brief print the register's sources -----------------------------


AT_DOOR = "催收的人现在就在我家门口，一直敲门"


async def test_more_prints_every_source_the_intent_cites(chat: Chat, content: Content) -> None:
    await chat.say(AT_DOOR)
    assert chat.last.intent == "collector_at_door"
    text = await chat.text("详细")
    block = text.split(texts.RULES_HEADER, 1)[1]
    lines = [li[2:] for li in block.splitlines() if li.startswith("· ")]
    assert lines == content.sources(content.intent("collector_at_door").references)
    assert "《刑法》第二百四十五条" in block


def test_more_follows_a_corrected_source(broken: Path) -> None:
    edit_yaml(
        broken / "facts.yaml",
        lambda d: fact_entry(d, "card_rules_69_letter").update(
            source="《商业银行信用卡业务监督管理办法》第六十九条（顾问更正后的出处）"
        ),
    )
    content = load_content(broken)
    dialogue = Dialogue(content, memory_config())
    text = dialogue.long_answer(content.intent("verify_debt"))
    assert "· 《商业银行信用卡业务监督管理办法》第六十九条（顾问更正后的出处）" in text


async def test_counsellor_brief_lists_register_sources(chat: Chat, content: Content) -> None:
    replies = await chat.say(
        "客户问：催收说要起诉他，还说要把他拉进黑名单，这是真的吗？另外催收天天打电话到他单位。"
    )
    brief = replies[-1]
    assert brief.startswith("【给顾问的简要】")
    block = brief.split("适用规定：", 1)[1].split("建议向客户了解", 1)[0]
    listed = [li[2:] for li in block.splitlines() if li.startswith("· ")]
    sources = {f.source for f in content.facts.values()}
    assert listed and all(item in sources for item in listed), listed


def test_articles_in_figures() -> None:
    """The rules lines write articles as practitioners do ("第196条"); figures beyond any
    statute's length stay as written."""
    from bot.facts import arabic_articles

    assert arabic_articles("《刑法》第一百九十六条；《民法典》第一千零六十四条、第十条") == (
        "《刑法》第196条；《民法典》第1064条、第10条"
    )
    assert arabic_articles("第九千条") == "第九千条"
