"""An exported linear model and its inference: a sparse dot product, no scikit-learn.

A model file (``.npz``, no pickles) holds the class labels, the feature vocabulary, one row of
weights per feature (already divided by the calibration temperature) and the biases. A message's
probabilities are ``softmax(bias + sum(rows of its known features) / sqrt(number of them))`` —
the same L2-normalised binary vector the model was trained on.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: Where the shipped weights live (package data: a regular install has them too).
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
TOPIC_MODEL = "topic"
URGENCY_MODEL = "urgency"


class ModelFileError(Exception):
    """A model file that is missing or cannot be read."""


@dataclass(frozen=True, slots=True, eq=False)
class LinearModel:
    """Calibrated class probabilities from a message's features."""

    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    weights: np.ndarray  # (features, classes), float32
    bias: np.ndarray  # (classes,), float64
    meta: dict[str, Any] = field(default_factory=dict)

    def logits(self, features: list[str]) -> np.ndarray:
        """The calibrated logits of one message's features."""
        get = self.vocabulary.get
        rows = [i for i in map(get, features) if i is not None]
        if not rows:
            return self.bias.copy()
        return self.bias + self.weights[rows].sum(axis=0, dtype=np.float64) / math.sqrt(len(rows))

    def probabilities(self, features: list[str]) -> list[float]:
        """The calibrated probability of each class, in :attr:`labels` order."""
        z = self.logits(features)
        z = np.exp(z - z.max())
        return list((z / z.sum()).tolist())

    # -- files -------------------------------------------------------------------------------

    def save(self, directory: Path, name: str) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        vocab = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        path = directory / f"{name}.npz"
        tmp = directory / f".{name}.tmp.npz"
        np.savez_compressed(
            tmp,
            labels=np.array(self.labels),
            vocabulary=np.array("\n".join(vocab)),
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float64),
            meta=np.array(json.dumps(self.meta, ensure_ascii=False, sort_keys=True)),
        )
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, directory: Path, name: str) -> LinearModel:
        path = directory / f"{name}.npz"
        try:
            with np.load(path, allow_pickle=False) as data:
                labels = tuple(str(x) for x in data["labels"])
                vocab_text = str(data["vocabulary"])
                weights = np.ascontiguousarray(data["weights"], dtype=np.float32)
                bias = np.asarray(data["bias"], dtype=np.float64)
                meta = json.loads(str(data["meta"]))
        except (OSError, KeyError, ValueError) as exc:
            raise ModelFileError(f"{path}: cannot read the model: {exc}") from exc
        words = vocab_text.split("\n") if vocab_text else []
        if weights.shape != (len(words), len(labels)) or bias.shape != (len(labels),):
            raise ModelFileError(f"{path}: the weights do not match the labels and vocabulary")
        return cls(labels, {w: i for i, w in enumerate(words)}, weights, bias, meta)


class StackedModels:
    """Several models over one vocabulary scored with one lookup: their weight matrices side
    by side, the logits split back per model (each softmaxed on its own)."""

    def __init__(self, models: list[LinearModel]) -> None:
        first = models[0]
        if any(m.vocabulary is not first.vocabulary for m in models):
            raise ValueError("stacked models need one vocabulary")
        self.models = models
        self.vocabulary = first.vocabulary
        self.weights = np.ascontiguousarray(np.hstack([m.weights for m in models]))
        self.bias = np.concatenate([m.bias for m in models])
        bounds = np.cumsum([0] + [len(m.labels) for m in models]).tolist()
        self._slices = [slice(a, b) for a, b in itertools.pairwise(bounds)]

    def probabilities(self, features: list[str]) -> list[list[float]]:
        """Each model's class probabilities for one message's features."""
        get = self.vocabulary.get
        rows = [i for i in map(get, features) if i is not None]
        if rows:
            z = self.bias + self.weights[rows].sum(axis=0, dtype=np.float64) / math.sqrt(len(rows))
        else:
            z = self.bias
        out = []
        for part in self._slices:
            v = z[part]
            e = np.exp(v - v.max())
            out.append(list((e / e.sum()).tolist()))
        return out


def load_models(directory: Path | None = None) -> dict[str, LinearModel]:
    """Every model in ``directory`` (default: the shipped weights) by name; none is an empty
    dict (the bot then runs on its built-in naive-Bayes evidence)."""
    directory = directory or WEIGHTS_DIR
    models: dict[str, LinearModel] = {}
    for name in (TOPIC_MODEL, URGENCY_MODEL):
        if (directory / f"{name}.npz").exists():
            model = LinearModel.load(directory, name)
            for other in models.values():  # one vocabulary in memory when they share it
                if other.vocabulary == model.vocabulary:
                    model = LinearModel(
                        model.labels, other.vocabulary, model.weights, model.bias, model.meta
                    )
            models[name] = model
    return models


def shipped_models() -> dict[str, LinearModel]:
    """The shipped models, read once per process (reloads of the content reuse them)."""
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = load_models(WEIGHTS_DIR)
    return _SHIPPED


def replace_shipped(models: dict[str, LinearModel]) -> None:
    """Use ``models`` from now on (a retraining in the background swaps them in)."""
    global _SHIPPED
    _SHIPPED = dict(models)


_SHIPPED: dict[str, LinearModel] | None = None
