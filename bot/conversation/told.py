"""What the person said, in their own words, kept so a question about it is answered ("我刚才说
我一共有几张卡逾期？", "刚才说他们要去哪儿找我女儿来着？", "how much did I say I owe?").

The details the reader takes out of a message (bot/understanding/details.py) hold the lender,
the figures and the visit; people also ask back what no slot holds: the number of cards, the
school named in a threat, the hometown a message threatened to visit. So the clauses of each
message are kept as told, masked of personal data (bot/privacy.py), the newest last and a few
only, in a private chat only (a group hears nothing said back), and for as long as the
conversation's details are kept. Asked back, the clause that shares the most content with the
question is quoted.
"""

from __future__ import annotations

import re

from bot.privacy import mask
from bot.understanding.cues import content_bigrams

#: how many clauses are kept (the newest)
KEPT = 12
#: the longest clause kept, in characters (a longer one is cut at this length)
LONGEST = 60
#: how much of a message is read for clauses (a long story keeps its first sentences)
READ = 400
#: content character pairs a clause must share with the question to be quoted (the most wins)
SHARED = 1

_SENTENCE = re.compile(r"[。！？!?；;\n]+")
_CLAUSE = re.compile(r"[，,、]+")
#: a figure ("5张", "三万", "1万2"; not the 一 of 一家 or 一下)
_DIGIT = re.compile(r"\d|[两二三四五六七八九十百千万]")
#: a comma the normaliser made ASCII, between Chinese characters (said back as "，")
_CJK_COMMA = re.compile(r"(?<=[\u4e00-\u9fff]),(?=[\u4e00-\u9fff])")
_HOW_MANY = re.compile(r"几|多少|how (?:much|many)", re.IGNORECASE)


def clauses(text: str) -> list[str]:
    """The clauses of ``text`` worth keeping: sentences, split at commas when long."""
    out: list[str] = []
    for sentence in _SENTENCE.split(text[:READ]):
        sentence = sentence.strip()
        if not sentence:
            continue
        parts = [sentence] if len(sentence) <= 30 else _CLAUSE.split(sentence)
        out.extend(p.strip().rstrip(".")[:LONGEST] for p in parts if len(p.strip()) >= 4)
    return out


def remember(told: list[str], text: str) -> list[str]:
    """``told`` with the clauses of ``text`` added (masked), the oldest dropped past
    :data:`KEPT`."""
    new = [_CJK_COMMA.sub("，", mask(c)) for c in clauses(text)]
    if not new:
        return told
    kept = [c for c in told if c not in new] + new
    return kept[-KEPT:]


def quote(told: list[str], question: str, asked_words: str = "") -> str | None:
    """The clause of ``told`` that answers ``question`` (the words asking back,
    ``asked_words``, left out of the comparison): the one sharing the most content with it,
    at least :data:`SHARED` character pair(s), a figure counting as one when a number is asked;
    the newest wins a tie. None when no clause does."""
    # the words asking back say what is wanted; the rest of the message only when they do not
    # ("我刚才说有几张卡来着？我想一家一家谈": the cards, not the banks to talk to)
    wanted = _content(asked_words) - _ASKING
    if not wanted:
        wanted = _content(question.replace(asked_words, "") if asked_words else question)
    if not wanted:
        return None
    number_asked = _HOW_MANY.search(question) is not None
    best: tuple[int, int] | None = None
    found: str | None = None
    for age, clause in enumerate(told):
        score = len(wanted & _content(clause))
        if number_asked and _DIGIT.search(clause):
            score += 1
        if score >= SHARED and (best is None or (score, age) > best):
            best, found = (score, age), clause
    return found


_WORD = re.compile(r"[a-z]{3,}")
#: English words that say nothing of what was told ("what was the total I told you")
_ENGLISH_STOP = frozenset(
    {
        "the",
        "and",
        "you",
        "your",
        "was",
        "were",
        "what",
        "which",
        "how",
        "did",
        "said",
        "say",
        "tell",
        "told",
        "that",
        "this",
        "with",
        "for",
        "about",
        "again",
        "remind",
        "remember",
        "mentioned",
        "mention",
        "earlier",
        "before",
        "just",
        "where",
        "when",
        "who",
        "why",
        "many",
        "much",
    }
)


def _content(text: str) -> frozenset[str]:
    """What ``text`` is about: its content character pairs, or for English its words (pairs
    of Latin letters say nothing)."""
    words = _WORD.findall(text.lower())
    if words and len("".join(words)) * 2 > len(text):
        return frozenset(w for w in words if w not in _ENGLISH_STOP)
    return content_bigrams(text)


#: the pairs of the asking itself ("刚才说", "来着") that say nothing of what was told
_ASKING = content_bigrams("刚才 之前 前面 上次 刚刚 昨天 来着 告诉 记得 提过 讲过")
