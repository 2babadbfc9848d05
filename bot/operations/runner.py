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
import sys
from collections.abc import Awaitable, Callable, Sequence

from bot.adapters import registry
from bot.adapters.base import Adapter
from bot.config import Config, ConfigError
from bot.engine import Engine
from bot.messages import listed_on
from bot.operations.reload import ContentWatcher

log = logging.getLogger(__name__)

#: a platform failing this soon after its first start "cannot start": ``run`` stops and exits 1
START_GRACE_SECONDS = 2.0
#: a platform that dies later is restarted after this long, doubling up to the maximum
RESTART_INITIAL_SECONDS = 1.0
RESTART_MAX_SECONDS = 60.0


class Supervisor:
    """Runs one adapter: a failure at start is fatal (recorded in :attr:`failed_to_start`), a
    later failure is logged and the adapter run again after a backoff (reset once it has run
    for :data:`RESTART_MAX_SECONDS`). A normal return (the terminal's end of input) ends it."""

    def __init__(
        self,
        adapter: Adapter,
        on_fatal: Callable[[], None],
        initial: float = RESTART_INITIAL_SECONDS,
        maximum: float = RESTART_MAX_SECONDS,
        grace: float = START_GRACE_SECONDS,
    ) -> None:
        self.adapter = adapter
        self.failed_to_start: BaseException | None = None
        self.restarts = 0
        self._on_fatal = on_fatal
        self._initial, self._maximum, self._grace = initial, maximum, grace

    async def run(self) -> None:
        """Run the adapter until it returns, cannot start, or is cancelled."""
        loop = asyncio.get_running_loop()
        delay = self._initial
        first = True
        while True:
            started = loop.time()
            try:
                await self.adapter.run()
            except Exception as exc:
                ran = loop.time() - started
                if first and ran < self._grace:
                    log.error("platform %s cannot start: %s", self.adapter.name, exc)
                    self.failed_to_start = exc
                    self._on_fatal()
                    return
                if ran >= self._maximum:
                    delay = self._initial
                log.error(
                    "platform %s stopped with an error (%s: %s); restarting in %.0f s",
                    self.adapter.name,
                    type(exc).__name__,
                    exc,
                    delay,
                    exc_info=exc,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._maximum)
                first = False
                self.restarts += 1
                log.info("platform %s: restart %d", self.adapter.name, self.restarts)
            else:
                log.info("platform %s stopped", self.adapter.name)
                return


def admin_pusher(
    send: Callable[[str, str], Awaitable[None]], platform: str, admins: Sequence[str]
) -> Callable[[str], Awaitable[None]] | None:
    """A callback sending an admin notice to the admins of ``platform`` (ids
    ``platform:user``, or bare ids) through ``send(user, text)``; None when there are none."""
    users = listed_on(platform, admins)
    if not users:
        return None

    async def push(text: str) -> None:
        for user in users:
            await send(user, text)

    return push


def _state_of(adapter: Adapter, task: asyncio.Task[None]) -> Callable[[], str]:
    def state() -> str:
        return adapter.state() or ("stopped" if task.done() else "running")

    return state


def register_adapters(
    engine: Engine, adapters: Sequence[Adapter], tasks: Sequence[asyncio.Task[None]]
) -> None:
    """Show each platform in the admin status (its ``state()``, else whether it runs) and let
    adapters that can send private messages push admin notices."""
    for adapter, task in zip(adapters, tasks, strict=True):
        engine.admin.register_platform(adapter.name, _state_of(adapter, task))
        if adapter.sends_private:
            push = admin_pusher(adapter.send_private, adapter.platform, engine.config.admins)
            if push is not None:
                engine.admin.on_notice.append(push)


async def run_platforms(config: Config, platforms: list[str]) -> int:
    """Run ``platforms`` until SIGINT/SIGTERM. A platform that cannot start (e.g. its port is
    taken) stops them all with exit code 1; one that dies later is restarted with backoff
    (:class:`Supervisor`) while the others go on. Returns the process exit code."""
    if not platforms:
        raise ConfigError("platforms.enabled: no platform to run (e.g. [terminal])")
    names = registry.check(platforms)
    lock = None
    if config.sessions.store == "sqlite":
        from bot.storage.factory import sqlite_path
        from bot.storage.sqlite_file import ServerLock

        lock = ServerLock(sqlite_path(config.sessions))
        lock.acquire()  # a second server on the file: StoreUnavailable, one clear line
    try:
        return await _run_platforms(config, names)
    finally:
        if lock is not None:
            lock.release()


async def _run_platforms(config: Config, names: list[str]) -> int:
    engine = await Engine.create(config)
    try:
        adapters = [registry.build(name, config, engine) for name in names]
    except BaseException:
        await engine.close()
        raise
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stopping.set)

    supervisors = [Supervisor(a, stopping.set) for a in adapters]
    tasks = [asyncio.create_task(s.run()) for s in supervisors]
    register_adapters(engine, adapters, tasks)
    watcher = (
        ContentWatcher(engine, debounce_ms=config.reload.debounce_ms)
        if config.reload.watch
        else None
    )
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
        _, sleeping = await asyncio.wait(tasks, timeout=5)
        for task in sleeping:  # waiting to restart, or not stopping by itself
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await engine.close()
    failed = [s for s in supervisors if s.failed_to_start is not None]
    for supervisor in failed:
        sys.stderr.write(
            f"error: platform {supervisor.adapter.name} cannot start: "
            f"{supervisor.failed_to_start}\n"
        )
    return 1 if failed else 0
