"""What one turn of the conversation works on, and what a policy hands back.

- :class:`TurnContext`: one message's reading (urgency applied), what it found, the details
  before it, the session as it stands, the room (private or group), the speaker and the
  configuration, with the reads several policies share (the news a message brings).
- :class:`Draft`: the session as one policy sees it while it decides. Reads fall through to
  the session; every write is recorded as a change (:class:`Set`, :class:`Append`,
  :class:`Reset`) instead of being made. A policy that declines leaves nothing behind.
- :class:`Decision` (the replies and the changes, as data) or :class:`Decline` (the reason):
  what a policy returns. Only the loop in :mod:`bot.conversation.dialogue` applies a
  decision's changes to the session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.config import Config
from bot.content import SYSTEM_INTENTS
from bot.conversation.state import Paper, Pending, Session
from bot.understanding.cues import Cues, once
from bot.understanding.details import Details
from bot.understanding.reader import Understood

if TYPE_CHECKING:
    from bot.conversation.actions import Actions
    from bot.conversation.crisis import CrisisKind
    from bot.conversation.policies.urgency import Urgency


def block_id(text: str) -> str:
    """A short id of a reply block (what ``Session.sent`` remembers, never the text)."""
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=6).hexdigest()


@dataclass
class Turn:
    """The replies being put together for one message."""

    replies: list[str] = field(default_factory=list)
    intent: str | None = None
    choices: list[str] = field(default_factory=list)
    #: the person asked for this content again (详细, 菜单, 再说一遍): repeats are allowed
    repeat_ok: bool = False
    #: replies that may repeat even so (a direct answer to a question asked again)
    repeatable: set[str] = field(default_factory=set)
    #: the message answered, without spaces and punctuation (to point back to a step)
    said: str = ""
    #: the message's cues (whether it asks about the whole matter, "…怎么办", is read only
    #: when a step sent before would be pointed to)
    cues: Cues | None = None

    @property
    def whole_question(self) -> bool:
        """The message asks what to do about the whole matter, not about one step."""
        return self.cues is not None and self.cues.whole_question

    #: the direct answer given just before this message, if any
    previous_answer: str | None = None
    #: the urgency decision for this message
    urgency: Urgency | None = None
    #: the reply goes to a group (no detail the person told is said back there)
    in_group: bool = False
    #: each policy asked and its outcome, in order (``dialogue.explain`` makes it lines for
    #: ``chat --explain`` and the API's debug flag)
    trace: list[tuple[str, Decision | Decline]] = field(default_factory=list)

    def add(self, text: str) -> None:
        """Append a reply (empty texts are skipped)."""
        if text and text.strip():
            self.replies.append(text.strip())


# -- changes to the session, as data --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Set:
    """A field of the session takes a value."""

    field: str
    value: Any

    def apply(self, session: Session) -> None:
        """Make the change."""
        value = list(self.value) if isinstance(self.value, list | tuple) else self.value
        setattr(session, self.field, value)

    def __str__(self) -> str:
        return f"{self.field}={_shown(self.value)}"


@dataclass(frozen=True, slots=True)
class Append:
    """A name is added to one of the session's lists (``asked``, ``noticed``)."""

    field: str
    value: str

    def apply(self, session: Session) -> None:
        """Make the change."""
        getattr(session, self.field).append(self.value)

    def __str__(self) -> str:
        return f"{self.field}+={self.value}"


@dataclass(frozen=True, slots=True)
class Reset:
    """The topic, the pending question, the details and the crisis are forgotten."""

    def apply(self, session: Session) -> None:
        """Make the change."""
        session.reset()

    def __str__(self) -> str:
        return "reset"


Change = Set | Append | Reset


def _shown(value: object) -> str:
    if isinstance(value, Pending):
        parts = [value.kind.value, value.intent or "", value.follow_up or ""]
        return ":".join(p for p in parts if p) + (f"{value.choices}" if value.choices else "")
    if isinstance(value, Details):
        return "{" + ",".join(sorted(value.as_dict())) + "}"
    return repr(value)


#: the session's fields a policy may set through its :class:`Draft`
_SETTABLE = frozenset(
    {
        "active_intent",
        "pending",
        "details",
        "crisis",
        "crisis_basis",
        "safety_check",
        "last_answer",
        "paper",
    }
)


class Draft:
    """The session as one policy sees it while it decides: its fields are read as they stand
    (plain attributes, copied once), a write is recorded as a change (and seen by the
    policy's own later reads); the session itself is never written here."""

    __slots__ = (
        "_session",
        "_values",
        "active_intent",
        "changes",
        "crisis",
        "crisis_basis",
        "details",
        "last_answer",
        "paper",
        "pending",
        "safety_check",
    )

    _session: Session
    _values: dict[str, Any]
    changes: list[Change]
    active_intent: str | None
    pending: Pending | None
    details: Details
    crisis: str | None
    crisis_basis: str | None
    safety_check: str | None
    last_answer: str | None
    paper: Paper | None

    def __init__(self, session: Session) -> None:
        put = object.__setattr__
        put(self, "_session", session)
        put(self, "_values", {})
        put(self, "changes", [])
        put(self, "active_intent", session.active_intent)
        put(self, "pending", session.pending)
        put(self, "details", session.details)
        put(self, "crisis", session.crisis)
        put(self, "crisis_basis", session.crisis_basis)
        put(self, "safety_check", session.safety_check)
        put(self, "last_answer", session.last_answer)
        put(self, "paper", session.paper)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _SETTABLE:
            raise AttributeError(f"a policy does not set {name!r} of the session")
        object.__setattr__(self, name, value)
        self.changes.append(Set(name, value))

    @property
    def asked(self) -> Sequence[str]:
        """The follow-up ids asked on the active topic."""
        asked: Sequence[str] = self._values.get("asked", self._session.asked)
        return asked

    @property
    def noticed(self) -> Sequence[str]:
        """The one-time notices already given."""
        noticed: Sequence[str] = self._values.get("noticed", self._session.noticed)
        return noticed

    @property
    def sent(self) -> Sequence[str]:
        """The ids of the blocks already sent."""
        sent: Sequence[str] = self._values.get("sent", self._session.sent)
        return sent

    def ask(self, follow_up: str) -> None:
        """Remember that ``follow_up`` was asked (or answered) on the active topic."""
        self._values["asked"] = [*self.asked, follow_up]
        self.changes.append(Append("asked", follow_up))

    def forget_asked(self) -> None:
        """A new topic: none of its follow-ups asked yet."""
        self._values["asked"] = []
        self.changes.append(Set("asked", ()))

    def notice(self, name: str) -> None:
        """Remember that the one-time notice ``name`` was given."""
        self._values["noticed"] = [*self.noticed, name]
        self.changes.append(Append("noticed", name))

    def forget_notice(self, name: str) -> None:
        """Forget the one-time notice ``name`` (it may be given again)."""
        if name in self.noticed:
            kept = [n for n in self.noticed if n != name]
            self._values["noticed"] = kept
            self.changes.append(Set("noticed", kept))

    def reset(self) -> None:
        """Forget the topic, the pending question, the details and the crisis."""
        fresh = Session(key=self._session.key)
        for name in _SETTABLE:
            object.__setattr__(self, name, getattr(fresh, name))
        self._values["asked"] = []
        self._values["sent"] = []
        self.changes.append(Reset())

    def decision(self, turn: Turn, why: str = "") -> Decision:
        """The decision: ``turn``'s replies and the changes recorded here."""
        return Decision(turn, tuple(self.changes), why)


@dataclass(frozen=True, slots=True)
class Decision:
    """A policy's answer: the replies (with the intent and choices) and the session changes."""

    turn: Turn
    changes: tuple[Change, ...] = ()
    #: why it answers, with the scores it used (for the trace)
    why: str = ""
    #: possible danger: these lines come first and the next policies answer the rest
    lead: bool = False


class Decline:
    """A policy does not apply to this message; :attr:`reason` says why (for the trace).

    A plain class, and the reason may be given as a function that writes it: most policies
    decline on every message, and the reason is read only when a trace is asked for."""

    __slots__ = ("_reason",)

    def __init__(self, reason: str | Callable[[], str]) -> None:
        self._reason = reason

    @property
    def reason(self) -> str:
        """Why the policy declined, with the scores it used."""
        reason = self._reason
        return reason if isinstance(reason, str) else reason()

    def __repr__(self) -> str:
        return f"Decline({self.reason!r})"


@dataclass(frozen=True, slots=True)
class Policy:
    """One decision's home: a name and the function that decides or declines."""

    name: str
    decide: Callable[[TurnContext, Draft], Decision | Decline]


@dataclass(frozen=True)
class News:
    """What a message newly tells about the situation, as advice lines, and whether it
    starts the threat crisis (the police were called or came). ``visit_line`` is the news
    of the police in one line, for a message that asks about something else too (the
    answer follows it); ``others`` are the other lines (money handed over, a paper, let in,
    the visitors gone)."""

    lines: tuple[str, ...] = ()
    starts_threat: bool = False
    visit_line: str | None = None
    others: tuple[str, ...] = ()
    #: a visit or call in the quiet hours: the rule, before whatever answers the message
    night_line: str | None = None

    def leading(self, answer: str, *, in_a_visit: bool) -> list[str]:
        """The lines that go before an answer to another point: the police in one line while
        a visit is being talked about, the quiet hours — each unless the answer speaks of
        them itself ("报了警 民警说欠钱的事他们管不了" is answered about the police)."""
        about_police = any(word in answer for word in ("警察", "民警", "出警", "报警"))
        lines = [self.visit_line] if self.visit_line and in_a_visit and not about_police else []
        if self.night_line and "22:00" not in answer:
            lines.append(self.night_line)
        return lines

    def __bool__(self) -> bool:
        return bool(self.lines)


@dataclass
class TurnContext:
    """Everything one message's decisions read; the session is read here and never written
    (policies write to their :class:`Draft`)."""

    understood: Understood
    #: the details this message states, and those known before it
    found: Details
    before: Details
    session: Session
    config: Config
    actions: Actions
    urgency: Urgency
    #: the crisis in progress when the message came (after a false alarm was dropped)
    crisis: CrisisKind | None
    #: the question the bot was waiting for an answer to
    pending: Pending | None
    #: the direct answer given just before this message, if any
    previous_answer: str | None
    #: the room: a group chat (short replies, no personal details) or a private one
    in_group: bool = False
    #: a counsellor speaks (a listed counsellor, or a case forwarded in this conversation)
    counsellor: bool = False
    #: the message is written in English (read on the text as written: the normalised text
    #: has English phrases glossed in Chinese)
    english: bool = False
    #: the message as written (before normalising)
    written: str = ""
    #: the possible tier's question asked last turn ("self_harm" / "violence"), if any: the
    #: numbers were just given ("打了12356 没打通" is about them)
    safety_asked: str | None = None

    @property
    def speaker(self) -> str:
        """Who speaks: "counsellor", "staff" (bank staff or a collector), "helper" (for a
        relative) or "debtor"."""
        if self.counsellor:
            return "counsellor"
        return self.session.details.role or "debtor"

    @property
    def talking(self) -> bool:
        """A topic is being talked about (inside it, "他们让我先还两千 可以吗" needs no domain
        word to be in the domain)."""
        active = self.session.active_intent
        return active in self.actions.specs and active not in SYSTEM_INTENTS

    @property
    def visitors_left(self) -> bool:
        """The message tells that the visitors left (see :func:`actions.visitors_left_now`):
        that news and its aftermath answer it (the news policy's)."""
        from bot.conversation.actions import visitors_left_now

        return visitors_left_now(self.found, self.before, self.session.active_intent)

    @property
    def corrects_a_figure(self) -> bool:
        """ "不对 中信是1.2万", "金额也说错了 是6万不是5万": a figure told before, corrected, and
        nothing asked: the correction is heard (the figures' policies), never a question
        guessed from its words."""
        cues, found, before = self.understood.cues, self.found, self.before
        if cues.asked or not cues.correcting:
            return False
        return (found.amount is not None and before.amount is not None) or bool(
            found.debts and before.debts
        )

    def turn(self) -> Turn:
        """A new, empty reply for this message."""
        cues = self.understood.cues
        return Turn(
            said=cues.compact,
            previous_answer=self.previous_answer,
            cues=cues,
            in_group=self.in_group,
        )

    @once
    def acting_news(self) -> bool:
        """The message newly tells of a paper to sign, money handed over, or that a visit
        announced for later is happening now."""
        return acting_news(self.found, self.before)

    @once
    def echoes_previous_answer(self) -> bool:
        """A question repeating a figure the answer just given stated ("还清了也是5年吗" after
        "the record stays 5 years"): it is about that answer, which the in-topic policy says
        again — no other answer or topic block reads it as a new question."""
        from bot.conversation.actions import echoes_a_figure
        from bot.understanding.short_answers import compact

        previous = self.previous_answer
        if previous is None or not self.understood.cues.asked:
            return False
        try:
            _spec, answer = self.actions.content.answer(previous)
        except KeyError:
            return False
        return echoes_a_figure(self.understood.cues.compact, compact(answer.short))

    @once
    def news(self) -> News:
        """Specific advice for what just became known (see :meth:`Actions.news`)."""
        return self.actions.news(
            self.found, self.before, self.session, after_answer=self.previous_answer
        )


def acting_news(found: Details, before: Details) -> bool:
    """True when ``found`` newly tells (against ``before``) of a paper to sign, money handed
    over, or that a visit announced for later is happening now."""
    return (
        (found.present is True and before.present is False)
        or (found.paid is not None and before.paid is None)
        or (bool(found.signed) and not before.signed)
        or (found.document is not None and found.document != before.document)
    )
