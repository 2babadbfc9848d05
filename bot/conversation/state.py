"""What a conversation remembers between messages: the :class:`Session` and its pending
question.

Sessions are plain data with a JSON round-trip (:meth:`Session.to_json` /
:meth:`Session.from_json`): every store keeps the same JSON text, the in-memory store
included, so a value that cannot be written as JSON fails in every test, not only on SQLite
or Redis.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.understanding.details import Details


class PendingKind(StrEnum):
    """What kind of question the bot is waiting for an answer to."""

    FOLLOW_UP = "follow_up"  # one of a topic's follow-up questions
    CLARIFY = "clarify"  # which of a few close topics was meant
    MENU = "menu"  # a topic from the menu, by number


@dataclass
class Pending:
    """A question the bot asked and is waiting for an answer to.

    ``FOLLOW_UP``: follow-up ``follow_up`` of ``intent``; ``CLARIFY`` and ``MENU``: one of
    the intents in ``choices``.
    """

    kind: PendingKind
    intent: str | None = None
    follow_up: str | None = None
    choices: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "kind": self.kind.value,
            "intent": self.intent,
            "follow_up": self.follow_up,
            "choices": list(self.choices),
        }

    @classmethod
    def from_json(cls, raw: object) -> Pending | None:
        """Rebuild a pending question; None when ``raw`` is not one."""
        if not isinstance(raw, dict):
            return None
        try:
            kind = PendingKind(str(raw.get("kind")))
        except ValueError:
            return None
        choices = raw.get("choices")
        return cls(
            kind=kind,
            intent=_str_or_none(raw.get("intent")),
            follow_up=_str_or_none(raw.get("follow_up")),
            choices=[c for c in choices if isinstance(c, str)] if isinstance(choices, list) else [],
        )


@dataclass(frozen=True)
class Paper:
    """What the last photo of a paper showed, kept so follow-ups about it are answered ("这封信
    是真的吗", "每月还多少合适"): its kind (bot/photo/document.py ``DocKind``), the lender and
    the amount it names, the deadline, whether it asks to pay a person, and the codes of what
    the check found (bot/photo/checks.py)."""

    kind: str
    lender: str | None = None
    amount: float | None = None
    deadline: str | None = None
    pay_person: bool = False
    findings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "kind": self.kind,
            "lender": self.lender,
            "amount": self.amount,
            "deadline": self.deadline,
            "pay_person": self.pay_person,
            "findings": list(self.findings),
        }

    @classmethod
    def from_json(cls, raw: object) -> Paper | None:
        """Rebuild a paper; None when ``raw`` is not one (sessions before papers were kept)."""
        if not isinstance(raw, dict) or not isinstance(raw.get("kind"), str):
            return None
        amount = raw.get("amount")
        return cls(
            kind=raw["kind"],
            lender=_str_or_none(raw.get("lender")),
            amount=float(amount)
            if isinstance(amount, int | float) and not isinstance(amount, bool)
            else None,
            deadline=_str_or_none(raw.get("deadline")),
            pay_person=raw.get("pay_person") is True,
            findings=tuple(_strings(raw.get("findings"))),
        )


@dataclass
class Session:
    """What the bot remembers of one conversation."""

    key: str
    user: str = ""  # the person (SessionKey.user): "删除我的记录" deletes by it
    active_intent: str | None = None
    pending: Pending | None = None
    details: Details = field(default_factory=Details)
    asked: list[str] = field(default_factory=list)  # follow-up ids asked on the active intent
    last_seen: float = field(default_factory=time.time)
    last_non_text_note: float = 0.0
    turns: int = 0
    #: the crisis in progress ("threat" or "despair", see conversation/crisis.py), if any
    crisis: str | None = None
    #: ids of the blocks already sent (never sent twice word for word), newest last
    sent: list[str] = field(default_factory=list)
    #: one-time notices already given ("pii": retract a number posted in a group; "helper")
    noticed: list[str] = field(default_factory=list)
    #: the direct answer just given (its id), so that 详细 expands it
    last_answer: str | None = None
    #: the topics of the counsellor's case just briefed: 详细 gives their full answers
    case: list[str] = field(default_factory=list)
    #: the kind of danger the bot asked about in its last reply (the possible tier's
    #: question, "violence" or "self_harm"): a yes to it is clear danger
    safety_check: str | None = None
    #: how the crisis in progress was decided ("sign": words of danger; "model": a
    #: likelihood alone): a crisis on a likelihood alone ends at the first calm question
    crisis_basis: str | None = None
    #: what the last photo of a paper showed (follow-ups about the letter are answered)
    paper: Paper | None = None
    #: the person's own clauses, masked, newest last (bot/conversation/told.py): asked back
    #: what no detail holds ("我刚才说有几张卡来着"), the clause is quoted; private chats only
    told: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        """The session as JSON text (what every store keeps)."""
        return json.dumps(
            {
                "key": self.key,
                "user": self.user,
                "active_intent": self.active_intent,
                "pending": None if self.pending is None else self.pending.to_json(),
                "details": self.details.to_json(),
                "asked": self.asked,
                "last_seen": self.last_seen,
                "last_non_text_note": self.last_non_text_note,
                "turns": self.turns,
                "crisis": self.crisis,
                "sent": self.sent,
                "noticed": self.noticed,
                "last_answer": self.last_answer,
                "case": self.case,
                "safety_check": self.safety_check,
                "crisis_basis": self.crisis_basis,
                "paper": None if self.paper is None else self.paper.to_json(),
                "told": self.told,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, data: str | bytes) -> Session:
        """Rebuild a session from :meth:`to_json` text; unknown fields (from newer versions)
        are ignored. Raises ValueError when ``data`` is not a session."""
        raw = json.loads(data)
        if not isinstance(raw, dict) or not isinstance(raw.get("key"), str):
            raise ValueError("not a session")
        asked = raw.get("asked")
        return cls(
            key=raw["key"],
            user=raw["user"] if isinstance(raw.get("user"), str) else "",
            active_intent=_str_or_none(raw.get("active_intent")),
            pending=Pending.from_json(raw.get("pending")),
            details=Details.from_json(raw.get("details")),
            asked=_strings(asked),
            last_seen=_number(raw.get("last_seen"), time.time()),
            last_non_text_note=_number(raw.get("last_non_text_note"), 0.0),
            turns=int(_number(raw.get("turns"), 0)),
            crisis=_str_or_none(raw.get("crisis")),
            sent=_strings(raw.get("sent")),
            noticed=_strings(raw.get("noticed")),
            last_answer=_str_or_none(raw.get("last_answer")),
            case=_strings(raw.get("case")),
            safety_check=_str_or_none(raw.get("safety_check")),
            crisis_basis=_str_or_none(raw.get("crisis_basis")),
            paper=Paper.from_json(raw.get("paper")),
            told=_strings(raw.get("told")),
        )

    def reset(self) -> None:
        """Forget the topic, the pending question, the details and the crisis."""
        self.active_intent = None
        self.pending = None
        self.details = Details()
        self.asked = []
        self.last_answer = None
        self.crisis = None
        self.crisis_basis = None
        self.safety_check = None
        self.sent = []
        self.paper = None
        self.told = []


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object, default: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return default
