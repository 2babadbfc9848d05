"""Real questions labelled with the answer that answers them (corpus/answers): reading and
validation, the split, what the selector learns from them, and ``check``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.engine import Understanding
from bot.learning.answer_labels import (
    GENERAL,
    MISSING,
    load_answer_labels,
    training_labels,
)
from bot.learning.corpus import default_corpus_dir, is_validation
from bot.understanding.direct_answers import DirectAnswerSelector
from tests.harness import ROOT

IDS = ["open_door", "credit_how_long"]


def _write(directory: Path, rows: list[object]) -> Path:
    (directory / "answers").mkdir(parents=True, exist_ok=True)
    path = directory / "answers" / "labels.jsonl"
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows)
        + "\n",
        encoding="utf-8",
    )
    return path


def test_bad_lines_are_reported_and_left_out(tmp_path: Path) -> None:
    _write(
        tmp_path,
        [
            {"text": "敲门要开吗", "answer": "open_door", "writer": "l1"},
            {"text": "这是什么", "answer": "no_such_answer", "writer": "l1"},
            "{not json",
            {"text": "征信多久更新", "answer": MISSING, "writer": "l1"},
            {"text": "x", "answer": "open_door", "writer": "l1", "source": "ftp://x"},
            {"text": "y", "answer": "open_door", "writer": "l1", "extra": 1},
        ],
    )
    labels = load_answer_labels(IDS, tmp_path)
    problems = "\n".join(labels.problems)
    assert "labels.jsonl:2: answer 'no_such_answer'" in problems
    assert "labels.jsonl:3: not valid JSON" in problems
    assert "labels.jsonl:4: a missing answer needs 'missing'" in problems
    assert "labels.jsonl:5: source must be a web address" in problems
    assert "labels.jsonl:6: extra" in problems
    assert [x.text for x in labels.labels] == ["敲门要开吗", "征信多久更新", "x"]


def test_training_pairs_take_also_and_general_and_leave_missing_and_validation(
    tmp_path: Path,
) -> None:
    texts = [f"问题{i}：敲门要不要开" for i in range(40)]
    train_text = next(t for t in texts if not is_validation(t))
    held_text, written_text = [t for t in texts if is_validation(t)][:2]
    url = "https://example.org/q"
    _write(
        tmp_path,
        [
            {"text": train_text, "answer": "open_door", "also": "credit_how_long", "writer": "l"},
            {"text": held_text, "answer": "open_door", "writer": "l", "source": url},
            # written for training (no source)
            {"text": written_text, "answer": "open_door", "writer": "a"},
            {"text": "催收上门了怎么办啊啊", "answer": GENERAL, "writer": "l"},
            {"text": "征信多久更新一次呀", "answer": MISSING, "missing": "征信更新", "writer": "l"},
        ],
    )
    pairs = training_labels(IDS, tmp_path)
    general_side = [p for p in pairs if p[1] == GENERAL]
    assert (train_text, "open_door") in pairs
    assert (train_text, "credit_how_long") in pairs
    assert all(t != held_text for t, _ in pairs)  # the validation side is never learned
    # written for training: learned whatever its hash (the validation side holds real
    # questions only)
    assert (written_text, "open_door") in pairs
    assert all(a != MISSING for _, a in pairs)
    assert len(general_side) == (0 if is_validation("催收上门了怎么办啊啊") else 1)
    labels = load_answer_labels(IDS, tmp_path)
    assert labels.missing_classes() == {"征信更新": 1}


def test_the_selector_learns_a_real_wording_it_was_given(understanding: Understanding) -> None:
    """A wording no answer's examples share is matched once a real question with that
    wording is labelled with the answer (and not before)."""
    classifier = understanding.reader.classifier
    text = "寄来的那封蓝色信封里说要冻结我全部存款 是真的吗"
    wording = "蓝色信封里说要冻结全部存款"
    classification = classifier.classify(text)
    before = DirectAnswerSelector(understanding.content, classifier, labelled=[])
    after = DirectAnswerSelector(
        understanding.content,
        classifier,
        labelled=[(f"{wording}{i}", "freeze_threat") for i in ("", "吗", "？", "啊")],
    )
    b = before.score(classification)
    a = after.score(classification)
    assert b is not None and a is not None
    index = [answer for answer, _intent in after._answers].index("freeze_threat")
    assert a.scores[index] > b.scores[index] + 1.0
    assert a.match().answer == "freeze_threat"


def test_the_shipped_labels_are_valid_and_used(understanding: Understanding) -> None:
    ids = [a.id for s in understanding.content.intents for a in s.answers]
    labels = load_answer_labels(ids, default_corpus_dir())
    assert labels.problems == ()
    real = [x for x in labels.labels if x.source is not None]
    assert len(real) >= 2000 and all(x.source.startswith("http") for x in real)
    # messages written for training (corpus/answers/written_*.jsonl) are never measured on
    written = [x for x in labels.labels if x.source is None]
    assert len(written) >= 2000 and not any(x.validation for x in written)
    # the default selector learned them: as many training pairs as the labels give
    assert len(training_labels(ids)) > 1500


def test_check_reports_an_unknown_answer_in_the_labels(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "answers").mkdir(parents=True)
    (corpus / "answers" / "bad.jsonl").write_text(
        json.dumps({"text": "敲门", "answer": "gone_answer", "writer": "l"}) + "\n",
        encoding="utf-8",
    )
    script = (
        "import sys, bot.cli as c\n"
        "from pathlib import Path\n"
        "from bot.content import load_content, default_intents_dir\n"
        "content = load_content(default_intents_dir())\n"
        f"sys.exit(1 if c._check_answer_labels(content, Path({str(corpus)!r})) else 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "bad.jsonl:1: answer 'gone_answer'" in done.stderr
