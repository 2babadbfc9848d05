"""The report a counsellor reads to improve the content (``python -m bot report``).

From the turn records of a period: the most asked topics, the fallback and low-confidence
rates, and the unanswered messages grouped by similarity (bot/operations/grouping.py, the
grouping the console's inbox uses too), so that each group can become new examples of an
intent (or a new intent).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.messages import Outcome
from bot.operations.grouping import DEFAULT_THRESHOLD, Grouper, MessageGroup, group_records
from bot.storage.turns.base import TurnRecord

#: Titles of the outcomes that are not topics (clarify, fallback, empty, error …).
PSEUDO_TITLES = {outcome.value: f"（{outcome.label}）" for outcome in Outcome}
NO_MESSAGES = "no messages recorded in this period"
#: the forms :func:`parse_time` reads, for its error and for ``report --help`` (one source)
TIME_FORMS = "a period like 7d, 24h, 30m or 2w (that long before now), or a date YYYY-MM-DD"

_PERIOD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {"m": 60.0, "h": 3600.0, "d": 86_400.0, "w": 7 * 86_400.0}


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


def group_messages(
    records: Iterable[TurnRecord],
    threshold: float = DEFAULT_THRESHOLD,
    grouper: Grouper | None = None,
) -> list[MessageGroup]:
    """Group the unanswered records that kept their text; largest groups first."""
    grouper = grouper or Grouper(threshold=threshold)
    return group_records(records, grouper, include=lambda record: record.unanswered).groups


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
                    "examples": [text for text, _ in g.members(5)],
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
            others = [t for t, _ in group.members(3) if t != group.representative]
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
    grouper: Grouper | None = None,
) -> Report:
    """The report on ``records`` (those of the period ``since`` … ``until``); ``grouper``
    reads the texts (default: without the content's lexicon and dictionary)."""
    topics, fallback, clarify = count_topics(records, titles)
    return Report(
        since=since,
        until=until,
        total=len(records),
        fallback=fallback,
        clarify=clarify,
        topics=topics,
        groups=group_messages(records, threshold, grouper),
        titles=titles,
    )


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")
