"""The console's Content health (``GET /admin/api/health``): what ``python -m bot check``
finds in the intent files, per-intent precision and recall from ``eval`` on the shipped
labelled set, the most confused pairs, the direct-answer accuracy, and the facts each topic
cites.

The check reads the files on disk (they may differ from the content served, e.g. after an
edit that a reload refused); the evaluation runs on the content served now, in a worker
thread, once per content version (the result is kept until the version changes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.console.web import Console, ConsoleError
from bot.content import Content, ContentError, load_content
from bot.facts import Fact
from bot.operations.evaluation import (
    DEFAULT_TEST_SET,
    DIRECT_SET_NAME,
    TestSetError,
    evaluate,
    evaluate_direct,
    read_direct_set,
    read_test_set,
)
from bot.operations.report import title_of

if TYPE_CHECKING:
    from bot.engine import Understanding

#: the most confused pairs shown
MAX_PAIRS = 10


def check_content(directory: Path) -> dict[str, Any]:
    """What ``python -m bot check`` says about the intent files in ``directory``: the
    counts when they load, else every problem (each names the file, intent and field)."""
    try:
        content = load_content(directory)
    except ContentError as exc:
        return {"ok": False, "problems": list(exc.problems), "directory": str(directory)}
    return {
        "ok": True,
        "problems": [],
        "directory": str(directory),
        "version": content.version,
        "intents": len(content.intents),
        "examples": sum(len(spec.examples) for spec in content.intents),
        "facts": len(content.facts),
        "dictionary_words": len(content.dictionary),
    }


def evaluation(understanding: Understanding, test_set: Path = DEFAULT_TEST_SET) -> dict[str, Any]:
    """``eval`` on ``test_set`` (and the direct-answer set beside it) with the classifier
    and reader of ``understanding``: overall accuracy, per-intent scores (worst F1 first),
    the most confused pairs and the direct-answer line."""
    titles = {spec.id: spec.title for spec in understanding.content.intents}
    report = evaluate(understanding.classifier, read_test_set(test_set))
    intents = [
        {
            "intent": name,
            "title": title_of(name, titles),
            "precision": round(r.precision, 4),
            "recall": round(r.recall, 4),
            "f1": round(r.f1, 4),
            "support": r.support,
        }
        for name, r in report.intents.items()
    ]
    intents.sort(key=lambda row: (row["f1"], row["intent"]))
    pairs = sorted(
        (
            (count, expected, predicted)
            for expected, r in report.intents.items()
            for predicted, count in r.confused_with.items()
        ),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    result: dict[str, Any] = {
        "test_set": test_set.name,
        "accuracy": round(report.accuracy, 4),
        "total": report.total,
        "misclassified": len(report.misclassified),
        "urgent": {"total": report.urgent_total, "detected": report.urgent_detected},
        "intents": intents,
        "confused_pairs": [
            {
                "expected": expected,
                "expected_title": title_of(expected, titles),
                "predicted": predicted,
                "predicted_title": title_of(predicted, titles),
                "count": count,
            }
            for count, expected, predicted in pairs[:MAX_PAIRS]
        ],
        "direct": None,
    }
    direct_set = test_set.parent / DIRECT_SET_NAME
    if direct_set.exists():
        direct = evaluate_direct(understanding.reader, read_direct_set(direct_set))
        result["direct"] = {
            "line": direct.line(),
            "accuracy": round(direct.accuracy, 4),
            "coverage": round(direct.coverage, 4),
            "correct": direct.correct,
            "expected": direct.expected,
            "missed": direct.missed,
            "wrong": direct.wrong,
            "false_answers": direct.false_answers,
            "general": direct.general,
        }
    return result


def cited_facts(content: Content) -> list[dict[str, Any]]:
    """Each topic (the intents that carry advice) with the facts its texts cite (its
    references, then its direct answers' facts; an empty list when it cites none), each fact
    with its statement, source, confidence, checking day and what cites it."""
    topics = []
    for spec in content.topics:
        citing: dict[str, list[str]] = {}
        for ref in spec.references:
            citing.setdefault(ref, []).append("advice")
        for answer in spec.answers:
            for ref in answer.facts:
                citing.setdefault(ref, []).append(answer.id)
        topics.append(
            {
                "intent": spec.id,
                "title": spec.title,
                "facts": [_fact(content.facts, fact_id, uses) for fact_id, uses in citing.items()],
            }
        )
    return topics


def _fact(facts: Mapping[str, Fact], fact_id: str, uses: list[str]) -> dict[str, Any]:
    fact = facts.get(fact_id)
    if fact is None:  # cannot happen in loaded content; shown rather than hidden
        return {"id": fact_id, "statement": "", "source": "", "confidence": "?", "used_by": uses}
    return {
        "id": fact_id,
        "statement": fact.statement,
        "source": fact.source,
        "confidence": fact.confidence,
        "checked": fact.checked.isoformat(),
        "used_by": uses,
    }


class HealthCache:
    """The evaluation of one content version, computed once (in a thread) and kept until
    the version changes."""

    def __init__(self, test_set: Path = DEFAULT_TEST_SET) -> None:
        self.test_set = test_set
        self.version: str | None = None
        self.result: dict[str, Any] | None = None
        self.runs = 0
        self._lock = asyncio.Lock()

    async def evaluation(self, understanding: Understanding) -> dict[str, Any]:
        """The evaluation of ``understanding`` (cached per content version)."""
        version = understanding.content.version
        async with self._lock:
            if self.version != version or self.result is None:
                self.result = await asyncio.to_thread(evaluation, understanding, self.test_set)
                self.version = version
                self.runs += 1
            return self.result


def install(console: Console) -> None:
    """Add the Content health endpoint and tab."""
    engine = console.engine
    directory = console.config.intents_path
    cache = HealthCache()

    async def health(request: web.Request) -> dict[str, Any]:
        understanding = engine.understanding  # one snapshot: a reload swaps it whole
        check = await asyncio.to_thread(check_content, directory)
        try:
            scores = await cache.evaluation(understanding)
        except TestSetError as exc:
            raise ConsoleError(500, "test_set", f"评估用的标注集读不了：{exc}") from None
        return {
            "serving_version": understanding.content.version,
            "check": check,
            "eval": scores,
            "topics": cited_facts(understanding.content),
        }

    console.get("health", health)
    console.section("health", "内容体检", script="health.js", order=30)
