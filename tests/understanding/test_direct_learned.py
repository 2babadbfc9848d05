"""The learned half of the direct-answer selector (bot/learning/direct_model.py): its file, its
margins, what it learns, how the selector adds it, and that it makes the selector better on
real questions it never learned."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from bot.content import Content
from bot.engine import Understanding
from bot.learning.answer_labels import AnswerLabel, load_answer_labels
from bot.learning.direct_model import (
    GENERAL_CLASS,
    DirectModel,
    content_digest,
    data_digest,
    shipped_direct_model,
    train_direct,
    training_examples,
)
from bot.learning.model import ModelFileError
from bot.learning.train import message_featurizer
from bot.operations.evaluation import evaluate_direct, labelled_real_questions
from bot.understanding.direct_answers import DirectAnswerSelector
from bot.understanding.reader import Reader


@pytest.fixture
def reader(understanding: Understanding) -> Reader:
    return understanding.reader


@pytest.fixture
def content(understanding: Understanding) -> Content:
    return understanding.content


def _tiny() -> DirectModel:
    return DirectModel(
        labels=("a", "b", GENERAL_CLASS),
        index={"x": 0, "y": 1},
        offsets=np.array([0, 2, 3]),
        classes=np.array([0, 1, 0]),
        weights=np.array([1.0, -0.5, 2.0]),
        bias=np.array([0.0, 0.0, 0.1]),
        meta={"data": "d"},
    )


def test_margins_are_the_bias_plus_the_features_weights_over_the_root_of_their_number() -> None:
    margins = _tiny().margins(["x", "y", "unknown"])
    root = math.sqrt(3)
    assert margins == pytest.approx([3.0 / root, -0.5 / root, 0.1])
    assert _tiny().margins(["unknown"]).tolist() == [0.0, 0.0, 0.1]
    assert _tiny().margins([]).tolist() == [0.0, 0.0, 0.1]


def test_the_file_round_trips_and_a_broken_one_is_refused(tmp_path: Path) -> None:
    _tiny().save(tmp_path)
    back = DirectModel.load(tmp_path)
    assert back.labels == ("a", "b", GENERAL_CLASS) and back.meta == {"data": "d"}
    assert back.margins(["x", "y"]) == pytest.approx(_tiny().margins(["x", "y"]))
    with pytest.raises(ModelFileError):
        DirectModel.load(tmp_path / "missing")
    (tmp_path / "direct.npz").write_bytes(b"not a model")
    with pytest.raises(ModelFileError):
        DirectModel.load(tmp_path)
    broken = _tiny()
    DirectModel(
        broken.labels,
        broken.index,
        broken.offsets,
        np.array([0, 1, 7]),
        broken.weights,
        broken.bias,
    ).save(tmp_path)  # a class index beyond the labels
    with pytest.raises(ModelFileError, match="postings"):
        DirectModel.load(tmp_path)


def test_what_it_learns(content: Content) -> None:
    labels = [
        AnswerLabel(text="某个训练问题", answer="general", writer="t"),
        AnswerLabel(text="另一个问题", answer="missing", missing="x", writer="t"),
    ]
    examples = training_examples(content, labels)
    first = next(a for spec in content.intents for a in spec.answers)
    assert any(e.text == first.examples[0] and e.label == first.id for e in examples)
    learned = {e.text: e for e in examples}
    for label in labels:
        if label.validation:  # the validation side is never learned
            assert label.text not in learned
        else:
            assert learned[label.text].label == GENERAL_CLASS
    spec = content.intents[0]
    assert spec.examples and learned[spec.examples[-1]].label == GENERAL_CLASS
    assert data_digest(examples) == data_digest(list(reversed(examples)))
    assert data_digest(examples) != data_digest(examples[1:])


def test_the_selector_adds_the_learned_margins(reader: Reader) -> None:
    classifier = reader.classifier
    text = "征信不良记录保存期限从哪天开始算"
    classification = classifier.classify(text)
    features = classifier.learned_features_of(classification)
    alone = DirectAnswerSelector(classifier.content, classifier, learned=False)
    before = alone.select(classification)
    assert before is not None
    wanted = next(
        a.id
        for spec in classifier.content.intents
        for a in spec.answers
        if a.id != before.answer and a.audience in ("debtor", "any")
    )
    model = DirectModel(
        labels=(wanted, GENERAL_CLASS),
        index={feature: k for k, feature in enumerate(features)},
        offsets=np.arange(len(features) + 1),
        classes=np.zeros(len(features), dtype=np.intp),
        weights=np.full(len(features), 2.0),
        bias=np.array([0.0, -1.0]),
    )
    with_it = DirectAnswerSelector(classifier.content, classifier, learned=model)
    after = with_it.select(classifier.classify(text))
    assert after is not None and after.answer == wanted and after.confident


def test_the_shipped_model_makes_the_selector_better_on_questions_it_never_learned(
    reader: Reader,
) -> None:
    model = shipped_direct_model()
    assert model is not None
    answers = [a.id for spec in reader.classifier.content.intents for a in spec.answers]
    assert sum(a in model.labels for a in answers) >= 0.9 * len(answers)
    items = labelled_real_questions(reader)
    with_it = evaluate_direct(reader, items)
    alone = Reader(
        reader.classifier,
        DirectAnswerSelector(reader.classifier.content, reader.classifier, learned=False),
    )
    without = evaluate_direct(alone, items)
    assert with_it.correct > without.correct, (with_it.correct, without.correct)
    assert with_it.false_answers <= without.false_answers + 2


def test_training_exports_a_model_that_fits_what_it_learned(
    content: Content, reader: Reader, tmp_path: Path
) -> None:
    classifier = reader.classifier
    featurize = message_featurizer(
        lambda t: classifier.normalizer.normalize(t).text, classifier.segmenter.cut
    )
    ids = [a.id for spec in content.intents for a in spec.answers]
    labels = load_answer_labels(ids).labels
    model, report = train_direct(content, labels, featurize, tmp_path, log=lambda _line: None)
    loaded = DirectModel.load(tmp_path)
    assert loaded.meta["data"] == data_digest(training_examples(content, labels))
    assert report["validation_size"] > 0 and 0.0 < report["validation_top_answer_accuracy"] < 1
    firsts = [(a.id, a.examples[0]) for spec in content.intents for a in spec.answers]
    right = 0
    for answer, example in firsts:
        margins = loaded.margins(list(dict.fromkeys(featurize(example))))
        right += loaded.labels[int(np.argmax(margins))] == answer
    assert right >= 0.9 * len(firsts), right
    assert model.margins(["w催收"]) == pytest.approx(loaded.margins(["w催收"]))


def test_the_model_counts_only_for_the_content_it_learned(content: Content) -> None:
    """An example taught since the training changes the content's digest: the selector then
    reads with naive Bayes alone (which learns the example at once) until the next training."""
    model = shipped_direct_model()
    assert model is not None and model.meta["content"] == content_digest(content)
    spec = next(s for s in content.intents if s.answers)
    answer = spec.answers[0]
    taught = answer.model_copy(update={"examples": [*answer.examples, "一句新教的问法"]})
    changed_spec = spec.model_copy(update={"answers": [taught, *spec.answers[1:]]})
    changed = dataclasses.replace(
        content, intents=tuple(changed_spec if s is spec else s for s in content.intents)
    )
    assert content_digest(changed) != content_digest(content)
