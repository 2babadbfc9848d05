"""A fake OneBot v11 implementation (as NapCat or Lagrange behave): it connects to the bot's
reverse WebSocket, pushes events and records the actions the bot sends, answering each one."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp

SELF_ID = 10001
ALICE, BOB = 20002, 30003
GROUP = 40004


class FakeOneBot:
    """One account's connection. ``respond`` says how actions are answered: "ok", "failed",
    or "drop" (close the connection without answering, once)."""

    def __init__(
        self, url: str, token: str | None, *, self_id: int = SELF_ID, role: str = "Universal"
    ) -> None:
        self.url = url
        self.token = token
        self.self_id = self_id
        self.role = role
        self.respond = "ok"
        #: actions for which this returns True are answered as failed (e.g. too long)
        self.refuse: Callable[[dict[str, Any]], bool] | None = None
        self.actions: list[dict[str, Any]] = []
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()
        self._ids = itertools.count(1)

    async def connect(
        self, *, token_in_query: bool = False, extra_headers: dict[str, str] | None = None
    ) -> None:
        """Connect as the implementation does, and send the lifecycle event."""
        self._session = self._session or aiohttp.ClientSession()
        headers = {
            "X-Self-ID": str(self.self_id),
            "X-Client-Role": self.role,
            "User-Agent": "FakeOneBot/11",
            **(extra_headers or {}),
        }
        url = self.url
        if self.token is not None:
            if token_in_query:
                url = f"{url}?access_token={self.token}"
            else:
                headers["Authorization"] = f"Bearer {self.token}"
        self._ws = await self._session.ws_connect(url, headers=headers)
        self._reader = asyncio.create_task(self._read(self._ws))
        await self.send(
            {
                "time": int(time.time()),
                "self_id": self.self_id,
                "post_type": "meta_event",
                "meta_event_type": "lifecycle",
                "sub_type": "connect",
            }
        )

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for frame in ws:
            if frame.type is not aiohttp.WSMsgType.TEXT:
                continue
            action = json.loads(frame.data)
            if self.respond == "drop":
                self.respond = "ok"
                await ws.close()
                return
            ok = self.respond == "ok" and not (self.refuse and self.refuse(action))
            await ws.send_json(
                {
                    "status": "ok" if ok else "failed",
                    "retcode": 0 if ok else 1200,
                    "data": {"message_id": next(self._ids)} if ok else None,
                    "message": "" if ok else "group not found",
                    "wording": "",
                    "echo": action.get("echo"),
                }
            )
            async with self._changed:  # recorded once answered, as a real one confirms it
                self.actions.append(action)
                self._changed.notify_all()

    async def send(self, event: dict[str, Any]) -> None:
        assert self._ws is not None
        await self._ws.send_json(event)

    async def private(self, user_id: int, message: object) -> None:
        """A private message (``message`` is a segment list or a CQ-code string)."""
        await self.send(
            {
                "time": int(time.time()),
                "self_id": self.self_id,
                "post_type": "message",
                "message_type": "private",
                "sub_type": "friend",
                "message_id": next(self._ids),
                "user_id": user_id,
                "message": message,
                "raw_message": _raw(message),
                "font": 0,
                "sender": {"user_id": user_id, "nickname": "小丽"},
            }
        )

    async def group(self, user_id: int, message: object, group_id: int = GROUP) -> None:
        """A group message."""
        await self.send(
            {
                "time": int(time.time()),
                "self_id": self.self_id,
                "post_type": "message",
                "message_type": "group",
                "sub_type": "normal",
                "message_id": next(self._ids),
                "group_id": group_id,
                "user_id": user_id,
                "message": message,
                "raw_message": _raw(message),
                "font": 0,
                "sender": {"user_id": user_id, "nickname": "老王", "card": "王", "role": "member"},
            }
        )

    async def wait_for_actions(self, count: int, within: float = 5) -> list[dict[str, Any]]:
        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.actions) >= count)

        await asyncio.wait_for(wait(), within)
        return list(self.actions)

    async def wait_closed(self, within: float = 5) -> None:
        if self._reader is not None:
            await asyncio.wait_for(self._reader, within)

    async def disconnect(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await self._reader

    async def close(self) -> None:
        await self.disconnect()
        if self._session is not None:
            await self._session.close()


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "data": {"text": value}}


def at(qq: int | str) -> dict[str, Any]:
    return {"type": "at", "data": {"qq": str(qq)}}


def _raw(message: object) -> str:
    if isinstance(message, str):
        return message
    parts = []
    for segment in message:  # type: ignore[attr-defined]
        if segment["type"] == "text":
            parts.append(segment["data"]["text"])
        else:
            params = ",".join(f"{k}={v}" for k, v in segment["data"].items())
            parts.append(f"[CQ:{segment['type']},{params}]")
    return "".join(parts)


def sent_text(action: dict[str, Any]) -> str:
    """The text of a send action's message segments."""
    return "".join(s["data"]["text"] for s in action["params"]["message"] if s["type"] == "text")
