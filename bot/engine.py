"""The platform-free core: ``await engine.handle(incoming) -> Response``.

The engine takes one message from any adapter and decides what kind of turn it is; the
understanding (bot/understanding/) reads the text, the conversation (bot/conversation/)
decides the replies, and storage (bot/storage/) remembers. It keeps one lock per
conversation so one person's messages are handled in order, and never lets one bad message
take it down: an exception becomes an apology to the user and a logged error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.admin import AdminCommand, AdminDesk, ReloadOutcome, read_admin_command, reload_reply
from bot.config import Config
from bot.content import Content, ContentError, load_content
from bot.conversation import counsellor, english, texts
from bot.conversation.actions import recap
from bot.conversation.context import Turn
from bot.conversation.dialogue import Dialogue, trace_lines
from bot.conversation.output import cap_group
from bot.conversation.policies.urgency import (
    INTENT_OF_KIND,
    MIDDLING_RULE,
    Kind,
    Tier,
    Urgency,
    apply,
    decide,
)
from bot.conversation.state import Paper, Session
from bot.learning.direct_model import DirectModel
from bot.learning.model import LinearModel
from bot.learning.retrain import direct_model_for, models_for, needs_retraining, retrain
from bot.messages import Incoming, MessageKind, Outcome, Response, SessionKey
from bot.privacy import has_personal_numbers, mask, mask_prefix
from bot.storage.errors import StoreUnavailable
from bot.storage.factory import Storage, memory_turn_log, open_storage
from bot.storage.sessions.base import SessionRecord, SessionStore
from bot.storage.turns.base import TurnLog, TurnRecord
from bot.storage.turns.recorder import TurnRecorder
from bot.understanding.classifier import Classifier
from bot.understanding.cues import Forward
from bot.understanding.details import Details
from bot.understanding.normalize import MAX_ANALYSED_CHARS
from bot.understanding.reader import Reader, Understood
from bot.understanding.short_answers import Command

if TYPE_CHECKING:
    from bot.photo.document import Document

log = logging.getLogger(__name__)

#: the mark of a message that resumes a conversation after a pause (never stored)
RESUMED = "resumed"


def _hours(seconds: float) -> str:
    """A duration in hours as people say it (24, 1.5)."""
    return f"{seconds / 3600:g}"


#: A store that keeps failing is reported at most this often (seconds), with a count.
STORE_WARNING_INTERVAL = 10.0


def _addressed_names(config: Config) -> tuple[str, ...]:
    """The configured names an "@" before them addresses the bot by: its name and the group
    trigger words (the reader adds the usual ones)."""
    triggers = (t for t in config.groups.triggers if any(c.isalnum() for c in t))
    return (config.bot_name, *triggers)


@dataclass(frozen=True)
class Understanding:
    """Everything built from one content set: swapped in whole on reload."""

    content: Content
    reader: Reader
    dialogue: Dialogue
    #: the content's English, for someone who writes English
    english: english.English

    @classmethod
    def build(
        cls,
        config: Config,
        content: Content | None = None,
        models: dict[str, LinearModel] | None = None,
        direct: DirectModel | None = None,
    ) -> Understanding:
        """Load (or take) the content and build the reader and the dialogue from it, with the
        learned ``models`` and ``direct`` model (default: retrained ones made for this content,
        else the shipped ones; the shipped direct model only while it learned this content)."""
        content = content or load_content(config.intents_path)
        if models is None:
            models = models_for(content, config.learning.models_dir)
            direct = direct or direct_model_for(content, config.learning.models_dir)
        return cls(
            content=content,
            # "@助手 …": the bot addressed by its name or a trigger word is not part of what is
            # asked (a closing read after "助手" is still a closing)
            reader=Reader.build(content, _addressed_names(config), models, direct=direct or True),
            dialogue=Dialogue(content, config),
            english=english.English(content),
        )

    @property
    def classifier(self) -> Classifier:
        """The intent classifier (for ``classify``, ``eval`` and the bench)."""
        return self.reader.classifier


def _kind_of(urgency: Urgency | None) -> str:
    """The kind of danger for the safety view ("" when calm)."""
    if urgency is None or urgency.tier is Tier.CALM or urgency.kind is None:
        return ""
    return urgency.kind.value


def _reading(understood: Understood) -> str:
    """The trace's first line: the best intents with their probabilities."""
    best = ", ".join(f"{r.intent} {r.score:.2f}" for r in understood.ranking[:3])
    direct = understood.direct
    found = f"; direct {direct.answer} {direct.score:.2f}" if direct is not None else ""
    return f"reading: {best}{found}"


def _rule_of(urgency: Urgency | None) -> str:
    """The rule that decided clear or possible danger ("" when calm)."""
    return "" if urgency is None or urgency.tier is Tier.CALM else urgency.rule


class _KeyedLocks:
    """One lock per conversation key; a lock is dropped when nobody holds or waits for it, so
    the table never grows beyond the conversations in flight."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class Engine:
    """Answers messages from any platform.

    Besides answering, it records each turn for the report (``insights``), serves the admin
    desk (``admin``: status, reload, notices) and reloads the content
    (:meth:`reload_content`).
    """

    def __init__(
        self,
        config: Config,
        understanding: Understanding,
        store: SessionStore,
        turn_log: TurnLog | None = None,
    ) -> None:
        self.config = config
        self.understanding = understanding
        self.store = store
        self.admin = AdminDesk(config.admins)
        self._locks = _KeyedLocks()
        self._counsellors = frozenset(config.counsellors)
        if turn_log is None and config.insights.enabled:
            turn_log = memory_turn_log(config)
        self.insights = TurnRecorder(turn_log)
        self._reload_lock = asyncio.Lock()
        self._retraining: asyncio.Task[None] | None = None
        self._store_failures = 0
        self._last_store_warning = -STORE_WARNING_INTERVAL

    @classmethod
    async def create(cls, config: Config, storage: Storage | None = None) -> Engine:
        """Build the engine: load the content, build the reader, open the storage."""
        understanding = await asyncio.to_thread(Understanding.build, config)
        if storage is None:
            storage = await open_storage(config)
        return cls(config, understanding, storage.sessions, storage.turns)

    async def close(self) -> None:
        """Write the pending turn records, then close the turn log and the session store."""
        if self._retraining is not None:
            self._retraining.cancel()
        await self.insights.close()
        await self.store.close()

    def session_key(self, incoming: Incoming) -> str:
        """The conversation ``incoming`` belongs to (see :class:`SessionKey`)."""
        return SessionKey.of(incoming).conversation(
            per_room=self.config.sessions.group_key == "room"
        )

    # -- handling ---------------------------------------------------------------------------

    async def handle(self, incoming: Incoming) -> Response:
        """Answer one message. Never raises: a failure becomes an apology and a logged error."""
        conversation = "?"
        try:
            if not isinstance(incoming, Incoming):
                raise TypeError(f"expected Incoming, got {type(incoming).__name__}")
            key = SessionKey.of(incoming)
            conversation = key.conversation(per_room=self.config.sessions.group_key == "room")
            async with self._locks.hold(conversation):
                response = await self._route(incoming, key, conversation)
        except Exception:
            self.admin.stats.errors += 1
            log.exception("failed to handle a message in conversation %s", mask(conversation))
            return Response(replies=[texts.APOLOGY], intent=Outcome.ERROR)
        if response.replies:
            self.admin.stats.count(response.intent)
            if incoming.kind.has_text and response.intent not in (
                Outcome.ADMIN_STATUS,
                Outcome.ADMIN_RELOAD,
            ):
                self._record_turn(incoming, response)
            notice = self.admin.take_notice(key, incoming.in_group)
            if notice is not None:
                response = replace(response, replies=[notice, *response.replies])
            if incoming.in_group:  # every path, notices included, within the group's length
                response = replace(response, replies=cap_group(response.replies))
        if log.isEnabledFor(logging.DEBUG):  # per message: DEBUG only (masking costs)
            log.debug(
                "conversation=%s intent=%s confidence=%.2f replies=%d",
                mask(conversation),
                response.intent,
                response.confidence,
                len(response.replies),
            )
        return response

    async def _route(self, incoming: Incoming, key: SessionKey, conversation: str) -> Response:
        """Decide what kind of turn this is. In order, the first that applies wins:

        1. in a group, a message not addressed to the bot (no @mention, no trigger word) is
           left alone unless ``groups.answer_confident_questions`` and it is urgent or a
           clearly in-scope question;
        2. a message without text (picture, voice …) gets a "please type" note, at most once
           per ``groups.non_text_note_interval``;
        3. an admin command from an admin in a private chat ("状态", "重新加载");
        4. a message with nothing to read gets a hint;
        5. "删除我的记录" deletes the person's conversations, nothing else is done;
        6. counsellor mode: forwarded cases, forwarded chat records, listed counsellors and
           long pasted texts that are not urgent get the fuller answers with the rules;
        7. everything else is a turn of the conversation (bot/conversation/dialogue.py).
        """
        understanding = self.understanding  # one consistent content set for this message
        text = incoming.text if isinstance(incoming.text, str) else ""
        addressed, text = self._addressed(incoming, text)

        if not incoming.kind.has_text:
            if incoming.kind is MessageKind.IMAGE and incoming.image:
                return await self._photo(incoming, key, conversation, addressed)
            return await self._non_text(key, conversation) if addressed else Response()
        if not incoming.in_group and self.admin.is_admin(key):
            command = read_admin_command(text)
            if command is not None:
                return await self._admin_command(command)

        understood = understanding.reader.read(text)
        if not addressed:
            return await self._unaddressed(incoming, key, conversation, text, understood)
        if log.isEnabledFor(logging.DEBUG):
            # Mask, then cut: a cut first could leave most of a card number unmasked.
            log.debug("conversation=%s text=%s", mask(conversation), mask_prefix(text, 200))

        if understood.command is Command.FORGET:
            return await self._forget(key, understood)
        session = await self._load_session(conversation, key)
        cleared = session.turns == 1 and "cleared" in session.noticed
        resumed = self._recap(session, incoming.in_group)  # before this message changes it
        if not understood.text:
            await self._save_session(session)
            return Response(replies=[texts.EMPTY], intent=Outcome.EMPTY)

        notice = self._group_pii_notice(incoming, text, session)
        in_english = english.writes_english(text, session)
        if self._counsellor_mode(incoming, key, understood, session):
            urgency = understanding.dialogue.urgency(understood, session)
            understood = apply(understood, urgency)
            replies, questions = counsellor.answer(
                text,
                understood,
                understanding.reader.classifier,
                understanding.dialogue,
                understanding.content,
                in_group=incoming.in_group,
                floor=self.config.classifier.clarify_floor,
                reader=understanding.reader,
                in_english=in_english,
            )
            if replies:
                if urgency.tier is not Tier.CALM:  # danger reported about a client: first
                    english_texts = understanding.english if in_english else None
                    replies.insert(0, counsellor.danger_now(urgency, english_texts))
                if understood.truncated:
                    replies.append(texts.TRUNCATED.format(limit=MAX_ANALYSED_CHARS))
                intents = [q.intent for q in questions]
                session.active_intent = intents[0]
                session.pending = None
                # the case's figures are kept for the counsellor's follow-up questions, and
                # the follow-ups are read as a counsellor's (the point asked, nothing more)
                session.details = session.details.merged(understood.details)
                if "case" not in session.noticed:
                    session.noticed.append("case")
                session.case = [q.key for q in questions]
                await self._save_session(session)
                if cleared:  # back after the retention window: said on this path too
                    replies.insert(0, self._cleared_note(in_english))
                return Response(
                    replies=[*notice, *replies],
                    intent=intents[0],
                    confidence=understood.confidence,
                    intents=understood.ranking[:5],
                    urgent=urgency.urgent,
                    tier=urgency.tier.value,
                    kind=_kind_of(urgency),
                    rule=_rule_of(urgency),
                )

        if understood.command is Command.MORE and session.case and not understood.urgent:
            # 详细 after a counsellor's brief: every question's full answer with its rules
            replies = counsellor.dossier(
                session.case, understanding.dialogue, understanding.content
            )
            session.case = []
            await self._save_session(session)
            return Response(replies=[*notice, *replies], intent=session.active_intent)
        session.case = []  # the brief's 详细 is for the next message only, then the latest answer's

        turn = understanding.dialogue.respond(
            understood,
            session,
            in_group=incoming.in_group,
            counsellor=key.listed_in(self._counsellors) or "case" in session.noticed,
            explain=incoming.explain,
            written=text,
        )
        if understood.truncated:
            turn.add(texts.TRUNCATED.format(limit=MAX_ANALYSED_CHARS))
        if in_english:
            english.put_in_english(understanding.english, turn, session, in_group=incoming.in_group)
        turn.replies[:0] = notice
        urgent_first = turn.urgency is not None and turn.urgency.tier is not Tier.CALM
        if cleared:  # back after the retention window: say so once (after any urgent advice)
            turn.replies.insert(1 if urgent_first else 0, self._cleared_note(in_english))
        elif resumed is not None and understood.command is not Command.RESET:
            turn.replies.insert(1 if urgent_first else 0, resumed)
        await self._save_session(session)
        return self._response(turn, understood, wanted=incoming.explain)

    def _cleared_note(self, in_english: bool = False) -> str:
        """The one line saying the earlier details were cleared after the idle reset."""
        note = texts.ENGLISH["CLEARED"] if in_english else texts.CLEARED
        return note.format(hours=_hours(self.config.sessions.retention_seconds))

    def _recap(self, session: Session, in_group: bool) -> str | None:
        """Back after a pause within the retention window: what is still known, in one line
        (no figures in a group), with how long it is kept and how to start afresh."""
        if RESUMED not in session.noticed:
            return None
        session.noticed.remove(RESUMED)
        known = recap(session, self.understanding.content, in_group=in_group)
        if not known:
            return None
        hours = _hours(self.config.sessions.retention_seconds)
        return texts.RECAP.format(known=known, hours=hours)

    def _addressed(self, incoming: Incoming, text: str) -> tuple[bool, str]:
        """Whether a message is for the bot, and its text without the trigger word."""
        if not incoming.in_group or incoming.addressed:
            return True, text
        stripped = text.lstrip()
        for trigger in self.config.groups.triggers:
            if trigger and stripped.startswith(trigger):
                return True, stripped[len(trigger) :].lstrip(" ,，:：")
        return False, text

    def _counsellor_mode(
        self,
        incoming: Incoming,
        key: SessionKey,
        understood: Understood,
        session: Session,
    ) -> bool:
        """Counsellor mode goes by who speaks and how, never by one word: a forwarded chat
        record; a forward in so many words (【转】, 转发, 帮客户问); words about a client
        (客户说, 客户问, 我的客户) only as a quote ("客户说：…"), at a case's length
        (``counsellor.CASE_CHARS``), in a conversation where a case is open, or from a listed
        counsellor; a listed counsellor opening a case (the first question, or a message of a
        case's length). Bank staff and collectors ("我是做外访的", known in the conversation or
        said in this message) are never put in counsellor mode by words: "客户说他要报警" is
        their own question. A counsellor's short follow-up in an open case is answered like
        any question (the point asked only); a long first-person message gets the short
        steps for its situation."""
        if understood.command is not None:
            return False
        if incoming.kind is MessageKind.CHAT_HISTORY:
            return True
        listed = key.listed_in(self._counsellors)
        staff = "staff" in (session.details.role, understood.details.role)
        cues = understood.cues
        if cues.forward is not None and not staff:
            if cues.forward is Forward.MARKED:
                return True
            case_open = "case" in session.noticed
            if cues.quoted or listed or case_open or len(understood.text) >= counsellor.CASE_CHARS:
                return True
        if not listed:
            return False
        # A counsellor's first question opens a case; later short ones ask one point of it.
        return session.active_intent is None or len(understood.text) >= counsellor.CASE_CHARS

    async def _unaddressed(
        self,
        incoming: Incoming,
        key: SessionKey,
        conversation: str,
        text: str,
        understood: Understood,
    ) -> Response:
        """A group message nobody addressed to the bot. Someone in danger gets the numbers
        and one or two steps (``groups.answer_urgent_unaddressed``, on by default); a member
        who posts a phone, ID or card number is told once to retract it; a clearly in-scope
        question is answered only with ``groups.answer_confident_questions``; everything
        else is left alone."""
        groups = self.config.groups
        urgency = decide(understood.classification, None, self.config.urgency)
        # clear danger, or words of danger; a middling likelihood alone does not make the bot
        # speak up in a group nobody asked it in
        speaks = urgency.tier is Tier.CLEAR or (
            urgency.tier is Tier.POSSIBLE and urgency.rule != MIDDLING_RULE
        )
        if speaks and groups.answer_urgent_unaddressed:
            brief = self.understanding.dialogue.urgent_brief(urgency)
            return Response(
                replies=[brief],
                intent=INTENT_OF_KIND[urgency.kind or Kind.VIOLENCE],
                confidence=understood.confidence,
                intents=understood.ranking[:5],
                urgent=urgency.urgent,
                tier=urgency.tier.value,
                kind=_kind_of(urgency),
                rule=_rule_of(urgency),
            )
        if has_personal_numbers(text):
            session = await self._load_session(conversation, key)
            notice = self._group_pii_notice(incoming, text, session)
            await self._save_session(session)
            if notice:
                return Response(replies=notice, intent=Outcome.PRIVACY)
        if not groups.answer_confident_questions:
            return Response()
        top = understood.top
        if (
            top.intent in ("fallback", "greeting", "thanks", "help")
            or top.score < groups.confident_threshold
        ):
            return Response()
        return await self._route(replace(incoming, addressed=True), key, conversation)

    @staticmethod
    def _group_pii_notice(incoming: Incoming, text: str, session: Session) -> list[str]:
        """Once per member: retract the number you posted, continue in private."""
        if not incoming.in_group or "pii" in session.noticed or not has_personal_numbers(text):
            return []
        session.noticed.append("pii")
        index = sum(incoming.user.encode("utf-8", "replace")) % len(texts.GROUP_PII)
        return [texts.GROUP_PII[index]]

    async def _forget(self, key: SessionKey, understood: Understood) -> Response:
        """ "删除我的记录": delete every conversation of the person on this platform, and the
        texts of their unanswered messages kept for the report (each tried even when the
        other fails; a failure asks the person to try again)."""
        count = cleared = 0
        failed = False
        try:
            count = await self.store.delete_user(key.user)
        except StoreUnavailable as exc:
            log.warning("session store unavailable: could not delete a user's records: %s", exc)
            failed = True
        try:
            cleared = await self.insights.forget(key.user)
            tag = await self.insights.tag_of(key.user)
            if tag is not None:  # the console's audit quotes texts by the same salted hash
                from bot.console.audit import forget_author_everywhere

                cleared += await forget_author_everywhere(self.config, tag)
        except StoreUnavailable as exc:
            log.warning("turn log unavailable: could not clear a user's texts: %s", exc)
            failed = True
        if failed:
            reply = texts.FORGET_FAILED
        else:
            log.info(
                "deleted a user's records: %d conversation(s), %d kept text(s)", count, cleared
            )
            reply = (
                texts.FORGET_DONE.format(count=count)
                if count
                else texts.FORGET_TEXTS_ONLY
                if cleared
                else texts.FORGET_NOTHING
            )
        return Response(
            replies=[reply],
            intent=Outcome.FORGET,
            confidence=understood.confidence,
            intents=understood.ranking[:5],
        )

    async def _non_text(self, key: SessionKey, conversation: str) -> Response:
        session = await self._load_session(conversation, key)
        now = time.time()
        if now - session.last_non_text_note < self.config.groups.non_text_note_interval:
            return Response()
        session.last_non_text_note = now
        await self._save_session(session)
        return Response(replies=[texts.NON_TEXT], intent=Outcome.NON_TEXT)

    async def _photo(
        self, incoming: Incoming, key: SessionKey, conversation: str, addressed: bool
    ) -> Response:
        """The photo check (bot/photo). An unaddressed group photo is read only when the group
        answers confident questions, and answered only when it is a paper the check knows."""
        settings = self.config.photo
        if not addressed and not (
            settings.enabled and self.config.groups.answer_confident_questions
        ):
            return Response()
        if not settings.enabled:
            return await self._non_text(key, conversation)
        from bot.photo import check_photo, default_reader  # on the first photo: light start-up

        reader = default_reader(settings.concurrency, settings.ocr_threads, settings.max_waiting)
        answer = await check_photo(incoming.image or b"", in_group=incoming.in_group, reader=reader)
        if not addressed and not answer.relevant:
            return Response()
        response = Response(replies=answer.replies, intent=answer.intent, urgent=answer.urgent)
        if answer.masked_text:
            self._record_turn(replace(incoming, text=answer.masked_text), response)
        if addressed and answer.document is not None:
            await self._remember_paper(key, conversation, answer.document, answer.codes)
        return response

    async def _remember_paper(
        self, key: SessionKey, conversation: str, document: Document, codes: list[str]
    ) -> None:
        """What a paper showed becomes part of the situation: its lender and amount join the
        details ("每月还多少合适" is not asked the amount again) and the paper is kept for
        questions about it ("这封信是真的吗")."""
        session = await self._load_session(conversation, key)
        lender = document.lenders[0] if document.lenders else None
        session.paper = Paper(
            kind=document.kind.value,
            lender=lender,
            amount=document.debt_amount,
            deadline=document.deadlines[0] if document.deadlines else None,
            pay_person=any(payee.is_person for payee in document.payees),
            findings=tuple(dict.fromkeys(codes)),
        )
        seen = {"lender": lender, "amount": document.debt_amount}
        session.details = session.details.merged(
            Details.from_json({k: v for k, v in seen.items() if v is not None})
        )
        await self._save_session(session)

    async def _load_session(self, conversation: str, key: SessionKey) -> Session:
        """The conversation's session, or a new one (also when the store is down or the stored
        state is unreadable: answering without memory beats not answering)."""
        session = None
        try:
            record = await self.store.get(conversation)
        except StoreUnavailable as exc:
            # Answer without memory rather than not at all; the store recovers by itself.
            self._store_warning("answering without memory", exc)
            record = None
        cleared = False
        sent: list[str] = []
        paused = False
        if record is not None:
            idle = time.time() - record.last_seen
            paused = idle > self.config.sessions.idle_minutes * 60
            if idle > self.config.sessions.retention_seconds:
                cleared = True  # past the retention window: start afresh, and say so once
                with contextlib.suppress(ValueError):
                    # What the bot sent is still in the person's chat: not sent again word
                    # for word (only block ids are kept, no detail of the person's).
                    sent = Session.from_json(record.data).sent
            else:
                try:
                    session = Session.from_json(record.data)
                except ValueError as exc:
                    log.warning(
                        "unreadable session in %s, starting afresh: %s", mask(conversation), exc
                    )
        if session is None:
            session = Session(key=conversation, user=key.user)
            if cleared:
                session.noticed.append("cleared")
                session.sent = sent
        elif paused:
            # back after a pause, within the retention window: the details stay, what the bot
            # was waiting for does not ("1" a day later is no answer to yesterday's menu)
            session.pending = None
            session.safety_check = None
            session.last_answer = None
            # the visit of that moment is over: who was at the door, shown, let in, the
            # police, and a threat crisis; what is owed, to whom, and a despair are kept
            session.details = replace(
                session.details, present=None, left=None, let_in=None, credentials=None, police=None
            )
            if session.crisis == "threat":
                session.crisis = None
                session.crisis_basis = None
            if session.details or session.active_intent or session.paper:
                session.noticed.append(RESUMED)  # never stored: see _save_session
        session.last_seen = time.time()
        session.turns += 1
        return session

    async def _save_session(self, session: Session) -> None:
        if RESUMED in session.noticed:  # a mark for this message only
            session.noticed.remove(RESUMED)
        record = SessionRecord(
            key=session.key, user=session.user, last_seen=session.last_seen, data=session.to_json()
        )
        try:
            await self.store.put(record)
        except StoreUnavailable as exc:
            self._store_warning("this turn is not remembered", exc)

    def _store_warning(self, what: str, exc: StoreUnavailable) -> None:
        """Say the store failed: at once, then at most every STORE_WARNING_INTERVAL seconds
        with the count of failures meanwhile (a stalled store under load is one line, not
        one per message)."""
        self._store_failures += 1
        now = time.monotonic()
        if now - self._last_store_warning >= STORE_WARNING_INTERVAL:
            log.warning(
                "session store unavailable, %s (%d failure(s) since the last such line): %s",
                what,
                self._store_failures,
                exc,
            )
            self._store_failures = 0
            self._last_store_warning = now

    @staticmethod
    def _response(turn: Turn, understood: Understood, *, wanted: bool = False) -> Response:
        tier = turn.urgency.tier if turn.urgency is not None else Tier.CALM
        return Response(
            replies=turn.replies,
            intent=turn.intent,
            confidence=understood.confidence,
            intents=understood.ranking[:5],
            choices=turn.choices,
            urgent=tier is Tier.CLEAR,
            tier=tier.value,
            kind=_kind_of(turn.urgency),
            rule=_rule_of(turn.urgency),
            trace=[_reading(understood), *trace_lines(turn.trace)] if wanted else [],
        )

    # -- the report, admins and reloading ---------------------------------------------------

    def _record_turn(self, incoming: Incoming, response: Response) -> None:
        """Hand the turn to the recorder (it never waits for the store). A clear- or
        possible-danger turn is recorded with its tier, kind, rule, conversation and masked
        text for the console's safety view."""
        try:
            self.insights.record(
                TurnRecord.of_turn(
                    intent=response.intent or "none",
                    platform=incoming.platform,
                    confidence=response.confidence,
                    text=incoming.text,
                    ranking=response.intents,
                    keep_text=self.config.insights.keep_unanswered_text,
                    user=SessionKey.of(incoming).user,
                    low_confidence_below=self.config.insights.low_confidence_below,
                    urgent=response.urgent,
                    tier=response.tier if response.tier != Tier.CALM.value else "",
                    kind=response.kind,
                    rule=response.rule,
                    conversation=self.session_key(incoming),
                )
            )
        except Exception:
            log.exception("could not record a turn")

    async def _admin_command(self, command: AdminCommand) -> Response:
        if command is AdminCommand.RELOAD:
            outcome = await self.reload_content(trigger="admin")
            return Response(replies=[reload_reply(outcome)], intent=Outcome.ADMIN_RELOAD)
        content = self.understanding.content
        return Response(
            replies=[self.admin.status(content.version, len(content.intents))],
            intent=Outcome.ADMIN_STATUS,
        )

    def _retrain_if_needed(self, understanding: Understanding) -> None:
        """Retrain the learned models in the background when the new content's examples are
        not what they learned; the old models answer until the new ones are swapped in."""
        classifier = understanding.classifier
        models = {
            m.meta.get("name", ""): m
            for m in (classifier.topic_model, classifier.urgency_model)
            if m is not None
        }
        if not self.config.learning.retrain_on_change or not needs_retraining(
            understanding.content, models, understanding.reader.selector.learned_model
        ):
            return
        if self._retraining is not None and not self._retraining.done():
            self._retraining.cancel()  # the newer content wins
        self._retraining = asyncio.create_task(self._retrain(understanding.content))

    async def _retrain(self, content: Content) -> None:
        started = time.monotonic()
        retrained = await asyncio.to_thread(retrain, content, self.config.learning.models_dir)
        if retrained is None:
            return
        understanding = await asyncio.to_thread(
            Understanding.build, self.config, content, retrained.models, retrained.direct
        )
        if self.understanding.content.version != content.version:
            return  # the content changed again meanwhile: that change retrains
        self.understanding = understanding
        log.info(
            "models retrained for version %s in %.1f s", content.version, time.monotonic() - started
        )

    async def reload_content(self, trigger: str = "admin") -> ReloadOutcome:
        """Load and validate the content again and, when it is sound, swap a new understanding
        in whole; it is built in a thread, so answering goes on meanwhile. Invalid content is
        logged and the old content kept serving. Never raises."""
        async with self._reload_lock:
            old = self.understanding.content.version
            started = time.monotonic()
            problems: list[str] = []
            try:
                understanding = await asyncio.to_thread(Understanding.build, self.config)
            except ContentError as exc:
                problems = exc.problems or ["the content could not be loaded"]
                log.error(
                    "content reload (%s) rejected, still serving version %s; %d problem(s):\n  %s",
                    trigger,
                    old,
                    len(problems),
                    "\n  ".join(problems),
                )
            except Exception as exc:
                problems = [f"{type(exc).__name__}: {exc}"]
                log.exception("content reload (%s) failed, still serving version %s", trigger, old)
            else:
                self.understanding = understanding  # one assignment: the swap
                log.info(
                    "content reloaded (%s): version %s -> %s",
                    trigger,
                    old,
                    understanding.content.version,
                )
                self._retrain_if_needed(understanding)
            content = self.understanding.content
            outcome = ReloadOutcome(
                at=time.time(),
                trigger=trigger,
                old_version=old,
                version=content.version,
                intents=len(content.intents),
                problems=problems,
                seconds=time.monotonic() - started,
            )
            self.admin.reloaded(outcome)
            return outcome
