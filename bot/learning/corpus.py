"""The labelled corpus: messages from independent writers and real questions from public pages.

It lives outside the package, in ``corpus/`` beside ``intents/`` (see ``corpus/README.md``):
every ``*.jsonl`` file under ``corpus/messages`` (written messages) and ``corpus/real`` (real
questions, each with its source address) holds one message a line::

    {"text": "...", "intent": "<topic id>", "urgency": "calm|possible|clear",
     "danger": null|"violence"|"self_harm", "styles": ["voice", ...], "writer": "w1",
     "source": "https://..."}

The intents' own examples (``intents/<id>.yaml``: ``examples`` and each direct answer's
``examples``) are training data too, as writer ``content``; they carry a topic but no urgency
label, except that examples of a topic that is not urgent are calm.

Training and validation are split by a hash of the message's text, so a message is always on the
same side whatever else is added, and the split needs no file of its own.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.content import Content

Urgency = Literal["calm", "possible", "clear"]
M = TypeVar("M", bound=BaseModel)
Danger = Literal["violence", "self_harm"]
#: Every style a message may be tagged with (corpus/README.md says what each means).
STYLES = frozenset(
    {
        "colloquial",
        "typo",
        "homophone",
        "censored",
        "pinyin",
        "traditional",
        "cantonese",
        "english",
        "mixed",
        "voice",
        "short",
        "long",
        "group",
        "forwarded",
        "formal",
        "emoji",
        "question",
        "statement",
        "real",
    }
)
#: The urgency model's classes: calm, or a tier and a kind of danger.
URGENCY_CLASSES = (
    "calm",
    "possible_violence",
    "possible_self_harm",
    "clear_violence",
    "clear_self_harm",
)
#: One message in this many (by the hash of its text) is held out for validation.
VALIDATION_ONE_IN = 8
CONTENT_WRITER = "content"


class CorpusMessage(BaseModel):
    """One labelled message of the corpus (one line of a ``*.jsonl`` file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    #: None for a message labelled for urgency only (a retired red-team message whose topic
    #: nobody labelled): the topic model skips it, the urgency model learns it.
    intent: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")] | None = None
    urgency: Urgency | None = None
    danger: Danger | None = None
    styles: list[str] = Field(default_factory=list)
    writer: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    source: str | None = None

    @property
    def urgency_class(self) -> str | None:
        """The urgency model's label, or None when the message has no urgency label."""
        if self.urgency is None:
            return None
        if self.urgency == "calm":
            return "calm"
        return f"{self.urgency}_{self.danger}"

    @property
    def validation(self) -> bool:
        """True when this message belongs to the validation split."""
        return is_validation(self.text)


def is_validation(text: str) -> bool:
    """The split: a stable hash of the text's characters, spaces ignored."""
    key = "".join(text.split()).encode("utf-8")
    return hashlib.blake2b(key, digest_size=4).digest()[0] % VALIDATION_ONE_IN == 0


@dataclass(frozen=True)
class Corpus:
    """Every labelled message, the corpus files' and the content's."""

    messages: tuple[CorpusMessage, ...]
    files: tuple[Path, ...]

    def training(self) -> list[CorpusMessage]:
        return [m for m in self.messages if not m.validation]

    def validation(self) -> list[CorpusMessage]:
        return [m for m in self.messages if m.validation]

    def digest(self) -> str:
        """A hash of every (text, labels) pair: the weights record the data they learned."""
        h = hashlib.sha256()
        for m in sorted(
            self.messages, key=lambda m: (m.text, m.intent or "", m.urgency_class or "")
        ):
            h.update(f"{m.text}\0{m.intent}\0{m.urgency_class}\n".encode())
        return h.hexdigest()[:16]


class CorpusError(Exception):
    """Problems found reading the corpus, each naming the file and line."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def default_corpus_dir() -> Path:
    """``corpus/`` beside the package (a checkout or an editable install)."""
    return Path(__file__).resolve().parent.parent.parent / "corpus"


def corpus_files(directory: Path) -> list[Path]:
    """The labelled files the model trains on (the frozen sets under ``corpus/frozen`` are
    never read here: they are measured once, then moved into ``corpus/real`` or ``messages``)."""
    return sorted(
        [*directory.glob("messages/*.jsonl"), *directory.glob("real/*.jsonl")],
        key=lambda p: p.as_posix(),
    )


def read_models(path: Path, model: type[M]) -> tuple[list[tuple[str, M]], list[str]]:
    """Every line of a JSONL file validated as ``model``, each with where it is
    ("file.jsonl:3"), and the problems of the bad lines (unreadable file, bad JSON, a field
    the model refuses), each naming file and line."""
    parsed: list[tuple[str, M]] = []
    problems: list[str] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return parsed, [f"{path}: cannot read: {exc}"]
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            parsed.append((where, model.model_validate(json.loads(line))))
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON: {exc.msg}")
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(part) for part in error["loc"]) or "line"
                problems.append(f"{where}: {field}: {error['msg']}")
    return parsed, problems


def read_jsonl(
    path: Path, problems: list[str], known_intents: frozenset[str]
) -> list[CorpusMessage]:
    """The messages of one file; every bad line is a problem naming file and line."""
    parsed, bad = read_models(path, CorpusMessage)
    problems.extend(bad)
    for where, message in parsed:
        problems.extend(_label_problems(where, message, known_intents))
    return [message for _where, message in parsed]


def _label_problems(where: str, m: CorpusMessage, known_intents: frozenset[str]) -> Iterator[str]:
    if m.intent is None and m.urgency is None:
        yield f"{where}: a message needs an intent, an urgency or both"
    if m.intent is not None and m.intent not in known_intents:
        yield f"{where}: intent {m.intent!r} is not an intent of intents/"
    if m.urgency in ("possible", "clear") and m.danger is None:
        yield f"{where}: urgency {m.urgency} needs a danger (violence or self_harm)"
    if m.urgency == "calm" and m.danger is not None:
        yield f"{where}: a calm message has no danger"
    unknown = sorted(set(m.styles) - STYLES)
    if unknown:
        yield f"{where}: unknown styles {unknown}"
    if m.source is not None and not m.source.startswith(("http://", "https://")):
        yield f"{where}: source must be a web address"


def content_messages(content: Content) -> list[CorpusMessage]:
    """The intents' examples as labelled messages (writer ``content``)."""
    out: list[CorpusMessage] = []
    for spec in content.intents:
        urgency: Urgency | None = None if spec.urgent else "calm"
        texts = [*spec.examples, *(e for answer in spec.answers for e in answer.examples)]
        out.extend(
            CorpusMessage(text=t, intent=spec.id, urgency=urgency, writer=CONTENT_WRITER)
            for t in texts
        )
    return out


def examples_digest(content: Content) -> str:
    """A hash of the intents' examples and their labels (what a retraining must follow)."""
    h = hashlib.sha256()
    for m in content_messages(content):
        h.update(f"{m.text}\0{m.intent}\n".encode())
    return h.hexdigest()[:16]


def load_corpus(content: Content, directory: Path | None = None) -> Corpus:
    """The corpus files' messages and the content's; raise :class:`CorpusError` on any bad
    line. Exact duplicates (same text and labels) are kept once."""
    directory = directory or default_corpus_dir()
    problems: list[str] = []
    known = frozenset(spec.id for spec in content.intents)
    files = corpus_files(directory) if directory.is_dir() else []
    messages: list[CorpusMessage] = []
    for path in files:
        messages.extend(read_jsonl(path, problems, known))
    if problems:
        raise CorpusError(problems)
    messages.extend(content_messages(content))
    unique: dict[tuple[str, str | None, str | None], CorpusMessage] = {}
    for m in messages:
        unique.setdefault((m.text, m.intent, m.urgency_class), m)
    return Corpus(messages=tuple(unique.values()), files=tuple(files))
