"""The terminal: chat by typing, or script conversations as JSON lines.

``chat_terminal`` is what ``python -m bot`` runs when no platform is configured: someone without
a WeChat account can still talk to the bot. It says when it continues an earlier conversation
(the store keeps one for ``sessions.retention_hours``); ``chat --new`` starts afresh.
退出 / exit / quit, Ctrl-C and Ctrl-D leave. ``chat_jsonl`` reads one JSON object per line
(:data:`JSONL_INPUT_FIELDS`) and writes one per line (:data:`JSONL_OUTPUT_FIELDS`), keeping
conversations between lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.adapters.base import Adapter
from bot.adapters.hygiene import clean_incoming, clean_text
from bot.config import Config
from bot.engine import Engine
from bot.messages import Incoming, MessageKind, Response
from bot.storage.errors import StoreUnavailable

BANNER = (
    "催收应对助手 — 在下面输入你的情况，比如“催收的人在门口怎么办”。\n"
    "输入“菜单”看话题，“详细”看依据，“重新开始”清空对话；"
    "输入“退出”（或 exit、quit），或按 Ctrl-C、Ctrl-D 离开。\n"
    "想让我看一张催收函、律师函或短信截图，输入“/photo 图片路径”（或“图片 路径”）。\n"
    "遇到威胁、有人不肯走，请立即拨打110。"
)
#: typed alone, these leave the terminal chat (as do Ctrl-C and Ctrl-D); on chat platforms,
#: where nobody can "leave", 退出 forgets the topic like 重新开始 (bot/understanding/short_answers)
GOODBYE = ("再见", "拜拜", "退出", "quit", "exit", "/quit", "/exit")
#: ``chat --jsonl``: the fields of an input line and of an output line (also its --help)
JSONL_INPUT_FIELDS = ("conversation", "user", "room", "text", "addressed")
JSONL_OUTPUT_FIELDS = ("conversation", "intent", "replies", "choices")
PHOTO_COMMANDS = ("/photo ", "图片 ", "图片：", "图片:")
#: read at most this much of a photo file (the photo check refuses more than 10 MB anyway)
MAX_PHOTO_FILE_BYTES = 10 * 1024 * 1024 + 1


CONTINUED = "（接着你{minutes}前的对话。想从头开始，输入“重新开始”，或下次用 chat --new 启动。）"
TERMINAL_USER = "terminal"


class _StdinLines:
    """Lines of stdin read straight from its file descriptor (``os.read``), never through
    ``sys.stdin.buffer``: a thread blocked in the buffered reader holds its lock, and at
    interpreter shutdown (Ctrl-C at the prompt in a real terminal) Python then aborts with
    "Fatal Python error: _enter_buffered_busy". A thread blocked in ``os.read`` holds
    nothing."""

    def __init__(self) -> None:
        self._pending = bytearray()
        self._lock = threading.Lock()  # one reader at a time (a cancelled read may linger)

    def readline(self) -> bytes:
        """One line with its newline, the rest at the end of input, b"" after it."""
        with self._lock:
            fd = sys.stdin.fileno()
            while b"\n" not in self._pending:
                chunk = os.read(fd, 65536)
                if not chunk:
                    line = bytes(self._pending)
                    self._pending.clear()
                    return line
                self._pending += chunk
            end = self._pending.index(b"\n") + 1
            line = bytes(self._pending[:end])
            del self._pending[:end]
            return line


_STDIN = _StdinLines()


async def _read_line() -> bytes:
    """One line of stdin (b"" at its end), read in a daemon thread: a blocked read never holds
    up Ctrl-C or the end of the process (``asyncio.to_thread`` would, until Enter)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[bytes] = loop.create_future()

    def deliver(line: bytes | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(line or b"")

    def read() -> None:
        line: bytes | None = None
        error: BaseException | None = None
        try:
            line = _STDIN.readline()
        except (OSError, ValueError, AttributeError) as exc:  # no stdin, or it closed
            error = exc
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
            loop.call_soon_threadsafe(deliver, line, error)

    threading.Thread(target=read, name="stdin-reader", daemon=True).start()
    return await future


async def chat_terminal(config: Config, new: bool = False, explain: bool = False) -> int:
    """An interactive chat on stdin/stdout; ``new`` forgets an earlier conversation first;
    ``explain`` prints after each reply which decision answered and why the others declined."""
    engine = await Engine.create(config)
    try:
        return await chat_with_engine(engine, new=new, explain=explain)
    finally:
        await engine.close()


def _ago(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes}分钟"


async def earlier_conversation(engine: Engine, new: bool) -> str | None:
    """The note saying the chat continues an earlier conversation (one not idle for longer
    than ``sessions.retention_hours``), or None; ``new`` deletes that conversation instead."""
    key = engine.session_key(Incoming(user=TERMINAL_USER, text=""))
    try:
        record = await engine.store.get(key)
        if record is not None and new:
            await engine.store.delete(key)
            return None
    except StoreUnavailable:
        return None
    idle = time.time() - record.last_seen if record is not None else None
    if idle is None or idle > engine.config.sessions.retention_seconds:
        return None  # nothing earlier, or so long ago that the engine starts afresh anyway
    return CONTINUED.format(minutes=_ago(idle))


async def chat_with_engine(engine: Engine, new: bool = False, explain: bool = False) -> int:
    """The terminal conversation loop over an existing engine (``explain``: the decision
    trace after each reply)."""
    print(BANNER, flush=True)
    note = await earlier_conversation(engine, new)
    if note is not None:
        print(note, flush=True)
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
        if explain:
            incoming = replace(incoming, explain=True)
        response = await engine.handle(incoming)
        for reply in response.replies:
            print(f"\n助手：{reply}", flush=True)
        if explain:
            print(explained(response), flush=True)


def explained(response: Response) -> str:
    """The decision trace of a reply, for the terminal (``chat --explain``)."""
    lines = [f"  [{response.intent or '-'} · {response.tier} {response.rule}".rstrip() + "]"]
    lines += [f"  · {line}" for line in response.trace]
    return "\n".join(lines)


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
        return Incoming(user=TERMINAL_USER, text=clean_text(line))
    path = Path(stripped[len(command) :].strip().strip("'\"")).expanduser()
    try:
        with path.open("rb") as file:
            data = file.read(MAX_PHOTO_FILE_BYTES)
    except OSError as exc:
        return f"打不开这个文件（{path}）：{exc.strerror or type(exc).__name__}。"
    return Incoming(user=TERMINAL_USER, text="", kind=MessageKind.IMAGE, image=data)


def _escape(part: str) -> str:
    """``part`` with "%" and "/" escaped, so joining a conversation with a user or room by "/"
    never makes two different pairs one (("a/b", "c") and ("a", "b/c") stay apart)."""
    return part.replace("%", "%25").replace("/", "%2F")


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
    scope = _escape(str(conversation))
    return clean_incoming(
        Incoming(
            user=f"{scope}/{_escape(str(user))}" if room is None else str(user),
            text=text,
            platform="jsonl",
            room=None if room is None else f"{scope}/{_escape(str(room))}",
            addressed=addressed,
        )
    )


async def chat_jsonl(config: Config, explain: bool = False) -> int:
    """Scripted conversations: JSON objects in, JSON objects out, one per line (``explain``:
    each answer also carries its decision trace as ``"trace"``)."""
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
                    response = await engine.handle(replace(incoming, explain=explain))
                    values = (
                        obj.get("conversation", obj.get("user", "jsonl")),
                        response.intent,
                        response.replies,
                        response.choices,
                    )
                    out = dict(zip(JSONL_OUTPUT_FIELDS, values, strict=True))
                    if explain:
                        out["trace"] = response.trace
            if "error" in out:
                status = 1
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    finally:
        await engine.close()
    return status
