"""``python -m bot run``: start the configured platforms around one engine and one store.

It also registers each platform with the engine (for the admin status), lets adapters that
can send a private message push admin notices, and watches the intents directory for changes
(live reload, bot/reload.py) unless ``reload.watch`` is off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.adapters.base import Adapter
from bot.config import Config, ConfigError
from bot.engine import Engine
from bot.operations.reload import ContentWatcher

log = logging.getLogger(__name__)


class TerminalAdapter:
    """The terminal chat as a platform (for ``run`` with other platforms alongside)."""

    name = "terminal"

    def __init__(self, config: Config, engine: Engine) -> None:
        self._engine = engine
        self._task: asyncio.Task[int] | None = None

    async def run(self) -> None:
        from bot.adapters.terminal import chat_with_engine

        self._task = asyncio.create_task(chat_with_engine(self._engine))
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


def build_adapter(name: str, config: Config, engine: Engine) -> Adapter:
    """The adapter for platform ``name`` (its settings are checked here: ConfigError)."""
    if name == "terminal":
        return TerminalAdapter(config, engine)
    if name == "wechaty":
        from bot.adapters.wechaty import WechatyAdapter

        return WechatyAdapter(config, engine)
    if name == "http":
        from bot.adapters.http import HttpAdapter

        return HttpAdapter(config, engine)
    if name == "onebot":
        from bot.adapters.onebot import OneBotAdapter

        return OneBotAdapter(config, engine)
    if name == "official":  # issue 18
        from bot.adapters.official import OfficialAdapter

        return OfficialAdapter(config, engine)
    raise ConfigError(f"platforms.enabled: unknown platform {name!r}")


def admin_pusher(send: Callable[[str, str], Awaitable[None]], platform: str,
                 admins: Sequence[str]) -> Callable[[str], Awaitable[None]] | None:
    """A callback sending an admin notice to the admins of ``platform`` (ids
    ``platform:user``, or bare ids) through ``send(user, text)``; None when there are none."""
    prefix = f"{platform}:"
    users = [a.removeprefix(prefix) for a in admins if a.startswith(prefix) or ":" not in a]
    if not users:
        return None

    async def push(text: str) -> None:
        for user in users:
            await send(user, text)

    return push


def _state_of(adapter: Any, task: asyncio.Task[None]) -> Callable[[], str]:
    if hasattr(adapter, "state"):  # e.g. the WeChat adapter: connecting, logged_in, waiting
        return lambda: str(adapter.state)
    return lambda: "stopped" if task.done() else "running"


def register_adapters(engine: Engine, adapters: Sequence[Adapter],
                      tasks: Sequence[asyncio.Task[None]]) -> None:
    """Show each platform in the admin status (its ``state`` if it has one, else whether it
    runs) and let adapters with ``send_private(user, text)`` push admin notices."""
    for adapter, task in zip(adapters, tasks, strict=True):
        engine.register_platform(adapter.name, _state_of(adapter, task))
        send = getattr(adapter, "send_private", None)
        if send is not None:
            push = admin_pusher(send, getattr(adapter, "platform", adapter.name),
                                engine.config.admins)
            if push is not None:
                engine.on_admin_notice.append(push)


async def run_platforms(config: Config, platforms: list[str]) -> int:
    """Run ``platforms`` until SIGINT/SIGTERM; a platform that fails is logged, the others go
    on. Returns the process exit code."""
    if not platforms:
        raise ConfigError("platforms.enabled: no platform to run (e.g. [terminal])")
    engine = await Engine.create(config)
    try:
        adapters = [build_adapter(name, config, engine) for name in dict.fromkeys(platforms)]
    except BaseException:
        await engine.close()
        raise
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stopping.set)

    async def supervise(adapter: Adapter) -> None:
        try:
            await adapter.run()
        except Exception:
            log.exception("platform %s stopped with an error", adapter.name)
        else:
            log.info("platform %s stopped", adapter.name)

    tasks = [asyncio.create_task(supervise(a)) for a in adapters]
    register_adapters(engine, adapters, tasks)
    watcher = ContentWatcher(engine, debounce_ms=config.reload.debounce_ms) \
        if config.reload.watch else None
    watching = asyncio.create_task(watcher.run()) if watcher is not None else None
    log.info("running: %s", ", ".join(a.name for a in adapters))
    waiter = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        if not stopping.is_set() and all(t.done() for t in tasks):
            return 0
        if not stopping.is_set():
            # One platform ended (e.g. the terminal reached end of input): keep the others.
            remaining = [t for t in tasks if not t.done()]
            if remaining and any(a.name != "terminal" for a in adapters):
                await asyncio.wait([waiter, *remaining], return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
        if watcher is not None and watching is not None:
            await watcher.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(watching, 5)
        for adapter in adapters:
            with contextlib.suppress(Exception):
                await adapter.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        await engine.close()
    return 0
