"""The learned half of the direct-answer selector: which specific question a message asks.

The selector (bot/understanding/direct_answers.py) reads a message with naive-Bayes evidence
trained at start-up on the answers' examples — so an example taught from the console counts at
once — and adds, scaled, the margins of this model: a linear SVM over the message's learned
features (bot/learning/features.py, the topic model's), trained by ``python -m bot train`` on

* every answer's ``examples`` (weight 1),
* the training side of the real questions labelled with their answer (``corpus/answers``;
  weight :data:`LABEL_WEIGHT`), ``general`` and ``missing`` ones as the class ``general``,
* the messages written for training (``corpus/answers/written_*.jsonl``, labels without a
  source; weight :data:`WRITTEN_WEIGHT`), never on the validation side,
* the intents' own examples as ``general`` (weight :data:`GENERAL_WEIGHT`): messages that ask
  no specific question.

Measured on the validation side of the labelled real questions (never learned), the margins
carry what the naive-Bayes evidence does not: real questions worded unlike any example. The
weights are exported as sparse postings (feature → the classes it weighs on, weights of at most
:data:`PRUNE` in size dropped; a message's margins are one bincount), with the hash of the data
they learned (``check`` reports them stale when the answers, their examples or the labels
change). No scikit-learn at inference.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bot.content import Content
from bot.learning.answer_labels import GENERAL, MISSING, AnswerLabel

log = logging.getLogger(__name__)

DIRECT_MODEL = "direct"
#: the class of a message that asks no specific question
GENERAL_CLASS = GENERAL
#: the SVM's strength (compared on the validation labels: 0.3 gave less, see the README)
C = 1.0
#: how much one labelled real question counts beside one of an answer's own examples
LABEL_WEIGHT = 0.7
#: how much a message written for training (a label without a source) counts (with 6,344 of
#: them, compared on the validation labels: 0.4 gave 244/341 through the selector, 0.7 245,
#: 1.0 247 — within noise — while 1.0 gave confident specific answers to 19 more of the
#: conversations' general messages, the intents' own examples among them; 0.4 kept)
WRITTEN_WEIGHT = 0.4
#: how much one of the intents' own examples counts as a general message (0.3 until 3,904
#: written questions came: then general messages got specific answers, "催收的人在我家门口敲门
#: 怎么办" the police answer; 0.6 gave 242 of the 341 validation labels against 244 at 0.3;
#: with 10,248 written messages, 0.6 gave the same message the answer about photos at the door;
#: on the 369 validation labels 0.6 gave 247, 0.9 248, 1.2 249, 1.6 248: 1.2 kept)
GENERAL_WEIGHT = 1.2
#: weights smaller than this are dropped from the exported postings (the validation accuracy
#: is unchanged at it; the file is a twentieth of the dense weights)
PRUNE = 0.1


@dataclass(frozen=True)
class DirectExample:
    text: str
    label: str  # an answer id or GENERAL_CLASS
    weight: float


def training_examples(content: Content, labels: Iterable[AnswerLabel]) -> list[DirectExample]:
    """What the model learns, in a fixed order (the labels' training side only)."""
    ids = {answer.id for spec in content.intents for answer in spec.answers}
    out = [
        DirectExample(example, answer.id, 1.0)
        for spec in content.intents
        for answer in spec.answers
        for example in answer.examples
    ]
    for label in labels:
        if label.validation:
            continue
        if label.answer in ids:
            weight = LABEL_WEIGHT if label.source is not None else WRITTEN_WEIGHT
            out.append(DirectExample(label.text, label.answer, weight))
        elif label.answer in (GENERAL, MISSING):
            out.append(DirectExample(label.text, GENERAL_CLASS, LABEL_WEIGHT))
    out.extend(
        DirectExample(example, GENERAL_CLASS, GENERAL_WEIGHT)
        for spec in content.intents
        for example in spec.examples
    )
    return out


def content_digest(content: Content) -> str:
    """A hash of what the model learned from the content (every answer's examples with its
    id, the intents' own examples): the selector uses the model's margins only while the
    content is the one it learned, so an example taught since counts at once through the
    naive-Bayes evidence, never outvoted by a model that has not seen it."""
    h = hashlib.sha256()
    for spec in content.intents:
        for answer in spec.answers:
            for example in answer.examples:
                h.update(f"{answer.id}\0{example}\n".encode())
        for example in spec.examples:
            h.update(f"{spec.id}\0{example}\n".encode())
    return h.hexdigest()[:16]


def data_digest(examples: Sequence[DirectExample]) -> str:
    """A hash of what the model learned: the weights record it, ``check`` compares."""
    h = hashlib.sha256()
    for e in sorted(examples, key=lambda e: (e.text, e.label, e.weight)):
        h.update(f"{e.text}\0{e.label}\0{e.weight}\n".encode())
    return h.hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class DirectModel:
    """The SVM's margins for a message's features, per class (answer ids and ``general``).

    The weights are postings in compressed rows: feature ``k`` (``index[feature]``) weighs on
    the classes ``classes[offsets[k]:offsets[k + 1]]`` with ``weights[...]`` of the same slice."""

    labels: tuple[str, ...]
    index: dict[str, int]
    offsets: np.ndarray  # (features + 1,), int64
    classes: np.ndarray  # (weights,), intp
    weights: np.ndarray  # (weights,), float64
    bias: np.ndarray  # (classes,), float64
    meta: dict[str, Any] = field(default_factory=dict)

    def margins(self, features: Sequence[str]) -> np.ndarray:
        """``bias + sum(weights of the features) / sqrt(number of features)``: the features
        are the message's distinct learned features, all of them counted in the norm (as in
        training), the unknown ones weighing nothing."""
        rows = [row for row in map(self.index.get, features) if row is not None]
        if not rows:
            return self.bias.copy()
        at = np.array(rows, dtype=np.intp)
        starts = self.offsets[at]
        lengths = self.offsets[at + 1] - starts
        total = int(lengths.sum())
        if not total:
            return self.bias.copy()
        # the positions of every posting of the features, in one array
        positions = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        sums = np.bincount(self.classes[positions], self.weights[positions], len(self.labels))
        return self.bias + sums / math.sqrt(len(features))

    # -- files -------------------------------------------------------------------------------

    def save(self, directory: Path) -> Path:
        from bot.learning.model import save_arrays

        features = sorted(self.index, key=self.index.__getitem__)
        return save_arrays(
            directory,
            DIRECT_MODEL,
            self.meta,
            labels=np.array(self.labels),
            features=np.array("\n".join(features)),
            offsets=self.offsets.astype(np.int64),
            classes=self.classes.astype(np.int32),
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float64),
        )

    @classmethod
    def load(cls, directory: Path) -> DirectModel:
        """Read the model file; :class:`ModelFileError` when it is missing or unreadable."""
        from bot.learning.model import ModelFileError

        path = directory / f"{DIRECT_MODEL}.npz"
        try:
            with np.load(path, allow_pickle=False) as data:
                labels = tuple(str(x) for x in data["labels"])
                text = str(data["features"])
                offsets = np.asarray(data["offsets"], dtype=np.int64)
                classes = np.asarray(data["classes"], dtype=np.intp)
                weights = np.asarray(data["weights"], dtype=np.float64)
                bias = np.asarray(data["bias"], dtype=np.float64)
                meta = json.loads(str(data["meta"]))
        except (OSError, KeyError, ValueError) as exc:
            raise ModelFileError(f"{path}: cannot read the model: {exc}") from exc
        features = text.split("\n") if text else []
        if (
            len(offsets) != len(features) + 1
            or len(bias) != len(labels)
            or offsets[-1] != len(classes)
            or len(classes) != len(weights)
            or (len(classes) and (classes.min() < 0 or classes.max() >= len(labels)))
        ):
            raise ModelFileError(f"{path}: the postings do not match the features and labels")
        index = {feature: k for k, feature in enumerate(features)}
        return cls(labels, index, offsets, classes, weights, bias, meta)


def train_direct(
    content: Content,
    labels: Iterable[AnswerLabel],
    featurize: Callable[[str], list[str]],
    out_dir: Path,
    *,
    log: Callable[[str], None] = print,
) -> tuple[DirectModel, dict[str, Any]]:
    """Train, measure on the validation labels, export into ``out_dir``; the model and its
    report (for training-report.json)."""
    from scipy.sparse import csr_matrix
    from sklearn.svm import LinearSVC

    labels = list(labels)
    examples = training_examples(content, labels)
    classes = sorted({e.label for e in examples})
    index = {c: i for i, c in enumerate(classes)}
    vocabulary: dict[str, int] = {}
    rows, cols, values = [], [], []
    for r, example in enumerate(examples):
        feats = list(dict.fromkeys(featurize(example.text)))
        for f in feats:
            rows.append(r)
            cols.append(vocabulary.setdefault(f, len(vocabulary)))
            values.append(1.0 / math.sqrt(len(feats)))
    x = csr_matrix(
        (np.array(values), (np.array(rows, dtype=np.int32), np.array(cols, dtype=np.int32))),
        shape=(len(examples), len(vocabulary)),
    )
    x.indices = x.indices.astype(np.int32)
    x.indptr = x.indptr.astype(np.int32)
    y = np.array([index[e.label] for e in examples])
    started = time.monotonic()
    svm = LinearSVC(C=C)
    svm.fit(x, y, sample_weight=np.array([e.weight for e in examples]))
    seconds = time.monotonic() - started
    coef = np.asarray(svm.coef_, dtype=np.float64)  # (classes, features)
    kept = np.abs(coef) > PRUNE
    features = sorted(vocabulary, key=vocabulary.__getitem__)
    used = np.flatnonzero(kept.any(axis=0))
    offsets = [0]
    class_parts, weight_parts = [], []
    for j in used:
        where = np.flatnonzero(kept[:, j])
        class_parts.append(where)
        weight_parts.append(coef[where, j])
        offsets.append(offsets[-1] + len(where))
    model = DirectModel(
        tuple(classes),
        {features[j]: k for k, j in enumerate(used)},
        np.array(offsets, dtype=np.int64),
        np.concatenate(class_parts).astype(np.intp) if class_parts else np.zeros(0, np.intp),
        np.concatenate(weight_parts) if weight_parts else np.zeros(0),
        np.asarray(svm.intercept_, dtype=np.float64),
        {
            "data": data_digest(examples),
            "content": content_digest(content),
            "candidate": f"linear SVM C={C:g}",
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "train_size": len(examples),
            "weights": int(kept.sum()),
            "prune": PRUNE,
        },
    )
    # the top answer's accuracy on real questions it never learned (general ones excluded)
    validation = [x for x in labels if x.validation and x.answer in index]
    right = sum(_best_answer(model, featurize(x.text)) in (x.answer, x.also) for x in validation)
    accuracy = right / len(validation) if validation else 0.0
    model.meta["validation_accuracy"] = accuracy
    model.meta["validation_size"] = len(validation)
    model.save(out_dir)
    log(
        f"  direct: linear SVM C={C:g} on {len(examples)} examples and labelled questions, "
        f"{len(classes)} classes, {int(kept.sum())} weights kept ({seconds:.1f} s); "
        f"top answer right on {right}/{len(validation)} validation questions ({accuracy:.4f})"
    )
    report = {
        "model": DIRECT_MODEL,
        "data": model.meta["data"],
        "train_size": len(examples),
        "validation_size": len(validation),
        "chosen": model.meta["candidate"],
        "validation_top_answer_accuracy": accuracy,
        "weights_kept": int(kept.sum()),
    }
    return model, report


def _best_answer(model: DirectModel, features: list[str]) -> str:
    """The likeliest answer (``general`` aside)."""
    margins = model.margins(list(dict.fromkeys(features)))
    for k in np.argsort(-margins):
        if model.labels[k] != GENERAL_CLASS:
            return model.labels[k]
    return GENERAL_CLASS


def shipped_direct_model() -> DirectModel | None:
    """The shipped model, read once per process; None when there is none or it cannot be
    read (the selector then uses its naive-Bayes evidence alone, and says so in the log)."""
    global _SHIPPED, _SHIPPED_READ
    if not _SHIPPED_READ:
        from bot.learning.model import WEIGHTS_DIR, ModelFileError

        _SHIPPED_READ = True
        try:
            _SHIPPED = DirectModel.load(WEIGHTS_DIR)
        except ModelFileError as exc:
            log.warning("no learned direct-answer model: %s", exc)
            _SHIPPED = None
    return _SHIPPED


_SHIPPED: DirectModel | None = None
_SHIPPED_READ = False
