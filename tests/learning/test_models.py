"""The learned models: corpus labels, features, training, calibration, export and inference."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from bot.content import Content
from bot.engine import Understanding
from bot.learning.corpus import (
    CorpusError,
    default_corpus_dir,
    is_validation,
    load_corpus,
)
from bot.learning.direct_model import DIRECT_MODEL
from bot.learning.features import MAX_FEATURES, features
from bot.learning.model import (
    TOPIC_MODEL,
    URGENCY_MODEL,
    LinearModel,
    StackedModels,
    load_models,
)
from bot.learning.train import fit_temperature, reliability, train_model, wilson
from bot.learning.training import weights_status
from tests.harness import run


def _line(**fields: object) -> str:
    base: dict[str, object] = {
        "text": "催收的人在门口",
        "intent": "collector_at_door",
        "urgency": "calm",
        "danger": None,
        "styles": ["short"],
        "writer": "t",
    }
    base.update(fields)
    return json.dumps(base, ensure_ascii=False)


def _corpus_dir(tmp_path: Path, *lines: str) -> Path:
    (tmp_path / "messages").mkdir(parents=True)
    (tmp_path / "messages" / "t.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_the_corpus_is_read_with_the_contents_examples(
    understanding: Understanding, tmp_path: Path
) -> None:
    corpus = load_corpus(understanding.content, _corpus_dir(tmp_path, _line()))
    writers = {m.writer for m in corpus.messages}
    assert writers == {"t", "content"}
    examples = sum(
        len(s.examples) + sum(len(a.examples) for a in s.answers)
        for s in understanding.content.intents
    )
    assert len(corpus.messages) <= examples + 1
    assert any(m.text == "催收的人在门口" and m.writer == "t" for m in corpus.messages)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"intent": "no_such_topic"}, "is not an intent"),
        ({"urgency": "clear", "danger": None}, "needs a danger"),
        ({"urgency": "calm", "danger": "violence"}, "a calm message has no danger"),
        ({"styles": ["shouting"]}, "unknown styles"),
        ({"source": "somewhere"}, "web address"),
        ({"urgency": "panic"}, "urgency"),
        ({"text": ""}, "text"),
        ({"intent": None, "urgency": None}, "needs an intent, an urgency or both"),
    ],
)
def test_bad_labels_are_named_with_file_and_line(
    understanding: Understanding, tmp_path: Path, fields: dict[str, object], problem: str
) -> None:
    directory = _corpus_dir(tmp_path, _line(text="好的"), _line(**fields))
    with pytest.raises(CorpusError) as error:
        load_corpus(understanding.content, directory)
    assert any("t.jsonl:2" in p and problem in p for p in error.value.problems), error.value


def test_a_message_labelled_for_urgency_only_trains_the_urgency_model_only(
    understanding: Understanding, tmp_path: Path
) -> None:
    """A retired red-team message whose topic nobody labelled (intent null) is urgency data:
    the urgency model learns it, the topic model never sees it."""
    from bot.learning.train import topic_pairs, urgency_pairs

    directory = _corpus_dir(
        tmp_path,
        _line(text="今天太热了 热死人", intent=None, urgency="calm"),
        _line(text="我已经把药都攒好了", intent=None, urgency="clear", danger="self_harm"),
    )
    corpus = load_corpus(understanding.content, directory)
    mine = [m for m in corpus.messages if m.writer == "t"]
    assert {m.intent for m in mine} == {None}

    def featurize(text: str) -> list[str]:
        return [text]

    assert not topic_pairs(mine, featurize)
    assert sorted(label for _, label in urgency_pairs(mine, featurize)) == [
        "calm",
        "clear_self_harm",
    ]


def test_broken_json_is_a_problem_not_a_crash(understanding: Understanding, tmp_path: Path) -> None:
    directory = _corpus_dir(tmp_path, "{not json", "\x00\x01")
    with pytest.raises(CorpusError) as error:
        load_corpus(understanding.content, directory)
    assert len(error.value.problems) == 2


def test_the_split_is_stable_and_ignores_spaces() -> None:
    texts = [f"第{i}条 消息" for i in range(800)]
    chosen = [is_validation(t) for t in texts]
    assert chosen == [is_validation(t) for t in texts]
    assert [is_validation(t.replace(" ", "  ")) for t in texts] == chosen
    assert 0.07 < sum(chosen) / len(chosen) < 0.19  # about one in eight


def test_features_are_deterministic_and_bounded() -> None:
    text = "催收在门口 they refuse to leave 2000"
    first = features(text, ["催收", "门口"])
    assert first == features(text, ["催收", "门口"])
    assert len(first) == len(set(first))
    assert {"c催", "b催收", "t催收在", "w催收", "ethey", "prefuse to", "d4"} <= set(first)
    assert len(features("债" * 50_000, [])) <= MAX_FEATURES


def _toy_data() -> tuple[list[tuple[list[str], str]], list[tuple[list[str], str]]]:
    words = {"door": ["门口", "敲门", "上门", "来家"], "card": ["征信", "记录", "逾期", "查询"]}
    train, validation = [], []
    for label, vocab in words.items():
        for i in range(40):
            text = vocab[i % 4] + vocab[(i + 1) % 4] + "的" + "事" * (i % 3)
            target = validation if i % 5 == 0 else train
            target.append((features(text, []), label))
    return train, validation


def test_training_picks_a_candidate_and_calibrates(tmp_path: Path) -> None:
    train, validation = _toy_data()
    model, report = train_model(
        "topic",
        ["door", "card", "other"],
        train,
        validation,
        "digest",
        candidates=(("linear SVM C=1", "svm", 1.0), ("logistic regression C=4", "logreg", 4.0)),
    )
    assert report.chosen.accuracy == 1.0
    assert {c.name for c in report.candidates} == {"linear SVM C=1", "logistic regression C=4"}
    assert model.meta["data"] == "digest" and model.meta["validation_accuracy"] == 1.0
    probabilities = model.probabilities(features("有人在门口敲门", []))
    assert probabilities[0] == max(probabilities)
    assert math.isclose(sum(probabilities), 1.0, rel_tol=1e-6)
    # a class never seen in training is never predicted
    assert probabilities[2] < 1e-6
    assert any(line.startswith("  chosen:") for line in report.lines())


def test_the_exported_model_reads_back_the_same(tmp_path: Path) -> None:
    train, validation = _toy_data()
    model, _ = train_model("topic", ["door", "card"], train, validation, "d")
    model.save(tmp_path, "topic")
    again = LinearModel.load(tmp_path, "topic")
    message = features("查询征信记录", [])
    assert np.allclose(model.probabilities(message), again.probabilities(message))
    assert again.labels == ("door", "card") and again.meta["data"] == "d"


def test_stacked_models_score_like_each_model_alone() -> None:
    train, validation = _toy_data()
    vocabulary = {f: i for i, f in enumerate(sorted({f for fs, _ in train for f in fs}))}
    a, _ = train_model("a", ["door", "card"], train, validation, "d", vocabulary=vocabulary)
    b, _ = train_model(
        "b", ["card", "door"], [(f, y) for f, y in train], validation, "d", vocabulary=vocabulary
    )
    stack = StackedModels([a, b])
    for text in ("门口有人", "征信", "", "完全无关的话"):
        message = features(text, [])
        both = stack.probabilities(message)
        assert np.allclose(both[0], a.probabilities(message))
        assert np.allclose(both[1], b.probabilities(message))


def test_stacked_rows_are_the_known_features_in_order_while_the_hot_set_turns_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bot.learning.model as model_module

    train, validation = _toy_data()
    vocabulary = {f: i for i, f in enumerate(sorted({f for fs, _ in train for f in fs}))}
    a, _ = train_model("a", ["door", "card"], train, validation, "d", vocabulary=vocabulary)
    stack = StackedModels([a])
    monkeypatch.setattr(model_module, "HOT_FEATURES", 8)  # cleared again and again
    for _ in range(3):
        for text in ("门口有人", "征信", "", "完全无关的话", "门口有人在敲门 征信"):
            message = features(text, [])
            expected = [vocabulary[f] for f in message if f in vocabulary]
            assert stack.rows(message) == expected
    assert len(stack._hot) <= 8 + len(features("门口有人在敲门 征信", []))


def test_stacking_needs_one_vocabulary() -> None:
    train, validation = _toy_data()
    a, _ = train_model("a", ["door", "card"], train, validation, "d")
    b, _ = train_model("b", ["door", "card"], train[::2], validation, "d")
    with pytest.raises(ValueError, match="one vocabulary"):
        StackedModels([a, b])


def test_temperature_scaling_lowers_the_log_loss() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 400)
    logits = rng.normal(0, 1, (400, 3))
    logits[np.arange(400), y] += 1.0
    overconfident = logits * 6
    t = fit_temperature(overconfident, y)
    assert t > 2

    def loss(z: np.ndarray) -> float:
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return float(-np.log(p[np.arange(400), y]).mean())

    assert loss(overconfident / t) < loss(overconfident)
    table, ece = reliability(
        np.exp(overconfident / t) / np.exp(overconfident / t).sum(1, keepdims=True), y
    )
    assert sum(row["count"] for row in table) == 400 and 0 <= ece < 0.1


def test_wilson_interval() -> None:
    low, high = wilson(0.9, 100)
    assert 0.82 < low < 0.9 < high < 0.95
    assert wilson(0.5, 0) == (0.0, 1.0)


def test_a_broken_model_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "topic.npz").write_bytes(b"not a model")
    with pytest.raises(Exception, match="cannot read the model"):
        load_models(tmp_path)


# -- the shipped weights ------------------------------------------------------------------


def test_the_shipped_models_cover_the_shipped_content(understanding: Understanding) -> None:
    classifier = understanding.classifier
    assert classifier.topic_model is not None and classifier.urgency_model is not None
    assert sorted(classifier.topic_model.labels) == sorted(understanding.content.ids)
    result = classifier.classify("我信用卡逾期了 催收天天打电话给我爸妈")
    assert result.urgency and math.isclose(sum(result.urgency.values()), 1.0, rel_tol=1e-6)
    assert result.urgent_probability is not None and result.urgent_probability < 0.5


def test_the_shipped_weights_match_the_corpus(understanding: Understanding) -> None:
    if not default_corpus_dir().is_dir():
        pytest.skip("no corpus beside the package")
    assert weights_status(understanding.content) is None


def test_other_content_falls_back_to_naive_bayes(understanding: Understanding) -> None:
    from bot.understanding.classifier import Classifier

    content: Content = understanding.content
    fewer = Content(
        intents=content.intents[:-1],
        facts=content.facts,
        lexicon=content.lexicon,
        dictionary=content.dictionary,
        version="x",
        directory=content.directory,
        signals=content.signals,
    )
    classifier = Classifier(
        fewer, understanding.classifier.normalizer, understanding.classifier.segmenter
    )
    assert classifier.topic_model is None
    assert classifier.classify("催收的人在门口敲门").top.intent == "collector_at_door"


@pytest.mark.slow
def test_a_fresh_training_matches_the_committed_weights() -> None:
    """CI retrains (the committed candidate only) and fails when the validation accuracy moves
    by more than a point or the data differs from what the weights learned."""
    if not default_corpus_dir().is_dir():
        pytest.skip("no corpus beside the package")
    # A training takes about 80 s on a fast machine and grows with the corpus; CI machines are
    # slower and shared, so the limit only catches a training that hangs.
    result = run("train", "--verify", "--quick", timeout=900)
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    assert out.count(": OK") == 3  # the topic, urgency and direct-answer models
    assert TOPIC_MODEL in out and URGENCY_MODEL in out and f"{DIRECT_MODEL}: committed" in out


# -- retraining after the content changes ------------------------------------------------------


async def test_taught_examples_are_learned_in_the_background(tmp_path: Path) -> None:
    """A content change the models did not learn starts a retraining; until it is done the old
    models answer, then new ones trained for exactly the new examples are swapped in (and are
    taken at the next start-up)."""
    import shutil

    from bot.content import default_intents_dir, load_content
    from bot.engine import Engine
    from bot.learning.corpus import examples_digest
    from bot.learning.retrain import models_for
    from bot.storage.sessions.memory import MemoryStore
    from tests.harness import memory_config

    intents = tmp_path / "intents"
    shutil.copytree(default_intents_dir(), intents)
    config = memory_config(intents_dir=str(intents))
    config = config.model_copy(
        update={
            "learning": config.learning.model_copy(
                update={"retrain_on_change": True, "models_dir": str(tmp_path / "models")}
            )
        }
    )
    engine = Engine(config, Understanding.build(config), MemoryStore(600, 100))
    old = engine.understanding.classifier.topic_model
    path = intents / "harassment.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "examples:\n", "examples:\n  - 催收把我的照片做成表情包发到小区群\n", 1
        ),
        encoding="utf-8",
    )
    outcome = await engine.reload_content(trigger="test")
    assert not outcome.problems
    assert engine.understanding.classifier.topic_model is old  # the old model answers meanwhile
    task = engine._retraining
    assert task is not None
    await task
    new = engine.understanding.classifier.topic_model
    assert new is not None and new is not old
    content = load_content(intents)
    assert new.meta["examples"] == examples_digest(content)
    assert models_for(content, str(tmp_path / "models"))[TOPIC_MODEL].meta == new.meta
    await engine.close()


async def test_a_taught_answer_example_retrains_the_direct_model(tmp_path: Path) -> None:
    """An example taught to a direct answer leaves the topic models' examples as they were, but
    the shipped direct-answer model did not learn it: the selector answers on naive Bayes alone
    meanwhile, a retraining trains a direct model for exactly the new content and swaps it in,
    and the next start-up takes it from the models folder."""
    import shutil

    from bot.content import default_intents_dir, load_content
    from bot.engine import Engine
    from bot.learning.direct_model import content_digest, shipped_direct_model
    from bot.learning.retrain import direct_model_for, needs_retraining
    from bot.storage.sessions.memory import MemoryStore
    from tests.harness import memory_config

    intents = tmp_path / "intents"
    shutil.copytree(default_intents_dir(), intents)
    models = str(tmp_path / "models")
    config = memory_config(intents_dir=str(intents))
    config = config.model_copy(
        update={
            "learning": config.learning.model_copy(
                update={"retrain_on_change": True, "models_dir": models}
            )
        }
    )
    engine = Engine(config, Understanding.build(config), MemoryStore(600, 100))
    shipped = shipped_direct_model()
    assert shipped is not None and engine.understanding.reader.selector.learned_model is shipped
    topic = engine.understanding.classifier.topic_model
    path = intents / "harassment.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "  - id: contact_list\n    examples:\n"
    assert marker in text
    taught = marker + "      - 催收把我欠钱的事群发给了我全部微信好友\n"
    path.write_text(text.replace(marker, taught), encoding="utf-8")
    content = load_content(intents)
    assert content_digest(content) != shipped.meta["content"]
    urgency = engine.understanding.classifier.urgency_model
    assert topic is not None and urgency is not None
    assert needs_retraining(content, {m.meta["name"]: m for m in (topic, urgency)}, shipped)
    outcome = await engine.reload_content(trigger="test")
    assert not outcome.problems
    # meanwhile: naive Bayes alone (a model that never saw the example does not outvote it)
    assert engine.understanding.reader.selector.learned_model is None
    task = engine._retraining
    assert task is not None
    await task
    direct = engine.understanding.reader.selector.learned_model
    assert direct is not None and direct is not shipped
    assert direct.meta["content"] == content_digest(content)
    reloaded = direct_model_for(content, models)
    assert reloaded is not None and reloaded.meta == direct.meta
    # the original content still takes the shipped model
    assert direct_model_for(load_content(default_intents_dir()), models) is shipped
    await engine.close()
