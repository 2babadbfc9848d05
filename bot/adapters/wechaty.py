"""The WeChat adapter: python-wechaty talking to a puppet-service gateway over gRPC.

:class:`WechatyAdapter` keeps one connection to the gateway alive (reconnecting with
exponential backoff when the gateway is not up yet or drops), turns every WeChat message into
an :class:`~bot.messages.Incoming`, asks the engine, and sends the replies through a
rate-limited :class:`~bot.adapters.outbox.Outbox` (urgent replies first).

A heartbeat finds a gateway that went silent without closing the TCP connection (NAT timeout,
the gateway's host suspended): every ``heartbeat_seconds`` the bot sends ``Ding``; the
gateway answers with a ``dong`` event. When nothing at all (dong, heartbeat, message) has come
for twice that interval, the connection is dropped and made again with the usual backoff.

python-wechaty is imported lazily through :mod:`bot.adapters.wechaty_compat` (it needs patches
on Python 3.11 and costs about a second to import): importing this module does not import it.

Privacy: message texts are never logged here; INFO lines carry message, user and group ids,
the message kind and the intent the engine chose.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import functools
import logging
import re
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from bot.adapters.base import Adapter, MessageHandler, describe_turn
from bot.adapters.download import DownloadTooLarge, download_image
from bot.adapters.hygiene import clean_incoming, log_id
from bot.adapters.outbox import Outbox, Outgoing, unsent_file
from bot.config import Config, ConfigError
from bot.messages import Incoming, MessageKind
from bot.photo import texts as photo_texts

log = logging.getLogger(__name__)

PLATFORM = "wechat"
#: WeChat ends an @mention with this character (U+2005, FOUR-PER-EM SPACE)
MENTION_END = "\u2005"
CONNECT_TIMEOUT_SECONDS = 5.0

# The Python client's message types (wechaty_grpc MessageType, after python-wechaty has
# translated the TypeScript numbers on the wire), by name so wechaty need not be imported.
_KIND_BY_TYPE_NAME = {
    "MESSAGE_TYPE_TEXT": MessageKind.TEXT,
    "MESSAGE_TYPE_CHAT_HISTORY": MessageKind.CHAT_HISTORY,
    "MESSAGE_TYPE_IMAGE": MessageKind.IMAGE,
    "MESSAGE_TYPE_AUDIO": MessageKind.VOICE,
    "MESSAGE_TYPE_VIDEO": MessageKind.VIDEO,
    "MESSAGE_TYPE_ATTACHMENT": MessageKind.FILE,
    "MESSAGE_TYPE_EMOTICON": MessageKind.STICKER,
    "MESSAGE_TYPE_URL": MessageKind.LINK,
    "MESSAGE_TYPE_MINI_PROGRAM": MessageKind.LINK,
    "MESSAGE_TYPE_TRANSFER": MessageKind.TRANSFER,
    "MESSAGE_TYPE_RED_ENVELOPE": MessageKind.TRANSFER,
    "MESSAGE_TYPE_LOCATION": MessageKind.LOCATION,
}


def message_kind(message_type: object) -> MessageKind:
    """Map python-wechaty's message type to a :class:`MessageKind` (unknown types: OTHER)."""
    return _KIND_BY_TYPE_NAME.get(getattr(message_type, "name", ""), MessageKind.OTHER)


def _names_pattern(names: Iterable[str]) -> str | None:
    alternatives = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    if not alternatives:
        return None
    return "(?:" + "|".join(re.escape(n) for n in alternatives) + ")"


def mentions_by_name(text: str, names: Iterable[str]) -> bool:
    """True when ``text`` contains ``@name`` followed by U+2005, a space or the end."""
    pattern = _names_pattern(names)
    return bool(pattern and re.search(f"@{pattern}(?:[{MENTION_END} ]|$)", text))


_ANY_LEADING_MENTION = re.compile(rf"\s*@[^\s{MENTION_END}@]{{1,40}}{MENTION_END}")


def strip_leading_mentions(text: str, names: Iterable[str], *, mentioned: bool) -> str:
    """Remove the @mention(s) of the bot at the start of ``text``.

    ``@name`` of the bot (followed by U+2005, a space or the end) is always removed. When the
    gateway says the bot is mentioned, any leading WeChat mention token (``@…`` + U+2005) goes
    too: it is how the sender addressed the bot, e.g. by its group nickname.
    """
    pattern = _names_pattern(names)
    by_name = re.compile(rf"\s*@{pattern}(?:[{MENTION_END} ]|$)") if pattern else None
    while True:
        match = (by_name.match(text) if by_name else None) or (
            _ANY_LEADING_MENTION.match(text) if mentioned else None
        )
        if not match or not match.group(0):
            return text.strip()
        text = text[match.end() :]


def gateway_settings(config: Config) -> tuple[str, str]:
    """The gateway's endpoint and token, or a :class:`ConfigError` naming what is missing."""
    settings = config.platforms.wechaty
    endpoint = (settings.endpoint or "").strip()
    token = (settings.token or "").strip()
    missing = []
    if not endpoint:
        missing.append(
            "WECHATY_PUPPET_SERVICE_ENDPOINT (or platforms.wechaty.endpoint), "
            "host:port of the puppet-service gateway"
        )
    if not token:
        missing.append(
            "WECHATY_PUPPET_SERVICE_TOKEN (or platforms.wechaty.token), the gateway's token"
        )
    if missing:
        raise ConfigError("WeChat adapter: set " + "; and ".join(missing))
    parsed = urlsplit(endpoint if "//" in endpoint else f"//{endpoint}")
    if parsed.scheme == "https":
        raise ConfigError(
            "platforms.wechaty.endpoint: python-wechaty cannot speak TLS; run the "
            "gateway with WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_SERVER=true and "
            "give host:port"
        )
    try:
        port = parsed.port
    except ValueError:
        port = None
    if not parsed.hostname or port is None:
        raise ConfigError(
            f"platforms.wechaty.endpoint (WECHATY_PUPPET_SERVICE_ENDPOINT): "
            f"expected host:port, got {endpoint!r}"
        )
    return f"{parsed.hostname}:{port}", token


def _free_local_port() -> int:
    """A currently free port on 127.0.0.1.

    python-wechaty's plugin manager refuses to log in when ``WechatyOptions.port`` (default
    5000) is taken, swallowing the login event; each bot gets a free one. (No web server is
    started on it: the bot registers no plugins.)
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_IMAGE_FILE_NAME = re.compile(r"\.(?:jpe?g|png|webp|gif|bmp|heic|tiff?)$", re.IGNORECASE)


def _is_image_name(msg: Any) -> bool:
    """True for a file message whose name is a picture's (a screenshot sent as a file)."""
    name = getattr(getattr(msg, "payload", None), "filename", "")
    return isinstance(name, str) and bool(_IMAGE_FILE_NAME.search(name.strip()))


class GatewaySilent(Exception):
    """The gateway answered nothing (no dong, heartbeat or message) for too long."""


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    detail = text[0][:200] if text else ""
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


@functools.cache
def _reporting_puppet_class(puppet_service_class: type) -> type:
    """PuppetService that reports when the gateway has accepted ``Start``.

    python-wechaty offers no public hook between "Start succeeded" and "the event stream is
    being read", which is what "connected" means to the supervisor (it resets the backoff).
    """

    class ReportingPuppetService(puppet_service_class):
        on_started: Any = None

        async def _listen_for_event(self) -> None:
            if self.on_started is not None:
                self.on_started()
            await super()._listen_for_event()

    return ReportingPuppetService


class WechatyAdapter(Adapter):
    """Connect a WeChat account (through a puppet-service gateway) to the engine."""

    name = "wechaty"
    platform = PLATFORM  # the platform of its Incoming messages (admin ids: "wechat:<wxid>")
    sends_private = True

    def __init__(self, config: Config, engine: MessageHandler) -> None:
        self._endpoint, self._token = gateway_settings(config)
        self._config = config
        self._settings = config.platforms.wechaty
        self._engine = engine
        self._outbox = Outbox.from_config(
            self._deliver, config.sending, unsent_file(config, self.name)
        )
        self._last_alive = 0.0  # loop time of the gateway's last sign of life
        self._bot: Any = None  # the Wechaty whose gateway connection is up, else None
        self._connected = asyncio.Event()
        self._stopping = asyncio.Event()
        self._finished = asyncio.Event()
        self._running = False
        self._state = "idle"

    @property
    def pending_replies(self) -> int:
        """Chat messages queued or being sent."""
        return self._outbox.pending

    async def send_private(self, user: str, text: str) -> None:
        """Send ``text`` to ``user`` in a private chat (e.g. a notice to an admin)."""
        self._outbox.submit(user, [text])

    # ----- supervision -------------------------------------------------------------------

    def state(self) -> str:
        """The connection's state: idle, connecting, waiting_login, logged_in, ..."""
        return self._state

    def _set_state(
        self, state: str, message: str, *args: object, level: int = logging.INFO
    ) -> None:
        self._state = state
        log.log(level, "wechat: " + message, *args)

    async def run(self) -> None:
        """Connect and keep reconnecting (with backoff) until :meth:`stop` is called."""
        if self._running:
            raise RuntimeError("WechatyAdapter.run() is already running")
        from bot.adapters.wechaty_compat import import_wechaty, library_log_filter

        self._running = True
        self._finished.clear()
        self._outbox.restore()  # what the last stop could not send
        modules = await asyncio.to_thread(import_wechaty)  # ~1 s: keep the loop responsive
        library_log_filter.add_secret(self._token)
        delay = self._settings.reconnect_initial_seconds
        attempt: asyncio.Task[bool] | None = None
        try:
            while not self._stopping.is_set():
                attempt = asyncio.create_task(self._connect_once(modules))
                stopper = asyncio.create_task(self._stopping.wait())
                try:
                    await asyncio.wait({attempt, stopper}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    stopper.cancel()
                if not attempt.done() or self._stopping.is_set():
                    break
                if attempt.result():  # the gateway had accepted us: start the backoff again
                    delay = self._settings.reconnect_initial_seconds
                self._set_state("waiting", "retry in %.3g s", delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
                delay = min(delay * 2, self._settings.reconnect_max_seconds)
        finally:
            if attempt is not None and not attempt.done():
                attempt.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await attempt
            await self._outbox.close()
            self._running = False
            self._set_state("stopped", "stopped")
            self._finished.set()

    async def stop(self) -> None:
        """Send what is queued (for a few seconds), disconnect and make :meth:`run` return."""
        if self._stopping.is_set():
            if self._running:
                await self._finished.wait()
            return
        # drains for a few seconds while connected, then saves the rest for the next start
        await self._outbox.close(
            self._config.sending.stop_drain_seconds if self._bot is not None else 0
        )
        self._stopping.set()
        if self._running:
            await self._finished.wait()

    async def _check_reachable(self, host: str, port: int) -> None:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), CONNECT_TIMEOUT_SECONDS
        )
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()

    def _new_bot(self, modules: Any) -> tuple[Any, Any, Any]:
        """A fresh bot with its own PuppetOptions, puppet and scheduler."""
        puppet_options = modules.puppet.PuppetOptions(end_point=self._endpoint, token=self._token)
        puppet = _reporting_puppet_class(modules.puppet_service.PuppetService)(puppet_options)
        scheduler = modules.scheduler.AsyncIOScheduler()  # in memory: no job.db on disk
        options = modules.wechaty.WechatyOptions(
            puppet=puppet,
            puppet_options=puppet_options,
            host="127.0.0.1",
            port=_free_local_port(),
            scheduler=scheduler,
        )
        bot = modules.wechaty.Wechaty(options)
        puppet.on_started = functools.partial(self._on_gateway_started, bot)
        puppet.on("login", self._on_login)
        puppet.on("logout", self._on_logout)
        puppet.on("scan", self._on_scan)
        puppet.on("heartbeat", self._on_heartbeat)
        puppet.on("dong", self._on_dong)
        bot.on("message", self._on_message)
        bot.on("error", self._on_library_error)
        return bot, puppet, scheduler

    async def _connect_once(self, modules: Any) -> bool:
        """One connection, until it ends; True when the gateway had accepted it."""
        self._set_state("connecting", "connecting to the gateway at %s", self._endpoint)
        try:
            bot, puppet, scheduler = self._new_bot(modules)
        except Exception:
            log.exception("wechat: cannot set up python-wechaty")
            return False
        try:
            host, port = modules.puppet_service_utils.extract_host_and_port(self._endpoint)
            await self._check_reachable(host, port)
            await self._with_heartbeat(bot, self._serve(bot))
            reason = "the gateway ended the event stream"
        except asyncio.CancelledError:
            reason = "stopping"
            raise
        except Exception as exc:
            reason = _describe(exc)
        finally:
            accepted = self._bot is bot
            self._bot = None
            self._connected.clear()
            self._close_bot(bot, puppet, scheduler)
            if reason == "stopping":
                self._set_state("disconnected", "disconnected from %s (stopping)", self._endpoint)
            elif accepted:
                self._set_state(
                    "disconnected",
                    "disconnected from %s: %s",
                    self._endpoint,
                    reason,
                    level=logging.WARNING,
                )
            else:
                self._set_state(
                    "disconnected",
                    "cannot connect to the gateway at %s: %s",
                    self._endpoint,
                    reason,
                    level=logging.WARNING,
                )
        return accepted

    async def _serve(self, bot: Any) -> None:
        """Start the puppet; returns when the gateway ends the event stream."""
        await bot.init_puppet()
        from bot.adapters.wechaty_compat import isolate_user_caches

        isolate_user_caches(bot)
        await bot.init_puppet_event_bridge(bot.puppet)
        await bot.puppet.start()

    async def _with_heartbeat(self, bot: Any, serve: Any) -> None:
        """Run ``serve`` while the heartbeat watches the gateway; GatewaySilent when the
        gateway says nothing for twice the heartbeat interval."""
        serving = asyncio.ensure_future(serve)
        watching = asyncio.ensure_future(self._heartbeat(bot))
        try:
            await asyncio.wait({serving, watching}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (serving, watching):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if watching.done() and not watching.cancelled() and watching.exception() is not None:
            raise watching.exception()  # type: ignore[misc]
        serving.result()

    async def _heartbeat(self, bot: Any) -> None:
        """Ding the gateway every interval; raise GatewaySilent after two silent intervals."""
        interval = self._settings.heartbeat_seconds
        loop = asyncio.get_running_loop()
        self._last_alive = loop.time()
        next_ding = loop.time()
        pings: set[asyncio.Task[None]] = set()
        try:
            while True:
                await asyncio.sleep(interval / 4)
                now = loop.time()
                silent_for = now - self._last_alive
                if silent_for >= 2 * interval:
                    raise GatewaySilent(
                        f"no answer from the gateway for {silent_for:.0f} s "
                        f"(heartbeat every {interval:g} s)"
                    )
                if self._bot is bot and now >= next_ding:
                    next_ding = now + interval
                    ping = asyncio.create_task(self._ding(bot, interval))
                    pings.add(ping)
                    ping.add_done_callback(pings.discard)
        finally:
            for ping in pings:
                ping.cancel()

    async def _ding(self, bot: Any, within: float) -> None:
        """One Ding (its answer comes as a dong event); failures only show as silence."""
        try:
            await asyncio.wait_for(bot.puppet.ding("cuishou-heartbeat"), within)
        except (Exception, TimeoutError) as exc:
            log.debug("wechat: Ding failed: %s", _describe(exc))

    def _alive(self) -> None:
        """The gateway said something: it is not silent."""
        with contextlib.suppress(RuntimeError):
            self._last_alive = asyncio.get_running_loop().time()

    def _close_bot(self, bot: Any, puppet: Any, scheduler: Any) -> None:
        """Drop the connection without ``Stop``: the gateway's WeChat session keeps running."""
        bot.remove_all_listeners()
        channel = getattr(puppet, "channel", None)
        if channel is not None:
            channel.close()
            puppet.channel = None
        if scheduler.running:
            scheduler.shutdown(wait=False)

    def _on_gateway_started(self, bot: Any) -> None:
        self._alive()
        self._bot = bot
        self._connected.set()
        self._set_state("connected", "connected to the gateway at %s", self._endpoint)

    def _on_login(self, payload: Any) -> None:
        self._alive()
        self._set_state("logged_in", "logged in as %s", payload.contact_id)

    def _on_logout(self, payload: Any) -> None:
        self._set_state(
            "connected",
            "logged out (%s): waiting for a new login",
            payload.contact_id,
            level=logging.WARNING,
        )

    def _on_scan(self, payload: Any) -> None:
        status = getattr(payload.status, "name", payload.status)
        if payload.qrcode:
            log.warning(
                "wechat: log in by scanning the QR code (%s): https://wechaty.js.org/qrcode/%s",
                status,
                payload.qrcode,
            )
        else:
            log.info("wechat: login scan status %s", status)

    def _on_heartbeat(self, payload: Any) -> None:
        self._alive()
        log.debug("wechat: heartbeat from the gateway")

    def _on_dong(self, payload: Any) -> None:
        self._alive()

    def _on_library_error(self, error: object) -> None:
        log.error(
            "wechat: python-wechaty reported an error: %s",
            _describe(error) if isinstance(error, BaseException) else type(error).__name__,
        )

    # ----- messages ----------------------------------------------------------------------

    async def _on_message(self, msg: Any) -> None:
        self._alive()
        try:
            await self._handle_message(msg)
        except Exception:
            log.exception("wechat: failed to handle message %s", getattr(msg, "message_id", "?"))

    async def _handle_message(self, msg: Any) -> None:
        try:
            own = msg.is_self()
        except Exception as exc:  # no login yet: the bot cannot tell its own messages apart
            log.warning("wechat: message %s ignored: %s", msg.message_id, _describe(exc))
            return
        if own or self._stopping.is_set():
            return
        incoming = await self._to_incoming(msg)
        if incoming.kind is MessageKind.FILE and _is_image_name(msg):
            incoming = dataclasses.replace(incoming, kind=MessageKind.IMAGE)  # a photo as a file
        read_photo = self._config.photo.enabled and (
            incoming.room is None or self._config.groups.answer_confident_questions
        )
        if incoming.kind is MessageKind.IMAGE and read_photo:
            try:
                image = await self._image_of(msg)
            except DownloadTooLarge as exc:
                log.warning(
                    "wechat: message %s: the image was not fetched: %s", msg.message_id, exc
                )
                if incoming.room is None:
                    self._outbox.submit(incoming.user, [photo_texts.TOO_LARGE])
                return
            # Without the bytes the engine asks for the text instead.
            incoming = dataclasses.replace(incoming, image=image)
        response = await self._engine.handle(incoming)
        log.info("wechat: %s", describe_turn(msg.message_id, incoming, response))
        if response.silent:
            return
        if self._outbox.closed:
            log.warning(
                "wechat: stopping; the replies to message %s are not sent", log_id(msg.message_id)
            )
        elif incoming.room is not None:
            self._outbox.submit(
                incoming.room,
                response.replies,
                in_room=True,
                mention_ids=[incoming.user],
                urgent=response.urgent,
            )
        else:
            self._outbox.submit(incoming.user, response.replies, urgent=response.urgent)

    async def _image_of(self, msg: Any) -> bytes | None:
        """The bytes of an image message (its file box: base64, or a link fetched with a size
        limit), or None when they cannot be had; DownloadTooLarge beyond the limit."""
        try:
            box = await msg.to_file_box()
            encoded = getattr(box, "base64", None)
            if encoded:
                if len(encoded) > photo_texts.MAX_BYTES * 4 // 3 + 8:
                    raise DownloadTooLarge(f"a file box of {len(encoded)} base64 characters")
                return base64.b64decode(encoded)
            url = getattr(box, "remoteUrl", None)
            if isinstance(url, str) and url:
                return await download_image(url)
            log.warning(
                "wechat: message %s: the image came as a file box of type %s, which is not read",
                msg.message_id,
                getattr(box, "boxType", "?"),
            )
        except DownloadTooLarge:
            raise
        except Exception as exc:  # bad base64, a download or the gateway failed ...
            log.warning(
                "wechat: message %s: the image was not fetched: %s", msg.message_id, _describe(exc)
            )
        return None

    def _bot_names(self, msg: Any) -> list[str]:
        names = [self._config.bot_name]
        with contextlib.suppress(Exception):
            names.append(msg.wechaty.user_self().name)
        return [n for n in names if n]

    async def _to_incoming(self, msg: Any) -> Incoming:
        talker = msg.talker()
        room = msg.room()
        kind = message_kind(msg.type())
        text = msg.text() if kind.has_text else ""
        addressed = True
        if room is not None:
            names = self._bot_names(msg)
            by_id = bool(await msg.mention_self())
            addressed = by_id or mentions_by_name(text, names)
            text = strip_leading_mentions(text, names, mentioned=addressed)
        return clean_incoming(
            Incoming(
                user=talker.contact_id,
                text=text.strip(),
                platform=PLATFORM,
                room=room.room_id if room is not None else None,
                addressed=addressed,
                kind=kind,
            )
        )

    async def _deliver(self, message: Outgoing) -> None:
        """Send one chat message (the outbox calls this within the rate limits)."""
        while self._bot is None:  # wait for a reconnect instead of dropping the reply
            if self._stopping.is_set():
                raise ConnectionError("not connected to the gateway")
            await self._connected.wait()
        bot = self._bot
        if message.in_room:
            room = bot.Room.load(message.conversation)
            await room.ready()
            await room.say(message.text, mention_ids=list(message.mention_ids) or None)
        else:
            contact = bot.Contact.load(message.conversation)
            await contact.say(message.text)
        log.debug("wechat: sent a message to %s", message.conversation)
