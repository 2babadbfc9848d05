"""The platform-free core: ``await engine.handle(incoming) -> Response``.

The engine owns the understanding pipeline (normalise → segment → classify), the dialogue and
the session store. It decides whether a group message is for the bot, keeps one lock per
conversation so one person's messages are handled in order, and never lets one bad message
take it down: an exception becomes an apology to the user and a logged error.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace

from bot import admin
from bot.admin import AdminCommand, ReloadOutcome
from bot.config import Config
from bot.content import Content, ContentError, load_content
from bot.conversation import counsellor, texts
from bot.conversation.dialogue import Dialogue, Turn
from bot.messages import Incoming, MessageKind, Response
from bot.privacy import mask
from bot.storage.errors import StoreUnavailable
from bot.storage.sessions.base import Session, SessionStore
from bot.storage.turns.base import TurnLog, TurnRecord
from bot.storage.turns.factory import memory_turn_log, open_turn_log
from bot.storage.turns.recorder import TurnRecorder
from bot.understanding.classifier import Classification, Classifier
from bot.understanding.normalize import MAX_ANALYSED_CHARS, Normalizer
from bot.understanding.pinyin import PinyinReader, vocabulary
from bot.understanding.segment import Segmenter
from bot.understanding.short_answers import Command, read_command

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Understanding:
    """Everything built from one content set: swapped in whole on reload."""

    content: Content
    classifier: Classifier
    dialogue: Dialogue

    @classmethod
    def build(cls, config: Config, content: Content | None = None) -> Understanding:
        """Load (or take) the content and build the classifier and dialogue from it."""
        content = content or load_content(config.intents_path)
        segmenter = Segmenter(content.dictionary)
        normalizer = Normalizer(content.lexicon, PinyinReader.build(
            vocabulary(content, segmenter), content.lexicon.pinyin),
            bot_names=(config.bot_name,))
        classifier = Classifier(content, normalizer, segmenter)
        return cls(content=content, classifier=classifier, dialogue=Dialogue(content, config))


@dataclass
class Stats:
    """Counters for the admin status."""

    started_at: float = field(default_factory=time.time)
    handled: int = 0
    fallbacks: int = 0
    low_confidence: int = 0  # answered with a clarifying question
    errors: int = 0


def _safe_id(value: object) -> str:
    """An id as text every store can keep: lone surrogates (possible from JSON input) cannot
    be encoded as UTF-8, so they are replaced."""
    text = value if isinstance(value, str) else str(value)
    if text.isascii():  # the usual case (wxid_…, QQ numbers): nothing to replace
        return text
    return text.encode("utf-8", "replace").decode("utf-8")


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

    Besides answering it records each turn for the report (``insights``), answers admins'
    "状态" and "重新加载", reloads the content on request (:meth:`reload_content`), keeps
    notices for admins (:meth:`notify_admins`, ``on_admin_notice``) and knows the platforms
    the runner registered (:meth:`register_platform`).
    """

    def __init__(self, config: Config, understanding: Understanding, store: SessionStore,
                 turn_log: TurnLog | None = None) -> None:
        self.config = config
        self.understanding = understanding
        self.store = store
        self.stats = Stats()
        self._locks = _KeyedLocks()
        self._counsellors = set(config.counsellors)
        if turn_log is None and config.insights.enabled:
            turn_log = memory_turn_log(config)
        self.insights = TurnRecorder(turn_log)
        self._admins = frozenset(config.admins)
        #: platform name → its state now ("logged_in", "running", …), for the admin status
        self.platforms: dict[str, Callable[[], str]] = {}
        #: called with each admin notice (adapters register these to push it to admins)
        self.on_admin_notice: list[Callable[[str], Awaitable[None]]] = []
        #: a notice waiting to be put before the next reply to an admin in a private chat
        self.admin_notice: str | None = None
        self.loaded_at = time.time()  # when the content served now was loaded
        self.last_reload: ReloadOutcome | None = None
        self._reload_lock = asyncio.Lock()

    @classmethod
    async def create(cls, config: Config, store: SessionStore | None = None,
                     turn_log: TurnLog | None = None) -> Engine:
        """Build the engine: load content, initialise the tokenizer, open the session store
        and the turn log (in the same backend)."""
        understanding = await asyncio.to_thread(Understanding.build, config)
        if store is None:
            store = await cls._open_store(config)
        if turn_log is None and config.insights.enabled:
            try:
                turn_log = await open_turn_log(config)
            except StoreUnavailable as exc:
                log.warning("%s; the report keeps this process's turns in memory only", exc)
        return cls(config, understanding, store, turn_log)

    @staticmethod
    async def _open_store(config: Config) -> SessionStore:
        from bot.storage.factory import open_store

        return await open_store(config.sessions)

    async def close(self) -> None:
        """Write the pending turn records, then close the turn log and the session store."""
        await self.insights.close()
        await self.store.close()

    # -- keys -------------------------------------------------------------------------------

    def session_key(self, incoming: Incoming) -> str:
        """The conversation a message belongs to: the user in a private chat; in a group the
        room and the user (or the room alone, when configured)."""
        platform, user, room = (_safe_id(incoming.platform), _safe_id(incoming.user),
                                None if incoming.room is None else _safe_id(incoming.room))
        if room is None:
            return f"{platform}:u:{user}"
        if self.config.sessions.group_key == "room":
            return f"{platform}:g:{room}"
        return f"{platform}:g:{room}:{user}"

    @staticmethod
    def user_key(incoming: Incoming) -> str:
        """The person across all their conversations on one platform ("删除我的记录")."""
        return f"{_safe_id(incoming.platform)}:{_safe_id(incoming.user)}"

    # -- handling ---------------------------------------------------------------------------

    async def handle(self, incoming: Incoming) -> Response:
        """Answer one message. Never raises: a failure becomes an apology and a logged error."""
        key = "?"
        try:
            if not isinstance(incoming, Incoming):
                raise TypeError(f"expected Incoming, got {type(incoming).__name__}")
            key = self.session_key(incoming)
            async with self._locks.hold(key):
                response = await self._handle(incoming, key)
        except Exception:
            self.stats.errors += 1
            log.exception("failed to handle a message in conversation %s", mask(key))
            return Response(replies=[texts.APOLOGY], intent="error")
        if response.replies and response.intent not in admin.ADMIN_INTENTS:
            self.stats.handled += 1
            if response.intent == "fallback":
                self.stats.fallbacks += 1
            elif response.intent == "clarify":
                self.stats.low_confidence += 1
            if incoming.kind.has_text:
                self._record_turn(incoming, response)
        if self.admin_notice is not None and response.replies and not incoming.in_group \
                and admin.is_admin(self._admins, incoming):
            response = replace(response, replies=[self.admin_notice, *response.replies])
            self.admin_notice = None
        if log.isEnabledFor(logging.INFO):  # masking costs more than the check
            log.info("conversation=%s intent=%s confidence=%.2f replies=%d", mask(key),
                     response.intent, response.confidence, len(response.replies))
        return response

    async def _handle(self, incoming: Incoming, key: str) -> Response:
        understanding = self.understanding  # one consistent content set for this message
        text = incoming.text if isinstance(incoming.text, str) else ""
        addressed, text = self._addressed(incoming, text)

        if not incoming.kind.has_text:
            if incoming.kind is MessageKind.IMAGE and incoming.image:
                return await self._photo(incoming, addressed)
            if not addressed:
                return Response()
            return await self._non_text(incoming, key)
        if not incoming.in_group and admin.is_admin(self._admins, incoming):
            command = admin.read_admin_command(text)
            if command is not None:
                return await self._admin_command(command)

        cls = understanding.classifier.classify(text)
        if not addressed and not self._worth_answering_unaddressed(cls):
            return Response()

        if log.isEnabledFor(logging.DEBUG):
            # Mask, then cut: a cut first could leave most of a card number unmasked.
            log.debug("conversation=%s text=%s", mask(key), mask(text)[:200])
        session = await self._load_session(key, incoming)
        if not cls.text:
            response = Response(replies=[texts.EMPTY], intent="empty")
            await self._save_session(session)
            return response

        if self._counsellor_mode(incoming, text, cls):
            replies, intents = counsellor.answer(
                text, understanding.classifier, understanding.dialogue, understanding.content,
                in_group=incoming.in_group, floor=self.config.classifier.clarify_floor,
                whole=cls)
            if replies:
                if cls.truncated:
                    replies.append(texts.TRUNCATED.format(limit=MAX_ANALYSED_CHARS))
                session.active_intent = intents[0]
                session.pending = None
                await self._save_session(session)
                return Response(replies=replies, intent=intents[0], confidence=cls.confidence,
                                intents=cls.ranking[:5], urgent=bool(cls.urgent))

        turn = understanding.dialogue.respond(cls, session, in_group=incoming.in_group)
        if turn.command is Command.FORGET:
            turn.intent = "forget"
            try:
                count = await self.store.delete_user(self.user_key(incoming))
            except StoreUnavailable:
                log.warning("session store unavailable: could not delete a user's records")
                turn.replies = [texts.FORGET_FAILED]
                return self._response(turn, cls)
            turn.replies = [texts.FORGET_DONE.format(count=count) if count
                            else texts.FORGET_NOTHING]
            return self._response(turn, cls)
        if cls.truncated:
            turn.add(texts.TRUNCATED.format(limit=MAX_ANALYSED_CHARS))
        await self._save_session(session)
        return self._response(turn, cls)

    def _addressed(self, incoming: Incoming, text: str) -> tuple[bool, str]:
        """Whether a message is for the bot, and its text without the trigger word."""
        if not incoming.in_group or incoming.addressed:
            return True, text
        stripped = text.lstrip()
        for trigger in self.config.groups.triggers:
            if trigger and stripped.startswith(trigger):
                return True, stripped[len(trigger):].lstrip(" ,，:：")
        return False, text

    def _counsellor_mode(self, incoming: Incoming, text: str, cls: Classification) -> bool:
        """Forwarded cases, long pasted texts and listed counsellors' questions get the fuller
        answer with the rules and a brief; commands and short answers do not."""
        if read_command(cls.text) is not None:
            return False
        if incoming.forwarded or incoming.kind is MessageKind.CHAT_HISTORY:
            return True
        if counsellor.is_forwarded(text):
            return True
        is_counsellor = (incoming.user in self._counsellors
                         or self.user_key(incoming) in self._counsellors)
        if is_counsellor:
            return len(cls.text) > 8
        # A long message nobody marked as forwarded may be the person in danger writing it
        # all out: then the short urgent steps come first, not a counsellor's brief.
        return len(text) >= counsellor.LONG_TEXT_CHARS and not cls.urgent

    def _worth_answering_unaddressed(self, cls: Classification) -> bool:
        groups = self.config.groups
        if not groups.answer_confident_questions:
            return False
        if cls.urgent:
            return True
        top = cls.top
        return top.intent not in ("fallback", "greeting", "thanks", "help") and \
            top.score >= groups.confident_threshold

    async def _non_text(self, incoming: Incoming, key: str) -> Response:
        session = await self._load_session(key, incoming)
        now = time.time()
        if now - session.last_non_text_note < self.config.groups.non_text_note_interval:
            return Response()
        session.last_non_text_note = now
        await self._save_session(session)
        return Response(replies=[texts.NON_TEXT], intent="non_text")

    async def _photo(self, incoming: Incoming, addressed: bool) -> Response:
        """The photo check (bot/photo). An unaddressed group photo is read only when the group
        answers confident questions, and answered only when it is a paper the check knows."""
        settings = self.config.photo
        if not addressed and not (settings.enabled
                                  and self.config.groups.answer_confident_questions):
            return Response()
        if not settings.enabled:
            return await self._non_text(incoming, self.session_key(incoming))
        from bot.photo import check_photo, default_reader  # on the first photo: light start-up

        reader = default_reader(settings.concurrency, settings.ocr_threads, settings.max_waiting)
        answer = await check_photo(incoming.image or b"", in_group=incoming.in_group,
                                   reader=reader)
        if not addressed and not answer.relevant:
            return Response()
        response = Response(replies=answer.replies, intent=answer.intent, urgent=answer.urgent)
        if answer.masked_text:
            self._record_turn(replace(incoming, text=answer.masked_text), response)
        return response

    async def _load_session(self, key: str, incoming: Incoming) -> Session:
        try:
            session = await self.store.get(key)
        except StoreUnavailable as exc:
            # Answer without memory rather than not at all; the store recovers by itself.
            log.warning("session store unavailable, answering without memory: %s", exc)
            session = None
        if session is None:
            session = Session(key=key, user=self.user_key(incoming))
        session.last_seen = time.time()
        session.turns += 1
        return session

    async def _save_session(self, session: Session) -> None:
        try:
            await self.store.put(session)
        except StoreUnavailable as exc:
            log.warning("session store unavailable, this turn is not remembered: %s", exc)

    @staticmethod
    def _response(turn: Turn, cls: Classification) -> Response:
        return Response(
            replies=turn.replies,
            intent=turn.intent,
            confidence=cls.confidence,
            intents=cls.ranking[:5],
            choices=turn.choices,
            urgent=bool(cls.urgent),
        )

    # -- the report, admins and reloading ---------------------------------------------------

    def _record_turn(self, incoming: Incoming, response: Response) -> None:
        """Hand the turn to the recorder (it never waits for the store)."""
        try:
            self.insights.record(TurnRecord.of_turn(
                intent=response.intent or "none", platform=incoming.platform,
                confidence=response.confidence, text=incoming.text, ranking=response.intents,
                keep_text=self.config.insights.keep_unanswered_text))
        except Exception:
            log.exception("could not record a turn")

    def register_platform(self, name: str, state: Callable[[], str]) -> None:
        """Show platform ``name`` in the admin status, with ``state()`` as its state."""
        self.platforms[name] = state

    def _platform_states(self) -> dict[str, str]:
        states = {}
        for name, state in self.platforms.items():
            try:
                states[name] = str(state())
            except Exception as exc:
                states[name] = f"unknown ({type(exc).__name__})"
        return states

    async def _admin_command(self, command: AdminCommand) -> Response:
        if command is AdminCommand.RELOAD:
            outcome = await self.reload_content(trigger="admin")
            return Response(replies=[admin.reload_reply(outcome)], intent="admin_reload")
        stats, content = self.stats, self.understanding.content
        text = admin.status_text(
            started_at=stats.started_at, handled=stats.handled, fallbacks=stats.fallbacks,
            low_confidence=stats.low_confidence, errors=stats.errors,
            platforms=self._platform_states(), version=content.version,
            intents=len(content.intents), loaded_at=self.loaded_at,
            last_reload=self.last_reload)
        return Response(replies=[text], intent="admin_status")

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
                log.error("content reload (%s) rejected, still serving version %s; "
                          "%d problem(s):\n  %s", trigger, old, len(problems),
                          "\n  ".join(problems))
            except Exception as exc:
                problems = [f"{type(exc).__name__}: {exc}"]
                log.exception("content reload (%s) failed, still serving version %s",
                              trigger, old)
            else:
                self.understanding = understanding  # one assignment: the swap
                self.loaded_at = time.time()
                log.info("content reloaded (%s): version %s -> %s", trigger, old,
                         understanding.content.version)
            content = self.understanding.content
            self.last_reload = ReloadOutcome(
                at=time.time(), trigger=trigger, old_version=old, version=content.version,
                intents=len(content.intents), problems=problems,
                seconds=time.monotonic() - started)
            self.admin_notice = None  # an earlier notice is stale now
            return self.last_reload

    async def notify_admins(self, text: str) -> None:
        """Keep ``text`` to put before the next reply to an admin in a private chat, and hand
        it to every ``on_admin_notice`` callback (a failing one is logged)."""
        self.admin_notice = text
        for callback in list(self.on_admin_notice):
            try:
                await callback(text)
            except Exception:
                log.exception("an admin notice callback failed")
