"""Real questions labelled with the direct answer that answers them (the question bank's data).

The topic corpus says which *family* a real question belongs to; these labels say which
*sentence* of the question bank answers it. They live in ``corpus/answers/*.jsonl``, one a line::

    {"text": "360逾期多久会有电话催收？", "answer": "calls_when_start", "also": null,
     "source": "https://...", "writer": "l1"}

* ``answer``: an answer id of ``intents/`` (``answers:``), or ``general`` (the message asks no
  specific question: the topic's steps are the reply), or ``missing`` (it asks a point no answer
  states; ``missing`` then names the class of question, the bank's to-do list).
* ``also``: a second answer when the question asks two things.

The direct-answer selector (``bot/understanding/direct_answers.py``) learns from the training
side of the split (the corpus's hash split, so a question is always on the same side) beside
the answers' own examples; the validation side measures it (``eval``: "answer labels").
``check`` validates every line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from bot.learning.corpus import default_corpus_dir, is_validation, read_models

if TYPE_CHECKING:
    from bot.content import Content

GENERAL = "general"
MISSING = "missing"


class AnswerLabel(BaseModel):
    """One real question and the answer a careful helper would give first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    answer: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    also: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")] | None = None
    missing: str | None = None
    source: str | None = None
    writer: Annotated[str, StringConstraints(min_length=1, max_length=40)]

    @property
    def validation(self) -> bool:
        """On the validation side: a real question (one with its ``source``) whose text the
        hash puts there. Messages written for training (no source) are never measured on, so
        the validation side stays real questions people asked."""
        return self.source is not None and is_validation(self.text)


@dataclass(frozen=True)
class AnswerLabels:
    """Every label read, and the problems found (unknown ids, bad lines)."""

    labels: tuple[AnswerLabel, ...]
    problems: tuple[str, ...]

    def training(self) -> list[AnswerLabel]:
        return [x for x in self.labels if not x.validation]

    def validation(self) -> list[AnswerLabel]:
        return [x for x in self.labels if x.validation]

    def missing_classes(self) -> dict[str, int]:
        """The classes of question no answer states yet, with how many questions ask them."""
        counts: dict[str, int] = {}
        for x in self.labels:
            if x.answer == MISSING and x.missing:
                counts[x.missing] = counts.get(x.missing, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


@lru_cache(maxsize=16)
def _read_file(
    path: Path, _mtime_ns: int, _size: int
) -> tuple[tuple[tuple[str, AnswerLabel], ...], tuple[str, ...]]:
    """One file's labels (with where each is) and its bad lines; cached while the file is
    unchanged (every reader built, one per content version, reads the same file)."""
    parsed, problems = read_models(path, AnswerLabel)
    return tuple(parsed), tuple(problems)


def answer_label_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("answers/*.jsonl"), key=lambda p: p.as_posix())


def load_answer_labels(answer_ids: Iterable[str], directory: Path | None = None) -> AnswerLabels:
    """The labels under ``directory/answers`` (default: the corpus beside the package). Never
    raises: a bad line, or a label naming an answer the content does not have (it was renamed
    or removed), is left out and reported in ``problems`` (``check`` fails on them)."""
    directory = directory or default_corpus_dir()
    known = frozenset(answer_ids) | {GENERAL, MISSING}
    labels: list[AnswerLabel] = []
    problems: list[str] = []
    for path in answer_label_files(directory) if directory.is_dir() else []:
        try:
            stat = path.stat()
        except OSError as exc:
            problems.append(f"{path}: cannot read: {exc}")
            continue
        parsed, file_problems = _read_file(path, stat.st_mtime_ns, stat.st_size)
        problems.extend(file_problems)
        for where, label in parsed:
            bad = [x for x in (label.answer, label.also) if x is not None and x not in known]
            if bad:
                problems.append(f"{where}: answer {bad[0]!r} is not an answer of intents/")
                continue
            if label.answer == MISSING and not label.missing:
                problems.append(f"{where}: a missing answer needs 'missing' (the class asked)")
            if label.source is not None and not label.source.startswith(("http://", "https://")):
                problems.append(f"{where}: source must be a web address")
            labels.append(label)
    return AnswerLabels(labels=tuple(labels), problems=tuple(problems))


def content_labels(content: Content, directory: Path | None = None) -> tuple[AnswerLabel, ...]:
    """Every label (both sides of the split) for the answers of ``content``: what the direct
    model trains on (``train`` and the background retraining) and what ``check`` hashes."""
    ids = [answer.id for spec in content.intents for answer in spec.answers]
    return load_answer_labels(ids, directory).labels


def training_labels(
    answer_ids: Iterable[str], directory: Path | None = None
) -> list[tuple[str, str]]:
    """(text, answer) pairs the selector's naive Bayes learns: the training side (real
    questions, and the messages written for training), answers and ``also``s (``general``
    included, ``missing`` left out). Compared on the measures nobody tuned on, learning the
    written messages here too gave more whole held-out conversations passing (17) and the
    hand-written direct set 0.868 against 0.849, at four more wrong answers among the 341 real
    questions of the validation side (63 against 59)."""
    out: list[tuple[str, str]] = []
    for label in load_answer_labels(answer_ids, directory).training():
        if label.answer != MISSING:
            out.append((label.text, label.answer))
        if label.also is not None and label.also != MISSING:
            out.append((label.text, label.also))
    return out
