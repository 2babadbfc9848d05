"""The report a counsellor reads to improve the content (``python -m bot report``).

From the turn records of a period: the most asked topics, the fallback and low-confidence
rates, and the unanswered messages grouped by similarity, so that each group can become new
examples of an intent (or a new intent). Grouping is greedy: messages are taken most frequent
first and join the group whose first message shares enough character bigrams with theirs
(Jaccard similarity of the normalised text at least ``threshold``), else start a group.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.messages import Outcome
from bot.storage.turns.base import TurnRecord

#: Two messages whose bigram sets overlap at least this much are grouped together.
DEFAULT_THRESHOLD = 0.5
#: Titles of the answers that are not intents of the content.
#: Titles of the outcomes that are not topics (clarify, fallback, empty, error …).
PSEUDO_TITLES = {outcome.value: f"（{outcome.label}）" for outcome in Outcome}
NO_MESSAGES = "no messages recorded in this period"
#: the forms :func:`parse_time` reads, for its error and for ``report --help`` (one source)
TIME_FORMS = "a period like 7d, 24h, 30m or 2w (that long before now), or a date YYYY-MM-DD"

_PERIOD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": 60.0, "h": 3600.0, "d": 86_400.0, "w": 7 * 86_400.0}
_NOT_WORD = re.compile(r"[\W_]+")
_NUMBERS = re.compile(r"[\d*]+")  # numbers and masked numbers are alike for grouping


def parse_time(text: str, now: float | None = None) -> float:
    """A point in time from ``7d``, ``24h``, ``30m``, ``2w`` (that long before now) or a date
    ``YYYY-MM-DD`` (its local midnight). Raises ValueError with a readable message."""
    now = time.time() if now is None else now
    match = _PERIOD.match(text)
    if match:
        return now - float(match.group(1)) * _UNITS[match.group(2).lower()]
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").timestamp()
    except ValueError:
        raise ValueError(f"{text!r}: expected {TIME_FORMS}") from None


def normalise(text: str) -> str:
    """The text as compared for grouping: NFKC, lower case, without spaces and punctuation,
    every number (masked or not) as one ``0``."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _NUMBERS.sub("0", _NOT_WORD.sub("", text))


def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of ``text`` (the text itself when shorter than two)."""
    if len(text) < 2:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


@dataclass
class MessageGroup:
    """Similar unanswered messages: the first (most frequent) one stands for the group."""

    representative: str
    grams: frozenset[str]
    count: int = 0
    fallback: int = 0
    clarify: int = 0
    texts: Counter[str] = field(default_factory=Counter)
    scores: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, record: TurnRecord) -> None:
        self.count += 1
        if record.intent == "fallback":
            self.fallback += 1
        else:
            self.clarify += 1
        self.texts[record.text or ""] += 1
        for guess in record.guesses:
            self.scores[guess.intent] += guess.score

    def guesses(self, limit: int = 3) -> list[tuple[str, float]]:
        """The likeliest intents over the group: mean score per message, best first."""
        ranked = sorted(self.scores.items(), key=lambda item: (-item[1], item[0]))
        return [(intent, total / self.count) for intent, total in ranked[:limit]]


def group_messages(
    records: Iterable[TurnRecord], threshold: float = DEFAULT_THRESHOLD
) -> list[MessageGroup]:
    """Group the unanswered records that kept their text; largest groups first."""
    by_text: dict[str, list[TurnRecord]] = defaultdict(list)
    for record in records:
        if record.unanswered and record.text:
            by_text[normalise(record.text)].append(record)
    groups: list[MessageGroup] = []
    index: defaultdict[str, list[int]] = defaultdict(list)  # bigram → groups having it
    for norm, members in sorted(by_text.items(), key=lambda item: -len(item[1])):
        grams = bigrams(norm)
        candidates = {g for gram in grams for g in index[gram]}
        best, best_similarity = None, 0.0
        for g in sorted(candidates):
            similarity = jaccard(grams, groups[g].grams)
            if similarity >= threshold and similarity > best_similarity:
                best, best_similarity = g, similarity
        if best is None:
            best = len(groups)
            groups.append(MessageGroup(representative=members[0].text or "", grams=grams))
            for gram in grams:
                index[gram].append(best)
        for record in members:
            groups[best].add(record)
    groups.sort(key=lambda g: -g.count)  # stable: equal counts stay in first-seen order
    return groups


@dataclass(frozen=True)
class Report:
    """What ``python -m bot report`` shows for one period."""

    since: float
    until: float
    total: int
    fallback: int
    clarify: int
    topics: list[tuple[str, str, int]]  # intent, title, count; most asked first
    groups: list[MessageGroup]
    titles: Mapping[str, str]

    @property
    def answered(self) -> int:
        return self.total - self.fallback - self.clarify

    @property
    def fallback_rate(self) -> float:
        return self.fallback / self.total if self.total else 0.0

    @property
    def low_confidence_rate(self) -> float:
        return self.clarify / self.total if self.total else 0.0

    def title(self, intent: str) -> str:
        """The Chinese title of an intent (or of a pseudo intent such as the fallback)."""
        return title_of(intent, self.titles)

    def to_json(self, max_groups: int = 100) -> dict[str, object]:
        """The report as JSON-ready data."""
        data: dict[str, object] = {
            "since": _iso(self.since),
            "until": _iso(self.until),
            "total": self.total,
            "answered": self.answered,
            "fallback": self.fallback,
            "clarify": self.clarify,
            "fallback_rate": round(self.fallback_rate, 4),
            "low_confidence_rate": round(self.low_confidence_rate, 4),
            "topics": [
                {
                    "intent": intent,
                    "title": title,
                    "count": count,
                    "share": round(count / self.total, 4),
                }
                for intent, title, count in self.topics
            ],
            "unanswered_groups": [
                {
                    "representative": g.representative,
                    "count": g.count,
                    "fallback": g.fallback,
                    "clarify": g.clarify,
                    "examples": [text for text, _ in g.texts.most_common(5)],
                    "guesses": [
                        {"intent": i, "title": self.title(i), "score": round(s, 3)}
                        for i, s in g.guesses()
                    ],
                }
                for g in self.groups[:max_groups]
            ],
            "unanswered_groups_total": len(self.groups),
        }
        if not self.total:
            data["message"] = NO_MESSAGES
        return data

    def format(self, max_groups: int = 30) -> str:
        """The report as text for the terminal."""
        head = f"period: {_iso(self.since)} – {_iso(self.until)}"
        if not self.total:
            return f"{head}\n{NO_MESSAGES}"
        lines = [
            head,
            f"messages handled: {self.total} (answered {self.answered}, fallback "
            f"{self.fallback}, clarifying question {self.clarify})",
            f"fallback rate: {self.fallback_rate:.1%}   "
            f"low-confidence rate: {self.low_confidence_rate:.1%}",
            "",
            "most asked topics:",
        ]
        lines += [
            f"  {count:>6}  {count / self.total:>6.1%}  {title} ({intent})"
            for intent, title, count in self.topics
        ] or ["  (none)"]
        lines += [
            "",
            f"unanswered messages grouped by similarity ({len(self.groups)} groups"
            + (f", the largest {max_groups} shown" if len(self.groups) > max_groups else "")
            + "):",
        ]
        if not self.groups:
            lines.append("  (none with text)")
        for number, group in enumerate(self.groups[:max_groups], start=1):
            lines.append(f"  {number}. ×{group.count}  {group.representative}")
            others = [t for t, _ in group.texts.most_common(3) if t != group.representative]
            lines += [f"        also: {text}" for text in others[:2]]
            guessed = ", ".join(f"{self.title(i)} {s:.2f}" for i, s in group.guesses())
            lines.append(f"        best guesses: {guessed or 'none'}")
        return "\n".join(lines)


def title_of(intent: str, titles: Mapping[str, str]) -> str:
    """The Chinese title of an intent, or of a pseudo intent such as the fallback."""
    return titles.get(intent) or PSEUDO_TITLES.get(intent, intent)


def count_topics(
    records: Iterable[TurnRecord], titles: Mapping[str, str]
) -> tuple[list[tuple[str, str, int]], int, int]:
    """The topics answered as (intent, title, count), most asked first, then how many
    records got the fallback and how many the clarifying question."""
    intents = Counter(r.intent for r in records)
    fallback, clarify = intents.pop("fallback", 0), intents.pop("clarify", 0)
    topics = [
        (intent, title_of(intent, titles), count)
        for intent, count in sorted(intents.items(), key=lambda i: (-i[1], i[0]))
    ]
    return topics, fallback, clarify


def build_report(
    records: Sequence[TurnRecord],
    titles: Mapping[str, str],
    *,
    since: float,
    until: float,
    threshold: float = DEFAULT_THRESHOLD,
) -> Report:
    """The report on ``records`` (those of the period ``since`` … ``until``)."""
    topics, fallback, clarify = count_topics(records, titles)
    return Report(
        since=since,
        until=until,
        total=len(records),
        fallback=fallback,
        clarify=clarify,
        topics=topics,
        groups=group_messages(records, threshold),
        titles=titles,
    )


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")
