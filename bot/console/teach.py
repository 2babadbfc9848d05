"""Teaching the bot from the console: a message becomes an example of an intent or of a direct
answer, and every such change can be undone.

:meth:`Teacher.teach` in order:

1. validates the text: not empty, at most :data:`MAX_EXAMPLE_CHARS`, no unmasked personal data
   (:func:`bot.privacy.mask` must leave it as it is), not already an example;
2. makes the new file text (bot/console/editing.py: ruamel round trip, exactly one added line)
   and loads a copy of the intents directory holding it with :func:`bot.content.load_content`,
   the check ``python -m bot check`` runs;
3. evaluates the current and the candidate content on the shipped labelled sets (the topic
   eval and the direct-answer eval of bot/operations/evaluation.py), in a thread;
4. when either accuracy would go down, stops and asks for confirmation (``confirm=True``
   in a second request writes it anyway);
5. writes the file under its lock (compare-and-swap: a file changed meanwhile gets the edit on
   its fresh copy, validated again), reloads the content live (:meth:`Engine.reload_content`)
   and records the change (who, when, what, the accuracies, the inbox group it came from).

:meth:`Teacher.undo` undoes a change: an added example is removed again (exactly that line;
refused when it was already removed or changed), an off-topic or dismissed group gets its
previous state back; the undo is recorded as a change of its own, and a change is undone
at most once.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.console.answers import NewAnswer, next_id
from bot.console.answers import validate as validate_answer
from bot.console.audit import Change, ConsoleRecords
from bot.console.editing import (
    ContentEditor,
    EditError,
    Target,
    add_answer,
    add_example,
    candidate_directory,
    example_key,
    remove_answer,
    remove_example,
    text_hash,
)
from bot.console.inbox import Inbox, group_ref
from bot.content import Content, ContentError, load_content
from bot.engine import Engine, Understanding
from bot.operations.evaluation import (
    DEFAULT_TEST_SET,
    DIRECT_SET_NAME,
    LabelledMessage,
    LabelledQuestion,
    evaluate,
    evaluate_direct,
    read_direct_set,
    read_test_set,
)
from bot.privacy import mask
from bot.understanding.direct_answers import DirectAnswerSelector
from bot.understanding.reader import Reader

log = logging.getLogger(__name__)

#: The longest example the console accepts (the shipped ones stay below 110 characters).
MAX_EXAMPLE_CHARS = 200
_SPACES = re.compile(r"\s+")
#: Accuracies closer than this are equal (float noise).
_EPSILON = 1e-9


@dataclass(frozen=True)
class Accuracy:
    """The two accuracies a change is judged by."""

    topic: float  # the topic classifier on the labelled set
    direct: float  # the direct-answer selector on its set
    topic_total: int
    direct_expected: int

    def lowered(self, after: Accuracy) -> list[str]:
        """Which of the accuracies ``after`` lowers ("topic", "direct")."""
        return [
            name
            for name in ("topic", "direct")
            if getattr(after, name) < getattr(self, name) - _EPSILON
        ]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "topic": round(self.topic, 4),
            "direct": round(self.direct, 4),
            "topic_total": self.topic_total,
            "direct_expected": self.direct_expected,
        }


@dataclass(frozen=True)
class EvalSets:
    """The labelled sets a change is evaluated on."""

    topics: list[LabelledMessage]
    questions: list[LabelledQuestion]

    @classmethod
    def shipped(cls, path: Path = DEFAULT_TEST_SET) -> EvalSets:
        """The sets shipped with the package (``eval``'s defaults)."""
        return cls(read_test_set(path), read_direct_set(path.parent / DIRECT_SET_NAME))

    def measure(self, understanding: Understanding, *, learned: bool = True) -> Accuracy:
        """Both accuracies of one content set; ``learned=False``: the direct answers read
        without the learned model (bot/learning/direct_model.py), as a content set with an
        example the model has not learned reads them — the like-for-like baseline."""
        topic = evaluate(understanding.classifier, self.topics)
        reader = understanding.reader
        if not learned and reader.selector.learned_model is not None:
            classifier = reader.classifier
            selector = DirectAnswerSelector(classifier.content, classifier, learned=False)
            reader = Reader(classifier, selector)
        direct = evaluate_direct(reader, self.questions)
        return Accuracy(topic.accuracy, direct.accuracy, topic.total, direct.expected)


@dataclass(frozen=True)
class Reading:
    """How a content set reads one text: the topic, and whether the bot would answer it."""

    intent: str
    score: float
    answer: str | None
    answer_score: float
    answered: bool  # as the target: that intent (and that direct answer, for one)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "intent": self.intent,
            "score": round(self.score, 3),
            "answer": self.answer,
            "answer_score": round(self.answer_score, 3),
            "answered": self.answered,
        }


@dataclass
class TeachResult:
    """What :meth:`Teacher.teach` did: ``written``, or ``needs_confirmation`` (nothing
    written: an accuracy would go down)."""

    status: str
    target: Target
    text: str
    before: Accuracy
    after: Accuracy
    lowered: list[str] = field(default_factory=list)
    reading: Reading | None = None
    change: Change | None = None
    rebased: bool = False
    #: a topic's example the learned topic model does not read as taught yet: it takes
    #: effect when the models are retrained (in the background, learning.retrain_on_change)
    learns_later: bool = False

    def to_json(self) -> dict[str, Any]:
        """JSON-ready, for the console."""
        return {
            "status": self.status,
            "learns_later": self.learns_later,
            "intent": self.target.intent,
            "answer": self.target.answer,
            "text": self.text,
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "lowered": self.lowered,
            "reading": None if self.reading is None else self.reading.to_json(),
            "change": None if self.change is None else self.change.id,
            "rebased": self.rebased,
        }


@dataclass
class AnswerResult:
    """What :meth:`Teacher.add_answer` did: ``preview`` (nothing written: the counsellor must
    confirm this exact answer, named by ``digest``) or ``written``."""

    status: str
    answer: NewAnswer
    answer_id: str
    digest: str
    before: Accuracy
    after: Accuracy
    readings: list[tuple[str, Reading]]
    change: Change | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready, for the console."""
        return {
            "status": self.status,
            "intent": self.answer.intent,
            "id": self.answer_id,
            "question": self.answer.question,
            "short": self.answer.short,
            "facts": list(self.answer.facts),
            "lenders": list(self.answer.lenders),
            "phrasings": self.answer.examples,
            "digest": self.digest,
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "lowered": self.before.lowered(self.after),
            "readings": [{"text": text, **reading.to_json()} for text, reading in self.readings],
            "change": None if self.change is None else self.change.id,
        }


def clean_example(text: str) -> str:
    """The example as it will be written: one line, single spaces, no spaces at the ends."""
    return _SPACES.sub(" ", text).strip()


def validate_example(text: str, target: Target, content: Content) -> str:
    """The cleaned example, or :class:`EditError` saying why it cannot be taught."""
    example = clean_example(text)
    if not example:
        raise EditError("例句是空的")
    if len(example) > MAX_EXAMPLE_CHARS:
        raise EditError(f"例句太长（{len(example)} 字，最多 {MAX_EXAMPLE_CHARS} 字）")
    if mask(example) != example:
        raise EditError(
            "例句里有个人信息（电话、身份证号、银行卡号、姓名、地址等），请删去或改写后再添加"
        )
    try:
        spec = content.intent(target.intent)
    except KeyError:
        raise EditError(f"没有话题 {target.intent}") from None
    key = example_key(example)
    if target.answer is None:
        for other in content.intents:
            if any(example_key(e) == key for e in other.examples):
                raise EditError(f"这句已经是话题「{other.title}」（{other.id}）的例句")
        return example
    if target.answer not in {a.id for a in spec.answers}:
        raise EditError(f"话题 {target.intent} 下没有直接回答 {target.answer}")
    for other in content.intents:
        for answer in other.answers:
            if any(example_key(e) == key for e in answer.examples):
                raise EditError(f"这句已经是直接回答 {answer.id} 的例句")
    return example


def read_as(understanding: Understanding, text: str, target: Target, threshold: float) -> Reading:
    """How ``understanding`` reads ``text``, and whether that is the ``target``."""
    understood = understanding.reader.read(text)
    direct = understood.direct
    answer = direct.answer if direct is not None and direct.confident else None
    top = understood.top
    answered = top.intent == target.intent and top.score >= threshold
    if target.answer is not None:
        answered = answer == target.answer
    return Reading(
        top.intent, top.score, answer, direct.score if direct is not None else 0.0, answered
    )


def check_candidate(directory: Path, filename: str, text: str) -> Content:
    """Load the content as it would be with ``filename`` holding ``text`` (the check
    ``python -m bot check`` runs); :class:`EditError` listing the problems."""
    with candidate_directory(directory, filename, text) as candidate:
        try:
            return load_content(candidate)
        except ContentError as exc:
            raise EditError("修改后的内容没有通过检查：" + "；".join(exc.problems)) from exc


def _validate(directory: Path, filename: str, text: str) -> None:
    check_candidate(directory, filename, text)


class Teacher:
    """Teaches the engine's content and undoes changes (see the module docstring)."""

    def __init__(
        self,
        engine: Engine,
        records: ConsoleRecords,
        inbox: Inbox | None = None,
        *,
        eval_sets: EvalSets | None = None,
        editor: ContentEditor | None = None,
    ) -> None:
        self.engine = engine
        self.records = records
        self.inbox = inbox or Inbox(engine, records)
        self._eval_sets = eval_sets
        self._editor = editor
        #: per content version (the current one), with and without the learned direct model
        self._accuracy: dict[tuple[str, bool], Accuracy] = {}
        self._accuracy_lock = asyncio.Lock()

    @property
    def directory(self) -> Path:
        """The intents directory being edited (the live content's)."""
        return self.engine.understanding.content.directory

    @property
    def editor(self) -> ContentEditor:
        """The editor of the intents directory."""
        if self._editor is None or self._editor.directory != self.directory:
            self._editor = ContentEditor(self.directory)
        return self._editor

    def eval_sets(self) -> EvalSets:
        """The labelled sets (read once)."""
        if self._eval_sets is None:
            self._eval_sets = EvalSets.shipped()
        return self._eval_sets

    async def current_accuracy(self, *, learned: bool = True) -> Accuracy:
        """The accuracies of the live content (computed once per content version);
        ``learned=False``: with the direct answers read by naive Bayes alone (what a changed
        content reads them with until the next training: see :meth:`EvalSets.measure`)."""
        understanding = self.engine.understanding
        key = (understanding.content.version, learned)
        async with self._accuracy_lock:
            if key not in self._accuracy:
                sets = self.eval_sets()
                accuracy = await asyncio.to_thread(
                    lambda: sets.measure(understanding, learned=learned)
                )
                self._accuracy = {k: v for k, v in self._accuracy.items() if k[0] == key[0]} | {
                    key: accuracy
                }
            return self._accuracy[key]

    async def teach(
        self,
        text: str,
        target: Target,
        *,
        who: str,
        confirm: bool = False,
        group: str | None = None,
    ) -> TeachResult:
        """Add ``text`` as an example of ``target`` (see the module docstring); ``group``:
        the signature of the inbox group it came from (then marked taught). Raises
        :class:`EditError` when it cannot be taught."""
        content = self.engine.understanding.content
        example = validate_example(text, target, content)
        inbox_group = None
        if group is not None:
            try:
                inbox_group = await self.inbox.find(group, text)
            except LookupError:
                inbox_group = None  # the group is gone (retention): teach all the same
        before = await self.current_accuracy()
        editor = self.editor
        source = editor.read(target.filename)
        candidate_text = add_example(source, target, example)
        directory = self.directory
        threshold = self.engine.config.classifier.threshold
        config = self.engine.config
        sets = self.eval_sets()

        def evaluate_candidate() -> tuple[Accuracy, Reading, bool]:
            candidate = check_candidate(directory, target.filename, candidate_text)
            understanding = Understanding.build(config, candidate)
            return (
                sets.measure(understanding),
                read_as(understanding, example, target, threshold),
                understanding.reader.selector.learned_model is not None,
            )

        after, reading, learned = await asyncio.to_thread(evaluate_candidate)
        if not learned:  # compared like for like: both read without the learned model
            before = await self.current_accuracy(learned=False)
        lowered = before.lowered(after)
        if lowered and not confirm:
            return TeachResult(
                "needs_confirmation", target, example, before, after, lowered, reading
            )
        written = await editor.apply(
            target.filename,
            lambda fresh: add_example(fresh, target, example),
            read_hash=text_hash(source),
            validate=lambda new: _validate(directory, target.filename, new),
        )
        await self._reload(written.path, lambda: remove_example(written.after, target, example))
        change = await self.records.record(
            who,
            "add_example",
            {
                "file": target.filename,
                "intent": target.intent,
                "answer": target.answer,
                "text": example,
                "before": before.to_json(),
                "after": after.to_json(),
                "lowered": lowered,
                "confirmed": bool(lowered),
                "group": group_ref(inbox_group) if inbox_group is not None else None,
                "authors": sorted(inbox_group.group.authors.get(example, ()))
                if inbox_group is not None
                else [],
                "previous_state": inbox_group.state if inbox_group is not None else None,
                "version": self.engine.understanding.content.version,
            },
        )
        if inbox_group is not None:
            await self.records.decide(
                who,
                "taught",
                inbox_group.signature,
                inbox_group.group.keys,
                change.id,
                target.describe(),
            )
        log.info(
            "console: %s added an example to %s (change %d)", who, target.describe(), change.id
        )
        reading = read_as(self.engine.understanding, example, target, threshold)
        return TeachResult(
            "written",
            target,
            example,
            before,
            after,
            lowered,
            reading,
            change,
            written.rebased,
            learns_later=target.answer is None and not reading.answered,
        )

    async def add_answer(
        self, new: NewAnswer, *, who: str, confirm: bool = False, digest: str | None = None
    ) -> AnswerResult:
        """Add a new direct answer (bot/console/answers.py). Without ``confirm`` and the
        ``digest`` of the preview the counsellor saw, nothing is written: the result is the
        preview. Raises :class:`EditError` (plain words) when it cannot be added."""
        content = self.engine.understanding.content
        new = validate_answer(new, content)
        answer_id = next_id(content)
        target = Target(new.intent, answer_id)
        entry = new.entry(answer_id)
        before = await self.current_accuracy()
        editor = self.editor
        source = editor.read(target.filename)
        candidate_text = add_answer(source, new.intent, entry)
        directory = self.directory
        threshold = self.engine.config.classifier.threshold
        config = self.engine.config
        sets = self.eval_sets()

        def evaluate_candidate() -> tuple[Accuracy, list[tuple[str, Reading]], bool]:
            candidate = check_candidate(directory, target.filename, candidate_text)
            understanding = Understanding.build(config, candidate)
            readings = [
                (text, read_as(understanding, text, target, threshold)) for text in new.examples
            ]
            learned = understanding.reader.selector.learned_model is not None
            return sets.measure(understanding), readings, learned

        after, readings, learned = await asyncio.to_thread(evaluate_candidate)
        if not learned:  # compared like for like: both read without the learned model
            before = await self.current_accuracy(learned=False)
        if not confirm or digest != new.digest():
            return AnswerResult("preview", new, answer_id, new.digest(), before, after, readings)
        written = await editor.apply(
            target.filename,
            lambda fresh: add_answer(fresh, new.intent, entry),
            read_hash=text_hash(source),
            validate=lambda text: _validate(directory, target.filename, text),
        )
        await self._reload(
            written.path, lambda: remove_answer(written.after, new.intent, answer_id)
        )
        change = await self.records.record(
            who,
            "add_answer",
            {
                "file": target.filename,
                "intent": new.intent,
                "answer": answer_id,
                "text": new.question,
                "short": new.short,
                "facts": list(new.facts),
                "lenders": list(new.lenders),
                "phrasings": new.examples,
                "before": before.to_json(),
                "after": after.to_json(),
                "lowered": before.lowered(after),
                "version": self.engine.understanding.content.version,
            },
        )
        log.info("console: %s added the answer %s (change %d)", who, target.describe(), change.id)
        now = self.engine.understanding
        readings = [(text, read_as(now, text, target, threshold)) for text in new.examples]
        return AnswerResult(
            "written", new, answer_id, new.digest(), before, after, readings, change
        )

    async def _reload(self, path: Path, revert: Callable[[], str]) -> None:
        """Reload the content after a write; when the reload rejects it (it was validated, so
        only a change made meanwhile by someone else can cause this), take the edit back."""
        outcome = await self.engine.reload_content(trigger="console")
        if outcome.problems:
            await self.editor.apply(path.name, lambda _fresh: revert())
            await self.engine.reload_content(trigger="console")
            raise EditError("重新加载内容失败，修改已撤回：" + "；".join(outcome.problems))

    async def undo(self, change_id: int, who: str) -> Change:
        """Undo change ``change_id`` (see the module docstring); the undo's record."""
        change = await self.records.get(change_id)
        if change is None:
            raise EditError(f"没有编号为 {change_id} 的修改")
        if change.undone_by is not None:
            raise EditError(f"修改 {change_id} 已经撤销过了（撤销记录 {change.undone_by}）")
        if change.action == "undo":
            raise EditError("撤销本身不能再撤销；需要的话请重新添加")
        data = change.data
        group = data.get("group")
        await self._check_group_unchanged(change)
        if data.get("forgotten"):
            raise EditError(
                "这条修改引用的原话已按用户要求删除，无法自动撤销"
                + ("；请在内容文件里手动删去这个例句" if change.action == "add_example" else "")
            )
        if change.action == "add_example":
            target = Target(str(data["intent"]), data.get("answer"))
            example = str(data["text"])
            directory = self.directory
            written = await self.editor.apply(
                target.filename,
                lambda fresh: remove_example(fresh, target, example),
                validate=lambda new: _validate(directory, target.filename, new),
            )
            await self._reload(written.path, lambda: add_example(written.after, target, example))
        elif change.action == "add_answer":
            intent, answer_id = str(data["intent"]), str(data["answer"])
            directory = self.directory
            entry = {
                "id": answer_id,
                "examples": list(data["phrasings"]),
                "short": data["short"],
                "facts": list(data["facts"]),
                "lenders": list(data["lenders"]),
            }
            written = await self.editor.apply(
                f"{intent}.yaml",
                lambda fresh: remove_answer(fresh, intent, answer_id),
                validate=lambda new: _validate(directory, f"{intent}.yaml", new),
            )
            await self._reload(written.path, lambda: add_answer(written.after, intent, entry))
        undo_data = {
            key: data.get(key) for key in ("file", "intent", "answer", "text", "group")
        } | {"undone_action": change.action}
        undo, _ = await self.records.undo_once(who, change_id, undo_data)
        if undo is None:  # another undo won the race (the file edit above then failed)
            raise EditError(f"修改 {change_id} 已经撤销过了")
        if group:
            await self.records.decide(
                who,
                str(data.get("previous_state") or "open"),
                str(group["signature"]),
                group["keys"],
                undo.id,
                data.get("previous_detail"),
            )
        log.info("console: %s undid change %d (%s)", who, change_id, change.action)
        return undo

    async def _check_group_unchanged(self, change: Change) -> None:
        """Refuse to undo a decision about a group that was decided on again since."""
        group = change.data.get("group")
        if not group or change.action == "add_example":
            return
        keys = set(group["keys"])
        later = [
            d
            for d in await self.records.decisions()
            if keys & set(d.keys) and d.change is not None and d.change > change.id
        ]
        if later:
            raise EditError("这组消息之后又被处理过，请先撤销之后的那次修改")
