"""Admin commands in a private chat ("状态", "重新加载"): what the status says, who may ask,
and how the runner registers platforms and admin notices."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.adapters.base import Adapter
from bot.admin import AdminCommand, is_admin, read_admin_command
from bot.engine import Engine, Understanding
from bot.messages import Incoming, SessionKey
from bot.operations.runner import admin_pusher, register_adapters
from bot.storage.sessions.memory import MemoryStore
from bot.storage.turns.memory import MemoryTurnLog
from tests.harness import memory_config


@pytest.fixture
async def engine(understanding: Understanding) -> AsyncIterator[Engine]:
    config = memory_config(admins=["terminal:boss", "wechat:wxid_admin", "bare_admin"])
    eng = Engine(config, understanding, MemoryStore(600), MemoryTurnLog(3600, 100))
    yield eng
    await eng.close()


async def ask(
    engine: Engine, text: str, user: str = "boss", **kwargs: object
) -> tuple[str | None, str]:
    response = await engine.handle(Incoming(user=user, text=text, **kwargs))  # type: ignore[arg-type]
    return response.intent, "\n".join(response.replies)


def test_reading_admin_commands() -> None:
    for text in ("状态", " 状态 ", "status", "STATUS", "/status", "状态。"):
        assert read_admin_command(text) is AdminCommand.STATUS, text
    for text in ("重新加载", "reload", "重新加载！"):
        assert read_admin_command(text) is AdminCommand.RELOAD, text
    for text in ("我的状态很差", "重新开始", "状态怎么样了啊朋友"):
        assert read_admin_command(text) is None, text


def test_admin_ids_with_or_without_platform() -> None:
    admins = frozenset({"wechat:wxid_admin", "bare_admin"})

    def key(user: str, platform: str = "terminal") -> SessionKey:
        return SessionKey.of(Incoming(user=user, text="", platform=platform))

    assert is_admin(admins, key("wxid_admin", "wechat"))
    assert not is_admin(admins, key("wxid_admin", "onebot"))
    assert is_admin(admins, key("bare_admin", "onebot"))
    assert not is_admin(frozenset(), key("bare_admin"))


async def test_status_reports_the_bot_state(engine: Engine) -> None:
    engine.admin.register_platform("wechaty", lambda: "logged_in")
    engine.admin.register_platform("http", lambda: "running")
    for text in ("催收的人在门口", "红烧肉怎么做", "周末去哪里玩", "你好"):
        await ask(engine, text, user="alice")
    intent, text = await ask(engine, "状态")
    assert intent == "admin_status"
    content = engine.understanding.content
    assert "运行时间：" in text
    assert "已处理消息：4 条" in text
    assert "兜底回复率：50.0%（2 条）" in text
    assert "低置信度（澄清）率：0.0%（0 条）" in text
    assert "平台：wechaty（logged_in）、http（running）" in text
    assert f"内容版本：{content.version}（{len(content.intents)} 个意图）" in text
    assert "上次重新加载：无" in text

    intent, text = await ask(engine, "status")  # English too; admin turns are not counted
    assert intent == "admin_status"
    assert "已处理消息：4 条" in text
    await engine.insights.flush()
    assert engine.insights.log is not None
    assert len(await engine.insights.log.query(since=0)) == 4


async def test_status_shows_the_last_reload(engine: Engine) -> None:
    intent, reply = await ask(engine, "重新加载")
    assert intent == "admin_reload"
    assert "已重新加载内容" in reply
    assert engine.admin.last_reload is not None
    _, text = await ask(engine, "状态")
    assert "上次重新加载：" in text and "成功" in text
    assert "上次重新加载：无" not in text


async def test_a_platform_state_that_fails_does_not_break_the_status(engine: Engine) -> None:
    def broken() -> str:
        raise RuntimeError("gone")

    engine.admin.register_platform("onebot", broken)
    intent, text = await ask(engine, "状态")
    assert intent == "admin_status"
    assert "onebot（unknown (RuntimeError)）" in text


@pytest.mark.parametrize("text", ["状态", "status", "重新加载"])
async def test_non_admins_get_normal_answers(engine: Engine, text: str) -> None:
    intent, reply = await ask(engine, text, user="alice")
    assert intent not in ("admin_status", "admin_reload")
    assert reply and "运行状态" not in reply and "重新加载内容" not in reply
    assert engine.admin.last_reload is None


async def test_admins_in_groups_get_nothing_special(engine: Engine) -> None:
    intent, reply = await ask(engine, "状态", room="g1", addressed=True)
    assert intent != "admin_status"
    assert "运行状态" not in reply
    intent, _ = await ask(engine, "重新加载", room="g1", addressed=True)
    assert intent != "admin_reload"
    assert engine.admin.last_reload is None


async def test_admin_ids_on_other_platforms(engine: Engine) -> None:
    intent, _ = await ask(engine, "状态", user="wxid_admin", platform="wechat")
    assert intent == "admin_status"
    intent, _ = await ask(engine, "状态", user="wxid_admin", platform="onebot")
    assert intent != "admin_status"
    intent, _ = await ask(engine, "状态", user="bare_admin", platform="http")
    assert intent == "admin_status"


# --------------------------------------------------------------------------- the runner


class StatefulAdapter(Adapter):
    name = "wechaty"
    platform = "wechat"
    sends_private = True

    def __init__(self) -> None:
        self.now = "connecting"
        self.sent: list[tuple[str, str]] = []

    def state(self) -> str:
        return self.now

    async def run(self) -> None:
        await asyncio.Event().wait()

    async def stop(self) -> None:
        pass

    async def send_private(self, user: str, text: str) -> None:
        self.sent.append((user, text))


class PlainAdapter(Adapter):
    name = "http"
    platform = "http"

    async def run(self) -> None:
        return None

    async def stop(self) -> None:
        pass


async def test_runner_registers_platforms_and_admin_notices(engine: Engine) -> None:
    wechaty, http = StatefulAdapter(), PlainAdapter()
    tasks = [asyncio.create_task(wechaty.run()), asyncio.create_task(http.run())]
    await asyncio.sleep(0)  # the http task ends at once
    register_adapters(engine, [wechaty, http], tasks)
    wechaty.now = "logged_in"
    _, text = await ask(engine, "状态")
    assert "wechaty（logged_in）" in text
    assert "http（stopped）" in text

    await engine.admin.notify("【管理员提醒】测试")
    # to the wechat admin and the bare-id admin; not the terminal one
    assert wechaty.sent == [
        ("wxid_admin", "【管理员提醒】测试"),
        ("bare_admin", "【管理员提醒】测试"),
    ]
    tasks[0].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def test_no_pusher_without_admins_on_the_platform() -> None:
    async def send(user: str, text: str) -> None:
        raise AssertionError("must not send")

    assert admin_pusher(send, "wechat", ["terminal:boss", "onebot:1"]) is None
    assert admin_pusher(send, "wechat", ["wechat:wxid"]) is not None
