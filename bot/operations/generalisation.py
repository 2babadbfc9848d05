"""Measuring on words nobody here wrote: a styled, labelled set (the corpus's format, e.g. a
frozen set under ``corpus/frozen``) read the way the bot reads it and answered the way the bot
answers it.

For every message: the topic model's top-1 and its probability, and the first reply of
:meth:`Engine.handle` in a fresh private conversation. The report gives accuracy overall and per
style with 95 % Wilson intervals, per-topic precision and recall, the in-scope fallback rate (a
message about debt answered with "帮不上忙", the scope line or "没太看懂"), and calibration (the
reliability table and its expected calibration error).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.conversation.texts import SCOPE_LINE
from bot.engine import Engine, Understanding
from bot.learning.train import wilson
from bot.messages import Incoming
from bot.operations.evaluation import TestSetError, _json_lines

#: Words of a reply that gives up on the message (the fallback, the scope line, "not understood").
NON_ANSWERS = ("帮不上忙", SCOPE_LINE[:12], "我没太看懂")
RELIABILITY_BINS = 10


@dataclass(frozen=True)
class StyledMessage:
    text: str
    intent: str
    styles: tuple[str, ...] = ()
    source: str | None = None


def read_styled_set(path: Path) -> list[StyledMessage]:
    """``{"text", "intent", "styles"?, "source"?}`` per line (the corpus's format)."""
    items = []
    for number, obj in _json_lines(path):
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise TestSetError(f'{path}: line {number}: expected {{"text": str, "intent": str}}')
        if not isinstance(obj.get("intent"), str):
            raise TestSetError(f"{path}: line {number}: no intent label")
        styles = obj.get("styles") or []
        if obj.get("source"):
            styles = [*styles, "real"]
        items.append(StyledMessage(obj["text"], obj["intent"], tuple(styles), obj.get("source")))
    if not items:
        raise TestSetError(f"{path}: no labelled messages")
    return items


@dataclass
class Outcome:
    item: StyledMessage
    predicted: str
    confidence: float
    reply: str

    @property
    def correct(self) -> bool:
        return self.predicted == self.item.intent

    @property
    def non_answer(self) -> bool:
        return any(marker in self.reply for marker in NON_ANSWERS)


@dataclass
class GeneralisationReport:
    name: str
    outcomes: list[Outcome]
    scope_intents: frozenset[str] = field(default_factory=frozenset)

    @property
    def accuracy(self) -> float:
        return sum(o.correct for o in self.outcomes) / max(len(self.outcomes), 1)

    def in_scope(self) -> list[Outcome]:
        """Messages about the person's debt (not out of scope, not small talk)."""
        return [o for o in self.outcomes if o.item.intent in self.scope_intents]

    def fallback_rate(self) -> tuple[int, int]:
        inside = self.in_scope()
        return sum(o.non_answer for o in inside), len(inside)

    def by_style(self) -> dict[str, tuple[int, int]]:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for o in self.outcomes:
            for style in o.item.styles:
                counts[style][0] += o.correct
                counts[style][1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(counts.items())}

    def per_topic(self) -> dict[str, tuple[float, float, int]]:
        predicted: Counter[str] = Counter(o.predicted for o in self.outcomes)
        support: Counter[str] = Counter(o.item.intent for o in self.outcomes)
        right: Counter[str] = Counter(o.predicted for o in self.outcomes if o.correct)
        return {
            t: (
                right[t] / predicted[t] if predicted[t] else 0.0,
                right[t] / support[t] if support[t] else 0.0,
                support[t],
            )
            for t in sorted(set(support) | set(predicted))
        }

    def reliability(self) -> tuple[list[tuple[float, int, float, float]], float]:
        bins: dict[int, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            bins[min(int(o.confidence * RELIABILITY_BINS), RELIABILITY_BINS - 1)].append(o)
        rows, ece = [], 0.0
        for b in sorted(bins):
            group = bins[b]
            conf = sum(o.confidence for o in group) / len(group)
            acc = sum(o.correct for o in group) / len(group)
            ece += len(group) / len(self.outcomes) * abs(conf - acc)
            rows.append((b / RELIABILITY_BINS, len(group), conf, acc))
        return rows, ece

    def lines(self) -> list[str]:
        n = len(self.outcomes)
        low, high = wilson(self.accuracy, n)
        bad, inside = self.fallback_rate()
        out = [
            f"fresh set {self.name}: top-1 {self.accuracy:.3f} (95% {low:.3f}–{high:.3f}, "
            f"{n} messages); in-scope fallback {bad}/{inside} "
            f"({bad / max(inside, 1):.3f})",
            "  per style (accuracy, 95% interval, messages):",
        ]
        for style, (right, total) in self.by_style().items():
            lo, hi = wilson(right / total, total)
            out.append(f"    {style:<12} {right / total:.3f}  {lo:.3f}–{hi:.3f}  {total:4d}")
        out.append("  per topic (precision, recall, support):")
        for topic, (p, r, s) in self.per_topic().items():
            out.append(f"    {topic:<24} {p:.3f}  {r:.3f}  {s:4d}")
        rows, ece = self.reliability()
        out.append(f"  calibration: ECE {ece:.3f}; bin, messages, mean confidence, accuracy:")
        out += [f"    {b:.1f}  {k:4d}  {c:.3f}  {a:.3f}" for b, k, c, a in rows]
        misses = [
            o for o in self.outcomes if not o.correct or (o.non_answer and o in self.in_scope())
        ]
        out.append(f"  misses ({len(misses)}):")
        for o in misses:
            flag = " [non-answer]" if o.non_answer else ""
            out.append(
                f"    [{o.item.intent} → {o.predicted} {o.confidence:.2f}]{flag} {o.item.text}"
            )
        return out

    def to_json(self) -> dict[str, Any]:
        bad, inside = self.fallback_rate()
        _rows, ece = self.reliability()
        return {
            "file": self.name,
            "accuracy": round(self.accuracy, 4),
            "interval": [round(x, 4) for x in wilson(self.accuracy, len(self.outcomes))],
            "total": len(self.outcomes),
            "in_scope_fallback": {"count": bad, "of": inside},
            "styles": {k: {"correct": r, "total": t} for k, (r, t) in self.by_style().items()},
            "topics": {
                k: {"precision": round(p, 4), "recall": round(r, 4), "support": s}
                for k, (p, r, s) in self.per_topic().items()
            },
            "ece": round(ece, 4),
            "misses": [
                {
                    "text": o.item.text,
                    "expected": o.item.intent,
                    "predicted": o.predicted,
                    "non_answer": o.non_answer,
                }
                for o in self.outcomes
                if not o.correct or o.non_answer
            ],
        }


async def _replies(
    config: Config, understanding: Understanding, items: list[StyledMessage]
) -> list[str]:
    from bot.storage.sessions.memory import MemoryStore

    store = MemoryStore(3600, max(len(items) + 10, 100))
    engine = Engine(config, understanding, store)
    try:
        out = []
        for number, item in enumerate(items):
            response = await engine.handle(Incoming(user=f"fresh{number}", text=item.text))
            out.append("\n".join(response.replies[:1]))
        return out
    finally:
        await engine.close()


def evaluate_styled(
    config: Config, understanding: Understanding, items: list[StyledMessage], name: str
) -> GeneralisationReport:
    """Classify and answer every message of a styled set."""
    classifier = understanding.classifier
    memory = config.model_copy(
        update={"sessions": config.sessions.model_copy(update={"store": "memory"})}
    )
    replies = asyncio.run(_replies(memory, understanding, items))
    outcomes = []
    for item, reply in zip(items, replies, strict=True):
        result = classifier.classify(item.text)
        outcomes.append(Outcome(item, result.top.intent, result.confidence, reply))
    scope = frozenset(
        spec.id
        for spec in understanding.content.intents
        if spec.id not in ("fallback", "greeting", "help", "thanks")
    )
    return GeneralisationReport(name, outcomes, scope)


def write_json(reports: list[GeneralisationReport], path: Path) -> None:
    path.write_text(
        json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=1), encoding="utf-8"
    )
