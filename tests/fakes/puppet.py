"""A fake Wechaty puppet service: the gRPC side of a puppet-service gateway, on 127.0.0.1.

It serves the ``wechaty.Puppet`` gRPC service with the message classes of
``wechaty_grpc.wechaty.puppet`` (the package ships only a client stub, so the route table is
built here through ``__mapping__``). It holds contacts, rooms and messages, emits events on
the ``Event`` stream (login, logout, heartbeat, messages), serves image messages' file boxes
(``MessageImage`` / ``MessageFile``, base64 or URL file boxes) and records every ``MessageSendText``
so tests can assert on what the bot sent. It can be stopped and started again on the same
port to test reconnection, and it can go silent (:meth:`FakePuppetService.go_silent`): calls
and events are held, no dong comes, but every TCP connection stays open, as when a NAT drops
the connection's state or the gateway's host is suspended.

Message types on the wire follow the TypeScript enum (:class:`WireType`), which the Python
client translates to its own enum.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import grpclib.const
import grpclib.server
from grpclib.exceptions import GRPCError
from wechaty_grpc.wechaty import puppet as pb

SELF_ID = "wxid_bot_self"
SELF_NAME = "催收应对助手"


class WireType(IntEnum):
    """Message types as puppet-service gateways send them (the TypeScript enum)."""

    UNKNOWN = 0
    ATTACHMENT = 1
    AUDIO = 2
    CONTACT = 3
    CHAT_HISTORY = 4
    EMOTICON = 5
    IMAGE = 6
    TEXT = 7
    LOCATION = 8
    MINI_PROGRAM = 9
    GROUP_NOTE = 10
    TRANSFER = 11
    RED_ENVELOPE = 12
    RECALLED = 13
    URL = 14
    VIDEO = 15


class EventKind(IntEnum):
    """Event types of the ``Event`` stream."""

    HEARTBEAT = 1
    MESSAGE = 2
    DONG = 3
    LOGIN = 25
    LOGOUT = 26


@dataclass(frozen=True)
class SentText:
    """One ``MessageSendText`` call the bot made."""

    conversation_id: str
    text: str
    mention_ids: tuple[str, ...]


_ids = itertools.count(1)


class _DroppableServer(grpclib.server.Server):
    """A grpclib server that can cut its client connections, as a crashing gateway does.

    ``Server.close()`` only stops listening and cancels handlers; on Python 3.11 the client's
    TCP connection stays open and its Event stream just hangs.
    """

    def __init__(self, handlers: list[Any]) -> None:
        super().__init__(handlers)
        self._transports: list[asyncio.BaseTransport] = []

    def _protocol_factory(self) -> Any:
        protocol = super()._protocol_factory()
        connection_made = protocol.connection_made

        def track(transport: asyncio.BaseTransport) -> None:
            self._transports.append(transport)
            connection_made(transport)

        protocol.connection_made = track  # type: ignore[method-assign]
        return protocol

    def open_connections(self) -> int:
        """Client connections currently open."""
        return sum(not transport.is_closing() for transport in self._transports)

    def drop_connections(self) -> None:
        """Abort every client connection."""
        for transport in self._transports:
            if isinstance(transport, asyncio.Transport):
                transport.abort()
        self._transports.clear()


def unique_id(prefix: str) -> str:
    """An id never used before in this process (python-wechaty drops repeated message ids)."""
    return f"{prefix}-{time.time_ns()}-{next(_ids)}"


class FakePuppetService:
    """The fake gateway: state, event emission, and a grpclib server that can be restarted."""

    def __init__(self, *, self_id: str = SELF_ID, self_name: str = SELF_NAME) -> None:
        self.self_id = self_id
        self.contacts: dict[str, pb.ContactPayloadResponse] = {}
        self.rooms: dict[str, pb.RoomPayloadResponse] = {}
        self.messages: dict[str, pb.MessagePayloadResponse] = {}
        #: message id → the file box JSON MessageImage / MessageFile answer with
        self.file_boxes: dict[str, str] = {}
        self.sent: list[SentText] = []
        self.calls: list[str] = []
        self.requests: list[tuple[str, str]] = []  # (rpc name, the id it asked about)
        self.streams_opened = 0
        self.port: int | None = None
        self._server: _DroppableServer | None = None
        self._subscribers: set[asyncio.Queue[pb.EventResponse | None]] = set()
        self._changed = asyncio.Condition()
        self._speaking = asyncio.Event()
        self._speaking.set()
        #: texts for which this returns True are refused (an error, nothing sent)
        self.refuse_text: Callable[[str], bool] | None = None
        self.add_contact(self_id, self_name)

    # ----- state -------------------------------------------------------------------------

    def add_contact(self, contact_id: str, name: str) -> str:
        """Add (or replace) a personal contact; return its id."""
        self.contacts[contact_id] = pb.ContactPayloadResponse(
            id=contact_id, name=name, type=pb.ContactType.CONTACT_TYPE_PERSONAL, friend=True
        )
        return contact_id

    def add_room(self, room_id: str, topic: str, member_ids: Iterable[str]) -> str:
        """Add (or replace) a group with the bot and ``member_ids`` in it; return its id."""
        members = [self.self_id, *[m for m in member_ids if m != self.self_id]]
        self.rooms[room_id] = pb.RoomPayloadResponse(
            id=room_id, topic=topic, owner_id=members[-1], member_ids=members
        )
        return room_id

    @property
    def endpoint(self) -> str:
        """``host:port`` for WECHATY_PUPPET_SERVICE_ENDPOINT."""
        if self.port is None:
            raise RuntimeError("the fake puppet service has not been started")
        return f"127.0.0.1:{self.port}"

    # ----- server lifecycle --------------------------------------------------------------

    async def start(self, port: int | None = None) -> int:
        """Listen on 127.0.0.1 (``port``, else the previous port, else a free one)."""
        if self._server is not None:
            raise RuntimeError("already started")
        server = _DroppableServer([self])
        await server.start("127.0.0.1", port if port is not None else (self.port or 0))
        self._server = server
        sockets = server._server.sockets if server._server else ()
        self.port = sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        """Stop listening and cut every open call, like a gateway that goes down."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        server.drop_connections()
        await server.wait_closed()
        self._subscribers.clear()

    def open_connections(self) -> int:
        """Client connections to the running server that are still open."""
        return self._server.open_connections() if self._server else 0

    def go_silent(self) -> None:
        """Answer nothing from now on (calls hang, events are held), keeping every TCP
        connection open."""
        self._speaking.clear()

    def speak_again(self) -> None:
        """Answer again (held calls go on)."""
        self._speaking.set()

    @property
    def silent(self) -> bool:
        """True between :meth:`go_silent` and :meth:`speak_again`."""
        return not self._speaking.is_set()

    async def restart(self) -> None:
        """Stop and start again on the same port, keeping contacts, rooms and records."""
        await self.stop()
        await self.start(self.port)

    # ----- waiting helpers for tests -----------------------------------------------------

    async def _wait(self, predicate: Callable[[], bool], within: float, what: str) -> None:
        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        try:
            await asyncio.wait_for(wait(), within)
        except TimeoutError:
            raise AssertionError(f"timed out after {within} s waiting for {what}") from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for_event_stream(self, count: int = 1, within: float = 10) -> None:
        """Wait until ``count`` Event streams have been opened since this fake was created."""
        await self._wait(
            lambda: self.streams_opened >= count and bool(self._subscribers),
            within,
            f"event stream #{count}",
        )

    async def wait_for_sent(self, count: int, within: float = 5) -> list[SentText]:
        """Wait until at least ``count`` texts have been sent in total; return them all."""
        await self._wait(lambda: len(self.sent) >= count, within, f"{count} sent text(s)")
        return list(self.sent)

    async def wait_for_call(self, name: str, count: int = 1, within: float = 5) -> None:
        """Wait until RPC ``name`` has been called ``count`` times."""
        await self._wait(
            lambda: self.calls.count(name) >= count, within, f"{count} call(s) of {name}"
        )

    async def wait_for_request(self, name: str, about: str, within: float = 5) -> None:
        """Wait until RPC ``name`` has been answered for the id ``about``."""
        await self._wait(lambda: (name, about) in self.requests, within, f"{name} about {about}")

    # ----- events ------------------------------------------------------------------------

    def _emit(self, kind: EventKind, payload: dict[str, Any]) -> None:
        if not self._subscribers:
            raise AssertionError("no event stream is open: wait_for_event_stream() first")
        event = pb.EventResponse(type=int(kind), payload=json.dumps(payload))
        for queue in self._subscribers:
            queue.put_nowait(event)

    def emit_login(self) -> None:
        """The account logged in."""
        self._emit(EventKind.LOGIN, {"contactId": self.self_id})

    def emit_logout(self, reason: str = "logout") -> None:
        """The account logged out."""
        self._emit(EventKind.LOGOUT, {"contactId": self.self_id, "data": reason})

    def emit_heartbeat(self, data: str = "heartbeat") -> None:
        """A heartbeat (gateways send these every few seconds)."""
        self._emit(EventKind.HEARTBEAT, {"data": data, "timeout": 60})

    def emit_message(
        self,
        talker_id: str,
        text: str = "",
        *,
        room_id: str | None = None,
        mention_ids: Iterable[str] = (),
        wire_type: WireType = WireType.TEXT,
        message_id: str | None = None,
        to_id: str | None = None,
    ) -> str:
        """Store a message (private when ``room_id`` is None) and emit it; return its id.

        ``to_id`` is the receiver of a private message (default: the bot).
        """
        message_id = message_id or unique_id("msg")
        self.messages[message_id] = pb.MessagePayloadResponse(
            id=message_id,
            text=text,
            timestamp=int(time.time()),
            type=int(wire_type),
            from_id=talker_id,
            room_id=room_id or "",
            to_id="" if room_id else (to_id or self.self_id),
            mention_ids=list(mention_ids),
        )
        self._emit(EventKind.MESSAGE, {"messageId": message_id})
        return message_id

    def emit_image(
        self,
        talker_id: str,
        data: bytes,
        *,
        room_id: str | None = None,
        name: str = "photo.jpg",
        url: str | None = None,
        as_file: bool = False,
    ) -> str:
        """An image message whose file box carries ``data`` as base64 (as puppet-service
        gateways serialise a file box), or points at ``url``; with ``as_file`` an attachment
        named ``name`` (served by MessageFile). Return its id."""
        message_id = unique_id("img")
        box: dict[str, Any] = (
            {"boxType": 2, "name": name, "remoteUrl": url}
            if url
            else {"boxType": 1, "name": name, "base64": base64.b64encode(data).decode("ascii")}
        )
        self.file_boxes[message_id] = json.dumps(box)
        self.messages[message_id] = pb.MessagePayloadResponse(id=message_id, filename=name)
        wire_type = WireType.ATTACHMENT if as_file else WireType.IMAGE
        return self._emit_stored(talker_id, message_id, room_id, wire_type)

    def _emit_stored(
        self, talker_id: str, message_id: str, room_id: str | None, wire_type: WireType
    ) -> str:
        payload = self.messages[message_id]
        payload.timestamp = int(time.time())
        payload.type = int(wire_type)
        payload.from_id = talker_id
        payload.room_id = room_id or ""
        payload.to_id = "" if room_id else self.self_id
        self._emit(EventKind.MESSAGE, {"messageId": message_id})
        return message_id

    # ----- RPC handlers ------------------------------------------------------------------

    def _file_box(self, request: Any) -> str:
        if request.id not in self.file_boxes:
            raise GRPCError(grpclib.const.Status.NOT_FOUND, f"no file in message {request.id}")
        return self.file_boxes[request.id]

    def _contact(self, request: pb.ContactPayloadRequest) -> pb.ContactPayloadResponse:
        if request.id not in self.contacts:
            raise GRPCError(grpclib.const.Status.NOT_FOUND, f"no contact {request.id}")
        return self.contacts[request.id]

    def _room(self, request: pb.RoomPayloadRequest) -> pb.RoomPayloadResponse:
        if request.id not in self.rooms:
            raise GRPCError(grpclib.const.Status.NOT_FOUND, f"no room {request.id}")
        return self.rooms[request.id]

    def _message(self, request: pb.MessagePayloadRequest) -> pb.MessagePayloadResponse:
        if request.id not in self.messages:
            raise GRPCError(grpclib.const.Status.NOT_FOUND, f"no message {request.id}")
        return self.messages[request.id]

    def _send_text(self, request: pb.MessageSendTextRequest) -> pb.MessageSendTextResponse:
        conversation = request.conversation_id
        if self.refuse_text is not None and self.refuse_text(request.text):
            raise GRPCError(grpclib.const.Status.INVALID_ARGUMENT, "message refused")
        self.sent.append(SentText(conversation, request.text, tuple(request.mentonal_ids)))
        message_id = unique_id("sent")
        in_room = conversation in self.rooms
        self.messages[message_id] = pb.MessagePayloadResponse(
            id=message_id,
            text=request.text,
            timestamp=int(time.time()),
            type=int(WireType.TEXT),
            from_id=self.self_id,
            room_id=conversation if in_room else "",
            to_id="" if in_room else conversation,
            mention_ids=list(request.mentonal_ids),
        )
        return pb.MessageSendTextResponse(id=message_id)

    def _ding(self, request: pb.DingRequest) -> pb.DingResponse:
        if self._subscribers and not self.silent:
            self._emit(EventKind.DONG, {"data": request.data})
        return pb.DingResponse()

    def _room_member(self, request: pb.RoomMemberPayloadRequest) -> pb.RoomMemberPayloadResponse:
        contact = self.contacts.get(request.member_id)
        if contact is None:
            raise GRPCError(grpclib.const.Status.NOT_FOUND, f"no member {request.member_id}")
        return pb.RoomMemberPayloadResponse(id=contact.id, name=contact.name)

    def _unary_routes(self) -> dict[str, tuple[Callable[[Any], Any], type, type]]:
        return {
            "Start": (lambda _: pb.StartResponse(), pb.StartRequest, pb.StartResponse),
            "Stop": (lambda _: pb.StopResponse(), pb.StopRequest, pb.StopResponse),
            "Logout": (lambda _: pb.LogoutResponse(), pb.LogoutRequest, pb.LogoutResponse),
            "Version": (
                lambda _: pb.VersionResponse(version="fake-0.1"),
                pb.VersionRequest,
                pb.VersionResponse,
            ),
            "Ding": (self._ding, pb.DingRequest, pb.DingResponse),
            "DirtyPayload": (
                lambda _: pb.DirtyPayloadResponse(),
                pb.DirtyPayloadRequest,
                pb.DirtyPayloadResponse,
            ),
            "ContactPayload": (self._contact, pb.ContactPayloadRequest, pb.ContactPayloadResponse),
            "ContactList": (
                lambda _: pb.ContactListResponse(ids=list(self.contacts)),
                pb.ContactListRequest,
                pb.ContactListResponse,
            ),
            "MessagePayload": (self._message, pb.MessagePayloadRequest, pb.MessagePayloadResponse),
            "MessageSendText": (
                self._send_text,
                pb.MessageSendTextRequest,
                pb.MessageSendTextResponse,
            ),
            "MessageImage": (
                lambda r: pb.MessageImageResponse(filebox=self._file_box(r)),
                pb.MessageImageRequest,
                pb.MessageImageResponse,
            ),
            "MessageFile": (
                lambda r: pb.MessageFileResponse(filebox=self._file_box(r)),
                pb.MessageFileRequest,
                pb.MessageFileResponse,
            ),
            "RoomPayload": (self._room, pb.RoomPayloadRequest, pb.RoomPayloadResponse),
            "RoomList": (
                lambda _: pb.RoomListResponse(ids=list(self.rooms)),
                pb.RoomListRequest,
                pb.RoomListResponse,
            ),
            "RoomMemberList": (
                lambda r: pb.RoomMemberListResponse(member_ids=list(self._room(r).member_ids)),
                pb.RoomMemberListRequest,
                pb.RoomMemberListResponse,
            ),
            "RoomMemberPayload": (
                self._room_member,
                pb.RoomMemberPayloadRequest,
                pb.RoomMemberPayloadResponse,
            ),
        }

    def _unary(self, name: str, handle: Callable[[Any], Any]) -> Callable[[Any], Awaitable[None]]:
        async def handler(stream: grpclib.server.Stream[Any, Any]) -> None:
            request = await stream.recv_message()
            await self._speaking.wait()  # silent: the call hangs, the connection stays
            self.calls.append(name)
            self.requests.append((name, str(getattr(request, "id", ""))))
            try:
                reply = handle(request)
            finally:
                await self._notify()
            await stream.send_message(reply)
            await self._notify()  # after the reply: a waiting test sees a finished call

        return handler

    async def _event(self, stream: grpclib.server.Stream[Any, Any]) -> None:
        await stream.recv_message()
        self.calls.append("Event")
        queue: asyncio.Queue[pb.EventResponse | None] = asyncio.Queue()
        self._subscribers.add(queue)
        self.streams_opened += 1
        await self._notify()
        try:
            while (event := await queue.get()) is not None:
                await self._speaking.wait()
                await stream.send_message(event)
        finally:
            self._subscribers.discard(queue)

    def end_event_streams(self) -> None:
        """End every open Event stream cleanly (the server stays up)."""
        for queue in list(self._subscribers):
            queue.put_nowait(None)

    def __mapping__(self) -> dict[str, grpclib.const.Handler]:
        mapping = {
            f"/wechaty.Puppet/{name}": grpclib.const.Handler(
                self._unary(name, handle),
                grpclib.const.Cardinality.UNARY_UNARY,
                request_type,
                reply_type,
            )
            for name, (handle, request_type, reply_type) in self._unary_routes().items()
        }
        mapping["/wechaty.Puppet/Event"] = grpclib.const.Handler(
            self._event,
            grpclib.const.Cardinality.UNARY_STREAM,
            pb.EventRequest,
            pb.EventResponse,
        )
        return mapping
