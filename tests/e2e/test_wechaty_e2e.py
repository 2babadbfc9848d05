"""End to end: the real python-wechaty client, over gRPC, against a fake puppet service.

Each test runs a :class:`WechatyAdapter` with the real engine (sessions in memory) against
:class:`FakePuppetService` on 127.0.0.1, emits events the way a gateway does and asserts on
the ``MessageSendText`` calls the bot makes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.adapters.wechaty import MENTION_END, WechatyAdapter
from bot.config import Config, ConfigError, load_config
from bot.messages import Incoming, MessageKind, Response
from tests.fakes.puppet import SELF_ID, SELF_NAME, FakePuppetService, WireType

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-token-9f8e7d"
ALICE, BOB, COUNSELLOR = "wxid_alice", "wxid_bob", "wxid_counsellor"
ROOM = "12345@chatroom"

AT_DOOR = "催收的人堵在我家门口不走怎么办"


def wechat_config(endpoint: str) -> Config:
    """Sessions in memory, fast reconnects, one counsellor."""
    return Config.model_validate(
        {
            "bot_name": SELF_NAME,
            "sessions": {"store": "memory"},
            "counsellors": [f"wechat:{COUNSELLOR}"],
            "platforms": {
                "wechaty": {
                    "endpoint": endpoint,
                    "token": TOKEN,
                    "reconnect_initial_seconds": 0.05,
                    "reconnect_max_seconds": 0.2,
                }
            },
        }
    )


class Recording:
    """Wraps a handler and records every Incoming the adapter produced and the Response."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.seen: list[tuple[Incoming, Response]] = []
        self._changed = asyncio.Condition()

    async def handle(self, incoming: Incoming) -> Response:
        response = await self.inner.handle(incoming)  # type: ignore[attr-defined]
        self.seen.append((incoming, response))
        async with self._changed:
            self._changed.notify_all()
        return response

    async def wait_for(self, count: int, within: float = 5) -> list[tuple[Incoming, Response]]:
        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.seen) >= count)

        await asyncio.wait_for(wait(), within)
        return list(self.seen)


class Silent:
    """A handler that never answers."""

    async def handle(self, incoming: Incoming) -> Response:
        return Response()


@pytest.fixture
async def gateway() -> AsyncIterator[FakePuppetService]:
    fake = FakePuppetService()
    fake.add_contact(ALICE, "小丽")
    fake.add_contact(BOB, "老王")
    fake.add_contact(COUNSELLOR, "李老师")
    fake.add_room(ROOM, "互助群", [ALICE, BOB, COUNSELLOR])
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def config(gateway: FakePuppetService) -> Config:
    return wechat_config(gateway.endpoint)


@pytest.fixture
async def engine(config: Config) -> AsyncIterator[Recording]:
    """The real engine (in-memory sessions), recorded."""
    from bot.engine import Engine

    real = await Engine.create(config)
    yield Recording(real)
    await real.close()


@asynccontextmanager
async def running(adapter: WechatyAdapter) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(adapter.run())
    try:
        yield task
    finally:
        await asyncio.wait_for(adapter.stop(), 10)
        await asyncio.wait_for(task, 10)


@asynccontextmanager
async def logged_in(
    gateway: FakePuppetService, config: Config, handler: object
) -> AsyncIterator[WechatyAdapter]:
    """An adapter connected to ``gateway`` and logged in."""
    adapter = WechatyAdapter(config, handler)  # type: ignore[arg-type]
    async with running(adapter):
        await gateway.wait_for_event_stream()
        gateway.emit_login()
        yield adapter


async def until(condition: Callable[[], bool], within: float = 5, what: str = "") -> None:
    """Poll ``condition`` (cheaply) until it holds."""
    step = 0.01
    for _ in range(int(within / step)):
        if condition():
            return
        await asyncio.sleep(step)
    raise AssertionError(f"timed out waiting for {what or condition}")


# ----- answering -------------------------------------------------------------------------


async def test_private_message_is_answered_without_logging_its_text(
    gateway: FakePuppetService, config: Config, engine: Recording, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with logged_in(gateway, config, engine):
        gateway.emit_message(ALICE, AT_DOOR)
        sent = await gateway.wait_for_sent(1)
    assert sent[0].conversation_id == ALICE
    assert sent[0].mention_ids == ()
    assert "110" in "".join(s.text for s in sent)
    incoming, _ = engine.seen[0]
    assert incoming == Incoming(
        user=ALICE,
        text=AT_DOOR,
        platform="wechat",
        room=None,
        addressed=True,
        kind=MessageKind.TEXT,
    )
    assert "logged in as" in caplog.text
    assert ALICE in caplog.text
    assert AT_DOOR not in caplog.text
    assert AT_DOOR[:6] not in caplog.text
    assert TOKEN not in caplog.text


async def test_group_mention_is_answered_with_an_at_mention_of_the_asker(
    gateway: FakePuppetService, config: Config, engine: Recording
) -> None:
    async with logged_in(gateway, config, engine):
        gateway.emit_message(
            BOB, f"@{SELF_NAME}{MENTION_END}{AT_DOOR}", room_id=ROOM, mention_ids=[SELF_ID]
        )
        sent = await gateway.wait_for_sent(1)
    first = sent[0]
    assert first.conversation_id == ROOM
    assert first.mention_ids == (BOB,)
    assert first.text.startswith("@老王 ")
    assert "110" in "".join(s.text for s in sent)
    assert all(s.mention_ids == () for s in sent[1:])
    incoming, _ = engine.seen[0]
    assert (incoming.room, incoming.user, incoming.addressed) == (ROOM, BOB, True)
    assert incoming.text == AT_DOOR  # the @mention of the bot is removed


async def test_group_mention_in_the_text_only_counts_too(
    gateway: FakePuppetService, config: Config, engine: Recording
) -> None:
    async with logged_in(gateway, config, engine):
        # some gateways send no mention ids: "@name " in the text is the fallback
        gateway.emit_message(BOB, f"@{SELF_NAME} {AT_DOOR}", room_id=ROOM)
        sent = await gateway.wait_for_sent(1)
    assert sent[0].conversation_id == ROOM
    assert sent[0].mention_ids == (BOB,)
    assert engine.seen[0][0].addressed
    assert engine.seen[0][0].text == AT_DOOR


async def test_group_message_without_mention_gets_no_reply(
    gateway: FakePuppetService, config: Config, engine: Recording
) -> None:
    async with logged_in(gateway, config, engine):
        gateway.emit_message(BOB, "怎么和银行协商分期还款", room_id=ROOM)
        ((incoming, response),) = await engine.wait_for(1)
        assert incoming.room == ROOM
        assert not incoming.addressed
        assert response.silent
        gateway.emit_message(ALICE, AT_DOOR)  # a private message after it is answered
        sent = await gateway.wait_for_sent(1)
    assert [s.conversation_id for s in sent] == [ALICE] * len(sent)


async def test_trigger_word_in_a_group_is_answered(
    gateway: FakePuppetService, config: Config, engine: Recording
) -> None:
    async with logged_in(gateway, config, engine):
        gateway.emit_message(BOB, f"助手 {AT_DOOR}", room_id=ROOM)
        sent = await gateway.wait_for_sent(1)
    assert sent[0].conversation_id == ROOM
    assert sent[0].mention_ids == (BOB,)
    assert "110" in "".join(s.text for s in sent)
    assert engine.seen[0][0].addressed is False  # the engine, not the adapter, saw the trigger


async def test_image_gets_a_note_asking_for_text(
    gateway: FakePuppetService, config: Config, engine: Recording
) -> None:
    async with logged_in(gateway, config, engine):
        gateway.emit_message(ALICE, "<msg><img/></msg>", wire_type=WireType.IMAGE)
        sent = await gateway.wait_for_sent(1)
    assert sent[0].conversation_id == ALICE
    assert "文字" in sent[0].text
    incoming, _ = engine.seen[0]
    assert incoming.kind is MessageKind.IMAGE
    assert incoming.text == ""


async def test_the_bots_own_messages_are_not_answered(
    gateway: FakePuppetService, config: Config, engine: Recording
) -> None:
    async with logged_in(gateway, config, engine):
        own = gateway.emit_message(SELF_ID, AT_DOOR, to_id=ALICE)
        own_in_room = gateway.emit_message(
            SELF_ID, f"@{SELF_NAME} {AT_DOOR}", room_id=ROOM, mention_ids=[SELF_ID]
        )
        await gateway.wait_for_request("MessagePayload", own)
        await gateway.wait_for_request("MessagePayload", own_in_room)
        gateway.emit_message(ALICE, AT_DOOR)
        sent = await gateway.wait_for_sent(1)
    assert [incoming.user for incoming, _ in engine.seen] == [ALICE]
    assert {s.conversation_id for s in sent} == {ALICE}


async def test_a_counsellor_forward_gets_an_answer(
    gateway: FakePuppetService, config: Config, engine: Recording
) -> None:
    async with logged_in(gateway, config, engine):
        gateway.emit_message(COUNSELLOR, "客户问：催收的人堵在门口不走，还说要找她家里人，怎么办？")
        await gateway._wait(
            lambda: any("【给顾问的简要】" in s.text for s in gateway.sent),
            10,
            "the counsellor brief",
        )
        sent = list(gateway.sent)
    assert all(s.conversation_id == COUNSELLOR for s in sent)
    text = "".join(s.text for s in sent)
    # danger reported about the client comes first, with 110; then each question in turn
    assert sent[0].text.startswith("先顾安全") and "110" in sent[0].text
    assert "【问题1/" in text
    assert "【给顾问的简要】" in text and "适用规定" in text  # ends with the brief


# ----- adapter mechanics (no engine logic needed) ----------------------------------------


async def test_every_wire_message_type_reaches_the_engine_as_its_kind(
    gateway: FakePuppetService, config: Config
) -> None:
    expected = {
        WireType.TEXT: MessageKind.TEXT,
        WireType.CHAT_HISTORY: MessageKind.CHAT_HISTORY,
        WireType.IMAGE: MessageKind.IMAGE,
        WireType.AUDIO: MessageKind.VOICE,
        WireType.VIDEO: MessageKind.VIDEO,
        WireType.ATTACHMENT: MessageKind.FILE,
        WireType.EMOTICON: MessageKind.STICKER,
        WireType.URL: MessageKind.LINK,
        WireType.MINI_PROGRAM: MessageKind.LINK,
        WireType.TRANSFER: MessageKind.TRANSFER,
        WireType.RED_ENVELOPE: MessageKind.TRANSFER,
        WireType.LOCATION: MessageKind.LOCATION,
        WireType.CONTACT: MessageKind.OTHER,
        WireType.GROUP_NOTE: MessageKind.OTHER,
        WireType.RECALLED: MessageKind.OTHER,
        WireType.UNKNOWN: MessageKind.OTHER,
    }
    handler = Recording(Silent())
    async with logged_in(gateway, config, handler):
        for wire_type in expected:
            gateway.emit_message(ALICE, f"payload {wire_type.name}", wire_type=wire_type)
            await handler.wait_for(len(handler.seen) + 1)
    kinds = [incoming.kind for incoming, _ in handler.seen]
    assert kinds == list(expected.values())
    texts = {incoming.kind: incoming.text for incoming, _ in handler.seen}
    assert texts[MessageKind.TEXT] == "payload TEXT"
    assert texts[MessageKind.IMAGE] == ""  # no text is made up for media
    assert gateway.sent == []


class Flaky:
    """Raises on the first message, echoes afterwards."""

    def __init__(self) -> None:
        self.calls = 0

    async def handle(self, incoming: Incoming) -> Response:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("engine bug")
        return Response(replies=["收到"], intent="echo")


async def test_an_exception_in_the_handler_is_logged_and_the_bot_goes_on(
    gateway: FakePuppetService, config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    async with logged_in(gateway, config, Flaky()):
        first = gateway.emit_message(ALICE, "第一条")
        await until(lambda: "failed to handle message" in caplog.text, what="the error log")
        gateway.emit_message(ALICE, "第二条")
        sent = await gateway.wait_for_sent(1)
    assert sent == [sent[0]]
    assert sent[0].text == "收到"
    record = next(r for r in caplog.records if "failed to handle message" in r.getMessage())
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert first in record.getMessage()


async def test_long_replies_are_split_and_only_the_first_part_mentions(
    gateway: FakePuppetService,
) -> None:
    config = wechat_config(gateway.endpoint)
    config = config.model_copy(
        update={"sending": config.sending.model_copy(update={"max_message_chars": 100})}
    )

    class Long:
        async def handle(self, incoming: Incoming) -> Response:
            return Response(replies=["甲" * 90 + "。\n\n" + "乙" * 90 + "。"], intent="long")

    async with logged_in(gateway, config, Long()):
        gateway.emit_message(
            BOB, f"@{SELF_NAME}{MENTION_END}问", room_id=ROOM, mention_ids=[SELF_ID]
        )
        sent = await gateway.wait_for_sent(2)
    assert [s.mention_ids for s in sent] == [(BOB,), ()]
    assert sent[0].text == "@老王 " + "甲" * 90 + "。"
    assert sent[1].text == "乙" * 90 + "。"


# ----- connection supervision ------------------------------------------------------------


async def test_reconnects_when_the_gateway_comes_up_late_and_after_it_drops(
    gateway: FakePuppetService, config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.adapters.wechaty")

    def logged(fragment: str) -> int:
        return sum(fragment in r.getMessage() for r in caplog.records)

    class Echo:
        async def handle(self, incoming: Incoming) -> Response:
            return Response(replies=[f"回复{incoming.text}"], intent="echo")

    await gateway.stop()  # the gateway is not up yet when the bot starts
    adapter = WechatyAdapter(config, Echo())
    async with running(adapter):
        await until(lambda: logged("cannot connect") >= 3, what="three failed connects")
        assert logged("retry in 0.05 s") == 1
        assert logged("retry in 0.1 s") == 1
        await gateway.start()
        await gateway.wait_for_event_stream(1)
        gateway.emit_login()
        gateway.emit_message(
            BOB, f"@{SELF_NAME}{MENTION_END}一", room_id=ROOM, mention_ids=[SELF_ID]
        )
        await gateway.wait_for_sent(1)
        await until(lambda: adapter.pending_replies == 0, what="the send to finish")
        assert adapter.state() == "logged_in"

        await gateway.stop()  # the gateway drops
        await until(lambda: logged("disconnected from") == 1, what="the disconnect")
        await gateway.start()
        await gateway.wait_for_event_stream(2)
        gateway.emit_login()
        gateway.emit_heartbeat()
        gateway.emit_message(
            BOB, f"@{SELF_NAME}{MENTION_END}二", room_id=ROOM, mention_ids=[SELF_ID]
        )
        sent = await gateway.wait_for_sent(2)
        await until(lambda: adapter.pending_replies == 0, what="the send to finish")
        # only the new connection is used: nothing of the old bot reconnects on its own
        await until(lambda: gateway.open_connections() == 1, what="one open connection")
    assert [(s.conversation_id, s.text, s.mention_ids) for s in sent] == [
        (ROOM, "@老王 回复一", (BOB,)),
        (ROOM, "@老王 回复二", (BOB,)),
    ]
    assert logged("connected to the gateway") == 2
    assert logged("logged in as") == 2
    assert adapter.state() == "stopped"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"WECHATY_PUPPET_SERVICE_ENDPOINT": "127.0.0.1:8788"}, "WECHATY_PUPPET_SERVICE_TOKEN"),
        ({"WECHATY_PUPPET_SERVICE_TOKEN": "abc123"}, "WECHATY_PUPPET_SERVICE_ENDPOINT"),
        ({}, "WECHATY_PUPPET_SERVICE_ENDPOINT"),
        (
            {
                "WECHATY_PUPPET_SERVICE_ENDPOINT": "https://gw.example:443",
                "WECHATY_PUPPET_SERVICE_TOKEN": "abc123",
            },
            "TLS",
        ),
        (
            {
                "WECHATY_PUPPET_SERVICE_ENDPOINT": "gateway-without-port",
                "WECHATY_PUPPET_SERVICE_TOKEN": "abc123",
            },
            "host:port",
        ),
    ],
)
def test_missing_or_unusable_gateway_settings_raise_config_error(
    env: dict[str, str], named: str
) -> None:
    config = load_config(None, env=env)
    with pytest.raises(ConfigError) as error:
        WechatyAdapter(config, Silent())
    assert named in str(error.value)
    assert "\n" not in str(error.value)


def test_settings_from_the_environment_are_accepted() -> None:
    config = load_config(
        None,
        env={
            "WECHATY_PUPPET_SERVICE_ENDPOINT": "127.0.0.1:8788",
            "WECHATY_PUPPET_SERVICE_TOKEN": "abc123",
        },
    )
    adapter = WechatyAdapter(config, Silent())
    assert adapter.state() == "idle"


def test_wechaty_is_imported_lazily_and_leaves_no_dot_wechaty_in_cwd(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "import bot.adapters.wechaty\n"
        "assert 'wechaty' not in sys.modules, 'imported at module import'\n"
        "from bot.adapters.wechaty_compat import import_wechaty\n"
        "modules = import_wechaty()\n"
        "assert modules.wechaty.Wechaty\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CACHE_DIR", "WECHATY_LOG", "CUISHOU_BOT_CACHE")
    }
    env.update(
        PYTHONPATH=str(ROOT), XDG_CACHE_HOME=str(tmp_path / "cache"), WECHATY_LOG="debug"
    )  # 'debug' would make a plain `import wechaty` fail
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / ".wechaty").exists()
    assert (tmp_path / "cache" / "cuishou-bot" / "wechaty").is_dir()


async def test_a_silent_gateway_is_found_by_the_heartbeat_and_reconnected(
    gateway: FakePuppetService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.adapters.wechaty")
    config = wechat_config(gateway.endpoint)
    settings = config.platforms.wechaty.model_copy(update={"heartbeat_seconds": 0.2})
    config = config.model_copy(
        update={"platforms": config.platforms.model_copy(update={"wechaty": settings})}
    )

    class Echo:
        async def handle(self, incoming: Incoming) -> Response:
            return Response(replies=[f"回复{incoming.text}"], intent="echo")

    async with logged_in(gateway, config, Echo()) as adapter:
        await until(lambda: adapter.state() == "logged_in", what="the login")
        await gateway.wait_for_call("Ding", 2)  # the heartbeat pings, the gateway dongs
        await asyncio.sleep(0.6)
        assert adapter.state() == "logged_in"  # answered pings: no reconnect

        gateway.go_silent()
        await asyncio.sleep(0.1)
        assert gateway.open_connections() >= 1  # the TCP connection is still there
        await until(
            lambda: any(
                "went silent" in r.getMessage() or "no answer from the gateway" in r.getMessage()
                for r in caplog.records
            ),
            within=3,
            what="the heartbeat to notice the silence",
        )
        gateway.speak_again()
        await gateway.wait_for_event_stream(2, within=5)
        gateway.emit_login()
        gateway.emit_message(ALICE, "二")
        sent = await gateway.wait_for_sent(1)
    assert sent[-1].text == "回复二"
    assert any(
        "GatewaySilent" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records
    )


async def test_a_refused_reply_is_sent_again_in_parts_urgent_lines_first(
    gateway: FakePuppetService, config: Config, engine: Recording
) -> None:
    gateway.refuse_text = lambda text: "\n" in text
    config = config.model_copy(
        update={
            "sending": config.sending.model_copy(
                update={"per_room_per_minute": 100, "overall_per_minute": 100}
            )
        }
    )
    async with logged_in(gateway, config, engine) as adapter:
        gateway.emit_message(ALICE, "催收的人堵在我家门口不走")
        await gateway.wait_for_sent(3)
        await until(lambda: adapter.pending_replies == 0, what="the sends to finish")
    _, response = engine.seen[0]
    assert response.urgent
    texts = [s.text for s in gateway.sent]
    assert all("\n" not in t for t in texts)
    assert "110" in texts[0]  # the urgent line first
    assert len(texts) > len(response.replies)


# ----- secrets -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environment",
    [
        {"WECHATY_PUPPET_SERVICE_TOKEN": TOKEN},  # the token in the environment and the options
        {"WECHATY_PUPPET_SERVICE_TOKEN": TOKEN, "TOKEN": "other-secret-5c4b3a"},
        {"TOKEN": "other-secret-5c4b3a", "WECHATY_PUPPET_SERVICE_ENDPOINT": "127.0.0.1:1"},
    ],
)
async def test_the_token_never_reaches_a_log(
    gateway: FakePuppetService,
    config: Config,
    engine: Recording,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.DEBUG)
    async with logged_in(gateway, config, engine):
        gateway.emit_message(ALICE, AT_DOOR)
        await gateway.wait_for_sent(1)
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "logged in as" in logged  # the logs were captured
    assert TOKEN not in logged
    assert "other-secret-5c4b3a" not in logged
    assert "two tokens" not in logged
