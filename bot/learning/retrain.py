"""Retraining in the background when the content changes, and swapping the models in.

When the console teaches (or anyone edits ``intents/``) the content is reloaded at once, but the
learned models were trained on the old examples. :func:`retrain` trains the candidate the shipped
weights chose on the corpus and the new examples (seconds, in a worker thread) into the models
folder (``learning.models_dir``, default ``models/`` in the per-user data directory), recording
the digest of the examples it learned; :meth:`bot.engine.Engine.reload_content` then swaps a new
understanding in. Until the new weights are ready the old ones answer. At start-up
:func:`models_for` takes weights from the models folder only when they were trained on exactly
the examples being loaded, else the shipped ones.
"""

from __future__ import annotations

import logging
from pathlib import Path

from platformdirs import user_data_dir

from bot.content import Content
from bot.learning.corpus import CorpusError, default_corpus_dir, examples_digest, load_corpus
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


def needs_retraining(content: Content, models: dict[str, LinearModel]) -> bool:
    """True when the models were not trained for this content: its examples differ from what
    the shipped weights learned and no retrained weights match its version."""
    digest = examples_digest(content)
    return _trained_on(models) != {digest} and _trained_on(shipped_models()) != {digest}


def retrain(content: Content, configured_dir: str = "") -> dict[str, LinearModel] | None:
    """Train both models for ``content`` with the shipped weights' chosen candidate, write them
    to the models folder and return them (None when there is no corpus or training fails)."""
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
    try:
        train_all(
            corpus,
            [spec.id for spec in content.intents],
            featurize,
            directory,
            candidates=candidates,
            log=lambda line: log.info("retraining: %s", line.strip()),
            examples=examples_digest(content),
        )
        return load_models(directory)
    except Exception:
        log.exception("retraining failed; the previous models keep answering")
        return None


__all__ = ["URGENCY_MODEL", "models_dir", "models_for", "needs_retraining", "retrain"]
