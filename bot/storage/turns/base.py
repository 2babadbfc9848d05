"""The turn record and the interface every turn log implements.

A turn log keeps at most ``max_records`` records and none older than ``retention_seconds``:
:meth:`TurnLog.query` never returns more or older ones, and each backend deletes them as it
goes. Records are plain data (JSON-serialisable) so every backend keeps them the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.messages import Outcome, RankedIntent
from bot.privacy import mask, mask_prefix

#: Answers that mean the bot did not know: the polite fallback and the clarifying question.
UNANSWERED_INTENTS = frozenset({"fallback", "clarify"})
#: Answers that are no topic of the content (the menu, 重新开始, 删除我的记录, errors …): their
#: text is never kept, whatever the confidence.
NOT_TOPICS = frozenset(outcome.value for outcome in Outcome) - UNANSWERED_INTENTS | {"none"}
#: Small talk is answered well enough at any confidence ("hi", "3q"): its text is not kept.
SMALL_TALK = frozenset({"greeting", "thanks"})
#: How much of a kept message is kept (after masking).
MAX_TEXT_CHARS = 500
#: A topic less likely than this is no guess worth showing (a calibrated model gives most
#: topics almost nothing).
MIN_GUESS = 0.01
#: How many guesses are kept with an unanswered message.
GUESSES = 3
#: The urgency tiers a counsellor on duty reviews (bot/conversation/policies/urgency.py):
#: their records keep the tier, kind, rule, masked text and masked conversation.
DANGER_TIERS = ("clear", "possible")
#: Of each part of a conversation id after the platform, this many characters are shown at
#: the start and at the end (the rest is starred) in the safety view.
ID_SHOWN = 2


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """One handled text message: when, on which platform, and the intent answered.

    ``text`` (masked) and ``guesses`` (the likeliest topics with their scores) are kept only
    for the messages a counsellor may want to review (the console's inbox, the report):
    unanswered ones, and those answered with a confidence below the configured
    ``insights.low_confidence_below`` (see :meth:`of_turn`); any other turn carries no text.
    ``user`` is set on the records that keep text, so "删除我的记录" can find them: the
    person's id while the record waits to be written, and once stored only a salted hash of
    it (:func:`user_tag`; the salt is per installation, kept beside the records), never the
    id itself.
    ``urgent`` says the answer was urgent advice (clear danger). Records written before the
    field existed read back as not urgent.

    Clear- and possible-danger turns (``tier`` ``clear`` | ``possible``) are what the
    counsellor on duty reviews in the console's safety view: their records also keep the
    urgency's ``kind`` and deciding ``rule``, the conversation (:func:`masked_conversation`),
    a random ``ref`` to mark them by, and the masked text, even where the text would not be
    kept otherwise (``keep_text`` off, an answered message); ``safety_only`` then says the
    text is there for the safety view only (never the inbox or the report). Calm turns have
    ``tier`` "" and none of these. Records written before these fields read back as calm.
    """

    at: float
    intent: str
    platform: str = ""
    confidence: float = 0.0
    text: str | None = None
    guesses: tuple[RankedIntent, ...] = ()
    user: str = ""
    urgent: bool = False
    tier: str = ""
    kind: str = ""
    rule: str = ""
    conversation: str = ""
    ref: str = ""
    safety_only: bool = False

    @property
    def unanswered(self) -> bool:
        """True for the fallback and the clarifying question."""
        return self.intent in UNANSWERED_INTENTS

    @property
    def low_confidence(self) -> bool:
        """True for a topic answered with too little confidence that kept its text."""
        return self.text is not None and not self.unanswered and not self.safety_only

    @property
    def reviewable(self) -> bool:
        """True when the text is kept for the inbox and the report (not the safety view
        alone)."""
        return self.text is not None and not self.safety_only

    @property
    def danger(self) -> bool:
        """True for a clear- or possible-danger turn (the safety view's)."""
        return self.tier in DANGER_TIERS

    @classmethod
    def of_turn(
        cls,
        *,
        intent: str,
        platform: str,
        confidence: float,
        text: str,
        ranking: Sequence[RankedIntent],
        at: float | None = None,
        keep_text: bool = True,
        user: str = "",
        low_confidence_below: float = 0.0,
        urgent: bool = False,
        tier: str = "",
        kind: str = "",
        rule: str = "",
        conversation: str = "",
    ) -> TurnRecord:
        """The record of one answered message. The text is masked and kept (when
        ``keep_text`` allows it) for a message that went unanswered, and for one answered
        with the topic the classifier ranked first but with a confidence below
        ``low_confidence_below`` (0: never). Urgent turns, answers given from the
        conversation's context (the ranking's first topic is another one), photos (no
        ranking), small talk, and the menu, 重新开始 and the like never keep their text for
        the inbox. A clear- or possible-danger turn (``tier``) always keeps its masked text,
        ``kind``, ``rule`` and masked ``conversation`` for the safety view."""
        record = cls._of_turn(
            intent=intent,
            platform=platform,
            confidence=confidence,
            text=text,
            ranking=ranking,
            at=at,
            keep_text=keep_text,
            user=user,
            low_confidence_below=low_confidence_below,
            urgent=urgent,
        )
        if tier not in DANGER_TIERS:
            return record
        kept = record.text
        if kept is None:
            kept = mask_prefix(text, MAX_TEXT_CHARS)
        return replace(
            record,
            text=kept,
            user=user,
            tier=tier,
            kind=kind,
            rule=rule,
            conversation=masked_conversation(conversation),
            ref=secrets.token_hex(8),
            safety_only=record.text is None,
        )

    @classmethod
    def _of_turn(
        cls,
        *,
        intent: str,
        platform: str,
        confidence: float,
        text: str,
        ranking: Sequence[RankedIntent],
        at: float | None,
        keep_text: bool,
        user: str,
        low_confidence_below: float,
        urgent: bool,
    ) -> TurnRecord:
        """The record as the inbox and the report want it (see :meth:`of_turn`)."""
        at = time.time() if at is None else at
        low = (
            intent not in UNANSWERED_INTENTS
            and intent not in NOT_TOPICS
            and intent not in SMALL_TALK
            and not urgent
            and confidence < low_confidence_below
            and bool(ranking)
            and ranking[0].intent == intent
        )
        if intent not in UNANSWERED_INTENTS and not low:
            return cls(
                at=at, intent=intent, platform=platform, confidence=confidence, urgent=urgent
            )
        # Mask past the cut before cutting, so a cut never leaves half a number unmasked (and
        # a 20,000-character text costs no more than a short one).
        kept = mask_prefix(text, MAX_TEXT_CHARS) if keep_text else None
        guesses = tuple(
            RankedIntent(r.intent, round(float(r.score), 4))
            for r in ranking
            if r.intent != "fallback" and r.score >= MIN_GUESS
        )[:GUESSES]
        return cls(
            at=at,
            intent=intent,
            platform=platform,
            confidence=confidence,
            text=kept,
            guesses=guesses,
            user=user if kept is not None else "",
            urgent=urgent,
        )

    def to_json(self) -> str:
        """Serialise for a store (short keys: there may be many records)."""
        data: dict[str, object] = {
            "at": self.at,
            "i": self.intent,
            "p": self.platform,
            "c": round(self.confidence, 4),
        }
        if self.text is not None:
            data["t"] = self.text
        if self.guesses:
            data["g"] = [[g.intent, g.score] for g in self.guesses]
        if self.user:
            data["u"] = self.user
        if self.urgent:
            data["x"] = 1
        if self.tier:
            data["d"] = {
                "tier": self.tier,
                "kind": self.kind,
                "rule": self.rule,
                "conv": self.conversation,
                "ref": self.ref,
            }
        if self.safety_only:
            data["so"] = 1
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str | bytes) -> TurnRecord:
        """Rebuild a record a store kept (raises ValueError, KeyError or TypeError if broken)."""
        raw = json.loads(data)
        text = raw.get("t")
        danger = raw.get("d") or {}
        return cls(
            at=float(raw["at"]),
            intent=str(raw["i"]),
            platform=str(raw.get("p", "")),
            confidence=float(raw.get("c", 0.0)),
            text=None if text is None else str(text),
            guesses=tuple(RankedIntent(str(i), float(s)) for i, s in raw.get("g", [])),
            user=str(raw.get("u", "")),
            urgent=bool(raw.get("x", 0)),
            tier=str(danger.get("tier", "")),
            kind=str(danger.get("kind", "")),
            rule=str(danger.get("rule", "")),
            conversation=str(danger.get("conv", "")),
            ref=str(danger.get("ref", "")),
            safety_only=bool(raw.get("so", 0)),
        )

    def forgotten(self) -> TurnRecord:
        """This record after "删除我的记录": no text, guesses, person or conversation; the
        counts (intent, tier, kind, rule) stay, anonymous."""
        return replace(self, text=None, guesses=(), user="", conversation="", safety_only=False)


def masked_conversation(conversation: str) -> str:
    """A conversation id for the safety view: masked (:func:`~bot.privacy.mask`), and of each
    id after the platform and the kind (u / g) only the first and last :data:`ID_SHOWN`
    characters shown (a short id only its first): enough to tell one conversation from
    another at a glance, not to find the person ("wechat:u:al****34")."""
    if not conversation:
        return ""
    parts = mask(conversation).split(":")
    keep = 2 if len(parts) > 2 else 1
    return ":".join([*parts[:keep], *(_shorten(part) for part in parts[keep:])])


def _shorten(part: str) -> str:
    if len(part) > 3 * ID_SHOWN:
        return f"{part[:ID_SHOWN]}****{part[-ID_SHOWN:]}"
    return f"{part[:1]}****" if part else part


def new_salt() -> str:
    """A fresh random salt for :func:`user_tag` (one per installation)."""
    return secrets.token_hex(16)


def user_tag(salt: str, user: str) -> str:
    """The salted hash a turn log keeps instead of a person's id (HMAC-SHA256, 128 bits)."""
    return hmac.new(
        salt.encode(), user.encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()[:32]


class TurnLog(ABC):
    """Where turn records live. Every implementation passes tests/storage/test_turn_logs.py."""

    def __init__(self, retention_seconds: float, max_records: int) -> None:
        if max_records < 1:
            raise ValueError("max_records must be at least 1")
        self.retention_seconds = retention_seconds
        self.max_records = max_records

    def oldest_kept(self, now: float | None = None) -> float:
        """Records before this time are past the retention period."""
        return (time.time() if now is None else now) - self.retention_seconds

    @abstractmethod
    async def record_many(self, turns: Sequence[TurnRecord]) -> None:
        """Keep ``turns`` (dropping the oldest records beyond the caps).

        Raises :class:`~bot.storage.errors.StoreUnavailable` when the store cannot be used.
        """

    async def record(self, turn: TurnRecord) -> None:
        """Keep one turn."""
        await self.record_many([turn])

    def record_immediately(self, turn: TurnRecord) -> bool:
        """Keep ``turn`` now without waiting, if this log can (memory); else return False and
        let the caller write it in the background."""
        return False

    @abstractmethod
    async def forget_user(self, user: str) -> int:
        """Delete the text and guesses of ``user``'s records (``user``: the person's id, as
        the engine knows it); return how many records held text. The counts stay, anonymous.
        """

    async def tag_of(self, user: str) -> str:
        """The salted hash this log keeps for ``user`` (what other records of the installation,
        such as the console's audit, store instead of the id)."""
        return user_tag(self._salt, user)

    _salt: str = ""

    @abstractmethod
    async def query(self, since: float, until: float | None = None) -> list[TurnRecord]:
        """Records with ``since <= at < until`` (until: now and later when None), oldest first,
        never one past the retention period."""

    async def danger(self, limit: int = 200) -> list[TurnRecord]:
        """The newest ``limit`` clear- and possible-danger records (the safety view's),
        newest first. This default reads every record kept; a backend may do better."""
        found = [t for t in await self.query(since=0) if t.danger]
        found.sort(key=lambda t: t.at, reverse=True)
        return found[:limit]

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and files."""
