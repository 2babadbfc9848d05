"""``run``: a platform that cannot start stops the run with exit code 1 (a real port taken, a
real subprocess); a platform that dies later is restarted with backoff."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import pytest

from bot.adapters import registry
from bot.adapters.base import Adapter
from bot.operations import runner
from bot.operations.runner import Supervisor
from tests.harness import memory_config, run


def test_run_exits_1_when_the_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run(
            "run",
            "--platform",
            "http",
            "--port",
            str(port),
            env={"XDG_DATA_HOME": str(tmp_path), "BOT_HTTP_TOKEN": "t0ken-for-test"},
            cwd=tmp_path,
        )
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert "error: platform http cannot start" in err
    assert "Traceback" not in err


def test_port_needs_a_server_platform(tmp_path: Path) -> None:
    proc = run(
        "run",
        "--platform",
        "terminal",
        "--port",
        "9999",
        env={"XDG_DATA_HOME": str(tmp_path)},
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "--host/--port" in proc.stderr.decode()


class DyingAdapter(Adapter):
    """Serves for a while, then fails; after ``lives`` failures it runs until stopped."""

    name = "dying"
    platform = "dying"

    def __init__(self, lives: int, grace: float) -> None:
        self.lives = lives
        self.grace = grace
        self.runs = 0
        self.stopped = asyncio.Event()
        self.last_life = asyncio.Event()

    async def run(self) -> None:
        self.runs += 1
        if self.runs > self.lives:
            self.last_life.set()
        await asyncio.sleep(self.grace * 1.5)  # past the start grace: it did start
        if self.runs <= self.lives:
            raise ConnectionError("lost the connection")
        await self.stopped.wait()

    async def stop(self) -> None:
        self.stopped.set()


async def test_a_platform_that_dies_is_restarted_with_backoff(
    caplog: pytest.LogCaptureFixture,
) -> None:
    adapter = DyingAdapter(lives=2, grace=0.05)
    fatal = asyncio.Event()
    supervisor = Supervisor(adapter, fatal.set, initial=0.05, maximum=1.0, grace=0.05)
    with caplog.at_level(logging.INFO, logger="bot.operations.runner"):
        task = asyncio.create_task(supervisor.run())
        await asyncio.wait_for(adapter.last_life.wait(), 5)
        await adapter.stop()
        await asyncio.wait_for(task, 5)
    assert supervisor.restarts == 2
    assert not fatal.is_set()
    assert supervisor.failed_to_start is None
    restarting = [r.getMessage() for r in caplog.records if "restarting in" in r.getMessage()]
    assert len(restarting) == 2
    assert "lost the connection" in restarting[0]


async def test_a_platform_failing_at_start_stops_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Broken(Adapter):
        name = "broken"
        platform = "broken"

        async def run(self) -> None:
            raise OSError(98, "address already in use")

        async def stop(self) -> None:
            pass

    class Healthy(Adapter):
        name = "healthy"
        platform = "healthy"

        def __init__(self) -> None:
            self.stopped = asyncio.Event()

        async def run(self) -> None:
            await self.stopped.wait()

        async def stop(self) -> None:
            self.stopped.set()

    healthy = Healthy()
    built = iter([healthy, Broken()])
    monkeypatch.setattr(registry, "build", lambda name, config, engine: next(built))
    config = memory_config()
    config = config.model_copy(update={"reload": config.reload.model_copy(update={"watch": False})})
    code = await asyncio.wait_for(runner.run_platforms(config, ["http", "onebot"]), 10)
    assert code == 1
    assert healthy.stopped.is_set()


def test_host_and_port_go_to_the_server_platform_run() -> None:
    from bot.cli import _with_address
    from bot.config import ConfigError

    config = memory_config()
    changed = _with_address(config, ["terminal", "onebot"], "0.0.0.0", 9100)
    assert (changed.platforms.onebot.host, changed.platforms.onebot.port) == ("0.0.0.0", 9100)
    assert changed.platforms.http == config.platforms.http  # not run: untouched
    both = _with_address(config, ["http", "official"], "10.0.0.2", None)
    assert both.platforms.http.host == both.platforms.official.host == "10.0.0.2"
    with pytest.raises(ConfigError, match="several server platforms"):
        _with_address(config, ["http", "official"], None, 9100)
