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

#: The features most recently looked up are kept apart, with their rows (-1: not in the
#: vocabulary), up to this many: a message's features are mostly common ones, and this small
#: dictionary stays in the CPU caches where the vocabulary's 300,000 entries do not.
HOT_FEATURES = 65_536


class ModelFileError(Exception):
    """A model file that is missing or cannot be read."""


def save_arrays(directory: Path, name: str, meta: dict[str, Any], **arrays: np.ndarray) -> Path:
    """Write ``name.npz`` in ``directory`` atomically (a temporary file, then a rename): the
    arrays and the metadata as JSON, no pickles."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.npz"
    tmp = directory / f".{name}.tmp.npz"
    meta_json = np.array(json.dumps(meta, ensure_ascii=False, sort_keys=True))
    np.savez_compressed(tmp, **{**arrays, "meta": meta_json})  # type: ignore[arg-type]
    tmp.replace(path)
    return path


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
        vocab = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return save_arrays(
            directory,
            name,
            self.meta,
            labels=np.array(self.labels),
            vocabulary=np.array("\n".join(vocab)),
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float64),
        )

    @classmethod
    def load(
        cls, directory: Path, name: str, known: dict[str, dict[str, int]] | None = None
    ) -> LinearModel:
        """Read a model file. ``known``: vocabularies already read, by their text — a model
        sharing one reuses its dictionary instead of building another (a second model over
        the same 200,000 features costs no second dictionary)."""
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
        vocabulary = known.get(vocab_text) if known is not None else None
        if vocabulary is None:
            words = vocab_text.split("\n") if vocab_text else []
            vocabulary = {w: i for i, w in enumerate(words)}
            if known is not None:
                known[vocab_text] = vocabulary
        if weights.shape != (len(vocabulary), len(labels)) or bias.shape != (len(labels),):
            raise ModelFileError(f"{path}: the weights do not match the labels and vocabulary")
        return cls(labels, vocabulary, weights, bias, meta)


class StackedModels:
    """Several models over one vocabulary scored with one lookup: their weight matrices side
    by side, the logits split back per model (each softmaxed on its own).

    A message has a few dozen features and the models a few dozen classes, so past the one
    gather-and-sum of the matrix rows (numpy, exact float64 sums of the float32 weights) the
    arithmetic is done on plain floats: numpy's cost per call would outweigh the work."""

    def __init__(self, models: list[LinearModel]) -> None:
        first = models[0]
        if any(m.vocabulary is not first.vocabulary for m in models):
            raise ValueError("stacked models need one vocabulary")
        self.models = models
        self.vocabulary = first.vocabulary
        self.weights = _side_by_side(models)
        self.bias = np.concatenate([m.bias for m in models])
        self._bias: list[float] = self.bias.tolist()
        bounds = np.cumsum([0] + [len(m.labels) for m in models]).tolist()
        self._bounds: list[tuple[int, int]] = list(itertools.pairwise(bounds))
        self._hot: dict[str, int] = {}

    def rows(self, features: list[str]) -> list[int]:
        """The weight rows of the known ``features``, in their order."""
        hot = self._hot
        found = list(map(hot.get, features))
        if None in found:
            if len(hot) >= HOT_FEATURES:
                hot.clear()
            get = self.vocabulary.get
            for k, row in enumerate(found):
                if row is None:
                    found[k] = hot[features[k]] = get(features[k], -1)
        return [row for row in found if row is not None and row >= 0]

    def probabilities(self, features: list[str]) -> list[list[float]]:
        """Each model's class probabilities for one message's features."""
        rows = self.rows(features)
        if rows:
            # take: faster than fancy indexing with a list
            sums: list[float] = np.add.reduce(
                self.weights.take(rows, axis=0), axis=0, dtype=np.float64
            ).tolist()
            root = math.sqrt(len(rows))
            z = [b + s / root for b, s in zip(self._bias, sums, strict=True)]
        else:
            z = self._bias
        out = []
        for start, end in self._bounds:
            part = z[start:end]
            top = max(part)
            exps = [math.exp(v - top) for v in part]
            total = sum(exps)
            out.append([e / total for e in exps])
        return out


def _side_by_side(models: list[LinearModel]) -> np.ndarray:
    """The models' weight matrices side by side: the matrix they are already views of when
    :func:`load_models` stacked them (no copy), else a new one."""
    base = models[0].weights.base
    if isinstance(base, np.ndarray) and base.flags.c_contiguous and base.ndim == 2:
        start = base.__array_interface__["data"][0]
        column = 0
        for m in models:
            if m.weights.base is not base or m.weights.__array_interface__["data"][0] != (
                start + column * base.itemsize
            ):
                break
            column += m.weights.shape[1]
        else:
            if column == base.shape[1]:
                return base
    return np.ascontiguousarray(np.hstack([m.weights for m in models]))


def load_models(directory: Path | None = None) -> dict[str, LinearModel]:
    """Every model in ``directory`` (default: the shipped weights) by name; none is an empty
    dict (the bot then runs on its built-in naive-Bayes evidence). Models that share one
    vocabulary share its dictionary, and their weights are views of one matrix side by side
    (what :class:`StackedModels` scores with), so nothing is held twice."""
    directory = directory or WEIGHTS_DIR
    models: dict[str, LinearModel] = {}
    known: dict[str, dict[str, int]] = {}
    for name in (TOPIC_MODEL, URGENCY_MODEL):
        if (directory / f"{name}.npz").exists():
            models[name] = LinearModel.load(directory, name, known)
    loaded = list(models.values())
    if len(loaded) > 1 and all(m.vocabulary is loaded[0].vocabulary for m in loaded):
        stacked = np.hstack([m.weights for m in loaded])
        bounds = np.cumsum([0] + [len(m.labels) for m in loaded]).tolist()
        models = {
            name: LinearModel(m.labels, m.vocabulary, stacked[:, a:b], m.bias, m.meta)
            for (name, m), (a, b) in zip(models.items(), itertools.pairwise(bounds), strict=True)
        }
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
