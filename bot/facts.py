"""The fact register (``intents/facts.yaml``) and the checks that tie the replies to it.

Every fact the bot states has one entry: an id, the statement in our own words, its source,
how sure we are of it (V read in the original text, S consistent secondary copies, U
unverified) and the day it was checked. Replies cite facts by id (an intent's ``references``);
the "依据：" lines of the detailed answers and the counsellor briefs print the cited facts'
sources. :func:`check_facts` fails the content when

- a reply cites an id the register does not hold;
- a reply cites an unverified (U) fact;
- a verified (V or S) fact is cited by no reply (a dead entry, or a reply that forgot it);
- a reply's text names a law (《…》) or an article (第…条) that none of the facts it cites
  has in its source: the citation in the text must be backed by the register.

A direct answer (an intent's ``answers``) cites its facts in its own ``facts`` list; the same
checks apply to it, and its facts count as used.

Texts written in Python (the crisis replies, the calculator, the counsellor brief, the
conversation texts and the photo checks: :data:`PYTHON_TEXT_DIRS`) cite no fact ids, so
:func:`check_python_texts` reads their string literals and requires every law and article they
name ("《刑法》", "第六十九条", also written "第69条") to be in the source of a verified fact of
the register; when the text names a law too, one fact's source must hold both.
"""

from __future__ import annotations

import ast
import datetime
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

if TYPE_CHECKING:
    from bot.content import IntentSpec

_NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
#: A law's title as the text names it: 《刑法》, 《金融机构个人消费类贷款催收工作指引（试行）》.
_TITLE = re.compile(r"《[^《》]+》")
#: An article as the text names it: 第七十条, 第二百五十三条 (of 第二百五十三条之一).
_ARTICLE = re.compile(r"第[零一二三四五六七八九十百千]+条")
#: The same written in digits, as short texts do: 第69条, 第1064条.
_ARTICLE_DIGITS = re.compile(r"第(\d{1,4})条")
#: Law names written without 《》 in short texts, checked like titles: 民法典第1064条.
_BARE_LAWS = ("民法典", "刑法", "民事诉讼法", "征信业管理条例", "治安管理处罚法", "个人信息保护法")
#: Package folders whose modules hold reply texts (relative to the ``bot`` package).
PYTHON_TEXT_DIRS = ("conversation", "photo")


class Fact(BaseModel):
    """One fact in the register, with its source and how sure we are of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    statement: _NonEmpty  # in our own words, Chinese
    source: _NonEmpty  # the law and article, or the public notice
    confidence: Literal["V", "S", "U"]
    checked: datetime.date  # the day it was last checked against the source

    @property
    def verified(self) -> bool:
        """True for V and S facts, the only ones a reply may state."""
        return self.confidence != "U"


class FactsFile(BaseModel):
    """The layout of ``facts.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    facts: list[Fact]


def intent_texts(spec: IntentSpec) -> Iterator[tuple[str, str]]:
    """Every text an intent can send, as (field, text) with the field named as in the file."""
    yield "advice.short", spec.advice.short
    yield "advice.long", spec.advice.long
    for fu in spec.follow_ups:
        where = f"follow_ups.{fu.id}"
        yield f"{where}.question", fu.question
        if fu.answers is not None:
            yield f"{where}.answers.affirm", fu.answers.affirm
            yield f"{where}.answers.deny", fu.answers.deny
            if fu.answers.unsure is not None:
                yield f"{where}.answers.unsure", fu.answers.unsure
        for j, option in enumerate(fu.options or []):
            if option.reply is not None:
                yield f"{where}.options[{j}].reply", option.reply
        if fu.reply is not None:
            yield f"{where}.reply", fu.reply
    for kind, line in spec.lender_lines.items():
        yield f"lender_lines.{kind}.text", line.text


def rules_cited(sources: list[str]) -> dict[str, list[str]]:
    """Each rule of ``sources`` once, in the order cited, with the articles cited of it
    (``{"…《…解释（一）》": ["第三十六条", "第三十三条"]}``)."""
    rules: dict[str, list[str]] = {}
    for part in (part for source in sources for part in source.split("；")):
        name = _AFTER_THE_TITLE.sub("", part).strip()
        if not name:
            continue
        title, mark, article = name.rpartition("》")
        title, article = (title + mark, article.strip()) if mark else (name, "")
        articles = rules.setdefault(title, [])
        for one in article.split("、"):
            if one and one not in articles:
                articles.append(one)
    return rules


#: a note in brackets after a rule's title ("《…办法》（银监会令2011年第2号）第六十九条", "…
#: （2021年5月25日）"): left out of the brief's names; the title's own brackets ("解释（一）",
#: "指引（试行）") and the article stay
_AFTER_THE_TITLE = re.compile(r"(?<=》)（[^）]*）|（[^）]*）$")


#: the article numbers a statute may have, as statutes write them (the Civil Code has 1,260)
_ARTICLE_NUMBERS: dict[str, int] = {}
_CHINESE_ARTICLE = re.compile(r"第([零一二三四五六七八九十百千]+)条")


def arabic_articles(text: str) -> str:
    """``text`` with its articles in Arabic figures, as practitioners write them in short
    ("第一百九十六条" → "第196条")."""
    if not _ARTICLE_NUMBERS:
        _ARTICLE_NUMBERS.update({chinese_number(n): n for n in range(1, 1300)})

    def arabic(match: re.Match[str]) -> str:
        number = _ARTICLE_NUMBERS.get(match.group(1))
        return match.group(0) if number is None else f"第{number}条"

    return _CHINESE_ARTICLE.sub(arabic, text)


def named_citations(text: str) -> list[str]:
    """The laws (《…》) and articles (第…条) a text names, each once, in order."""
    found: list[str] = []
    for match in [*_TITLE.finditer(text), *_ARTICLE.finditer(text)]:
        if match.group(0) not in found:
            found.append(match.group(0))
    return found


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """An article number as statutes write it: 69 → 六十九, 1064 → 一千零六十四, 10 → 十."""
    if not 0 < n < 10000:
        raise ValueError(n)
    out = ""
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += ("" if (unit == "十" and not out and digit == 1) else _DIGITS[digit]) + unit
    return out


def _python_strings(path: str) -> Iterator[tuple[int, str]]:
    """The string literals of a module (docstrings left out), with their line: adjacent
    literals are one string, an f-string contributes its literal parts."""
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), filename=path)
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.lineno, node.value


def text_citations(text: str) -> list[tuple[str | None, str]]:
    """(law, article) pairs a text names: each 《title》 or bare law name with the article that
    follows it (or None), and each article (第…条 or 第69条, in statute numerals) with the law
    named before it in the text (or None)."""
    pairs: list[tuple[str | None, str]] = []
    laws = [(m.start(), m.group(0)) for m in _TITLE.finditer(text)]
    for name in _BARE_LAWS:
        laws += [
            (m.start(), name)
            for m in re.finditer(re.escape(name), text)
            if not any(start <= m.start() < start + len(title) for start, title in laws)
        ]
    laws.sort()
    articles = [(m.start(), m.group(0)) for m in _ARTICLE.finditer(text)]
    articles += [
        (m.start(), f"第{chinese_number(int(m.group(1)))}条")
        for m in _ARTICLE_DIGITS.finditer(text)
        if 0 < int(m.group(1)) < 10000
    ]
    for start, article in sorted(articles):
        before = [law for pos, law in laws if pos < start]
        pairs.append((before[-1] if before else None, article))
    named = {law for law, _ in pairs}
    for _, law in laws:
        if law not in named:
            pairs.append((law, ""))
            named.add(law)
    return pairs


def check_python_texts(facts: dict[str, Fact], root: str | None = None) -> list[str]:
    """Every law or article named in the reply texts written in Python (the modules under
    :data:`PYTHON_TEXT_DIRS`) that no verified fact of the register has in its source."""
    import pathlib

    base = pathlib.Path(root) if root else pathlib.Path(__file__).resolve().parent
    sources = [fact.source for fact in facts.values() if fact.verified]
    problems: list[str] = []
    for folder in PYTHON_TEXT_DIRS:
        for path in sorted((base / folder).glob("*.py")):
            for line, text in _python_strings(str(path)):
                for law, article in text_citations(text):
                    bare = (law or "").strip("《》")
                    if any((not law or bare in source) and article in source for source in sources):
                        continue
                    shown = f"{law or ''}{article}"
                    problems.append(
                        f"bot/{folder}/{path.name}: line {line}: names {shown} but no verified "
                        f"fact in facts.yaml has it in its source"
                    )
    return problems


def check_facts(
    intents: Iterable[IntentSpec], facts: dict[str, Fact], facts_file: str = "facts.yaml"
) -> list[str]:
    """Every problem tying the intents' replies to the register, each naming the file, the
    intent (or fact) and the field."""
    problems: list[str] = []
    cited: set[str] = set()
    for spec in intents:
        fname = f"{spec.id}.yaml"
        sources: list[str] = []
        for ref in spec.references:
            cited.add(ref)
            fact = facts.get(ref)
            if fact is None:
                problems.append(
                    f"{fname}: intent {spec.id}: field references: unknown fact "
                    f"'{ref}' (not in {facts_file})"
                )
            elif not fact.verified:
                problems.append(
                    f"{fname}: intent {spec.id}: field references: fact '{ref}' is "
                    f"unverified ([U]) and may not be used in a reply"
                )
            else:
                sources.append(fact.source)
        for field, text in intent_texts(spec):
            for citation in named_citations(text):
                if not any(citation in source for source in sources):
                    problems.append(
                        f"{fname}: intent {spec.id}: field {field}: names "
                        f"{citation} but none of the facts in references has it "
                        f"in its source"
                    )
        for answer in spec.answers:
            where = f"{fname}: intent {spec.id}: answer {answer.id}"
            answer_sources: list[str] = []
            for ref in answer.facts:
                cited.add(ref)
                fact = facts.get(ref)
                if fact is None:
                    problems.append(
                        f"{where}: field facts: unknown fact '{ref}' (not in {facts_file})"
                    )
                elif not fact.verified:
                    problems.append(
                        f"{where}: field facts: fact '{ref}' is unverified ([U]) "
                        f"and may not be used in a reply"
                    )
                else:
                    answer_sources.append(fact.source)
            for field, text in (("short", answer.short), ("long", answer.long or "")):
                for citation in named_citations(text):
                    if not any(citation in source for source in answer_sources):
                        problems.append(
                            f"{where}: field {field}: names {citation} but none "
                            f"of the facts in its facts has it in its source"
                        )
    for fact_id, fact in facts.items():
        if fact.verified and fact_id not in cited:
            problems.append(
                f"{facts_file}: fact {fact_id}: no reply cites it (add it to the "
                f"references of the intents that state it, or remove it)"
            )
    return problems
