"""Intent content: loading and validating the YAML files in ``intents/``.

Content is data. Each ``intents/<id>.yaml`` describes one intent; ``facts.yaml`` is the fact
register the advice cites (see :mod:`bot.facts` for the checks on it); ``lexicon.yaml`` lists
spelling variants; ``userdict.txt`` is the jieba user dictionary. Everything is loaded once into
immutable objects and validated at load time; every error names the file, the intent and the
field. Reloading builds a whole new :class:`Content`.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from bot.facts import Fact, FactsFile, check_facts
from bot.signs import (
    GAP,
    SIGNALS_FILE,
    UrgentSignal,
    UrgentSignals,
)

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

#: Intents that carry no advice of their own: the small talk and the fallback.
SYSTEM_INTENTS = frozenset({"greeting", "help", "thanks", "fallback"})
#: Every shipped intent set must contain these ids.
REQUIRED_INTENTS = (
    "collector_at_door",
    "verify_identity",
    "negotiate_installments",
    "cannot_afford",
    "verify_debt",
    "safe_repayment",
    "harassment",
    "threat_or_violence",
    "record_evidence",
    "know_rights",
    "complain",
    "legal_consequences",
    "credit_report",
    "seek_help",
    "emotional_distress",
    "collector_conduct",
    "greeting",
    "help",
    "thanks",
    "fallback",
)
#: The fact register's file name in the intents directory.
FACTS_FILE = "facts.yaml"
DETAIL_NAMES = ("amount", "months", "lender", "overdue", "any")
_INTENT_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DICT_LINE = re.compile(r"^(\S+)(?: (\d+))?(?: ([a-z]+))?$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Model):
    """One numbered choice of a follow-up question."""

    label: NonEmpty
    reply: NonEmpty | None = None
    #: the same in English, line for line (bot/conversation/english.py)
    label_en: NonEmpty | None = None
    reply_en: NonEmpty | None = None
    intent: str | None = None  # pick this option → answer as this intent
    value: bool | str | None = None  # what choosing it tells about the follow-up's slot
    #: given by itself when the slot is already known (false when it repeats the advice)
    auto: bool = True

    @model_validator(mode="after")
    def _reply_or_intent(self) -> Option:
        if (self.reply is None) == (self.intent is None):
            raise ValueError("an option needs exactly one of 'reply' or 'intent'")
        return self


class Answers(_Model):
    """Replies to a yes/no follow-up question."""

    affirm: NonEmpty  # 有 / 是 / 对 / 嗯 / yes
    deny: NonEmpty  # 没有 / 不是 / 还没 / no
    unsure: NonEmpty | None = None  # 不知道 / 不清楚
    #: the same in English, line for line
    affirm_en: NonEmpty | None = None
    deny_en: NonEmpty | None = None
    unsure_en: NonEmpty | None = None


class FollowUp(_Model):
    """A follow-up question and what to answer to each expected kind of answer.

    Exactly one of ``answers`` (yes/no), ``options`` (numbered choices) or ``detail`` (a free
    answer that carries a detail, answered with ``reply``) is given.
    """

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    question: NonEmpty
    #: the question (and ``reply``) in English, line for line
    question_en: NonEmpty | None = None
    answers: Answers | None = None
    options: Annotated[list[Option], Field(min_length=2, max_length=6)] | None = None
    detail: Literal["amount", "months", "lender", "overdue", "any"] | None = None
    reply: NonEmpty | None = None
    reply_en: NonEmpty | None = None
    #: the situation detail this question asks about (a Details field): the question is
    #: skipped when it is already known, and an answer fills it (yes/no: True/False, or
    #: ``slot_yes`` for a yes; an option: its ``value``)
    slot: Literal["present", "credentials", "police", "left", "paid", "let_in"] | None = None
    slot_yes: str | None = None
    #: not asked when a situation detail has this value (e.g. {present: false}: no point
    #: asking whether they showed ID when the visit is only announced)
    skip_if: dict[str, bool | str] = Field(default_factory=dict)

    def english_texts(self, labels: bool = True) -> list[tuple[str, str | None, str | None]]:
        """Each text of the question with its English, line for line: (what, Chinese,
        English); ``labels``: the choices' labels too."""
        texts: list[tuple[str, str | None, str | None]] = [
            ("question", self.question, self.question_en),
            ("reply", self.reply, self.reply_en),
        ]
        for i, option in enumerate(self.options or [], 1):
            if labels:
                texts.append((f"option {i}", option.label, option.label_en))
            texts.append((f"option {i} reply", option.reply, option.reply_en))
        if self.answers is not None:
            a = self.answers
            texts += [("affirm", a.affirm, a.affirm_en), ("deny", a.deny, a.deny_en)]
            texts.append(("unsure", a.unsure, a.unsure_en))
        return texts

    @model_validator(mode="after")
    def _english_line_for_line(self) -> FollowUp:
        for what, chinese, english in self.english_texts():
            if english is None:
                continue
            if chinese is None:
                raise ValueError(f"'{what}': English without the Chinese it translates")
            if len(chinese.strip().splitlines()) != len(english.strip().splitlines()):
                raise ValueError(f"'{what}': the English must have as many lines as the Chinese")
        return self

    @model_validator(mode="after")
    def _one_kind(self) -> FollowUp:
        kinds = [self.answers is not None, self.options is not None, self.detail is not None]
        if sum(kinds) != 1:
            raise ValueError("a follow-up needs exactly one of 'answers', 'options' or 'detail'")
        if self.detail is not None and self.reply is None:
            raise ValueError("a 'detail' follow-up needs a 'reply'")
        if self.detail is None and self.reply is not None:
            raise ValueError("'reply' belongs only to a 'detail' follow-up")
        return self


class Advice(_Model):
    """The advice text: ``short`` fits one phone screen, ``long`` adds the rules behind it."""

    short: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=360)]
    long: NonEmpty
    #: the same steps in plain English, for someone who writes English (the same numbers,
    #: rules and hedges; ``check`` and the tests keep the numbers equal)
    short_en: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=700)]
        | None
    ) = None


#: Who a direct answer speaks to: the debtor, bank staff or a collector, a relative or friend
#: asking for someone, or anyone (a scope note). The selector takes it into account
#: (bot/understanding/direct_answers.py, ``AUDIENCES_FOR_ROLE``).
Audience = Literal["debtor", "staff", "helper", "any"]
#: Which lenders a direct answer's wording is true for: a bank credit card, a bank's loan
#: product (微粒贷, 闪电贷…), a licensed consumer-finance or online lender or platform (借呗,
#: 花呗, 美团, 分期乐…), an unlicensed or private lender, or any (wording true for all).
LenderType = Literal["bank_card", "bank_loan", "licensed_online", "unlicensed", "any"]
LENDER_TYPES: tuple[str, ...] = ("bank_card", "bank_loan", "licensed_online", "unlicensed", "any")


class QuestionSource(_Model):
    """A real question asked on a public page, kept as one of the answer's examples."""

    text: NonEmpty
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]


class DirectAnswer(_Model):
    """One specific question people ask under a topic, with its direct answer.

    ``examples`` train the direct-answer selector (bot/understanding/direct_answers.py);
    ``short`` answers the question in one to three sentences; ``long`` is the fuller answer
    for 详细 and counsellors; ``facts`` are the register ids the texts rest on.
    """

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    examples: Annotated[list[NonEmpty], Field(min_length=8)]
    short: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=240)]
    #: ``short`` in plain English, for someone who writes English (the same numbers, rules
    #: and hedges; the tests keep the numbers equal)
    short_en: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=420)]
        | None
    ) = None
    long: NonEmpty | None = None
    facts: list[str] = Field(default_factory=list)
    audience: Audience = "debtor"
    #: the lender types the wording is true for (default: any, i.e. true for all of them)
    lenders: Annotated[list[LenderType], Field(min_length=1)] = Field(
        default_factory=lambda: list[LenderType](["any"])
    )
    #: real questions from public pages (each also one of ``examples``); empty where none
    #: exist, e.g. staff jargon (say so in a comment)
    sources: list[QuestionSource] = Field(default_factory=list)
    #: a pattern (Python regex) the message must contain for this answer to be given: an
    #: answer true only at one stage ("判决后确实还不起…") is never the answer to a question
    #: that does not name the stage ("还不起怎么办")
    requires: str | None = None

    @model_validator(mode="after")
    def _requires_compiles(self) -> DirectAnswer:
        if self.requires is not None:
            try:
                re.compile(self.requires)
            except re.error as exc:
                raise ValueError(f"'requires' is not a valid pattern: {exc}") from exc
        return self

    @model_validator(mode="after")
    def _lenders_and_sources(self) -> DirectAnswer:
        if "any" in self.lenders and len(self.lenders) > 1:
            raise ValueError("'lenders': 'any' stands alone (it already covers every type)")
        if len(set(self.lenders)) != len(self.lenders):
            raise ValueError("'lenders': a lender type is listed twice")
        examples = {re.sub(r"\s+", "", e) for e in self.examples}
        for source in self.sources:
            if re.sub(r"\s+", "", source.text) not in examples:
                raise ValueError(
                    f"'sources': the real question {source.text!r} must also be one of the examples"
                )
        return self

    def fits(self, lender_type: str | None) -> bool:
        """True when the wording is true for this lender type (None or 'any': unknown)."""
        if "any" in self.lenders:
            return True
        return lender_type not in (None, "any") and lender_type in self.lenders


#: The kinds of lender a lender line is written for, and its one placeholder (the lender named).
NamedLenderType = Literal["bank_card", "bank_loan", "licensed_online", "unlicensed"]
LENDER_PLACEHOLDER = "{lender}"


class LenderLine(_Model):
    """A line said with a topic's steps, or one of its answers, when the conversation knows the
    person's one lender: it names it ("{lender}") and how that kind of lender is dealt with."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    text_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=280)] | None = None

    @model_validator(mode="after")
    def _one_placeholder(self) -> LenderLine:
        for text in filter(None, (self.text, self.text_en)):
            if set(re.findall(r"\{[^{}]*\}", text)) != {LENDER_PLACEHOLDER}:
                raise ValueError(f"{text!r}: name the lender as {LENDER_PLACEHOLDER}, nothing else")
        return self

    def say(self, lender: str) -> str:
        """The line for this lender."""
        return self.text.replace(LENDER_PLACEHOLDER, lender)


class IntentSpec(_Model):
    """One intent as written in ``intents/<id>.yaml``."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    title: NonEmpty
    #: what the topic is about, in English: the one-line lead an English writer gets first
    title_en: NonEmpty | None = None
    description: NonEmpty
    urgent: bool = False
    examples: Annotated[list[NonEmpty], Field(min_length=20)]
    keywords: list[NonEmpty] = Field(default_factory=list)
    urgent_keywords: list[NonEmpty] = Field(default_factory=list)
    advice: Advice
    follow_ups: Annotated[list[FollowUp], Field(max_length=3)] = Field(default_factory=list)
    #: ids of the facts (``facts.yaml``) this intent's texts rest on; printed under "依据："
    references: list[str] = Field(default_factory=list)
    #: the specific questions asked under this topic, each with its direct answer
    answers: list[DirectAnswer] = Field(default_factory=list)
    #: per kind of lender, a line naming the person's lender said with the steps or an answer
    lender_lines: dict[NamedLenderType, LenderLine] = Field(default_factory=dict)
    #: the one thing to keep in mind when the person tells their plan for this topic and
    #: leaves ("好 那我明天自己去网点问分期"): said with the parting words
    plan_tip: NonEmpty | None = None

    @property
    def keyword_groups(self) -> list[tuple[str, ...]]:
        """Each keyword line split into the keyword and its synonyms."""
        return [tuple(w.strip() for w in line.split("|") if w.strip()) for line in self.keywords]


class Lexicon(_Model):
    """Spelling variants mapped to the canonical word before segmentation."""

    variants: dict[NonEmpty, NonEmpty] = Field(default_factory=dict)
    pinyin: dict[NonEmpty, NonEmpty] = Field(default_factory=dict)
    abbreviations: dict[NonEmpty, NonEmpty] = Field(default_factory=dict)
    #: English words and phrases (whole words, any case) → the Chinese the classifier knows,
    #: so "debt collectors are at my door" reaches the door topic
    english: dict[NonEmpty, NonEmpty] = Field(default_factory=dict)
    #: regular expressions whose match means the platform filtered out the word 催收
    filtered: list[NonEmpty] = Field(default_factory=list)
    #: words that show a message is about debts and collection at all (besides the topic
    #: intents' keywords); a message with none of them is less likely to be in scope
    domain_words: list[NonEmpty] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Content:
    """A complete, validated set of intents, facts, lexicon and dictionary entries."""

    intents: tuple[IntentSpec, ...]
    facts: dict[str, Fact]
    lexicon: Lexicon
    dictionary: tuple[tuple[str, int | None, str | None], ...]
    version: str
    directory: Path
    signals: UrgentSignals = field(default_factory=UrgentSignals)

    def intent(self, intent_id: str) -> IntentSpec:
        """The intent with this id (KeyError if unknown)."""
        for spec in self.intents:
            if spec.id == intent_id:
                return spec
        raise KeyError(intent_id)

    @property
    def ids(self) -> tuple[str, ...]:
        """All intent ids in file order."""
        return tuple(spec.id for spec in self.intents)

    def sources(self, fact_ids: Iterable[str]) -> list[str]:
        """The sources of these facts, each once, in the order first cited (unknown ids are
        skipped: the content was validated when it was loaded)."""
        out: list[str] = []
        for fact_id in fact_ids:
            fact = self.facts.get(fact_id)
            if fact is not None and fact.source not in out:
                out.append(fact.source)
        return out

    def answer(self, answer_id: str) -> tuple[IntentSpec, DirectAnswer]:
        """The direct answer with this id and the intent it belongs to (KeyError if unknown)."""
        for spec in self.intents:
            for answer in spec.answers:
                if answer.id == answer_id:
                    return spec, answer
        raise KeyError(answer_id)

    @property
    def answer_count(self) -> int:
        """How many direct answers the content holds."""
        return sum(len(spec.answers) for spec in self.intents)

    @property
    def topics(self) -> tuple[IntentSpec, ...]:
        """The intents that carry advice (for the menu), in menu order."""
        return tuple(spec for spec in self.intents if spec.id not in SYSTEM_INTENTS)


class ContentError(Exception):
    """Content that cannot be used; ``problems`` lists every problem found, one per line."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path, problems: list[str]) -> object:
    try:
        # libyaml's loader when PyYAML was built with it (its wheels are): the same safe
        # loading, several times faster on the question bank
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except UnicodeDecodeError:
        problems.append(f"{path.name}: the file is not valid UTF-8")
    except yaml.YAMLError as exc:
        problems.append(
            f"{path.name}: not valid YAML: {str(exc).splitlines()[0]}"
            + (
                f" (line {exc.problem_mark.line + 1})"  # type: ignore[attr-defined]
                if getattr(exc, "problem_mark", None)
                else ""
            )
        )
    except OSError as exc:
        problems.append(f"{path.name}: cannot be read: {exc.strerror}")
    return None


def _validation_problems(
    fname: str, intent: str, exc: ValidationError, raw: object = None
) -> list[str]:
    where = f"{fname}: intent {intent}" if intent else fname
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        answer = ""
        if (
            len(loc) >= 2
            and loc[0] == "answers"
            and isinstance(loc[1], int)
            and isinstance(raw, dict)
            and isinstance(raw.get("answers"), list)
            and loc[1] < len(raw["answers"])
            and isinstance(raw["answers"][loc[1]], dict)
        ):
            answer = f": answer {raw['answers'][loc[1]].get('id', '?')}"
        out.append(f"{where}{answer}: field {_format_loc(loc)}: {err['msg']}")
    return out


def _load_intent(path: Path, problems: list[str]) -> IntentSpec | None:
    raw = _read_yaml(path, problems)
    if raw is None:
        if not any(p.startswith(path.name) for p in problems):
            problems.append(f"{path.name}: the file is empty")
        return None
    if not isinstance(raw, dict):
        problems.append(f"{path.name}: expected a mapping of fields, got {type(raw).__name__}")
        return None
    intent_id = str(raw.get("id", path.stem))
    try:
        spec = IntentSpec.model_validate(raw)
    except ValidationError as exc:
        problems.extend(_validation_problems(path.name, intent_id, exc, raw))
        return None
    if spec.id != path.stem:
        problems.append(
            f"{path.name}: intent {spec.id}: field id: must match the file name '{path.stem}'"
        )
    return spec


def _load_dictionary(path: Path, problems: list[str]) -> list[tuple[str, int | None, str | None]]:
    entries: list[tuple[str, int | None, str | None]] = []
    if not path.exists():
        return entries
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as exc:
        problems.append(f"{path.name}: cannot be read as UTF-8 text: {exc}")
        return entries
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _DICT_LINE.match(line)
        if not match:
            problems.append(
                f"{path.name}: line {number}: expected 'word [freq] [tag]' with no "
                f"spaces inside the word, got {line!r}"
            )
            continue
        word, freq, tag = match.groups()
        if re.search(r"[,，。.!！?？;；:：、]", word):
            problems.append(
                f"{path.name}: line {number}: the word {word!r} contains "
                f"punctuation and would never match"
            )
            continue
        entries.append((word, int(freq) if freq else None, tag))
    return entries


def _check_cross_references(intents: list[IntentSpec], problems: list[str]) -> None:
    ids = {spec.id for spec in intents}
    seen_examples: dict[str, str] = {}
    for spec in intents:
        fname = f"{spec.id}.yaml"
        for i, example in enumerate(spec.examples):
            key = re.sub(r"\s+", "", example)
            other = seen_examples.get(key)
            if other is not None and other != spec.id:
                problems.append(
                    f"{fname}: intent {spec.id}: field examples[{i}]: the example "
                    f"{example!r} is also listed under intent {other}"
                )
            seen_examples[key] = spec.id
        for fu in spec.follow_ups:
            for j, opt in enumerate(fu.options or []):
                if opt.intent is not None and opt.intent not in ids:
                    problems.append(
                        f"{fname}: intent {spec.id}: field follow_ups.{fu.id}."
                        f"options[{j}].intent: unknown intent '{opt.intent}'"
                    )
        if spec.id not in SYSTEM_INTENTS and not spec.follow_ups:
            problems.append(
                f"{fname}: intent {spec.id}: field follow_ups: a topic needs one to "
                f"three follow-up questions"
            )
        if spec.urgent and not spec.urgent_keywords:
            problems.append(
                f"{fname}: intent {spec.id}: field urgent_keywords: an urgent intent "
                f"needs urgent keywords"
            )
        if spec.urgent and not re.search(r"110|12356", spec.advice.short):
            problems.append(
                f"{fname}: intent {spec.id}: field advice.short: urgent advice must "
                f"name 110 or 12356"
            )
    _check_answers(intents, seen_examples, problems)
    for required in REQUIRED_INTENTS:
        if required not in ids:
            problems.append(
                f"{required}.yaml: intent {required}: missing (every shipped content set needs it)"
            )


def _load_signals(path: Path, intents: list[IntentSpec], problems: list[str]) -> UrgentSignals:
    """Read and check the urgent signals: every signal names an urgent intent and the kind of
    danger it shows, each urgent intent has one kind, and every phrase has non-empty parts."""
    name = path.name
    if not path.exists():
        if any(spec.urgent for spec in intents):
            problems.append(f"{name}: missing (the urgent intents need their signals)")
        return UrgentSignals()
    raw = _read_yaml(path, problems)
    try:
        signals = UrgentSignals.model_validate(raw or {})
    except ValidationError as exc:
        for err in exc.errors():
            loc = err["loc"]
            where = name
            if len(loc) >= 2 and loc[0] in ("signs", "calm") and isinstance(loc[1], int):
                entries = raw.get(loc[0]) if isinstance(raw, dict) else None
                entry = (
                    entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
                )
                label = entry.get("id") if isinstance(entry, dict) else None
                where += f": {'sign' if loc[0] == 'signs' else 'calm'} {label or loc[1]}"
            problems.append(f"{where}: field {_format_loc(loc)}: {err['msg']}")
        return UrgentSignals()
    urgent = {spec.id for spec in intents if spec.urgent}
    covered: set[str] = set()
    seen: set[str] = set()
    for i, signal in enumerate(signals.signals):
        where = f"{name}: sign {signal.id}"
        if signal.id in seen:
            problems.append(f"{where}: field signs[{i}].id: listed twice")
        seen.add(signal.id)
        if signal.intent not in urgent:
            problems.append(
                f"{where}: field signs[{i}].class: its intent '{signal.intent}' is not an "
                "urgent intent"
            )
        covered.add(signal.intent)
        _check_gaps(signal, f"{where}: field signs[{i}]", problems)
    if signals.medical is not None:
        _check_gaps(signals.medical, f"{name}: field medical", problems)
    for missing in sorted(urgent - covered):
        problems.append(f"{name}: field signs: the urgent intent {missing} has no sign")
    for i, cue in enumerate(signals.calm):
        for k, intent in enumerate(cue.explains):
            if intent not in urgent:
                problems.append(
                    f"{name}: calm {cue.id}: field calm[{i}].explains[{k}]: "
                    f"'{intent}' is not an urgent intent"
                )
        for j, phrase in enumerate(cue.phrases):
            if any(not part.strip() for part in phrase.split(GAP)):
                problems.append(
                    f"{name}: calm {cue.id}: field calm[{i}].phrases[{j}]: "
                    f"{phrase!r} has an empty part around '{GAP}'"
                )
    return signals


def _check_gaps(signal: UrgentSignal, where: str, problems: list[str]) -> None:
    for field_name in ("phrases", "english", "unless"):
        for j, phrase in enumerate(getattr(signal, field_name)):
            if any(not part.strip() for part in phrase.split(GAP)):
                problems.append(
                    f"{where}.{field_name}[{j}]: {phrase!r} has an empty part around '{GAP}'"
                )


def _check_answers(
    intents: list[IntentSpec], intent_examples: dict[str, str], problems: list[str]
) -> None:
    """Direct answers: ids unique across all intents, no example listed twice."""
    answer_ids: dict[str, str] = {}
    seen: dict[str, str] = {}
    for spec in intents:
        fname = f"{spec.id}.yaml"
        for answer in spec.answers:
            where = f"{fname}: intent {spec.id}: answer {answer.id}"
            other = answer_ids.get(answer.id)
            if other is not None:
                problems.append(f"{where}: field id: the id is also used under intent {other}")
            answer_ids[answer.id] = spec.id
            for i, example in enumerate(answer.examples):
                key = re.sub(r"\s+", "", example)
                if key in seen and seen[key] != answer.id:
                    problems.append(
                        f"{where}: field examples[{i}]: the example {example!r} is "
                        f"also listed under answer {seen[key]}"
                    )
                seen[key] = answer.id


def load_content(directory: str | Path) -> Content:
    """Load and validate all content in ``directory``; raise :class:`ContentError` listing
    every problem, each naming file, intent and field."""
    directory = Path(directory)
    problems: list[str] = []
    if not directory.is_dir():
        raise ContentError([f"{directory}: the intents directory does not exist"])

    facts: dict[str, Fact] = {}
    facts_path = directory / FACTS_FILE
    if not facts_path.exists():
        problems.append(f"{FACTS_FILE}: missing (the fact register every reply cites)")
    else:
        raw_facts = _read_yaml(facts_path, problems)
        if raw_facts is not None:
            try:
                for fact in FactsFile.model_validate(raw_facts).facts:
                    if fact.id in facts:
                        problems.append(f"{FACTS_FILE}: fact {fact.id}: listed twice")
                    facts[fact.id] = fact
            except ValidationError as exc:
                problems.extend(_validation_problems(FACTS_FILE, "", exc))

    lexicon = Lexicon()
    lex_path = directory / "lexicon.yaml"
    if lex_path.exists():
        raw_lex = _read_yaml(lex_path, problems)
        try:
            lexicon = Lexicon.model_validate(raw_lex or {})
        except ValidationError as exc:
            problems.extend(_validation_problems("lexicon.yaml", "", exc))
        for i, pattern in enumerate(lexicon.filtered):
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f"lexicon.yaml: field filtered[{i}]: bad regular expression: {exc}")

    dictionary = _load_dictionary(directory / "userdict.txt", problems)

    intents: list[IntentSpec] = []
    digest = hashlib.sha256()
    for path in sorted([*directory.glob("*.yaml"), directory / "userdict.txt"]):
        with contextlib.suppress(OSError):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        if path.suffix != ".yaml" or path.name in (FACTS_FILE, "lexicon.yaml", SIGNALS_FILE):
            continue
        spec = _load_intent(path, problems)
        if spec is not None:
            intents.append(spec)
    _check_cross_references(intents, problems)
    signals = _load_signals(directory / SIGNALS_FILE, intents, problems)
    if facts_path.exists() and not any(p.startswith(FACTS_FILE) for p in problems):
        problems.extend(check_facts(intents, facts))
    if problems:
        raise ContentError(problems)
    order = {intent_id: i for i, intent_id in enumerate(REQUIRED_INTENTS)}
    intents.sort(key=lambda s: (order.get(s.id, len(order)), s.id))
    return Content(
        intents=tuple(intents),
        facts=facts,
        lexicon=lexicon,
        dictionary=tuple(dictionary),
        version=digest.hexdigest()[:12],
        directory=directory,
        signals=signals,
    )


def default_intents_dir() -> Path:
    """The ``intents/`` directory shipped beside the package (a checkout or an editable
    install), else the copy a regular install puts under ``<prefix>/share/cuishou-bot``."""
    beside = Path(__file__).resolve().parent.parent / "intents"
    if beside.is_dir():
        return beside
    installed = Path(sys.prefix) / "share" / "cuishou-bot" / "intents"
    return installed if installed.is_dir() else beside
