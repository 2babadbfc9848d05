"""``python -m bot run``: start the configured platforms around one engine and one store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.adapters.base import Adapter
from bot.config import Config, ConfigError
from bot.engine import Engine

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
    raise ConfigError(f"platforms.enabled: unknown platform {name!r}")


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
        for adapter in adapters:
            with contextlib.suppress(Exception):
                await adapter.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        await engine.close()
    return 0
