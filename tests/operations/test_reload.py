"""Live reload of the content: by the file watcher and by an admin's "重新加载"; new content
is swapped in whole while answering goes on, and broken content is rejected with the
problems named (file, intent, field) while the old content keeps serving."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import default_intents_dir
from bot.engine import Engine, Understanding
from bot.messages import Incoming
from bot.operations.reload import ContentWatcher, is_content_file
from bot.storage.sessions.memory import MemoryStore
from tests.harness import memory_config

NEW_GREETING = "【新版问候】你好！我是催收应对助手，说说你遇到的情况吧。"
ADMIN = Incoming(user="boss", text="重新加载")
WAIT_SECONDS = 20.0
TOUCH_SECONDS = 0.5


@pytest.fixture
def intents(tmp_path: Path) -> Path:
    """A copy of the shipped intents that a test may change."""
    directory = tmp_path / "intents"
    shutil.copytree(default_intents_dir(), directory)
    return directory


@pytest.fixture
async def engine(understanding: Understanding, intents: Path) -> AsyncIterator[Engine]:
    """An engine serving the shipped content, reloading from the copy in ``intents``."""
    config = memory_config(intents_dir=str(intents), admins=["terminal:boss"])
    eng = Engine(config, understanding, MemoryStore(600))
    yield eng
    await eng.close()


def edit_intent(intents: Path, intent_id: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = intents / f"{intent_id}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    # written whole, then renamed: the watcher never reads a half-written file (a hidden name
    # is no content file, so the temporary file itself triggers nothing)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    tmp.replace(path)


def new_greeting(data: dict[str, Any]) -> None:
    data["advice"]["short"] = NEW_GREETING
    data["examples"].append("哈喽小助手在吗")


async def say(engine: Engine, text: str, user: str = "alice") -> list[str]:
    return (await engine.handle(Incoming(user=user, text=text))).replies


async def wait_until(
    condition: Callable[[], bool], touch: Callable[[], None] | None = None
) -> None:
    """Poll ``condition``; ``touch`` again now and then (the watcher may not have been
    watching yet when the file was first written)."""
    deadline = time.monotonic() + WAIT_SECONDS
    next_touch = time.monotonic() + TOUCH_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        if touch is not None and time.monotonic() > next_touch:
            touch()
            next_touch = time.monotonic() + TOUCH_SECONDS
        await asyncio.sleep(0.02)


@pytest.fixture
async def watcher(engine: Engine, intents: Path) -> AsyncIterator[ContentWatcher]:
    """A running watcher with a short debounce."""
    watching = ContentWatcher(engine, intents, debounce_ms=50, step_ms=10)
    task = asyncio.create_task(watching.run())
    yield watching
    await watching.stop()
    await asyncio.wait_for(task, 5)  # stop() makes run() return


# --------------------------------------------------------------------------- success


async def test_watcher_reloads_changed_content(
    engine: Engine, watcher: ContentWatcher, intents: Path
) -> None:
    old = engine.understanding
    assert NEW_GREETING not in await say(engine, "你好")
    edit_intent(intents, "greeting", new_greeting)
    await wait_until(
        lambda: engine.understanding is not old,
        touch=lambda: edit_intent(intents, "greeting", lambda d: None),
    )
    assert await say(engine, "你好") == [NEW_GREETING]
    assert engine.understanding.content.version != old.content.version
    assert old.content.intent("greeting").advice.short != NEW_GREETING  # swapped, not mutated
    assert engine.admin.last_reload is not None
    assert engine.admin.last_reload.ok and engine.admin.last_reload.trigger == "files"
    assert engine.admin.notice is None


async def test_admin_reload_swaps_in_new_content(engine: Engine, intents: Path) -> None:
    old_version = engine.understanding.content.version
    edit_intent(intents, "greeting", new_greeting)
    [reply] = (await engine.handle(ADMIN)).replies
    new_version = engine.understanding.content.version
    assert new_version != old_version
    assert reply.startswith("已重新加载内容")
    assert f"{old_version} → {new_version}" in reply
    assert await say(engine, "你好") == [NEW_GREETING]


async def test_answering_goes_on_while_the_new_content_is_built(
    engine: Engine, intents: Path
) -> None:
    edit_intent(intents, "greeting", new_greeting)
    reload = asyncio.create_task(engine.reload_content())
    await asyncio.sleep(0)
    during: list[list[str]] = []
    while not reload.done():
        replies = await say(engine, "你好")
        if not reload.done():
            during.append(replies)
        await asyncio.sleep(0.005)
    assert (await reload).ok
    assert during, "no message was answered while the content was being rebuilt"
    assert all(NEW_GREETING not in r for r in during)  # the old content, whole, until the swap
    assert await say(engine, "你好") == [NEW_GREETING]


# --------------------------------------------------------------------------- rejected content


def empty_short_advice(data: dict[str, Any]) -> None:
    data["advice"]["short"] = "   "


async def test_admin_reload_of_invalid_content_names_the_problem(
    engine: Engine, intents: Path, caplog: pytest.LogCaptureFixture
) -> None:
    old = engine.understanding
    edit_intent(intents, "harassment", empty_short_advice)
    [reply] = (await engine.handle(ADMIN)).replies
    assert "没有重新加载" in reply
    assert "harassment.yaml: intent harassment: field advice.short" in reply
    assert engine.understanding is old
    assert engine.admin.last_reload is not None and not engine.admin.last_reload.ok
    assert "harassment.yaml: intent harassment: field advice.short" in caplog.text  # logged
    # still answering, with the old content
    await say(engine, "天天打电话骚扰我怎么办", user="bob")
    assert engine.admin.stats.errors == 0
    assert (await engine.handle(Incoming(user="carol", text="你好"))).intent == "greeting"


async def test_admin_reload_of_broken_yaml_names_the_file(engine: Engine, intents: Path) -> None:
    (intents / "greeting.yaml").write_text("id: greeting\ntitle: [不完整\n", encoding="utf-8")
    [reply] = (await engine.handle(ADMIN)).replies
    assert "greeting.yaml: not valid YAML" in reply
    assert NEW_GREETING not in await say(engine, "你好")
    assert (await engine.handle(Incoming(user="dan", text="你好"))).intent == "greeting"


async def test_watcher_rejects_invalid_content_and_tells_the_admin(
    engine: Engine, watcher: ContentWatcher, intents: Path
) -> None:
    pushed: list[str] = []

    async def push(text: str) -> None:
        pushed.append(text)

    engine.admin.on_notice.append(push)
    old = engine.understanding
    edit_intent(intents, "greeting", lambda d: d.update(examples=d["examples"][:3]))
    await wait_until(
        lambda: bool(pushed), touch=lambda: edit_intent(intents, "greeting", lambda d: None)
    )
    assert engine.understanding is old
    notice = pushed[0]
    assert notice.startswith("【管理员提醒】")
    assert "greeting.yaml: intent greeting: field examples" in notice

    # Not for ordinary people; prepended once to the next reply to an admin.
    other = await say(engine, "你好", user="alice")
    assert notice not in other
    first = await say(engine, "你好", user="boss")
    assert first[0] == notice
    assert first[1:] == other
    again = await say(engine, "你好", user="boss")
    assert again and notice not in again  # the notice is given once
    assert engine.admin.notice is None


async def test_a_later_good_reload_clears_the_pending_notice(engine: Engine, intents: Path) -> None:
    edit_intent(intents, "harassment", empty_short_advice)
    outcome = await engine.reload_content(trigger="files")
    await engine.admin.notify("【管理员提醒】内容有问题")
    assert not outcome.ok and engine.admin.notice is not None
    shutil.copy(default_intents_dir() / "harassment.yaml", intents / "harassment.yaml")
    assert (await engine.reload_content(trigger="files")).ok
    assert engine.admin.notice is None


async def test_a_failing_notice_callback_is_logged_not_raised(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(text: str) -> None:
        raise ConnectionError("platform down")

    engine.admin.on_notice.append(broken)
    await engine.admin.notify("提醒")
    assert engine.admin.notice == "提醒"
    assert "admin notice callback failed" in caplog.text


# --------------------------------------------------------------------------- the watcher


def test_only_content_files_trigger_a_reload() -> None:
    from watchfiles import Change

    assert is_content_file(Change.modified, "/x/intents/greeting.yaml")
    assert is_content_file(Change.added, "/x/intents/userdict.txt")
    assert not is_content_file(Change.modified, "/x/intents/.greeting.yaml.swp")
    assert not is_content_file(Change.modified, "/x/intents/README.md")
    assert not is_content_file(Change.modified, "/x/intents/greeting.yaml~")


async def test_watcher_stops_when_cancelled_and_without_a_directory(
    engine: Engine, tmp_path: Path
) -> None:
    watching = ContentWatcher(engine, tmp_path, debounce_ms=50, step_ms=10)
    task = asyncio.create_task(watching.run())
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    missing = ContentWatcher(engine, tmp_path / "missing")
    await asyncio.wait_for(missing.run(), 5)  # returns at once, logging why
    assert missing.reloads == 0


async def test_run_starts_the_watcher(intents: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m bot run`` watches the content: a platform sees the new answer."""
    from bot.adapters import registry
    from bot.adapters.base import Adapter
    from bot.config import ReloadConfig
    from bot.operations import runner

    seen: dict[str, object] = {}

    class EditingAdapter(Adapter):
        name = "fake"
        platform = "fake"

        def __init__(self, config: object, engine: Engine) -> None:
            self.engine = engine

        async def run(self) -> None:
            old = self.engine.understanding
            edit_intent(intents, "greeting", new_greeting)
            await wait_until(
                lambda: self.engine.understanding is not old,
                touch=lambda: edit_intent(intents, "greeting", lambda d: None),
            )
            response = await self.engine.handle(Incoming(user="u", text="你好"))
            seen["replies"] = response.replies
            seen["platforms"] = list(self.engine.admin.platforms)

        async def stop(self) -> None:
            pass

    monkeypatch.setattr(
        registry, "build", lambda name, config, engine: EditingAdapter(config, engine)
    )
    config = memory_config(intents_dir=str(intents), reload=ReloadConfig(debounce_ms=50))
    assert await asyncio.wait_for(runner.run_platforms(config, ["terminal"]), 60) == 0
    assert seen == {"replies": [NEW_GREETING], "platforms": ["fake"]}
