"""Retraining in the background when the content changes, and swapping the models in.

When the console teaches (or anyone edits ``intents/``) the content is reloaded at once, but the
learned models were trained on the old examples. :func:`retrain` trains the candidate the shipped
weights chose on the corpus and the new examples, and the direct-answer model on the answers'
new examples (seconds, in a worker thread), into the models folder (``learning.models_dir``,
default ``models/`` in the per-user data directory), recording the digests of what they learned;
:meth:`bot.engine.Engine.reload_content` then swaps a new understanding in. Until the new
weights are ready the old ones answer (the direct answers on naive Bayes alone: the selector
adds a direct model's margins only for the content it learned). At start-up :func:`models_for`
and :func:`direct_model_for` take weights from the models folder only when they were trained on
exactly the content being loaded, else the shipped ones.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from bot.content import Content
from bot.learning.corpus import CorpusError, default_corpus_dir, examples_digest, load_corpus
from bot.learning.direct_model import (
    DIRECT_MODEL,
    DirectModel,
    content_digest,
    shipped_direct_model,
)
from bot.learning.model import (
    TOPIC_MODEL,
    URGENCY_MODEL,
    LinearModel,
    ModelFileError,
    load_models,
    shipped_models,
)

log = logging.getLogger(__name__)


def models_dir(configured: str) -> Path:
    """Where retrained weights live."""
    return (
        Path(configured).expanduser()
        if configured
        else Path(user_data_dir("cuishou-bot")) / "models"
    )


def _trained_on(models: dict[str, LinearModel]) -> set[str]:
    """The examples' digests the models learned."""
    return {str(m.meta.get("examples", "")) for m in models.values()}


def models_for(content: Content, configured_dir: str = "") -> dict[str, LinearModel]:
    """The models to use with ``content``: retrained ones made for exactly its examples, else
    the shipped weights."""
    directory = models_dir(configured_dir)
    if (directory / f"{TOPIC_MODEL}.npz").exists():
        try:
            local = load_models(directory)
        except ModelFileError as exc:
            log.warning("ignoring retrained models: %s", exc)
        else:
            if len(local) == 2 and _trained_on(local) == {examples_digest(content)}:
                return local
    return shipped_models()


def direct_model_for(content: Content, configured_dir: str = "") -> DirectModel | None:
    """The direct-answer model to use with ``content``: a retrained one made for exactly its
    answers' examples, else the shipped one when it learned them, else None (naive Bayes
    alone until a retraining)."""
    wanted = content_digest(content)
    path = models_dir(configured_dir) / f"{DIRECT_MODEL}.npz"
    if path.exists():
        try:
            local = DirectModel.load(path.parent)
        except ModelFileError as exc:
            log.warning("ignoring the retrained direct-answer model: %s", exc)
        else:
            if local.meta.get("content") == wanted:
                return local
    shipped = shipped_direct_model()
    return shipped if shipped is not None and shipped.meta.get("content") == wanted else None


def needs_retraining(
    content: Content, models: dict[str, LinearModel], direct: DirectModel | None = None
) -> bool:
    """True when the models were not trained for this content: its examples differ from what
    the shipped weights learned and no retrained weights match its version, or the answers'
    examples differ from what ``direct`` (the direct-answer model in use) and the shipped one
    learned."""
    digest = examples_digest(content)
    if _trained_on(models) != {digest} and _trained_on(shipped_models()) != {digest}:
        return True
    wanted = content_digest(content)
    shipped = shipped_direct_model()
    return all(m is None or m.meta.get("content") != wanted for m in (direct, shipped))


@dataclass(frozen=True)
class Retrained:
    """What a retraining made: the topic and urgency models and the direct-answer model."""

    models: dict[str, LinearModel]
    direct: DirectModel


def retrain(content: Content, configured_dir: str = "") -> Retrained | None:
    """Train the three models for ``content`` (the topic and urgency models with the shipped
    weights' chosen candidate, and the direct-answer model), write them to the models folder
    and return them (None when there is no corpus or training fails)."""
    from bot.learning.answer_labels import content_labels
    from bot.learning.direct_model import train_direct
    from bot.learning.train import CANDIDATES, message_featurizer, train_all
    from bot.understanding.reader import Reader

    corpus_dir = default_corpus_dir()
    try:
        corpus = load_corpus(content, corpus_dir)
    except CorpusError as exc:
        log.error("cannot retrain: %s", exc.problems[0])
        return None
    chosen = {m.meta.get("candidate") for m in shipped_models().values()}
    candidates = tuple(c for c in CANDIDATES if c[0] in chosen) or CANDIDATES[-1:]
    classifier = Reader.build(content).classifier
    featurize = message_featurizer(
        lambda t: classifier.normalizer.normalize(t).text, classifier.segmenter.cut
    )
    directory = models_dir(configured_dir)

    def note(line: str) -> None:
        log.info("retraining: %s", line.strip())

    try:
        train_all(
            corpus,
            [spec.id for spec in content.intents],
            featurize,
            directory,
            candidates=candidates,
            log=note,
            examples=examples_digest(content),
        )
        labels = content_labels(content, corpus_dir)
        direct, _report = train_direct(content, labels, featurize, directory, log=note)
        return Retrained(load_models(directory), direct)
    except Exception:
        log.exception("retraining failed; the previous models keep answering")
        return None


__all__ = [
    "URGENCY_MODEL",
    "Retrained",
    "direct_model_for",
    "models_dir",
    "models_for",
    "needs_retraining",
    "retrain",
]
