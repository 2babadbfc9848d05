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
* retries (the same ``MsgId``; for events the sender and ``CreateTime``) are never processed
  twice: a retry waits for the same answer and gets the same reply.

Privacy: message texts are never logged; nor are the token, the AES key, the AppSecret or the
access token.
"""

from __future__ import annotations

import asyncio
import contextlib
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
from bot.adapters.official_api import OfficialApi, OfficialApiError
from bot.adapters.outbox import Outbox, Outgoing, split_message
from bot.adapters.webserver import WebServer
from bot.config import Config, OfficialConfig
from bot.messages import Incoming, MessageKind, Response

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
    done: asyncio.Event = field(default_factory=asyncio.Event)
    response: Response | None = None
    parts: list[str] = field(default_factory=list)
    #: passive: the answer (its first part) is the reply; ack: it is sent as
    #: customer-service messages once ready; None: not decided yet
    mode: Literal["passive", "ack"] | None = None
    #: the reply text every request for this message gets ("" = "success")
    reply: str = ""


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
        e.g. an admin notice."""
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
        turn = _Turn(key=key, open_id=message.source, started=now)
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
        if turn.mode == "ack":
            self._submit(turn, turn.parts)
        turn.done.set()

    async def _respond(self, message: BaseMessage) -> Response:
        """The engine's answer to one message or event (empty: nothing to say)."""
        incoming = self._incoming(message)
        if isinstance(incoming, Response):
            return incoming
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

    async def _reply_for(self, turn: _Turn, deadline: float) -> tuple[str, list[str]]:
        """The passive reply ("" = success) and what to send after it."""
        if turn.mode is None and not turn.done.is_set():
            remaining = deadline - asyncio.get_running_loop().time()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(turn.done.wait(), max(remaining, 0.0))
        if turn.mode is not None:
            return turn.reply, []  # a retry: the same reply, nothing sent again
        if turn.response is None:
            turn.mode = "ack"
            turn.reply = self._settings.ack_text.strip()
            log.info(
                "official: %s not answered within %.1f s; acknowledged, the answer "
                "follows as customer-service messages",
                turn.key,
                self._settings.passive_reply_seconds,
            )
            return turn.reply, []
        turn.mode = "passive"
        turn.reply = turn.parts[0] if turn.parts else ""
        return turn.reply, turn.parts[1:]

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
