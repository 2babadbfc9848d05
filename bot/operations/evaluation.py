"""Evaluating the classifier on a labelled set (Rasa style): accuracy, per-intent precision,
recall, F1 and support, what each intent is confused with, and the misclassified messages;
the direct-answer selector on its own set (accuracy, coverage, answers to general
messages); and urgent recall and false alarms on the red-team sets."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import UrgencyConfig
from bot.conversation.policies.urgency import Tier, decide
from bot.understanding.classifier import Classifier
from bot.understanding.reader import Reader

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


def _json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """The JSON value of each non-blank line of ``path`` with its line number (TestSetError
    naming the file and line for a missing file, bad UTF-8 or bad JSON)."""
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
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise TestSetError(f"{path}: line {number}: not valid JSON: {exc.msg}") from None


def read_test_set(path: str | Path) -> list[LabelledMessage]:
    """Read a JSONL file of ``{"text", "intent"}`` objects; a file without any is an error."""
    path = Path(path)
    items: list[LabelledMessage] = []
    for number, obj in _json_lines(path):
        if (
            not isinstance(obj, dict)
            or not isinstance(obj.get("text"), str)
            or not isinstance(obj.get("intent"), str)
        ):
            raise TestSetError(f'{path}: line {number}: expected {{"text": str, "intent": str}}')
        items.append(LabelledMessage(obj["text"], obj["intent"]))
    if not items:
        raise TestSetError(
            f'{path}: no labelled messages (expected one {{"text", "intent"}} object per line)'
        )
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
                name: {
                    "precision": round(r.precision, 4),
                    "recall": round(r.recall, 4),
                    "f1": round(r.f1, 4),
                    "support": r.support,
                    "confused_with": r.confused_with,
                }
                for name, r in self.intents.items()
            },
            "misclassified": self.misclassified,
        }

    def table(self) -> str:
        """A plain-text table for the terminal."""
        width = max([len(n) for n in self.intents] + [6])
        lines = [
            f"accuracy: {self.accuracy:.3f} ({self.total} messages)",
            f"urgent detected: {self.urgent_detected}/{self.urgent_total}",
            "",
            f"{'intent':<{width}}  precision  recall     f1  support  confused with",
        ]
        for name, r in sorted(self.intents.items()):
            confused = ", ".join(
                f"{k}×{v}" for k, v in sorted(r.confused_with.items(), key=lambda kv: -kv[1])
            )
            lines.append(
                f"{name:<{width}}  {r.precision:9.3f}  {r.recall:6.3f}  {r.f1:5.3f}  "
                f"{r.support:7d}  {confused}"
            )
        if self.misclassified:
            lines += ["", f"misclassified ({len(self.misclassified)}):"]
            for m in self.misclassified:
                lines.append(
                    f"  [{m['expected']} → {m['predicted']} {m['confidence']:.2f}] {m['text']}"
                )
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
            urgent_detected += item.intent in decide(result).intents
        if predicted == item.intent:
            correct_count[predicted] += 1
        else:
            confusion[item.intent][predicted] += 1
            misclassified.append(
                {
                    "text": item.text,
                    "expected": item.intent,
                    "predicted": predicted,
                    "confidence": round(result.confidence, 4),
                }
            )
    reports = {}
    for name in sorted(set(support) | set(predicted_count)):
        precision = correct_count[name] / predicted_count[name] if predicted_count[name] else 0.0
        recall = correct_count[name] / support[name] if support[name] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        reports[name] = IntentReport(precision, recall, f1, support[name], dict(confusion[name]))
    total = len(items)
    accuracy = sum(correct_count.values()) / total if total else 0.0
    return EvaluationReport(accuracy, total, reports, misclassified, urgent_total, urgent_detected)


# -- the red-team set: urgent recall and false alarms -------------------------------------------

#: The red-team sets shipped with the package: the tuning set and the held-out set.
REDTEAM_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_REDTEAM_SETS = (
    REDTEAM_DIR / "redteam.jsonl",
    REDTEAM_DIR / "redteam_holdout.jsonl",
    REDTEAM_DIR / "redteam_fresh.jsonl",
)
URGENT_KINDS = ("threat", "despair")


@dataclass(frozen=True)
class RedTeamMessage:
    """One red-team message: urgent (with the kind of danger) or a near miss that is not."""

    text: str
    urgent: bool
    kind: str | None = None  # "threat" or "despair" for urgent messages


def read_redteam_set(path: str | Path) -> list[RedTeamMessage]:
    """Read a JSONL file of ``{"text", "urgent", "kind"}`` objects (``kind`` for urgent ones)."""
    path = Path(path)
    items = []
    for number, obj in _json_lines(path):
        if (
            not isinstance(obj, dict)
            or not isinstance(obj.get("text"), str)
            or not isinstance(obj.get("urgent"), bool)
        ):
            raise TestSetError(
                f'{path}: line {number}: expected {{"text": str, '
                f'"urgent": bool, "kind": "threat"|"despair"}}'
            )
        kind = obj.get("kind")
        if obj["urgent"] and kind not in URGENT_KINDS:
            raise TestSetError(
                f'{path}: line {number}: an urgent message needs "kind": "threat" or "despair"'
            )
        items.append(RedTeamMessage(obj["text"], obj["urgent"], kind if obj["urgent"] else None))
    return items


@dataclass
class RedTeamReport:
    """Urgent recall, the possible-danger share and the false-alarm rate on one red-team set.

    An urgent message is caught when it gets the clear or the possible tier (its reply
    carries the numbers); a calm message that gets the clear tier is a false alarm, and the
    possible tier on a calm message is counted apart."""

    name: str
    urgent_total: int
    calm_total: int
    missed: list[RedTeamMessage]
    false_alarms: list[tuple[RedTeamMessage, list[str]]]
    by_kind: dict[str, tuple[int, int]]  # kind -> (caught, total)
    #: urgent messages caught only as possible danger
    possible: list[RedTeamMessage] = field(default_factory=list)
    #: calm messages given the possible tier
    calm_possible: list[RedTeamMessage] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Share of the urgent messages caught (clear or possible tier)."""
        return 1 - len(self.missed) / self.urgent_total if self.urgent_total else 1.0

    @property
    def possible_share(self) -> float:
        """Share of the urgent messages caught as possible danger only."""
        return len(self.possible) / self.urgent_total if self.urgent_total else 0.0

    @property
    def false_alarm_rate(self) -> float:
        """Share of the non-urgent messages given clear danger."""
        return len(self.false_alarms) / self.calm_total if self.calm_total else 0.0

    @property
    def calm_possible_rate(self) -> float:
        """Share of the non-urgent messages given possible danger."""
        return len(self.calm_possible) / self.calm_total if self.calm_total else 0.0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "file": self.name,
            "urgent_total": self.urgent_total,
            "urgent_recall": round(self.recall, 4),
            "possible_share": round(self.possible_share, 4),
            "non_urgent_total": self.calm_total,
            "false_alarm_rate": round(self.false_alarm_rate, 4),
            "calm_possible_rate": round(self.calm_possible_rate, 4),
            "by_kind": {k: {"caught": f, "total": t} for k, (f, t) in self.by_kind.items()},
            "missed": [m.text for m in self.missed],
            "possible": [m.text for m in self.possible],
            "false_alarms": [
                {"text": m.text, "flagged": flagged} for m, flagged in self.false_alarms
            ],
            "calm_possible": [m.text for m in self.calm_possible],
        }

    def table(self) -> str:
        """Plain text for the terminal."""
        kinds = ", ".join(f"{k} {f}/{t}" for k, (f, t) in self.by_kind.items())
        lines = [
            f"red team {self.name}: urgent recall {self.recall:.3f} "
            f"({self.urgent_total - len(self.missed)}/{self.urgent_total}; {kinds}), "
            f"possible-danger share {self.possible_share:.3f} "
            f"({len(self.possible)}/{self.urgent_total}), "
            f"false alarms {self.false_alarm_rate:.3f} "
            f"({len(self.false_alarms)}/{self.calm_total}), "
            f"possible on calm {self.calm_possible_rate:.3f} "
            f"({len(self.calm_possible)}/{self.calm_total})"
        ]
        lines += [f"  missed: {m.text}" for m in self.missed]
        lines += [
            f"  false alarm ({', '.join(flagged)}): {m.text}" for m, flagged in self.false_alarms
        ]
        lines += [f"  possible on calm: {m.text}" for m in self.calm_possible]
        return "\n".join(lines)


def evaluate_redteam(
    classifier: Classifier,
    items: list[RedTeamMessage],
    name: str = "",
    config: UrgencyConfig | None = None,
) -> RedTeamReport:
    """Decide the urgency of every red-team message as a first message
    (bot/conversation/policies/urgency.py): an urgent one is caught by the clear or the
    possible tier; a non-urgent one given the clear tier is a false alarm."""
    missed: list[RedTeamMessage] = []
    possible: list[RedTeamMessage] = []
    calm_possible: list[RedTeamMessage] = []
    false_alarms: list[tuple[RedTeamMessage, list[str]]] = []
    counts: dict[str, list[int]] = {kind: [0, 0] for kind in URGENT_KINDS}
    for item in items:
        urgency = decide(classifier.classify(item.text), None, config)
        if item.urgent:
            counts[item.kind or "threat"][1] += 1
            if urgency.tier is Tier.CALM:
                missed.append(item)
            else:
                counts[item.kind or "threat"][0] += 1
                if urgency.tier is Tier.POSSIBLE:
                    possible.append(item)
        elif urgency.tier is Tier.CLEAR:
            false_alarms.append((item, list(urgency.intents)))
        elif urgency.tier is Tier.POSSIBLE:
            calm_possible.append(item)
    urgent_total = sum(item.urgent for item in items)
    return RedTeamReport(
        name,
        urgent_total,
        len(items) - urgent_total,
        missed,
        false_alarms,
        {k: (f, t) for k, (f, t) in counts.items() if t},
        possible,
        calm_possible,
    )


# -- direct answers -------------------------------------------------------------------------

#: The direct-answer set beside the topic test set.
DIRECT_SET_NAME = "direct_answers.jsonl"


@dataclass(frozen=True)
class LabelledQuestion:
    """One message of the direct-answer set: its topic and the answer expected (None: a
    general message that should get no direct answer)."""

    text: str
    intent: str
    answer: str | None
    #: a second answer that answers it too (a question asking two things)
    also: str | None = None


def labelled_real_questions(reader: Reader) -> list[LabelledQuestion]:
    """The validation side of ``corpus/answers`` (real questions, never learned by the
    selector) as a direct-answer set: ``general`` and ``missing`` questions expect no answer
    (no answer states a missing one's point), the others their answer or its ``also``."""
    from bot.learning.answer_labels import GENERAL, MISSING, load_answer_labels

    content = reader.classifier.content
    ids = [answer.id for spec in content.intents for answer in spec.answers]
    items = []
    for label in load_answer_labels(ids).validation():
        if label.answer in (GENERAL, MISSING):
            items.append(LabelledQuestion(label.text, "", None))
        else:
            intent = content.answer(label.answer)[0].id
            items.append(LabelledQuestion(label.text, intent, label.answer, label.also))
    return items


def read_direct_set(path: str | Path) -> list[LabelledQuestion]:
    """Read a JSONL file of ``{"text", "intent", "answer"}`` objects (answer may be null)."""
    path = Path(path)
    items: list[LabelledQuestion] = []
    for number, obj in _json_lines(path):
        if (
            not isinstance(obj, dict)
            or not isinstance(obj.get("text"), str)
            or not isinstance(obj.get("intent"), str)
            or not (obj.get("answer") is None or isinstance(obj.get("answer"), str))
        ):
            raise TestSetError(
                f'{path}: line {number}: expected {{"text": str, "intent": '
                f'str, "answer": str or null}}'
            )
        items.append(LabelledQuestion(obj["text"], obj["intent"], obj.get("answer")))
    return items


@dataclass
class DirectReport:
    """How well the direct-answer selector does on a labelled set.

    ``accuracy``: of the messages that expect an answer, the share given exactly that answer;
    ``missed``: the share given no answer at all (coverage = 1 - missed); ``false_answers``:
    general messages that got an answer anyway."""

    total: int
    expected: int
    correct: int
    missed: int
    wrong: int
    general: int
    false_answers: int
    errors: list[dict[str, Any]]
    #: per topic: (messages expecting an answer, answered exactly)
    by_topic: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        """Correct answers among the messages that expect one."""
        return self.correct / self.expected if self.expected else 0.0

    @property
    def coverage(self) -> float:
        """The share of messages expecting an answer that got one (right or wrong)."""
        return 1 - self.missed / self.expected if self.expected else 0.0

    def line(self) -> str:
        """The lines ``eval`` prints: the whole set, then the direct-answer rate per topic."""
        lines = [
            f"direct-answer accuracy: {self.accuracy:.3f} ({self.correct}/{self.expected}); "
            f"no answer when one was expected: {self.missed}, wrong answer: {self.wrong}; "
            f"general messages answered anyway: {self.false_answers}/{self.general}"
        ]
        for topic, (expected, correct) in sorted(self.by_topic.items()):
            lines.append(f"  {topic:<24} {correct / expected:.3f} ({correct}/{expected})")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "accuracy": round(self.accuracy, 4),
            "coverage": round(self.coverage, 4),
            "total": self.total,
            "expected": self.expected,
            "correct": self.correct,
            "missed": self.missed,
            "wrong": self.wrong,
            "general": self.general,
            "false_answers": self.false_answers,
            "by_topic": {t: {"expected": e, "correct": c} for t, (e, c) in self.by_topic.items()},
            "errors": self.errors,
        }


def evaluate_direct(reader: Reader, items: list[LabelledQuestion]) -> DirectReport:
    """Read every item and compare the confident direct answer (if any) with its label."""
    expected = correct = missed = wrong = general = false_answers = 0
    errors: list[dict[str, Any]] = []
    by_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in items:
        direct = reader.read(item.text).direct
        given = direct.answer if direct is not None and direct.confident else None
        if item.answer is None:
            general += 1
            if given is not None:
                false_answers += 1
                errors.append({"text": item.text, "expected": None, "given": given})
            continue
        expected += 1
        by_topic[item.intent][0] += 1
        if given is not None and given in (item.answer, item.also):
            correct += 1
            by_topic[item.intent][1] += 1
            continue
        if given is None:
            missed += 1
        else:
            wrong += 1
        errors.append(
            {
                "text": item.text,
                "expected": item.answer,
                "given": given,
                "best": direct.answer if direct else None,
                "score": round(direct.score, 4) if direct else 0.0,
            }
        )
    return DirectReport(
        len(items),
        expected,
        correct,
        missed,
        wrong,
        general,
        false_answers,
        errors,
        {t: (e, c) for t, (e, c) in by_topic.items()},
    )
