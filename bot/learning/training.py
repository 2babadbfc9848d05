"""The ``train`` command and the checks on the committed weights.

``python -m bot train`` reads the corpus and the intents' examples, trains both models
(:mod:`bot.learning.train`), prints the comparison and the reliability tables and writes the
weights (default: the shipped ``bot/learning/weights``) and ``training-report.json`` beside them.
``--verify`` trains afresh into a temporary folder and fails when a model's validation accuracy
differs from the committed one by more than one point (CI runs it). :func:`weights_status` tells
``check`` whether the committed weights were trained on today's data.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.content import Content
from bot.learning.answer_labels import content_labels
from bot.learning.corpus import (
    CorpusError,
    CorpusMessage,
    default_corpus_dir,
    examples_digest,
    load_corpus,
)
from bot.learning.direct_model import (
    DIRECT_MODEL,
    DirectModel,
    data_digest,
    train_direct,
    training_examples,
)
from bot.learning.model import TOPIC_MODEL, URGENCY_MODEL, WEIGHTS_DIR, LinearModel, ModelFileError
from bot.learning.train import (
    CANDIDATES,
    Featurizer,
    TrainingReport,
    message_featurizer,
    train_all,
)
from bot.understanding.classifier import Classifier
from bot.understanding.fixed_readings import FILE_NAME as READINGS_FILE
from bot.understanding.fixed_readings import file_status
from bot.understanding.reader import Reader

#: A fresh training may differ from the committed weights by this much validation accuracy.
VERIFY_TOLERANCE = 0.01


def _featurizer(content: Content) -> tuple[Reader, Featurizer]:
    reader = Reader.build(content)
    classifier = reader.classifier
    return reader, message_featurizer(
        lambda t: classifier.normalizer.normalize(t).text, classifier.segmenter.cut
    )


def _naive_bayes_baseline(reader: Reader) -> Callable[[list[CorpusMessage]], tuple[float, float]]:
    """Today's naive-Bayes classifier (trained on the intents' examples) on a split."""
    nb = Classifier(
        reader.classifier.content,
        reader.classifier.normalizer,
        reader.classifier.segmenter,
        learned=None,
    )

    def score(messages: list[CorpusMessage]) -> tuple[float, float]:
        right, loss = 0, 0.0
        for m in messages:
            if m.intent is None:  # labelled for urgency only
                continue
            c = nb.classify(m.text)
            probabilities = {r.intent: r.score for r in c.ranking}
            right += c.ranking[0].intent == m.intent
            loss -= math.log(max(probabilities.get(m.intent, 0.0), 1e-12))
        n = max(len(messages), 1)
        return right / n, loss / n

    return score


def print_corpus_error(exc: CorpusError, limit: int = 50) -> None:
    """The corpus's problems on stderr (``train`` and ``check`` say them the same way)."""
    print(f"corpus error ({len(exc.problems)} problem(s)):", file=sys.stderr)
    for problem in exc.problems[:limit]:
        print(f"  {problem}", file=sys.stderr)


def run_training(
    content: Content,
    out_dir: Path | None = None,
    corpus_dir: Path | None = None,
    candidates: tuple[tuple[str, str, float], ...] = CANDIDATES,
) -> int:
    out_dir = out_dir or WEIGHTS_DIR
    try:
        corpus = load_corpus(content, corpus_dir)
    except CorpusError as exc:
        print_corpus_error(exc)
        return 1
    reader, featurize = _featurizer(content)
    print(
        f"training on {len(corpus.messages)} messages ({len(corpus.files)} corpus files and "
        f"the intents' examples), data {corpus.digest()}"
    )
    reports = train_all(
        corpus,
        [spec.id for spec in content.intents],
        featurize,
        out_dir,
        baseline=_naive_bayes_baseline(reader),
        candidates=candidates,
        log=print,
        examples=examples_digest(content),
    )
    for report in reports:
        print("\n".join(report.lines()))
    # the learned half of the direct-answer selector (bot/learning/direct_model.py)
    _model, direct_report = train_direct(
        content, content_labels(content, corpus_dir), featurize, out_dir, log=print
    )
    (out_dir / "training-report.json").write_text(
        json.dumps(
            [*(_report_json(r) for r in reports), direct_report], ensure_ascii=False, indent=1
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"weights written to {out_dir}")
    return 0


def _report_json(report: TrainingReport) -> dict[str, object]:
    return {
        "model": report.name,
        "data": report.digest,
        "train_size": report.train_size,
        "validation_size": report.validation_size,
        "candidates": [
            {"name": c.name, "accuracy": c.accuracy, "log_loss": c.log_loss}
            for c in report.candidates
        ],
        "chosen": report.chosen.name,
        "temperature": report.temperature,
        "ece": report.ece,
        "reliability": report.reliability,
        "per_class": report.per_class,
    }


def verify_training(content: Content, quick: bool = False) -> int:
    """Train afresh and compare with the committed weights (exit 1 on a difference)."""
    committed: dict[str, LinearModel | DirectModel] = {}
    for name in (TOPIC_MODEL, URGENCY_MODEL, DIRECT_MODEL):
        try:
            committed[name] = (
                DirectModel.load(WEIGHTS_DIR)
                if name == DIRECT_MODEL
                else LinearModel.load(WEIGHTS_DIR, name)
            )
        except ModelFileError as exc:
            print(f"train --verify: {exc}", file=sys.stderr)
            return 1
    candidates = CANDIDATES
    if quick:
        chosen = {m.meta.get("candidate") for m in committed.values()}
        candidates = tuple(c for c in CANDIDATES if c[0] in chosen) or CANDIDATES
    with tempfile.TemporaryDirectory() as tmp:
        code = run_training(content, Path(tmp), candidates=candidates)
        if code:
            return code
        failed = False
        for name, old in committed.items():
            new = (
                DirectModel.load(Path(tmp))
                if name == DIRECT_MODEL
                else LinearModel.load(Path(tmp), name)
            )
            a, b = old.meta.get("validation_accuracy", 0.0), new.meta["validation_accuracy"]
            same_data = old.meta.get("data") == new.meta.get("data")
            verdict = "OK" if abs(a - b) <= VERIFY_TOLERANCE and same_data else "DIFFERENT"
            failed |= verdict != "OK"
            print(
                f"{name}: committed {a:.4f} (data {old.meta.get('data')}), fresh {b:.4f} "
                f"(data {new.meta.get('data')}): {verdict}"
            )
    return 1 if failed else 0


def export_readings(
    content: Content, bot_names: tuple[str, ...], out_dir: Path | None = None
) -> Path:
    """Build a reader for ``content`` with a fresh store of fixed readings and write the store
    next to the weights: start-up then takes them instead of reading every example again
    (bot/understanding/fixed_readings.py)."""
    out_dir = out_dir or WEIGHTS_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    reader = Reader.build(content, bot_names, models={}, fresh_readings=True)
    path = out_dir / READINGS_FILE
    reader.classifier.readings.export(path)
    return path


def readings_status(content: Content, bot_names: tuple[str, ...]) -> str | None:
    """None when the shipped readings were made for ``content``, these names and today's
    reading code; otherwise what is wrong (start-up is then slower, never wrong)."""
    keys = Reader.keys_for(content, bot_names)
    return file_status(keys, WEIGHTS_DIR / READINGS_FILE)


def weights_status(content: Content, corpus_dir: Path | None = None) -> str | None:
    """None when the committed weights were trained on today's corpus and examples; otherwise
    one line saying what is wrong (``check`` reports it). Without a corpus folder (a regular
    install) nothing can be compared and None is returned."""
    corpus_dir = corpus_dir or default_corpus_dir()
    if not corpus_dir.is_dir():
        return None
    try:
        digest = load_corpus(content, corpus_dir).digest()
    except CorpusError as exc:
        return f"corpus: {len(exc.problems)} problem(s), first: {exc.problems[0]}"
    for name in (TOPIC_MODEL, URGENCY_MODEL):
        try:
            model = LinearModel.load(WEIGHTS_DIR, name)
        except ModelFileError as exc:
            return str(exc)
        if model.meta.get("data") != digest:
            return (
                f"the {name} model's weights are stale (trained on data {model.meta.get('data')},"
                f" the corpus and examples are now {digest}): run python -m bot train"
            )
    try:
        direct = DirectModel.load(WEIGHTS_DIR)
    except ModelFileError as exc:
        return str(exc)
    learned = data_digest(training_examples(content, content_labels(content, corpus_dir)))
    if direct.meta.get("data") != learned:
        return (
            f"the {DIRECT_MODEL} model's weights are stale (trained on data "
            f"{direct.meta.get('data')}, the answers' examples and labels are now {learned}): "
            "run python -m bot train"
        )
    return None
