"""The terminal: chat by typing, or script conversations as JSON lines.

``chat_terminal`` is what ``python -m bot`` runs when no platform is configured: someone without
a WeChat account can still talk to the bot. ``chat_jsonl`` reads one JSON object per line,
``{"conversation", "user", "room"?, "text"}``, and writes ``{"conversation", "intent",
"replies"}`` per line, keeping conversations between lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from bot.adapters.base import Adapter
from bot.adapters.hygiene import clean_incoming, clean_text
from bot.config import Config
from bot.engine import Engine
from bot.messages import Incoming, MessageKind

BANNER = ("催收应对助手 — 在下面输入你的情况，比如“催收的人在门口怎么办”。\n"
          "输入“菜单”看话题，“详细”看依据，“重新开始”清空对话，Ctrl-D 或“再见”退出。\n"
          "想让我看一张催收函、律师函或短信截图，输入“/photo 图片路径”（或“图片 路径”）。\n"
          "遇到威胁、有人不肯走，请立即拨打110。")
GOODBYE = ("再见", "拜拜", "quit", "exit", "/quit", "/exit")
PHOTO_COMMANDS = ("/photo ", "图片 ", "图片：", "图片:")
#: read at most this much of a photo file (the photo check refuses more than 10 MB anyway)
MAX_PHOTO_FILE_BYTES = 10 * 1024 * 1024 + 1


async def _read_line() -> bytes:
    return await asyncio.to_thread(sys.stdin.buffer.readline)


async def chat_terminal(config: Config) -> int:
    """An interactive chat on stdin/stdout."""
    engine = await Engine.create(config)
    try:
        return await chat_with_engine(engine)
    finally:
        await engine.close()


async def chat_with_engine(engine: Engine) -> int:
    """The terminal conversation loop over an existing engine."""
    print(BANNER, flush=True)
    while True:
        print("\n你：", end="", flush=True)
        raw = await _read_line()
        if not raw:
            print()
            return 0
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if text.strip().lower() in GOODBYE:
            print("助手：保重。需要时随时回来。遇到危险请拨打110。")
            return 0
        incoming = photo_message(text)
        if isinstance(incoming, str):
            print(f"\n助手：{incoming}", flush=True)
            continue
        response = await engine.handle(incoming)
        for reply in response.replies:
            print(f"\n助手：{reply}", flush=True)


class TerminalAdapter(Adapter):
    """The terminal chat as a platform (for ``run`` with other platforms alongside)."""

    name = "terminal"
    platform = "terminal"

    def __init__(self, config: Config, engine: Engine) -> None:
        self._engine = engine
        self._task: asyncio.Task[int] | None = None

    async def run(self) -> None:
        """Chat until end of input or :meth:`stop`."""
        self._task = asyncio.create_task(chat_with_engine(self._engine))
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def stop(self) -> None:
        """End the chat."""
        if self._task is not None:
            self._task.cancel()


def photo_message(line: str) -> Incoming | str:
    """The message for a typed line: "/photo PATH" (or "图片 PATH") sends the photo at PATH;
    anything else is text. A path that cannot be read gives the sentence to show instead."""
    stripped = line.strip()
    command = next((c for c in PHOTO_COMMANDS if stripped.startswith(c)), None)
    if command is None:
        return Incoming(user="terminal", text=clean_text(line))
    path = Path(stripped[len(command):].strip().strip("'\"")).expanduser()
    try:
        with path.open("rb") as file:
            data = file.read(MAX_PHOTO_FILE_BYTES)
    except OSError as exc:
        return f"打不开这个文件（{path}）：{exc.strerror or type(exc).__name__}。"
    return Incoming(user="terminal", text="", kind=MessageKind.IMAGE, image=data)


def _incoming_from(obj: Any) -> Incoming | str:
    """An Incoming from a JSON object, or the reason it cannot be one."""
    if not isinstance(obj, dict):
        return "expected a JSON object"
    text = obj.get("text")
    if not isinstance(text, str):
        return "field 'text' must be a string"
    conversation = obj.get("conversation", obj.get("user", "jsonl"))
    user = obj.get("user", conversation)
    room = obj.get("room")
    for name, value in (("conversation", conversation), ("user", user)):
        if not isinstance(value, str | int) or isinstance(value, bool):
            return f"field '{name}' must be a string"
    if room is not None and (not isinstance(room, str | int) or isinstance(room, bool)):
        return "field 'room' must be a string or null"
    addressed = obj.get("addressed", True)
    if not isinstance(addressed, bool):
        return "field 'addressed' must be true or false"
    return clean_incoming(Incoming(
        user=f"{conversation}/{user}" if room is None else str(user),
        text=text,
        platform="jsonl",
        room=None if room is None else f"{conversation}/{room}",
        addressed=addressed,
    ))


async def chat_jsonl(config: Config) -> int:
    """Scripted conversations: JSON objects in, JSON objects out, one per line."""
    engine = await Engine.create(config)
    status = 0
    try:
        number = 0
        while True:
            raw = await _read_line()
            if not raw:
                break
            number += 1
            if not raw.strip():
                continue
            out: dict[str, Any]
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                out = {"line": number, "error": "input line is not valid UTF-8"}
            except json.JSONDecodeError as exc:
                out = {"line": number, "error": f"not valid JSON: {exc.msg}"}
            else:
                incoming = _incoming_from(obj)
                if isinstance(incoming, str):
                    out = {"line": number, "error": incoming}
                else:
                    response = await engine.handle(incoming)
                    out = {"conversation": obj.get("conversation", obj.get("user", "jsonl")),
                           "intent": response.intent, "replies": response.replies,
                           "choices": response.choices}
            if "error" in out:
                status = 1
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    finally:
        await engine.close()
    return status
