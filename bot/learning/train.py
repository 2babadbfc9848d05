"""Training (``python -m bot train``): candidates compared on the validation split, the best
calibrated and exported with the hash of the data it learned.

Both models are trained the same way on the same features (:mod:`bot.learning.features`):

* the **topic model** learns the intent of every message of the corpus and of the intents'
  examples;
* the **urgency model** learns calm / possible danger / clear danger, and the kind of danger
  (violence or self-harm), from the messages that carry an urgency label.

Candidates: a multinomial logistic regression at two strengths and a linear SVM (its decision
values turned into probabilities by the same temperature scaling). Today's naive-Bayes classifier
is measured on the same validation split for the topic model, as the baseline to beat. The
candidate with the best validation accuracy (then the lowest log-loss) wins; its temperature is
fitted on the validation split (one number: it changes no decision, only how sure the model
says it is); a reliability table shows how well the probabilities match the accuracy.

scikit-learn is needed here only; inference (:mod:`bot.learning.model`) is a sparse dot product.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from bot.learning.corpus import URGENCY_CLASSES, Corpus, CorpusMessage
from bot.learning.features import features as message_features
from bot.learning.model import TOPIC_MODEL, URGENCY_MODEL, LinearModel

#: A feature must occur in at least this many training messages to enter the vocabulary.
MIN_DF = 2
#: Bins of the reliability table.
RELIABILITY_BINS = 10

Featurizer = Callable[[str], list[str]]


@dataclass
class Candidate:
    name: str
    accuracy: float
    log_loss: float
    model: LinearModel | None  # None for the baseline (not exportable)
    seconds: float


@dataclass
class TrainingReport:
    name: str
    digest: str
    train_size: int
    validation_size: int
    candidates: list[Candidate]
    chosen: Candidate
    temperature: float
    reliability: list[dict[str, float]]
    ece: float
    per_class: dict[str, dict[str, float]]

    def lines(self) -> list[str]:
        out = [
            f"{self.name} model: {self.train_size} training / {self.validation_size} validation "
            f"messages, data {self.digest}",
            "  candidate                      accuracy  log-loss  seconds",
        ]
        for c in self.candidates:
            mark = "*" if c is self.chosen else " "
            out.append(
                f" {mark}{c.name:<30} {c.accuracy:8.4f}  {c.log_loss:8.4f}  {c.seconds:7.1f}"
            )
        low, high = wilson(self.chosen.accuracy, self.validation_size)
        out.append(
            f"  chosen: {self.chosen.name}, validation accuracy {self.chosen.accuracy:.4f} "
            f"(95% interval {low:.3f}–{high:.3f}), temperature {self.temperature:.3f}, "
            f"ECE {self.ece:.4f}"
        )
        out.append("  reliability (confidence bin: messages, mean confidence, accuracy):")
        for row in self.reliability:
            if row["count"]:
                out.append(
                    f"    {row['low']:.1f}–{row['high']:.1f}: {int(row['count']):5d}  "
                    f"{row['confidence']:.3f}  {row['accuracy']:.3f}"
                )
        return out


def wilson(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``p`` measured on ``n`` trials."""
    if n == 0:
        return (0.0, 1.0)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


# -- the data ---------------------------------------------------------------------------------


def _matrix(rows: Sequence[list[str]], vocabulary: dict[str, int]) -> Any:
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for feats in rows:
        known = sorted({vocabulary[f] for f in feats if f in vocabulary})
        scale = 1.0 / math.sqrt(len(known)) if known else 0.0
        indices.extend(known)
        values.extend([scale] * len(known))
        indptr.append(len(indices))
    return csr_matrix(
        (np.array(values, dtype=np.float64), np.array(indices, dtype=np.int64), indptr),
        shape=(len(rows), len(vocabulary)),
    )


def _vocabulary(rows: Sequence[list[str]]) -> dict[str, int]:
    df: Counter[str] = Counter()
    for feats in rows:
        df.update(set(feats))
    kept = sorted(f for f, n in df.items() if n >= MIN_DF)
    return {f: i for i, f in enumerate(kept)}


# -- calibration ------------------------------------------------------------------------------


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def _log_loss(logits: np.ndarray, y: np.ndarray) -> float:
    p = _softmax(logits)
    return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0))))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises the validation log-loss (golden-section search)."""
    lo, hi = math.log(0.05), math.log(20.0)
    ratio = (math.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = _log_loss(logits / math.exp(a), y), _log_loss(logits / math.exp(b), y)
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = _log_loss(logits / math.exp(a), y)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = _log_loss(logits / math.exp(b), y)
    return math.exp((lo + hi) / 2)


def reliability(probabilities: np.ndarray, y: np.ndarray) -> tuple[list[dict[str, float]], float]:
    """The reliability table over the top class's probability, and the expected calibration
    error (the count-weighted gap between confidence and accuracy)."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == y
    rows, ece = [], 0.0
    for b in range(RELIABILITY_BINS):
        low, high = b / RELIABILITY_BINS, (b + 1) / RELIABILITY_BINS
        inside = (confidence >= low) & ((confidence < high) | (b == RELIABILITY_BINS - 1))
        n = int(inside.sum())
        conf = float(confidence[inside].mean()) if n else 0.0
        acc = float(correct[inside].mean()) if n else 0.0
        ece += n / max(len(y), 1) * abs(conf - acc)
        rows.append({"low": low, "high": high, "count": n, "confidence": conf, "accuracy": acc})
    return rows, ece


# -- training ---------------------------------------------------------------------------------


def _fit_linear(kind: str, c: float, x: Any, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights (features × classes) and biases of one fitted candidate."""
    if kind == "logreg":
        from sklearn.linear_model import LogisticRegression

        model: Any = LogisticRegression(C=c, max_iter=500, tol=1e-3)
    else:
        from sklearn.svm import LinearSVC

        model = LinearSVC(C=c, max_iter=5000)
    model.fit(x, y)
    coef, intercept = model.coef_, model.intercept_
    if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return coef.T.astype(np.float64), intercept.astype(np.float64)


CANDIDATES: tuple[tuple[str, str, float], ...] = (
    ("logistic regression C=16", "logreg", 16.0),
    ("linear SVM C=0.3", "svm", 0.3),
    ("linear SVM C=1", "svm", 1.0),
)


def train_model(
    name: str,
    labels: Sequence[str],
    train: Sequence[tuple[list[str], str]],
    validation: Sequence[tuple[list[str], str]],
    digest: str,
    *,
    vocabulary: dict[str, int] | None = None,
    baseline: Callable[[list[int]], tuple[float, float]] | None = None,
    candidates: Sequence[tuple[str, str, float]] = CANDIDATES,
    log: Callable[[str], None] = lambda _line: None,
) -> tuple[LinearModel, TrainingReport]:
    """Train every candidate on ``train``, keep the best on ``validation``, calibrate it.
    ``vocabulary``: the features to use (default: those of ``train`` seen at least
    :data:`MIN_DF` times); models sharing one are scored with one lookup."""
    index = {label: i for i, label in enumerate(labels)}
    vocabulary = vocabulary or _vocabulary([f for f, _ in train])
    x_train = _matrix([f for f, _ in train], vocabulary)
    y_train = np.array([index[label] for _, label in train])
    x_val = _matrix([f for f, _ in validation], vocabulary)
    y_val = np.array([index[label] for _, label in validation])
    present = sorted(set(y_train.tolist()))
    results: list[tuple[Candidate, np.ndarray, np.ndarray]] = []
    for title, kind, c in candidates:
        started = time.perf_counter()
        coef, intercept = _fit_linear(kind, c, x_train, y_train)
        # classes absent from training keep a very low bias (never predicted)
        weights = np.zeros((len(vocabulary), len(labels)))
        bias = np.full(len(labels), -30.0)
        weights[:, present] = coef
        bias[present] = intercept
        logits = x_val @ weights + bias
        t = fit_temperature(logits, y_val) if len(y_val) else 1.0
        accuracy = float((logits.argmax(axis=1) == y_val).mean()) if len(y_val) else 0.0
        loss = _log_loss(logits / t, y_val) if len(y_val) else 0.0
        seconds = time.perf_counter() - started
        log(f"  {name}: {title}: accuracy {accuracy:.4f}, log-loss {loss:.4f} ({seconds:.1f} s)")
        model = LinearModel(
            tuple(labels),
            vocabulary,
            (weights / t).astype(np.float32),
            bias / t,
            {"candidate": title, "temperature": t},
        )
        results.append((Candidate(title, accuracy, loss, model, seconds), logits, np.array(t)))
    scored = [r[0] for r in results]
    if baseline is not None:
        started = time.perf_counter()
        accuracy, loss = baseline(y_val.tolist())
        scored.append(
            Candidate("naive Bayes (today's)", accuracy, loss, None, time.perf_counter() - started)
        )
    best, best_logits, best_t = min(results, key=lambda r: (-r[0].accuracy, r[0].log_loss))
    temperature = float(best_t)
    probabilities = _softmax(best_logits / temperature) if len(y_val) else np.zeros((0, 1))
    table, ece = reliability(probabilities, y_val) if len(y_val) else ([], 0.0)
    per_class = _per_class(labels, probabilities, y_val)
    report = TrainingReport(
        name, digest, len(train), len(validation), scored, best, temperature, table, ece, per_class
    )
    assert best.model is not None
    best.model.meta.update(
        {
            "name": name,
            "data": digest,
            "validation_accuracy": round(best.accuracy, 4),
            "validation_size": len(validation),
            "train_size": len(train),
            "ece": round(ece, 4),
            "candidates": {c.name: round(c.accuracy, 4) for c in scored},
            "trained": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )
    return best.model, report


def _per_class(
    labels: Sequence[str], probabilities: np.ndarray, y: np.ndarray
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    if not len(y):
        return out
    predicted = probabilities.argmax(axis=1)
    for i, label in enumerate(labels):
        tp = int(((predicted == i) & (y == i)).sum())
        fp = int(((predicted == i) & (y != i)).sum())
        fn = int(((predicted != i) & (y == i)).sum())
        out[label] = {
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / (tp + fn) if tp + fn else 0.0,
            "support": tp + fn,
        }
    return out


def topic_pairs(
    messages: Sequence[CorpusMessage], featurize: Featurizer
) -> list[tuple[list[str], str]]:
    return [(featurize(m.text), m.intent) for m in messages if m.intent is not None]


def urgency_pairs(
    messages: Sequence[CorpusMessage], featurize: Featurizer
) -> list[tuple[list[str], str]]:
    return [(featurize(m.text), m.urgency_class) for m in messages if m.urgency_class is not None]


def train_all(
    corpus: Corpus,
    intent_ids: Sequence[str],
    featurize: Featurizer,
    out_dir: Path,
    *,
    baseline: Callable[[list[CorpusMessage]], tuple[float, float]] | None = None,
    candidates: Sequence[tuple[str, str, float]] = CANDIDATES,
    log: Callable[[str], None] = print,
    examples: str = "",
) -> list[TrainingReport]:
    """Train, compare, calibrate and export both models into ``out_dir``."""
    digest = corpus.digest()
    train, validation = corpus.training(), corpus.validation()
    # each text featurised once: the topic pairs, the vocabulary and the urgency pairs share it
    featurize = lru_cache(maxsize=None)(featurize)
    topic_train = topic_pairs(train, featurize)
    # one vocabulary for both models: at inference one lookup serves both (messages labelled
    # for urgency only bring their features too)
    vocabulary = _vocabulary(
        [f for f, _ in topic_train]
        + [featurize(m.text) for m in train if m.intent is None and m.urgency_class is not None]
    )
    reports = []
    topic_validation = [m for m in validation if m.intent is not None]
    topic_baseline = None
    if baseline is not None:

        def topic_baseline(_y: list[int]) -> tuple[float, float]:
            return baseline(topic_validation)

    model, report = train_model(
        TOPIC_MODEL,
        list(intent_ids),
        topic_train,
        topic_pairs(validation, featurize),
        digest,
        vocabulary=vocabulary,
        baseline=topic_baseline,
        candidates=candidates,
        log=log,
    )
    model.meta["examples"] = examples
    model.save(out_dir, TOPIC_MODEL)
    reports.append(report)
    model, report = train_model(
        URGENCY_MODEL,
        URGENCY_CLASSES,
        urgency_pairs(train, featurize),
        urgency_pairs(validation, featurize),
        digest,
        vocabulary=vocabulary,
        candidates=candidates,
        log=log,
    )
    model.meta["examples"] = examples
    model.save(out_dir, URGENCY_MODEL)
    reports.append(report)
    return reports


def message_featurizer(
    normalize: Callable[[str], str], cut: Callable[[str], list[str]]
) -> Featurizer:
    """Text → features with the bot's own normaliser and segmenter."""

    def featurize(text: str) -> list[str]:
        norm = normalize(text)
        return message_features(norm, cut(norm) if norm else [])

    return featurize
