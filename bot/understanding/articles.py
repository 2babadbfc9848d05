"""The laws and articles a message names ("2018解释第6条具体怎么推定", "刑法293之一能用吗",
"恐吓辱骂走治安管理处罚法哪条"), and the answers whose facts rest on them.

Counsellors and legal-aid workers ask by article. The words around an article number say
little ("具体怎么推定", "能用吗"), so the answer is found by what it cites: every answer's facts
name their source (intents/facts.yaml), and an answer citing the article asked about gets
evidence for it (:class:`ArticleIndex`, added to the direct answers' scores in
bot/understanding/direct_answers.py). A law named without an article counts for less.

Laws are known by the names people use for them (:data:`LAWS`); an article the message does
not tie to a law matches that article of any law.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

from bot.facts import Fact, chinese_number

#: each law the answers cite, by the names people and sources use for it (the first that
#: matches a stretch of text names it; the more specific come first)
LAWS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        (
            "card_interpretation",
            r"妨害信用卡|(?:2018|两高|一八)年?[^，。？?]{0,6}解释|信用卡(?:刑事)?解释",
        ),
        ("card_rules", r"信用卡业务监督管理办法|信用卡(?:管理)?办法|银监会令"),
        ("guideline", r"催收工作指引|行业指引|催收指引"),
        ("limitation_rules", r"诉讼时效(?:制度)?[^，。？?]{0,6}规定|时效规定"),
        ("bank_card_rules", r"银行卡民事纠纷|银行卡[^，。？?]{0,4}规定"),
        ("marriage_interpretation", r"婚姻家庭编?[^，。？?]{0,6}解释|婚姻法解释"),
        ("public_security", r"治安管理处罚法|治安法"),
        ("criminal_law", r"刑法"),
        ("civil_procedure", r"民事诉讼法|民诉法?"),
        ("civil_code", r"民法典"),
        ("credit_regulations", r"征信业管理条例|征信条例"),
        ("personal_information", r"个人信息保护法|个保法"),
    )
)

_NUMERAL = "零一二三四五六七八九十百千"
#: an article: "第六条", "第6条", "第二百九十三条之一", "293条之一", "293之一", "§3"
_ARTICLE = re.compile(
    rf"第\s*(?P<n1>\d{{1,4}}|[{_NUMERAL}]{{1,8}})\s*条(?:之(?P<s1>[一二三四五]))?"
    rf"|(?P<n2>\d{{1,4}})\s*条?之(?P<s2>[一二三四五])"
    r"|§\s*(?P<n3>\d{1,4})"
    rf"|(?P<n4>\d{{1,4}}|[{_NUMERAL}]{{1,8}})\s*条(?:之(?P<s4>[一二三四五]))?"
)
#: how far before a bare "6条" a law's name must be for it to be an article, not a count
#: ("3条短信")
_NEAR = 12
_NUMBERS: dict[str, int] = {}


def _number(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    if not _NUMBERS:
        _NUMBERS.update({chinese_number(n): n for n in range(1, 1300)})
    return _NUMBERS.get(raw)


def _laws_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, law) of every law named in ``text``, in order, not overlapping."""
    found: list[tuple[int, int, str]] = []
    for key, pattern in LAWS:
        for m in pattern.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e, _k in found):
                found.append((m.start(), m.end(), key))
    return sorted(found)


def references(text: str) -> frozenset[tuple[str | None, str | None]]:
    """The (law, article) pairs ``text`` names: an article with the law named last before it
    (or None), a law with no article after it as (law, None)."""
    laws = _laws_in(text)
    refs: set[tuple[str | None, str | None]] = set()
    tied: set[str] = set()
    for m in _ARTICLE.finditer(text):
        raw = m.group("n1") or m.group("n2") or m.group("n3") or m.group("n4")
        suffix = m.group("s1") or m.group("s2") or m.group("s4")
        before = [(s, e, k) for s, e, k in laws if e <= m.start()]
        if m.group("n4") is not None and not (before and m.start() - before[-1][1] <= _NEAR):
            continue  # "3条短信": a count, not an article
        number = _number(raw)
        if number is None or not 0 < number < 1300:
            continue
        law = before[-1][2] if before else None
        if law is not None:
            tied.add(law)
        refs.add((law, f"{number}{'之' + suffix if suffix else ''}"))
    asks_rule = _WHICH_RULE.search(text) is not None
    refs.update(
        (law, None)
        for _s, _e, law in laws
        if law not in tied and (asks_rule or law not in _EVERYDAY_LAWS)
    )
    return frozenset(refs)


#: laws people name in passing ("会不会触犯刑法", "民法典保护我吗"): named without an article,
#: they point to a rule only when the message asks which rule
_EVERYDAY_LAWS = frozenset({"criminal_law", "civil_code"})
_WHICH_RULE = re.compile(r"哪[一]?条|依据|条文|原文|原话|怎么规定|如何规定|适用|援引")


def cited(sources: Iterable[str]) -> frozenset[tuple[str, str | None]]:
    """The (law, article) pairs fact sources cite (each "；" part: its law, its articles; a
    law cited without an article as (law, None))."""
    out: set[tuple[str, str | None]] = set()
    for source in sources:
        for part in source.split("；"):
            refs = references(part)
            laws = {law for law, _a in refs if law is not None}
            for law, article in refs:
                if law is None and len(laws) == 1:
                    law = next(iter(laws))  # "《…解释》第六条、第七条": the part's one law
                if law is not None:
                    out.add((law, article))
                    out.add((law, None))
    return frozenset(out)


class ArticleIndex:
    """The laws and articles every direct answer rests on, and the evidence a message naming
    some of them lends each answer."""

    def __init__(self, answer_facts: Sequence[Sequence[str]], facts: dict[str, Fact]) -> None:
        """``answer_facts``: each answer's fact ids, in the selector's order."""
        self._cites = [cited(facts[f].source for f in ids if f in facts) for ids in answer_facts]
        #: what each answer's first fact cites: the rule the answer is about
        self._first = [
            cited([facts[ids[0]].source]) if ids and ids[0] in facts else frozenset()
            for ids in answer_facts
        ]
        self._size = len(self._cites)

    def evidence(self, text: str, article_bonus: float, law_bonus: float) -> np.ndarray | None:
        """Per answer: ``article_bonus`` when the answer is about an article ``text`` names
        (its first fact cites it; of the law named with it, or of any law when none is),
        ``law_bonus`` when about a law named without an article; half of that when the rule
        only stands behind the answer (a later fact cites it); None when ``text`` names no
        rule."""
        if not any(ch in text for ch in "条法规定例解释指引§"):
            return None  # (the cheap test: most messages name no rule at all)
        refs = references(text)
        if not refs:
            return None
        out = np.zeros(self._size)
        for i, cites in enumerate(self._cites):
            if cites:
                out[i] = max(
                    _lends(refs, self._first[i], article_bonus, law_bonus),
                    _lends(refs, cites, article_bonus, law_bonus) / 2,
                )
        return out if out.any() else None


def _lends(
    refs: frozenset[tuple[str | None, str | None]],
    cites: frozenset[tuple[str, str | None]],
    article_bonus: float,
    law_bonus: float,
) -> float:
    """The evidence an answer citing ``cites`` gets from the references ``refs``."""
    best = 0.0
    for law, article in refs:
        if article is None:
            if (law, None) in cites:
                best = max(best, law_bonus)
        elif law is None:
            if any(a == article for _l, a in cites):
                best = article_bonus
        elif (law, article) in cites:
            best = article_bonus
    return best
