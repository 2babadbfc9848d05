"""A console extension for the tests: what console-inbox's modules will look like (an
``install(console)`` adding a GET and a POST endpoint)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.console.web import Console, ConsoleError, read_json, session_of

#: the changes POSTed, as an extension would keep them
CHANGES: list[tuple[str, dict[str, Any]]] = []
#: the consoles it was installed in, and how many times its cleanup ran
INSTALLED: list[Console] = []
CLOSED: list[str] = []


def install(console: Console) -> None:
    """Add ``GET /admin/api/whoami``, ``POST /admin/api/echo`` and
    ``POST /admin/api/items/{item}/pick``, and a cleanup."""
    INSTALLED.append(console)

    async def whoami(request: web.Request) -> dict[str, Any]:
        return {"who": session_of(request).who}

    async def echo(request: web.Request) -> dict[str, Any]:
        body = await read_json(request)
        if body.get("refuse"):
            raise ConsoleError(422, "refused", "这个修改不行。")
        if body.get("crash"):
            raise RuntimeError("a bug in an extension")
        CHANGES.append((session_of(request).who, body))
        return {"who": session_of(request).who, "got": body}

    async def item(request: web.Request) -> dict[str, Any]:
        return {"item": request.match_info["item"]}

    async def close() -> None:
        CLOSED.append("closed")

    async def broken_close() -> None:
        raise RuntimeError("cannot close")

    console.get("whoami", whoami)
    console.post("echo", echo)
    console.post("items/{item}/pick", item)
    console.on_cleanup(broken_close)
    console.on_cleanup(close)
