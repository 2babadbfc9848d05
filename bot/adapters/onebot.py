"""QQ through OneBot v11: a reverse WebSocket server that NapCat, Lagrange or LLOneBot connect to.

The OneBot implementation connects to ``ws://host:port/path`` (with the access token as
``Authorization: Bearer <token>`` or ``?access_token=``), pushes events as JSON and takes
actions on the same connection ("Universal" role; an "Event" connection with a separate "API"
connection works too). Each ``message`` event becomes an :class:`~bot.messages.Incoming`; the
replies go out as ``send_private_msg`` / ``send_group_msg`` actions through a rate-limited
:class:`~bot.adapters.outbox.Outbox`, the first reply in a group @mentioning the asker.

Replies queued while the account is not connected wait for it to reconnect; an action whose
connection drops before it is confirmed is sent again on the new connection (it may then
arrive twice: better than not at all). Failed actions are logged; a reply the implementation
refuses is sent once more in parts (urgent lines first).

Security: the access token is required unless ``allow_without_token_on_loopback`` is set (and
the server is on loopback); a handshake carrying an ``Origin`` header (a web page in a
browser, never a OneBot implementation) is refused; a connection speaks for one account only
(its ``X-Self-ID``, or the first ``self_id`` it sends): events claiming another account are
dropped, and replies go out only through that account's connections. A frame that is not
JSON, too deeply nested, or otherwise bad is logged and skipped; the connection stays.

Privacy: message texts are never logged here; INFO lines carry message, user and group ids,
the message kind and the intent the engine chose.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import itertools
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from bot.adapters.base import Adapter, MessageHandler, describe_turn
from bot.adapters.download import DownloadError, DownloadTooLarge, download_image
from bot.adapters.hygiene import clean_incoming, clean_text, log_id
from bot.adapters.onebot_message import image_url, outgoing_message, read_message
from bot.adapters.outbox import Outbox, Outgoing, unsent_file
from bot.adapters.ratelog import RateLimitedLog
from bot.adapters.webserver import WebServer, bearer_token, required_token, token_matches
from bot.config import Config
from bot.messages import Incoming, MessageKind
from bot.photo import texts as photo_texts

log = logging.getLogger(__name__)

PLATFORM = "qq"
ACTION_TIMEOUT_SECONDS = 15.0
STOP_FLUSH_SECONDS = 3.0
MAX_FRAME_BYTES = 4 * 1024 * 1024
#: the deepest nesting of arrays and objects read from a frame (OneBot events need about 5)
MAX_FRAME_DEPTH = 64

_refusals = RateLimitedLog(log)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(raw: str) -> int:
    """How deeply arrays and objects nest in the JSON text ``raw`` (brackets inside strings
    do not count). Cheap for ordinary frames: only a frame with many brackets is scanned."""
    if raw.count("[") + raw.count("{") <= MAX_FRAME_DEPTH:
        return raw.count("[") + raw.count("{")  # an upper bound, and small
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", raw))
    return max(itertools.accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def parse_frame(raw: str) -> dict[str, Any] | None:
    """A frame's JSON object, or None when it is not JSON, nests deeper than
    :data:`MAX_FRAME_DEPTH`, or is not an object."""
    if nesting_depth(raw) > MAX_FRAME_DEPTH:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


_dumps = functools.partial(json.dumps, ensure_ascii=False)


@dataclass(eq=False)
class _Connection:
    """One WebSocket from a OneBot implementation."""

    ws: web.WebSocketResponse
    self_id: str
    role: str  # "universal", "event" or "api"
    peer: str
    pending: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)

    @property
    def takes_actions(self) -> bool:
        return self.role in ("universal", "api") and not self.ws.closed


class SendRefused(Exception):
    """The OneBot implementation answered an action with a failure (the outbox sends the
    message once more, in parts)."""


def _target(self_id: str, in_room: bool, target: str) -> str:
    """The outbox conversation key: the account, then the group or the person."""
    return f"{self_id}/{'g' if in_room else 'p'}/{target}"


def _split_target(conversation: str) -> tuple[str, str]:
    self_id, _, rest = conversation.partition("/")
    return self_id, rest.partition("/")[2]


#: QQ numbers (users, groups, the bot's account) have at most this many digits
MAX_QQ_ID_DIGITS = 20


def numeric_id(value: object) -> str | None:
    """A QQ number from an event (an int, or a string of ASCII digits) as its canonical
    string; None for anything else (a dict, a float, a 1 MB string, zero, a negative)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not (0 < len(value) <= MAX_QQ_ID_DIGITS and value.isascii() and value.isdigit()):
            return None
        value = int(value)
    if isinstance(value, int) and 0 < value < 10**MAX_QQ_ID_DIGITS:
        return str(value)
    return None


def _wire_id(value: str) -> int | str:
    """QQ numbers go back as numbers, as they came."""
    return int(value) if value.isdigit() else value


class OneBotAdapter(Adapter):
    """Serve the OneBot v11 reverse WebSocket and answer QQ messages until stopped."""

    name = "onebot"
    platform = PLATFORM  # the platform of its Incoming messages (admin ids: "qq:<number>")
    sends_private = True

    def __init__(self, config: Config, engine: MessageHandler) -> None:
        settings = config.platforms.onebot
        self._token = required_token(
            settings.host,
            settings.access_token,
            key="platforms.onebot.access_token",
            env="ONEBOT_ACCESS_TOKEN",
            optional_on_loopback=settings.allow_without_token_on_loopback,
            opt_out="platforms.onebot.allow_without_token_on_loopback: true",
        )
        self._engine = engine
        self._path = settings.path if settings.path.startswith("/") else f"/{settings.path}"
        self._host = settings.host
        app = web.Application()
        app.router.add_get(self._path, self._websocket)
        self._server = WebServer(app, settings.host, settings.port)
        self._outbox = Outbox.from_config(
            self._deliver, config.sending, unsent_file(config, self.name)
        )
        self._stop_drain = config.sending.stop_drain_seconds
        self._connections: list[_Connection] = []
        self._changed = asyncio.Condition()
        self._stopping = asyncio.Event()
        self._stopped = asyncio.Event()
        self._echoes = itertools.count(1)
        self._read_photos = config.photo.enabled
        self._read_group_photos = config.groups.answer_confident_questions
        self._photo_tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int | None:
        """The port the server is bound to (after :meth:`start`)."""
        return self._server.port

    @property
    def pending_replies(self) -> int:
        """Chat messages queued or being sent."""
        return self._outbox.pending

    # ----- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening (returns once the port is bound)."""
        await self._server.start()
        self._outbox.restore()  # what the last stop could not send
        log.info(
            "onebot: waiting for a OneBot v11 reverse WebSocket on ws://%s:%s%s (access token %s)",
            self._host,
            self.port,
            self._path,
            "required" if self._token else "not required",
        )

    async def run(self) -> None:
        """Serve until :meth:`stop` is called."""
        await self.start()
        await self._stopped.wait()

    async def stop(self) -> None:
        """Send what is queued (for a few seconds), close the connections, stop listening."""
        if self._stopping.is_set():
            await self._stopped.wait()
            return
        if self._photo_tasks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    asyncio.gather(*self._photo_tasks, return_exceptions=True), STOP_FLUSH_SECONDS
                )
        connected = any(c.takes_actions for c in self._connections)
        # drains for a few seconds, then saves the rest for the next start (or logs the count)
        await self._outbox.close(self._stop_drain if connected else 0)
        self._stopping.set()
        async with self._changed:
            self._changed.notify_all()
        for connection in list(self._connections):
            await connection.ws.close(code=WSCloseCode.GOING_AWAY, message=b"bot stopping")
        await self._server.stop()
        self._stopped.set()

    # ----- connections -------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        if self._token is None:
            return True
        given = bearer_token(
            request.headers.get("Authorization"), ("bearer", "token")
        ) or request.query.get("access_token")
        return token_matches(given, self._token)

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Origin") is not None:
            _refusals.log(
                "origin",
                logging.WARNING,
                "onebot: refused a connection from %s with Origin %r: a web page in "
                "a browser, not a OneBot implementation",
                request.remote,
                log_id(request.headers["Origin"]),
            )
            return web.json_response({"error": "browser connections are not accepted"}, status=403)
        if not self._authorized(request):
            _refusals.log(
                "token",
                logging.WARNING,
                "onebot: refused a connection from %s: missing or wrong access token "
                "(platforms.onebot.access_token / ONEBOT_ACCESS_TOKEN)",
                request.remote,
            )
            return web.json_response({"error": "missing or wrong access token"}, status=401)
        if self._stopping.is_set():
            return web.json_response({"error": "the bot is stopping"}, status=503)
        ws = web.WebSocketResponse(heartbeat=30, timeout=3, max_msg_size=MAX_FRAME_BYTES)
        if not ws.can_prepare(request).ok:
            return web.json_response({"error": "expected a WebSocket upgrade"}, status=400)
        await ws.prepare(request)
        connection = _Connection(
            ws=ws,
            self_id=numeric_id(request.headers.get("X-Self-ID", "")) or "",
            role=(request.headers.get("X-Client-Role") or "Universal").strip().lower(),
            peer=str(request.remote),
        )
        await self._connected(connection)
        try:
            async for frame in ws:
                if frame.type is WSMsgType.TEXT:
                    await self._on_frame(connection, frame.data)
                elif frame.type is WSMsgType.BINARY:
                    await self._on_frame(connection, frame.data.decode("utf-8", "replace"))
        finally:
            await self._disconnected(connection)
        return ws

    async def _connected(self, connection: _Connection) -> None:
        async with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        log.info(
            "onebot: account %s connected from %s (%s connection)",
            connection.self_id or "?",
            connection.peer,
            connection.role,
        )

    async def _disconnected(self, connection: _Connection) -> None:
        async with self._changed:
            self._connections.remove(connection)
            self._changed.notify_all()
        for future in connection.pending.values():
            if not future.done():
                future.set_exception(ConnectionError("the connection closed"))
        waiting = self._outbox.pending
        level = logging.INFO if self._stopping.is_set() or not waiting else logging.WARNING
        log.log(
            level,
            "onebot: account %s disconnected (%s connection from %s)%s",
            connection.self_id or "?",
            connection.role,
            connection.peer,
            f"; {waiting} repl{'y waits' if waiting == 1 else 'ies wait'} for a reconnect"
            if waiting and not self._sender(connection.self_id)
            else "",
        )

    async def send_private(self, user: str, text: str) -> None:
        """Send ``text`` to ``user`` in a private chat (e.g. a notice to an admin), from the
        account connected most recently; dropped with a warning when none is connected."""
        accounts = [c.self_id for c in self._connections if c.takes_actions and c.self_id]
        if not accounts:
            log.warning("onebot: no account connected; a private notice was not sent")
            return
        self._outbox.submit(_target(accounts[-1], False, user), [text])

    def _sender(self, self_id: str) -> _Connection | None:
        """The newest connection of account ``self_id`` that takes actions."""
        for connection in reversed(self._connections):
            if connection.takes_actions and connection.self_id == self_id:
                return connection
        return None

    # ----- incoming ----------------------------------------------------------------------

    async def _on_frame(self, connection: _Connection, raw: str) -> None:
        # A large frame is parsed off the event loop (a 4 MB frame takes tens of milliseconds).
        data = (
            await asyncio.to_thread(parse_frame, raw) if len(raw) > 64 * 1024 else parse_frame(raw)
        )
        if data is None:
            _refusals.log(
                "frame",
                logging.WARNING,
                "onebot: a frame of %d characters from account %s is not JSON, is "
                "nested deeper than %d or is not an object; skipped",
                len(raw),
                log_id(connection.self_id or "?"),
                MAX_FRAME_DEPTH,
            )
            return
        try:
            if "post_type" in data:
                await self._on_event(connection, data)
            elif "echo" in data:
                future = connection.pending.get(str(data["echo"]))
                if future is not None and not future.done():
                    future.set_result(data)
        except Exception:
            log.exception(
                "onebot: failed to handle an event from account %s", connection.self_id or "?"
            )

    async def _on_event(self, connection: _Connection, event: dict[str, Any]) -> None:
        raw_self_id = event.get("self_id")
        claimed = numeric_id(raw_self_id) or ""
        if raw_self_id not in (None, "") and not claimed:
            _refusals.log(
                "self_id",
                logging.WARNING,
                "onebot: an event from %s has a self_id that is not a QQ number; dropped",
                connection.peer,
            )
            return
        if not connection.self_id and claimed:
            connection.self_id = claimed  # no X-Self-ID header: learn it from the first event
            async with self._changed:
                self._changed.notify_all()
        elif claimed and claimed != connection.self_id:
            _refusals.log(
                "self_id",
                logging.WARNING,
                "onebot: the connection of account %s from %s sent an event for "
                "account %s; dropped (a connection speaks for one account)",
                log_id(connection.self_id),
                connection.peer,
                log_id(claimed),
            )
            return
        self_id = connection.self_id
        post_type = event.get("post_type")
        if post_type == "meta_event":
            if event.get("meta_event_type") == "lifecycle":
                log.info(
                    "onebot: account %s lifecycle event: %s", self_id, event.get("sub_type", "?")
                )
            return
        if post_type != "message" or self._stopping.is_set():
            return  # message_sent (our own), notice, request
        incoming = self._to_incoming(event, self_id)
        if incoming is None:
            return
        url = None
        if (
            self._read_photos
            and incoming.kind in (MessageKind.IMAGE, MessageKind.TEXT)
            and (incoming.addressed or self._read_group_photos)
        ):
            url = image_url(event.get("message") or event.get("raw_message", ""))
        if url is None:
            await self._answer(event, incoming, self_id)
            return
        # A photo with a caption ("这是真的吗？") is answered as the photo. Downloading and
        # reading it takes seconds: not on the frame loop, so the messages after it (other
        # people's too) keep being answered.
        incoming = dataclasses.replace(incoming, kind=MessageKind.IMAGE)
        task = asyncio.create_task(self._answer_photo(event, incoming, url, self_id))
        self._photo_tasks.add(task)
        task.add_done_callback(self._photo_tasks.discard)

    async def _answer(self, event: dict[str, Any], incoming: Incoming, self_id: str) -> None:
        response = await self._engine.handle(incoming)
        log.info("onebot: %s", describe_turn(event.get("message_id", "?"), incoming, response))
        if not response.silent:
            self._reply(incoming, self_id, response.replies, urgent=response.urgent)

    def _reply(
        self, incoming: Incoming, self_id: str, replies: list[str], *, urgent: bool = False
    ) -> None:
        """Queue ``replies``; they go out only through a connection of account ``self_id``."""
        if self._outbox.closed:
            log.warning(
                "onebot: stopping; %d repl%s to %s not sent",
                len(replies),
                "y" if len(replies) == 1 else "ies",
                log_id(incoming.user),
            )
            return
        if incoming.room is not None:
            self._outbox.submit(
                _target(self_id, True, incoming.room),
                replies,
                in_room=True,
                mention_ids=[incoming.user],
                urgent=urgent,
            )
        else:
            self._outbox.submit(_target(self_id, False, incoming.user), replies, urgent=urgent)

    async def _answer_photo(
        self, event: dict[str, Any], incoming: Incoming, url: str, self_id: str
    ) -> None:
        """Download the photo of an image segment and answer it (the image is kept in memory
        only for this message)."""
        try:
            data: bytes | None = None
            try:
                data = await download_image(url)
            except DownloadTooLarge as exc:
                log.warning(
                    "onebot: message %s: the image was not downloaded: %s",
                    event.get("message_id", "?"),
                    exc,
                )
                if incoming.addressed:
                    self._reply(incoming, self_id, [photo_texts.TOO_LARGE])
                return
            except DownloadError as exc:  # without the bytes the engine asks for text
                log.warning(
                    "onebot: message %s: the image was not downloaded: %s",
                    event.get("message_id", "?"),
                    exc,
                )
            await self._answer(event, dataclasses.replace(incoming, image=data), self_id)
        except Exception:
            log.exception(
                "onebot: failed to answer the photo in message %s", event.get("message_id", "?")
            )

    def _to_incoming(self, event: dict[str, Any], self_id: str) -> Incoming | None:
        message_type = event.get("message_type")
        user_id = numeric_id(event.get("user_id"))
        if message_type not in ("private", "group") or user_id is None:
            return None
        if user_id == self_id:
            return None  # the bot's own message
        room = None
        if message_type == "group":
            room = numeric_id(event.get("group_id"))
            if room is None:
                return None
        message = event.get("message")
        read = read_message(
            message if message is not None else event.get("raw_message", ""), self_id
        )
        sender = event.get("sender")
        sender = sender if isinstance(sender, dict) else {}
        return clean_incoming(
            Incoming(
                user=user_id,
                text=read.text,
                platform=PLATFORM,
                room=room,
                addressed=room is None or read.mentions_self,
                kind=read.kind,
            )
        )

    # ----- sending -----------------------------------------------------------------------

    async def _deliver(self, message: Outgoing) -> None:
        """Send one chat message (the outbox calls this within the rate limits)."""
        self_id, target = _split_target(message.conversation)
        action = "send_group_msg" if message.in_room else "send_private_msg"
        params: dict[str, Any] = {
            "group_id" if message.in_room else "user_id": _wire_id(target),
            "message": outgoing_message(message.text, message.mention_ids),
        }
        while True:
            connection = await self._wait_for_sender(self_id)
            try:
                result = await self._call(connection, action, params)
            except ConnectionError:
                log.warning(
                    "onebot: account %s disconnected before %s to %s was confirmed; "
                    "it is sent again after the reconnect (it may arrive twice)",
                    self_id,
                    action,
                    target,
                )
                continue
            except TimeoutError:
                log.warning(
                    "onebot: no answer to %s to %s within %.0f s; not sent again",
                    action,
                    target,
                    ACTION_TIMEOUT_SECONDS,
                )
                return
            if result.get("status") == "failed" or result.get("retcode") not in (0, 1):
                log.warning(
                    "onebot: %s to %s failed: retcode %s %s",
                    action,
                    log_id(target),
                    result.get("retcode"),
                    clean_text(str(result.get("wording") or result.get("message") or ""))[:200],
                )
                raise SendRefused(f"{action} failed with retcode {result.get('retcode')}")
            return

    async def _wait_for_sender(self, self_id: str) -> _Connection:
        async with self._changed:
            if self._sender(self_id) is None and not self._stopping.is_set():
                log.warning(
                    "onebot: account %s is not connected; replies wait for it to "
                    "connect (%d queued)",
                    self_id or "?",
                    self._outbox.pending,
                )
            await self._changed.wait_for(
                lambda: self._stopping.is_set() or self._sender(self_id) is not None
            )
            connection = self._sender(self_id)
        if connection is None:
            raise ConnectionError(f"account {self_id} is not connected and the bot is stopping")
        return connection

    async def _call(
        self, connection: _Connection, action: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        """Send an action and wait for its response (matched by ``echo``)."""
        echo = f"cuishou-{next(self._echoes)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        connection.pending[echo] = future
        try:
            await connection.ws.send_json(
                {"action": action, "params": params, "echo": echo}, dumps=_dumps
            )
            return await asyncio.wait_for(future, ACTION_TIMEOUT_SECONDS)
        finally:
            connection.pending.pop(echo, None)
