"""Evaluating the classifier on a labelled set (Rasa style): accuracy, per-intent precision,
recall, F1 and support, what each intent is confused with, and the misclassified messages."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.understanding.classifier import Classifier

#: the labelled set shipped with the package (package data): ``eval``'s default, part of the
#: ``bench`` corpus and the baseline's accuracy figure; never read from ``tests/``
DEFAULT_TEST_SET = Path(__file__).resolve().parent / "data" / "testset.jsonl"


@dataclass(frozen=True)
class LabelledMessage:
    """One message of a test set with its expected intent."""

    text: str
    intent: str


class TestSetError(Exception):
    """A test-set file that cannot be read; the message names the file and line."""


def read_test_set(path: str | Path) -> list[LabelledMessage]:
    """Read a JSONL file of ``{"text", "intent"}`` objects; a file without any is an error."""
    path = Path(path)
    items: list[LabelledMessage] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise TestSetError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise TestSetError(f"{path}: not valid UTF-8") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TestSetError(f"{path}: line {number}: not valid JSON: {exc.msg}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) \
                or not isinstance(obj.get("intent"), str):
            raise TestSetError(f"{path}: line {number}: expected {{\"text\": str, "
                               f"\"intent\": str}}")
        items.append(LabelledMessage(obj["text"], obj["intent"]))
    if not items:
        raise TestSetError(f"{path}: no labelled messages (expected one {{\"text\", "
                           f"\"intent\"}} object per line)")
    return items


@dataclass
class IntentReport:
    """Scores of one intent."""

    precision: float
    recall: float
    f1: float
    support: int
    confused_with: dict[str, int] = field(default_factory=dict)


@dataclass
class EvaluationReport:
    """The whole evaluation."""

    accuracy: float
    total: int
    intents: dict[str, IntentReport]
    misclassified: list[dict[str, Any]]
    urgent_total: int
    urgent_detected: int

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "accuracy": round(self.accuracy, 4),
            "total": self.total,
            "urgent": {"total": self.urgent_total, "detected": self.urgent_detected},
            "intents": {
                name: {"precision": round(r.precision, 4), "recall": round(r.recall, 4),
                       "f1": round(r.f1, 4), "support": r.support,
                       "confused_with": r.confused_with}
                for name, r in self.intents.items()
            },
            "misclassified": self.misclassified,
        }

    def table(self) -> str:
        """A plain-text table for the terminal."""
        width = max([len(n) for n in self.intents] + [6])
        lines = [f"accuracy: {self.accuracy:.3f} ({self.total} messages)",
                 f"urgent detected: {self.urgent_detected}/{self.urgent_total}", "",
                 f"{'intent':<{width}}  precision  recall     f1  support  confused with"]
        for name, r in sorted(self.intents.items()):
            confused = ", ".join(f"{k}×{v}" for k, v in
                                 sorted(r.confused_with.items(), key=lambda kv: -kv[1]))
            lines.append(f"{name:<{width}}  {r.precision:9.3f}  {r.recall:6.3f}  {r.f1:5.3f}  "
                         f"{r.support:7d}  {confused}")
        if self.misclassified:
            lines += ["", f"misclassified ({len(self.misclassified)}):"]
            for m in self.misclassified:
                lines.append(f"  [{m['expected']} → {m['predicted']} {m['confidence']:.2f}] "
                             f"{m['text']}")
        return "\n".join(lines)


def evaluate(classifier: Classifier, items: list[LabelledMessage]) -> EvaluationReport:
    """Classify every item and compare with its label."""
    urgent_ids = {spec.id for spec in classifier.content.intents if spec.urgent}
    predicted_count: Counter[str] = Counter()
    correct_count: Counter[str] = Counter()
    support: Counter[str] = Counter()
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    misclassified = []
    urgent_total = urgent_detected = 0
    for item in items:
        result = classifier.classify(item.text)
        predicted = result.top.intent
        support[item.intent] += 1
        predicted_count[predicted] += 1
        if item.intent in urgent_ids:
            urgent_total += 1
            urgent_detected += item.intent in result.urgent
        if predicted == item.intent:
            correct_count[predicted] += 1
        else:
            confusion[item.intent][predicted] += 1
            misclassified.append({"text": item.text, "expected": item.intent,
                                  "predicted": predicted,
                                  "confidence": round(result.confidence, 4)})
    reports = {}
    for name in sorted(set(support) | set(predicted_count)):
        precision = correct_count[name] / predicted_count[name] if predicted_count[name] else 0.0
        recall = correct_count[name] / support[name] if support[name] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        reports[name] = IntentReport(precision, recall, f1, support[name], dict(confusion[name]))
    total = len(items)
    accuracy = sum(correct_count.values()) / total if total else 0.0
    return EvaluationReport(accuracy, total, reports, misclassified, urgent_total,
                            urgent_detected)
