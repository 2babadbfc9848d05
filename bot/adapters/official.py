"""The WeChat Official Account (公众号): WeChat posts each follower's message to a callback
URL on this server and takes the HTTP reply as the answer (a "passive reply").

wechatpy does the protocol: the signature check, the AES crypto of safe and compatible mode
(``WeChatCrypto``), parsing (``parse_message``) and rendering the reply (``create_reply``).
This module decides what to answer and when:

* ``GET`` with a valid signature echoes ``echostr`` (WeChat's check of the URL);
* a request with a missing or wrong signature, or a timestamp too far from our clock, gets 403
  and nothing is processed; a signed request reusing an earlier one's nonce for another
  message is refused the same way;
* text, voice (WeChat's own speech recognition, ``Recognition``), images and other messages go
  to the engine as an :class:`~bot.messages.Incoming`; a voice message WeChat could not
  recognise gets a kind note; a new follower gets the welcome and the menu from the content
  (``welcome_messages``); a menu button asks its text; other events get ``success``;
* **the 5-second rule**: WeChat waits 5 s for the reply and then retries. When the answer is
  ready within ``passive_reply_seconds`` and fits in one message it is the reply; a longer one
  starts there and the rest follows as customer-service messages (客服消息); an answer not
  ready in time gets ``ack_text`` as the reply and comes as customer-service messages when it
  is ready (urgent answers first, bot/adapters/outbox.py);
* **photos** are fetched with the media API (``/cgi-bin/media/get``, at most 10 MB) and read by
  the photo check (bot/photo); the reply says at once that the photo is being read
  (:data:`PHOTO_READING`) and the result follows as a customer-service message;
* **accounts without customer-service messages** (``customer_service: false``): every reply is
  whole — the engine's replies that fit in one message, never a message cut in the middle; a
  reply too long for one message is sent in complete pieces, the next one with the person's
  next message (the reply says so, :data:`MORE_FOLLOWS`). An answer not ready in time (a photo
  being read) is held and comes with the person's next message, whatever it says; an urgent
  new message is answered first;
* retries (the same ``MsgId``; for events the sender and ``CreateTime``) are never processed
  twice: a retry waits for the same answer and gets the same reply.

Privacy: message texts are never logged; nor are the token, the AES key, the AppSecret or the
access token.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import hmac
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.events import ClickEvent, SubscribeEvent, SubscribeScanEvent
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import (
    BaseMessage,
    ImageMessage,
    LinkMessage,
    LocationMessage,
    ShortVideoMessage,
    TextMessage,
    UnknownMessage,
    VideoMessage,
    VoiceMessage,
)
from wechatpy.replies import create_reply

from bot.adapters.base import Adapter, MessageHandler, describe_turn
from bot.adapters.hygiene import clean_incoming
from bot.adapters.official_api import MediaTooLarge, OfficialApi, OfficialApiError
from bot.adapters.outbox import Outbox, Outgoing, split_message
from bot.adapters.webserver import WebServer
from bot.config import Config, OfficialConfig
from bot.messages import Incoming, MessageKind, Response
from bot.photo import texts as photo_texts

log = logging.getLogger(__name__)

PLATFORM = "official"
MAX_BODY_BYTES = 64 * 1024
#: how long a handled message is remembered, so WeChat's retries are recognised
REMEMBER_SECONDS = 600.0
MAX_REMEMBERED = 20_000
STOP_FLUSH_SECONDS = 5.0

VOICE_NOT_RECOGNISED = (
    "抱歉，这条语音我没能听清楚。可以再说一遍，或者打字告诉我你遇到的情况，"
    "比如“催收的人在门口怎么办”。如果有人威胁你或不肯离开，请马上拨打110。"
)
#: the passive reply to a photo while it is read (its result follows as a 客服消息)
PHOTO_READING = (
    "收到照片，正在看你的照片，请稍等几秒，看完马上把结果发给你。"
    "如果有人威胁你或不肯离开，请先拨打110。"
)
#: the same, on an account without customer-service messages
PHOTO_READING_NEXT = (
    "收到照片，正在看你的照片。看完后你随便发一条消息（比如“好了吗”），我就把结果告诉你。"
    "如果有人威胁你或不肯离开，请先拨打110。"
)
#: an answer not ready in time, on an account without customer-service messages
ACK_NEXT = (
    "收到，回答还在整理中。请过几秒随便发一条消息（比如“好了吗”），我就把回答发给你。"
    "如果有人威胁你或不肯离开，请先拨打110。"
)
#: a message that asks nothing while the answer to an earlier one is still being prepared
STILL_WORKING = (
    "上一条的回答还没整理好（照片要多看几秒），请过几秒再发一条消息。"
    "如果有人威胁你或不肯离开，请先拨打110。"
)
#: the end of a reply whose answer goes on in the next one (no customer-service messages)
MORE_FOLLOWS = "（还有下文：随便发一条消息，比如“继续”，我接着发给你。）"
#: the photo could not be fetched from WeChat
PHOTO_NOT_FETCHED = (
    "这张照片我没能从微信取到，请再发一次；也可以把照片上的字打出来发给我。"
    "如果有人威胁你或不肯离开，请先拨打110。"
)
#: answers held for a person's next message are kept this long
HOLD_SECONDS = 6 * 3600.0
#: pieces held for one person at most (the oldest go first)
MAX_HELD_PIECES = 20
#: intents that answer nothing (a nudge like "好了吗" while an answer is held)
_NOT_ANSWERS = frozenset({"fallback", "clarify", "error"})

HANDLING_FAILED = (
    "抱歉，我这边出了点问题，没能处理这条消息。请再发一次试试。"
    "如果有人威胁你或不肯离开，请直接拨打110。"
)

_OTHER_KINDS: dict[type[BaseMessage], MessageKind] = {
    ImageMessage: MessageKind.IMAGE,
    ShortVideoMessage: MessageKind.VIDEO,
    VideoMessage: MessageKind.VIDEO,
    LocationMessage: MessageKind.LOCATION,
    LinkMessage: MessageKind.LINK,
}


class CallbackRefused(Exception):
    """A callback that is not (provably) from WeChat, or that cannot be read."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature_of(token: str, *parts: str) -> str:
    """WeChat's signature: SHA-1 of the token and ``parts`` sorted and joined."""
    return hashlib.sha1("".join(sorted((token, *parts))).encode("utf-8")).hexdigest()


def split_for_wechat(text: str, max_bytes: int) -> list[str]:
    """``text`` cut into messages of at most ``max_bytes`` UTF-8 bytes (at paragraph, line
    and sentence ends where possible)."""
    parts: list[str] = []
    for part in split_message(text, max(max_bytes // 3, 1)):
        if len(part.encode("utf-8")) <= max_bytes:
            parts.append(part)
        else:  # four-byte characters (emoji): cut shorter
            parts.extend(split_message(part, max(max_bytes // 4, 1)))
    return parts


def message_key(message: BaseMessage) -> str:
    """What identifies one message across WeChat's retries: the sender and the MsgId, or for
    an event (which has none) the sender, the time and the event. The sender is part of the key
    so another follower's message with the same MsgId never gets this one's answer."""
    if message.id:
        return f"msg:{message.source}:{message.id}"
    event = getattr(message, "event", "") or message.type
    return f"event:{message.source}:{message.time}:{event}"


@dataclass(eq=False)
class _Turn:
    """One message from WeChat and what became of it (shared by its retries)."""

    key: str
    open_id: str
    started: float
    #: a photo to read (slow: acknowledged at once where 客服消息 can bring the result)
    photo: bool = False
    #: the person wrote (or tapped): held answers may go with the reply (not with an
    #: automatic event such as a location report or unfollowing)
    from_person: bool = True
    done: asyncio.Event = field(default_factory=asyncio.Event)
    response: Response | None = None
    #: the answer cut for customer-service messages
    parts: list[str] = field(default_factory=list)
    #: the answer as whole pieces, each fitting a passive reply (no customer-service messages)
    pieces: list[str] = field(default_factory=list)
    #: passive: the answer (its first part) is the reply; ack: it is sent as
    #: customer-service messages once ready; None: not decided yet
    mode: Literal["passive", "ack"] | None = None
    #: the reply text every request for this message gets ("" = "success")
    reply: str = ""


@dataclass(eq=False)
class _Held:
    """Answers waiting for a person's next message (no customer-service messages)."""

    pieces: list[str]
    since: float


class OfficialAdapter(Adapter):
    """Serve the Official Account's callback URL and answer followers until stopped."""

    name = "official"
    platform = PLATFORM  # the platform of its Incoming messages (admin ids: "official:<openid>")
    sends_private = True

    def __init__(self, config: Config, engine: MessageHandler) -> None:
        settings = config.platforms.official
        settings.check_ready()
        self._settings = settings
        self._engine = engine
        self._customer_service = settings.customer_service
        self._read_photos = config.photo.enabled
        assert settings.token is not None and settings.app_id is not None
        self._token = settings.token.get_secret_value()
        self._crypto = (
            None
            if settings.encoding_aes_key is None
            else WeChatCrypto(
                self._token, settings.encoding_aes_key.get_secret_value(), settings.app_id
            )
        )
        self._api = _api_from(settings)
        self._outbox = Outbox(
            self._deliver,
            per_room_per_minute=config.sending.per_room_per_minute,
            overall_per_minute=config.sending.overall_per_minute,
            max_message_chars=max(settings.max_message_bytes // 3, 100),
            urgent_reserve_per_minute=config.sending.urgent_reserve_per_minute,
        )
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_get(settings.path, self._verify_url)
        app.router.add_post(settings.path, self._callback)
        self._server = WebServer(app, settings.host, settings.port)
        self._turns: OrderedDict[str, _Turn] = OrderedDict()
        #: answers held for each person's next message (no customer-service messages)
        self._held: OrderedDict[str, _Held] = OrderedDict()
        #: acknowledged turns whose answer is still being prepared, per person
        self._unfinished: dict[str, list[_Turn]] = {}
        self._nonces: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = asyncio.Event()
        self.engine_calls = 0

    @property
    def port(self) -> int | None:
        """The port the server is bound to (after :meth:`start`)."""
        return self._server.port

    @property
    def pending_replies(self) -> int:
        """Customer-service messages queued or being sent."""
        return self._outbox.pending

    # ----- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Start serving (returns once the port is bound)."""
        await self._server.start()
        self._stopped.clear()
        log.info(
            "official: serving the Official Account callback on http://%s:%s%s (%s mode)",
            self._settings.host,
            self.port,
            self._settings.path,
            self._settings.mode,
        )

    async def run(self) -> None:
        """Serve until :meth:`stop` is called."""
        await self.start()
        await self._stopped.wait()

    async def stop(self) -> None:
        """Stop serving, let answers in progress finish and be sent (for a few seconds)."""
        await self._server.stop()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=STOP_FLUSH_SECONDS)
        await self._outbox.close(drain_seconds=STOP_FLUSH_SECONDS)
        await self._api.close()
        self._stopped.set()

    async def send_private(self, user: str, text: str) -> None:
        """Send ``text`` to the follower ``user`` (an OpenID) as a customer-service message,
        e.g. an admin notice (without customer-service messages: with their next reply)."""
        if not self._customer_service:
            self._hold(user, self._pieces([text]))
            return
        self._outbox.submit(user, split_for_wechat(text, self._settings.max_message_bytes))

    # ----- the callback ------------------------------------------------------------------

    def _check_signature(self, request: web.Request) -> tuple[str, str]:
        """The request's timestamp and nonce, when its signature is right and its time is
        close to ours (else CallbackRefused 403)."""
        query = request.query
        signature = query.get("signature", "")
        timestamp = query.get("timestamp", "")
        nonce = query.get("nonce", "")
        if not (signature and timestamp and nonce):
            raise CallbackRefused(403, "signature, timestamp or nonce missing")
        expected = signature_of(self._token, timestamp, nonce)
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise CallbackRefused(
                403,
                "wrong signature (is platforms.official.token the "
                "Token set in the WeChat console?)",
            )
        try:
            skew = abs(time.time() - int(timestamp))
        except ValueError:
            raise CallbackRefused(403, "the timestamp is not a number") from None
        if skew > self._settings.max_clock_skew_seconds:
            raise CallbackRefused(
                403,
                f"the timestamp is {skew:.0f} s away from this "
                "server's clock (a replay, or a clock to set right)",
            )
        return timestamp, nonce

    async def _verify_url(self, request: web.Request) -> web.Response:
        """WeChat's check of the callback URL: echo ``echostr`` when the signature is right."""
        try:
            self._check_signature(request)
        except CallbackRefused as exc:
            log.warning("official: refused a URL check from %s: %s", request.remote, exc.reason)
            return web.Response(status=exc.status, text="forbidden")
        echostr = request.query.get("echostr")
        if echostr is None:
            return web.Response(status=400, text="echostr missing")
        log.info("official: WeChat checked the callback URL")
        return web.Response(text=echostr)

    async def _callback(self, request: web.Request) -> web.StreamResponse:
        """One message or event from WeChat; the reply is the passive answer."""
        deadline = asyncio.get_running_loop().time() + self._settings.passive_reply_seconds
        try:
            timestamp, nonce = self._check_signature(request)
            body = await request.read()
            encrypted = request.query.get("encrypt_type", "").lower() == "aes"
            message = self._read_message(request, body, encrypted, timestamp, nonce)
            turn, created = self._turn_for(message, timestamp, nonce)
        except CallbackRefused as exc:
            log.warning("official: refused a callback from %s: %s", request.remote, exc.reason)
            return web.Response(
                status=exc.status, text="forbidden" if exc.status == 403 else "bad request"
            )
        except web.HTTPRequestEntityTooLarge:
            log.warning(
                "official: refused a callback from %s: body over %d bytes",
                request.remote,
                MAX_BODY_BYTES,
            )
            return web.Response(status=413, text="too large")
        if created:
            self._start(turn, message)
        elif turn.mode is None:
            log.info("official: %s is a retry; it waits for the answer in progress", turn.key)
        else:
            log.info("official: %s is a retry of a message already answered; same reply", turn.key)
        text, rest = await self._reply_for(turn, deadline)
        response = self._render(text, message, encrypted, nonce)
        if rest:
            # Send the passive reply first, then the rest, so they arrive in order.
            await response.prepare(request)
            await response.write_eof()
            self._submit(turn, rest)
        return response

    def _read_message(
        self, request: web.Request, body: bytes, encrypted: bool, timestamp: str, nonce: str
    ) -> BaseMessage:
        mode = self._settings.mode
        if encrypted:
            if self._crypto is None:
                raise CallbackRefused(
                    403, "an encrypted message, but platforms.official.encoding_aes_key is not set"
                )
            try:
                xml = self._crypto.decrypt_message(
                    body, request.query.get("msg_signature", ""), timestamp, nonce
                )
            except (InvalidSignatureException, InvalidAppIdException):
                raise CallbackRefused(
                    403,
                    "wrong msg_signature or AppID in an encrypted "
                    "message (check token, encoding_aes_key, "
                    "app_id)",
                ) from None
            except Exception as exc:
                raise CallbackRefused(
                    400, f"cannot decrypt the message ({type(exc).__name__})"
                ) from None
        elif mode == "safe":
            raise CallbackRefused(
                403, "a plain message in safe mode (set mode: compatible or plain to accept it)"
            )
        else:
            xml = body.decode("utf-8", "replace")
        try:
            message = parse_message(xml)
        except Exception as exc:
            raise CallbackRefused(
                400, f"cannot read the message XML ({type(exc).__name__})"
            ) from None
        if message is None or not message.source:
            raise CallbackRefused(400, "the message has no FromUserName")
        return message

    def _turn_for(self, message: BaseMessage, timestamp: str, nonce: str) -> tuple[_Turn, bool]:
        """The turn of this message (a retry's is the first request's) and whether it is
        new. A nonce seen before with another message is a replay: CallbackRefused."""
        now = time.monotonic()
        self._forget(now)
        key = message_key(message)
        seen = self._nonces.get((timestamp, nonce))
        if seen is not None and seen != key:
            raise CallbackRefused(403, "a nonce already used for another message (a replay)")
        self._nonces[(timestamp, nonce)] = key
        turn = self._turns.get(key)
        if turn is not None:
            return turn, False
        photo = isinstance(message, ImageMessage) and self._read_photos
        from_person = message.type != "event" or isinstance(
            message, ClickEvent | SubscribeEvent | SubscribeScanEvent
        )
        turn = _Turn(
            key=key, open_id=message.source, started=now, photo=photo, from_person=from_person
        )
        self._turns[key] = turn
        return turn, True

    def _forget(self, now: float) -> None:
        """Drop what is too old to be retried (and the oldest beyond the size bound)."""
        while self._turns:
            turn = next(iter(self._turns.values()))
            too_many = len(self._turns) > MAX_REMEMBERED
            if not too_many and now - turn.started < REMEMBER_SECONDS:
                break
            self._turns.popitem(last=False)
        window = 2 * self._settings.max_clock_skew_seconds
        while len(self._nonces) > MAX_REMEMBERED or (
            self._nonces and _nonce_age(next(iter(self._nonces))) > window
        ):
            self._nonces.popitem(last=False)

    # ----- answering ---------------------------------------------------------------------

    def _start(self, turn: _Turn, message: BaseMessage) -> None:
        task = asyncio.get_running_loop().create_task(
            self._process(turn, message), name=f"official-{turn.key}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, turn: _Turn, message: BaseMessage) -> None:
        """Find the answer; send it as customer-service messages if the reply was an ack."""
        try:
            response = await self._respond(message)
        except Exception:
            log.exception("official: failed to answer %s", turn.key)
            response = Response(replies=[HANDLING_FAILED], intent="error")
        turn.response = response
        joined = "\n\n".join(r.strip() for r in response.replies if r.strip())
        turn.parts = split_for_wechat(joined, self._settings.max_message_bytes) if joined else []
        turn.pieces = self._pieces(response.replies)
        if turn.mode == "ack":
            if self._customer_service:
                self._submit(turn, turn.parts)
            else:
                self._hold(turn.open_id, turn.pieces)
                waiting = self._unfinished.get(turn.open_id, [])
                if turn in waiting:
                    waiting.remove(turn)
                if not waiting:
                    self._unfinished.pop(turn.open_id, None)
        turn.done.set()

    async def _respond(self, message: BaseMessage) -> Response:
        """The engine's answer to one message or event (empty: nothing to say)."""
        incoming = self._incoming(message)
        if isinstance(incoming, Response):
            return incoming
        if isinstance(message, ImageMessage) and self._read_photos:
            fetched = await self._fetch_photo(message)
            if isinstance(fetched, Response):
                return fetched
            incoming = [dataclasses.replace(one, image=fetched) for one in incoming]
        response = Response()
        for one in incoming:
            answer = await self._engine.handle(one)
            self.engine_calls += 1
            log.info("official: %s", describe_turn(message.id or message.type, one, answer))
            response = Response(
                replies=[*response.replies, *answer.replies],
                intent=answer.intent or response.intent,
                confidence=answer.confidence,
                intents=answer.intents,
                choices=answer.choices,
                urgent=response.urgent or answer.urgent,
            )
        return response

    def _incoming(self, message: BaseMessage) -> list[Incoming] | Response:
        """The messages to ask the engine, or the answer without it."""

        def ask(text: str, kind: MessageKind = MessageKind.TEXT) -> Incoming:
            return clean_incoming(
                Incoming(user=message.source, text=text, platform=PLATFORM, kind=kind)
            )

        if isinstance(message, TextMessage):
            return [ask(message.content or "")]
        if isinstance(message, VoiceMessage):
            recognised = (message.recognition or "").strip()
            if not recognised:
                log.info(
                    "official: voice message %s from %s without recognition",
                    message.id,
                    message.source,
                )
                return Response(replies=[VOICE_NOT_RECOGNISED], intent="voice_not_recognised")
            return [ask(recognised)]
        if isinstance(message, SubscribeEvent | SubscribeScanEvent):
            log.info("official: %s followed the account", message.source)
            return [ask(text) for text in self._settings.welcome_messages]
        if isinstance(message, ClickEvent):
            return [ask(message.key)] if message.key else Response()
        kind = _OTHER_KINDS.get(type(message))
        if kind is not None:
            return [ask("", kind)]
        if isinstance(message, UnknownMessage) and message.type != "event":
            return [ask("", MessageKind.OTHER)]
        log.debug(
            "official: ignored a %s event from %s", getattr(message, "event", "?"), message.source
        )
        return Response()

    async def _fetch_photo(self, message: ImageMessage) -> bytes | Response:
        """The photo's bytes from the media API, or the answer saying why there are none."""
        media_id = (message.media_id or "").strip()
        if not media_id:
            return Response(replies=[PHOTO_NOT_FETCHED], intent="photo_check")
        try:
            return await self._api.get_media(media_id, photo_texts.MAX_BYTES)
        except MediaTooLarge:
            log.warning("official: the photo in message %s is over 10 MB", message.id)
            return Response(replies=[photo_texts.TOO_LARGE], intent="photo_check")
        except OfficialApiError as exc:
            log.warning("official: the photo in message %s was not fetched: %s", message.id, exc)
            return Response(replies=[PHOTO_NOT_FETCHED], intent="photo_check")

    async def _reply_for(self, turn: _Turn, deadline: float) -> tuple[str, list[str]]:
        """The passive reply ("" = success) and what to send after it."""
        loop = asyncio.get_running_loop()
        if turn.mode is None and not turn.done.is_set():
            # A photo where 客服消息 can bring the result: say at once that it is being read.
            wait = 0.0 if turn.photo and self._customer_service else deadline - loop.time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(turn.done.wait(), max(wait, 0.0))
        if turn.mode is None and not self._customer_service:
            # earlier answers of this person still being prepared come with this reply
            earlier = [t.done.wait() for t in self._unfinished.get(turn.open_id, [])]
            if earlier:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        asyncio.gather(*earlier), max(deadline - loop.time(), 0.0)
                    )
        if turn.mode is not None:
            return turn.reply, []  # a retry: the same reply, nothing sent again
        if turn.response is None:
            turn.mode = "ack"
            if self._customer_service:
                turn.reply = PHOTO_READING if turn.photo else self._settings.ack_text.strip()
                follows = "as customer-service messages"
            else:
                ack = PHOTO_READING_NEXT if turn.photo else ACK_NEXT
                turn.reply = self._with_held(turn.open_id, ack)
                self._unfinished.setdefault(turn.open_id, []).append(turn)
                follows = "with the person's next message"
            log.info(
                "official: %s %s; acknowledged, the answer follows %s",
                turn.key,
                "is a photo to read"
                if turn.photo and self._customer_service
                else f"not answered within {self._settings.passive_reply_seconds:.1f} s",
                follows,
            )
            return turn.reply, []
        turn.mode = "passive"
        if self._customer_service:
            turn.reply = turn.parts[0] if turn.parts else ""
            return turn.reply, turn.parts[1:]
        turn.reply = self._whole_reply(turn)
        return turn.reply, []

    # ----- accounts without customer-service messages ------------------------------------

    def _pieces(self, replies: list[str]) -> list[str]:
        """The replies as whole pieces that each fit one passive reply with room for
        :data:`MORE_FOLLOWS` (a too long reply is cut at paragraph, line or sentence ends)."""
        room = self._settings.max_message_bytes - len(MORE_FOLLOWS.encode("utf-8")) - 2
        pieces: list[str] = []
        for reply in replies:
            if reply.strip():
                pieces.extend(split_for_wechat(reply.strip(), room))
        return pieces

    def _whole_reply(self, turn: _Turn) -> str:
        """The passive reply of an account without customer-service messages: what was held
        for this person and this answer, in whole pieces that fit; the rest is held again."""
        assert turn.response is not None
        response = turn.response
        if not turn.from_person:
            reply, rest = self._fit(turn.pieces)
            self._hold(turn.open_id, rest)
            return reply
        held = self._held.pop(turn.open_id, None)
        earlier = held.pieces if held is not None else []
        asks = response.intent not in _NOT_ANSWERS and bool(turn.pieces)
        if response.urgent:
            pieces = turn.pieces + earlier
        elif earlier and not asks:
            pieces = earlier  # "好了吗": the held answer is what they asked for
        elif not asks and self._unfinished.get(turn.open_id):
            pieces = [STILL_WORKING]
        else:
            pieces = earlier + turn.pieces
        reply, rest = self._fit(pieces)
        if rest:
            self._hold(turn.open_id, rest)
        return reply

    def _with_held(self, open_id: str, ack: str) -> str:
        """``ack``, after what was held for this person (as much as fits; the rest stays)."""
        held = self._held.pop(open_id, None)
        if held is None:
            return ack
        reply, rest = self._fit([*held.pieces, ack])
        self._hold(open_id, [piece for piece in rest if piece != ack])
        return reply

    def _fit(self, pieces: list[str]) -> tuple[str, list[str]]:
        """The pieces that fit one message whole (with :data:`MORE_FOLLOWS` when some are
        left), and those left."""
        limit = self._settings.max_message_bytes

        def size(parts: list[str]) -> int:
            return len("\n\n".join(parts).encode("utf-8"))

        taken = 0
        while taken < len(pieces) and size(pieces[: taken + 1]) <= limit:
            taken += 1
        taken = max(taken, 1) if pieces else 0
        while 1 < taken < len(pieces) and size([*pieces[:taken], MORE_FOLLOWS]) > limit:
            taken -= 1
        rest = pieces[taken:]
        shown = pieces[:taken] + ([MORE_FOLLOWS] if rest else [])
        return "\n\n".join(shown), rest

    def _hold(self, open_id: str, pieces: list[str]) -> None:
        """Keep ``pieces`` for this person's next message (bounded, and for HOLD_SECONDS)."""
        if not pieces:
            return
        now = time.monotonic()
        while self._held and (
            len(self._held) >= MAX_REMEMBERED
            or now - next(iter(self._held.values())).since > HOLD_SECONDS
        ):
            self._held.popitem(last=False)
        held = self._held.pop(open_id, None)
        kept = (held.pieces if held is not None else []) + pieces
        self._held[open_id] = _Held(kept[-MAX_HELD_PIECES:], now)
        log.info("official: %d piece(s) of answer wait for %s's next message", len(kept), open_id)

    def _render(self, text: str, message: BaseMessage, encrypted: bool, nonce: str) -> web.Response:
        if not text:
            return web.Response(text="success")
        xml = create_reply(text, message, render=True)
        if encrypted:
            assert self._crypto is not None
            xml = self._crypto.encrypt_message(xml, nonce)
        return web.Response(text=xml, content_type="application/xml")

    # ----- customer-service messages -----------------------------------------------------

    def _submit(self, turn: _Turn, parts: list[str]) -> None:
        if not parts:
            return
        urgent = turn.response is not None and turn.response.urgent
        self._outbox.submit(turn.open_id, parts, urgent=urgent)

    async def _deliver(self, message: Outgoing) -> None:
        """Send one customer-service message (the outbox calls this within the limits)."""
        try:
            await self._api.send_text(message.conversation, message.text)
        except OfficialApiError as exc:
            log.warning(
                "official: a customer-service message to %s was not sent: %s",
                message.conversation,
                exc,
            )


def _nonce_age(entry: tuple[str, str]) -> float:
    try:
        return time.time() - int(entry[0])
    except ValueError:
        return float("inf")


def _api_from(settings: OfficialConfig) -> OfficialApi:
    settings.check_api()
    assert settings.app_id is not None and settings.app_secret is not None
    return OfficialApi(
        settings.api_base_url,
        settings.app_id,
        settings.app_secret.get_secret_value(),
        timeout_seconds=settings.api_timeout_seconds,
    )


async def set_menu(settings: OfficialConfig, api: OfficialApi | None = None) -> list[Any]:
    """Set the account's custom menu from ``settings.menu``; returns the buttons sent.
    Raises OfficialApiError when WeChat refuses (the message says why)."""
    from bot.config import ConfigError

    if not settings.menu:
        raise ConfigError("platforms.official.menu is empty: there is no menu to set")
    buttons = [button.to_wechat() for button in settings.menu]
    own = api is None
    api = api if api is not None else _api_from(settings)
    try:
        await api.create_menu(buttons)
    finally:
        if own:
            await api.close()
    return buttons
