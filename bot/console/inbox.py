"""The console's inbox: the messages the bot could not answer, or answered with low confidence,
grouped by similarity (bot/operations/grouping.py), each group with the bot's guesses and the
counsellors' decision about it (open, off-topic, dismissed, taught).

A group's decision is found by its keys (see bot/console/audit.py): the newest decision whose
keys the group shares, or resembles as closely as two messages of one group do, applies. So a
dismissed group stays dismissed when new messages join it, and a new message like those of an
off-topic group is off-topic too. A taught group is open again when new messages join it
after the teaching: the bot still does not answer them well, so it needs more examples.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from bot.console.audit import Change, ConsoleRecords, Decision
from bot.content import Content
from bot.engine import Engine
from bot.operations.grouping import Grouper, MessageGroup, group_records
from bot.storage.turns.base import TurnRecord

#: How many member texts a group shows.
MEMBERS_SHOWN = 20
#: A direct answer is among a group's guesses when the selector gives it at least this.
DIRECT_GUESS_FLOOR = 0.1
#: The longest label of a direct answer in the lists (its short answer, cut).
ANSWER_LABEL_CHARS = 40


@dataclass(frozen=True)
class Guess:
    """One of the bot's guesses for a group: an intent, or a direct answer under one."""

    kind: str  # "intent" | "answer"
    id: str
    intent: str
    label: str
    score: float

    def to_json(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "kind": self.kind,
            "id": self.id,
            "intent": self.intent,
            "label": self.label,
            "score": round(self.score, 3),
        }


@dataclass
class InboxGroup:
    """A group of similar messages as the inbox shows it."""

    group: MessageGroup
    state: str = "open"
    decision: Decision | None = None
    guesses: list[Guess] = field(default_factory=list)

    @property
    def signature(self) -> str:
        """The group's id in requests."""
        return self.group.signature

    def to_json(self) -> dict[str, Any]:
        """JSON-ready, for the console (texts are masked: they were stored masked)."""
        g = self.group
        return {
            "signature": g.signature,
            "state": self.state,
            "decided": None
            if self.decision is None
            else {
                "state": self.decision.state,
                "who": self.decision.who,
                "at": self.decision.at,
                "detail": self.decision.detail,
                "change": self.decision.change,
            },
            "count": g.count,
            "fallback": g.fallback,
            "clarify": g.clarify,
            "low_confidence": g.low_confidence,
            "representative": g.representative,
            "members": [{"text": t, "count": c} for t, c in g.members(MEMBERS_SHOWN)],
            "distinct": len(g.texts),
            "first_seen": g.first_seen,
            "last_seen": g.last_seen,
            "guesses": [guess.to_json() for guess in self.guesses],
        }


def answer_label(content: Content, answer_id: str) -> str:
    """A direct answer's label for people: its short answer, cut."""
    _, answer = content.answer(answer_id)
    short = " ".join(answer.short.split())
    return short if len(short) <= ANSWER_LABEL_CHARS else short[: ANSWER_LABEL_CHARS - 1] + "…"


def catalogue(content: Content) -> dict[str, Any]:
    """Every intent and direct answer a message can be taught to (for the full lists)."""
    return {
        "version": content.version,
        "intents": [{"id": spec.id, "title": spec.title} for spec in content.intents],
        "answers": [
            {"id": answer.id, "intent": spec.id, "label": answer_label(content, answer.id)}
            for spec in content.intents
            for answer in spec.answers
        ],
    }


def apply_decisions(groups: list[InboxGroup], decisions: list[Decision], grouper: Grouper) -> None:
    """Give each group the newest decision it shares a key with or resembles. A taught group
    that got new messages since (the bot still did not answer them well) is open again."""
    if not decisions:
        return
    newest: dict[str, Decision] = {}
    for decision in decisions:  # oldest first: the newest per key wins
        for key in decision.keys:
            newest[key] = decision
    found: list[list[Decision]] = [
        [newest[key] for key in g.group.keys if key in newest] for g in groups
    ]
    group_keys = [(index, key) for index, g in enumerate(groups) for key in sorted(g.group.keys)]
    decided_keys = sorted(newest)
    for i, j in grouper.similar_pairs([key for _, key in group_keys], decided_keys):
        found[group_keys[i][0]].append(newest[decided_keys[j]])
    for g, candidates in zip(groups, found, strict=True):
        if candidates:
            g.decision = max(candidates, key=lambda d: d.id)
            g.state = g.decision.state
            if g.state == "taught" and g.group.last_seen > g.decision.at:
                g.state = "open"  # asked again since it was taught and still not answered well


class Inbox:
    """Builds the inbox from the engine's turn log and records the decisions about it."""

    def __init__(self, engine: Engine, records: ConsoleRecords) -> None:
        self.engine = engine
        self.records = records

    def grouper(self) -> Grouper:
        """A grouper reading texts as the live bot does (its normaliser and tokenizer)."""
        classifier = self.engine.understanding.classifier
        return Grouper(classifier.normalizer, classifier.segmenter.cut)

    async def turns(self, since: float = 0.0) -> list[TurnRecord]:
        """The turn records that kept a text for review (after writing those still pending;
        not the texts kept for the safety view alone)."""
        recorder = self.engine.insights
        if recorder.log is None:
            return []
        await recorder.flush()
        return [t for t in await recorder.log.query(since) if t.reviewable]

    async def groups(
        self, since: float = 0.0, states: tuple[str, ...] | None = None, *, guesses: bool = True
    ) -> tuple[list[InboxGroup], int]:
        """The groups (largest first) with their states and (unless ``guesses`` is false)
        guesses, only those in ``states`` when given; and how many records were left out of
        the grouping."""
        records = await self.turns(since)
        if not records:  # nothing to decide about (and the database need not be opened)
            return [], 0
        decisions = await self.records.decisions()
        understanding = self.engine.understanding
        grouper = self.grouper()

        def build() -> tuple[list[InboxGroup], int]:
            grouping = group_records(records, grouper)
            groups = [InboxGroup(group) for group in grouping.groups]
            apply_decisions(groups, decisions, grouper)
            shown = [g for g in groups if states is None or g.state in states]
            content = understanding.content
            for g in shown if guesses else ():
                g.guesses = _guesses(g.group, content)
                direct = understanding.reader.read(g.group.representative).direct
                if direct is not None and direct.score >= DIRECT_GUESS_FLOOR:
                    g.guesses.append(
                        Guess(
                            "answer",
                            direct.answer,
                            direct.intent,
                            answer_label(content, direct.answer),
                            direct.score,
                        ),
                    )
            return shown, grouping.left_out

        return await asyncio.to_thread(build)

    async def find(self, signature: str, text: str | None = None) -> InboxGroup:
        """The group with ``signature`` or, when the inbox changed meanwhile, the group that
        now holds ``text``. LookupError when neither is found."""
        groups, _ = await self.groups(guesses=False)
        for g in groups:
            if g.signature == signature:
                return g
        if text:
            for g in groups:
                if text in g.group.texts:
                    return g
        raise LookupError(signature)

    async def decide(
        self,
        who: str,
        state: str,
        signature: str,
        text: str | None = None,
    ) -> Change:
        """Mark a group off-topic or dismissed (audited; :meth:`Teacher.undo` undoes it)."""
        action = {"off_topic": "off_topic", "dismissed": "dismiss"}[state]
        group = await self.find(signature, text)
        change = await self.records.record(
            who,
            action,
            {
                "group": group_ref(group),
                "previous_state": group.state,
                "previous_detail": group.decision.detail if group.decision else None,
            },
        )
        await self.records.decide(who, state, group.signature, group.group.keys, change.id)
        return change


def group_ref(group: InboxGroup) -> dict[str, Any]:
    """What a change keeps of the group it came from."""
    return {
        "signature": group.signature,
        "representative": group.group.representative,
        "authors": sorted(group.group.authors.get(group.group.representative, ())),
        "count": group.group.count,
        "keys": sorted(group.group.keys),
        "at": time.time(),
    }


def _guesses(group: MessageGroup, content: Content) -> list[Guess]:
    out = []
    for intent, score in group.guesses():
        try:
            title = content.intent(intent).title
        except KeyError:
            continue  # an intent since removed
        out.append(Guess("intent", intent, intent, title, score))
    return out
