"""QQ through OneBot v11, end to end: the real engine (sessions in memory) behind a OneBotAdapter
on 127.0.0.1, and a fake OneBot implementation connecting by reverse WebSocket."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.adapters.onebot import OneBotAdapter
from bot.adapters.onebot_message import outgoing_message, parse_cq_string, read_message
from bot.config import Config, ConfigError
from bot.engine import Engine
from bot.messages import MessageKind
from tests.fakes.onebot import ALICE, BOB, GROUP, SELF_ID, FakeOneBot, at, sent_text, text
from tests.harness import memory_config

TOKEN = "onebot-token-8d1f"
AT_DOOR = "催收的人在门口"


def onebot_config(max_message_chars: int = 1500, **onebot: object) -> Config:
    config = memory_config()
    settings = config.platforms.onebot.model_copy(
        update={"port": 0, "access_token": TOKEN, **onebot}
    )
    sending = config.sending.model_copy(
        update={
            "per_room_per_minute": 100,
            "overall_per_minute": 200,
            "max_message_chars": max_message_chars,
        }
    )
    return config.model_copy(
        update={
            "sending": sending,
            "platforms": config.platforms.model_copy(update={"onebot": settings}),
        }
    )


@pytest.fixture
async def adapter(engine: Engine) -> AsyncIterator[OneBotAdapter]:
    bot = OneBotAdapter(onebot_config(), engine)
    await bot.start()
    yield bot
    await asyncio.wait_for(bot.stop(), 10)


def url_of(adapter: OneBotAdapter) -> str:
    return f"ws://127.0.0.1:{adapter.port}/onebot/v11/ws"


@pytest.fixture
async def qq(adapter: OneBotAdapter) -> AsyncIterator[FakeOneBot]:
    client = FakeOneBot(url_of(adapter), TOKEN)
    await client.connect()
    yield client
    await client.close()


async def no_more_actions(qq: FakeOneBot, count: int) -> None:
    """Let the adapter settle, then check nothing beyond ``count`` actions was sent."""
    await asyncio.sleep(0.2)
    assert len(qq.actions) == count, qq.actions[count:]


async def settled(qq: FakeOneBot, quiet: float = 0.3) -> list[dict[str, object]]:
    """The actions once none has come for ``quiet`` seconds."""
    while True:
        count = len(qq.actions)
        await asyncio.sleep(quiet)
        if len(qq.actions) == count:
            return list(qq.actions)


# ----- answering -------------------------------------------------------------------------


async def test_a_private_message_gets_advice(
    qq: FakeOneBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await qq.private(ALICE, [text(AT_DOOR)])
    actions = await qq.wait_for_actions(2)
    assert {a["action"] for a in actions} == {"send_private_msg"}
    assert all(a["params"]["user_id"] == ALICE for a in actions)
    assert all(a["echo"] for a in actions)
    assert "委托书" in "".join(sent_text(a) for a in actions)
    assert actions[0]["params"]["message"][0]["type"] == "text"  # no @ in a private chat
    assert AT_DOOR not in caplog.text
    assert TOKEN not in caplog.text


async def test_a_group_message_at_the_bot_is_answered_with_an_at_of_the_asker(
    qq: FakeOneBot,
) -> None:
    await qq.group(BOB, [at(SELF_ID), text(" " + AT_DOOR)])
    actions = await qq.wait_for_actions(2)
    assert {a["action"] for a in actions} == {"send_group_msg"}
    assert all(a["params"]["group_id"] == GROUP for a in actions)
    first = actions[0]["params"]["message"]
    assert first[0] == {"type": "at", "data": {"qq": str(BOB)}}
    assert first[1]["type"] == "text"
    assert first[1]["data"]["text"].startswith(" ")
    assert all(s["type"] == "text" for a in actions[1:] for s in a["params"]["message"])
    assert "委托书" in "".join(sent_text(a) for a in actions)


async def test_a_group_message_without_an_at_gets_no_reply(qq: FakeOneBot) -> None:
    await qq.group(BOB, [text(AT_DOOR)])
    await qq.group(BOB, [at(99999), text(AT_DOOR)])  # @someone else
    await qq.private(ALICE, [text(AT_DOOR)])  # answered after the two above were handled
    await qq.wait_for_actions(1)
    await no_more_actions(qq, 2)
    assert [a["action"] for a in qq.actions] == ["send_private_msg"] * 2
    assert qq.actions[0]["params"]["user_id"] == ALICE


async def test_a_trigger_word_in_a_group_is_answered(
    qq: FakeOneBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await qq.group(BOB, [text("助手 " + AT_DOOR)])
    actions = await qq.wait_for_actions(1)
    assert actions[0]["action"] == "send_group_msg"
    assert actions[0]["params"]["message"][0] == at(BOB)
    await qq.wait_for_actions(2)
    assert "委托书" in "".join(sent_text(a) for a in qq.actions)
    turn = next(r.getMessage() for r in caplog.records if "onebot: message" in r.getMessage())
    assert "not addressed" not in turn  # the trigger word addressed it
    assert "no @mention" in turn
    assert "repl" in turn


async def test_the_bots_own_messages_are_ignored(qq: FakeOneBot) -> None:
    await qq.private(SELF_ID, [text(AT_DOOR)])
    await qq.group(SELF_ID, [at(SELF_ID), text(AT_DOOR)])
    await qq.send(
        {
            "post_type": "message_sent",
            "message_type": "private",
            "self_id": SELF_ID,
            "user_id": SELF_ID,
            "target_id": ALICE,
            "message": [text(AT_DOOR)],
        }
    )
    await qq.send(
        {
            "post_type": "meta_event",
            "meta_event_type": "heartbeat",
            "self_id": SELF_ID,
            "status": {"online": True},
            "interval": 5000,
        }
    )
    await qq.private(ALICE, [text(AT_DOOR)])
    await qq.wait_for_actions(2)
    await no_more_actions(qq, 2)
    assert {a["params"].get("user_id") for a in qq.actions} == {ALICE}


async def test_an_image_without_a_link_gets_the_note_asking_for_text(qq: FakeOneBot) -> None:
    # (images with a link are read: tests/photo/test_platforms.py)
    await qq.private(ALICE, [{"type": "image", "data": {"file": "abc.jpg"}}])
    (action,) = await qq.wait_for_actions(1)
    assert action["action"] == "send_private_msg"
    assert "文字" in sent_text(action)


async def test_cq_code_strings_are_understood(qq: FakeOneBot) -> None:
    await qq.group(BOB, f"[CQ:at,qq={SELF_ID}] {AT_DOOR}")
    actions = await qq.wait_for_actions(2)
    assert actions[0]["action"] == "send_group_msg"
    assert actions[0]["params"]["message"][0] == at(BOB)
    assert "委托书" in "".join(sent_text(a) for a in actions)
    await qq.private(ALICE, "[CQ:record,file=voice.amr]")
    actions = await qq.wait_for_actions(3)
    assert actions[2]["params"]["user_id"] == ALICE
    assert "文字" in sent_text(actions[2])


async def test_a_long_reply_is_split_into_several_sends(engine: Engine) -> None:
    bot = OneBotAdapter(onebot_config(max_message_chars=100), engine)
    await bot.start()
    qq = FakeOneBot(url_of(bot), TOKEN)
    try:
        await qq.connect()
        await qq.private(ALICE, [text(AT_DOOR)])
        await qq.private(ALICE, [text("详细")])  # the long answer with the rules (~700 chars)
        await qq.wait_for_actions(10)
        actions = await settled(qq)
    finally:
        await qq.close()
        await bot.stop()
    texts = [sent_text(a) for a in actions]
    assert all(0 < len(t) <= 100 for t in texts)
    start = next(i for i, t in enumerate(texts) if t.startswith("【催收人员上门·详细说明】"))
    detail = texts[start:]
    assert len(detail) >= 7
    assert "12378" in "".join(detail[-2:])  # the last source cited comes at the end
    assert detail[-1].endswith("12348。）")  # and the disclaimer last of all
    assert {a["params"]["user_id"] for a in qq.actions} == {ALICE}


async def test_a_failed_action_is_logged(qq: FakeOneBot, caplog: pytest.LogCaptureFixture) -> None:
    qq.respond = "failed"
    await qq.private(ALICE, [text(AT_DOOR)])
    await qq.wait_for_actions(2)
    for _ in range(100):
        if "retcode 1200" in caplog.text:
            break
        await asyncio.sleep(0.02)
    assert "send_private_msg to 20002 failed: retcode 1200" in caplog.text


# ----- connections -----------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "wrong", TOKEN[:-1]])
async def test_a_missing_or_wrong_token_is_refused(
    adapter: OneBotAdapter, token: str | None
) -> None:
    client = FakeOneBot(url_of(adapter), token)
    try:
        with pytest.raises(aiohttp.WSServerHandshakeError) as info:
            await client.connect()
        assert info.value.status == 401
    finally:
        await client.close()


async def test_the_token_may_come_in_the_query(
    adapter: OneBotAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    client = FakeOneBot(url_of(adapter), TOKEN)
    await client.connect(token_in_query=True)
    try:
        await client.private(ALICE, [text(AT_DOOR)])
        assert (await client.wait_for_actions(1))[0]["action"] == "send_private_msg"
    finally:
        await client.close()
    assert "account 10001 connected from 127.0.0.1 (universal connection)" in caplog.text
    assert "account 10001 lifecycle event: connect" in caplog.text
    assert TOKEN not in caplog.text


async def test_without_a_token_on_loopback_only_with_the_explicit_opt_out(engine: Engine) -> None:
    with pytest.raises(ConfigError) as info:  # the default: a token is required
        OneBotAdapter(onebot_config(access_token=None), engine)
    assert "platforms.onebot.allow_without_token_on_loopback: true" in str(info.value)
    assert Config().platforms.onebot.allow_without_token_on_loopback is False
    bot = OneBotAdapter(
        onebot_config(access_token=None, allow_without_token_on_loopback=True), engine
    )
    await bot.start()
    client = FakeOneBot(url_of(bot), None)
    try:
        await client.connect()
        await client.private(ALICE, [text(AT_DOOR)])
        assert (await client.wait_for_actions(1))[0]["action"] == "send_private_msg"
    finally:
        await client.close()
        await bot.stop()


def test_a_non_loopback_host_without_a_token_refuses_to_start(engine: Engine) -> None:
    with pytest.raises(ConfigError) as info:
        OneBotAdapter(
            onebot_config(host="0.0.0.0", access_token=None, allow_without_token_on_loopback=True),
            engine,
        )
    assert "platforms.onebot.access_token" in str(info.value)
    assert "ONEBOT_ACCESS_TOKEN" in str(info.value)


async def test_after_a_reconnect_messages_are_answered(
    adapter: OneBotAdapter, qq: FakeOneBot
) -> None:
    await qq.private(ALICE, [text(AT_DOOR)])
    await qq.wait_for_actions(2)
    await qq.disconnect()
    again = FakeOneBot(url_of(adapter), TOKEN)
    await again.connect()
    try:
        await again.private(ALICE, [text("没有")])  # the conversation goes on
        (action,) = await again.wait_for_actions(1)
        assert action["params"]["user_id"] == ALICE
        assert "没有证件就先不要谈钱" in sent_text(action)
    finally:
        await again.close()


async def test_a_reply_lost_with_the_connection_is_sent_after_the_reconnect(
    adapter: OneBotAdapter, qq: FakeOneBot, caplog: pytest.LogCaptureFixture
) -> None:
    qq.respond = "drop"  # the implementation drops the connection instead of sending
    await qq.private(ALICE, [text(AT_DOOR)])
    await qq.wait_closed()
    assert qq.actions == []
    again = FakeOneBot(url_of(adapter), TOKEN)
    await again.connect()
    try:
        actions = await again.wait_for_actions(2)
        assert "委托书" in "".join(sent_text(a) for a in actions)
        assert actions[0]["params"]["user_id"] == ALICE
    finally:
        await again.close()
    assert "sent again after the reconnect" in caplog.text


async def test_an_event_connection_with_a_separate_api_connection(adapter: OneBotAdapter) -> None:
    events = FakeOneBot(url_of(adapter), TOKEN, role="Event")
    api = FakeOneBot(url_of(adapter), TOKEN, role="API")
    await events.connect()
    await api.connect()
    try:
        await events.private(ALICE, [text(AT_DOOR)])
        actions = await api.wait_for_actions(2)
        assert actions[0]["action"] == "send_private_msg"
        assert events.actions == []
    finally:
        await events.close()
        await api.close()


async def test_stop_closes_the_connection(engine: Engine) -> None:
    bot = OneBotAdapter(onebot_config(), engine)
    runner = asyncio.create_task(bot.run())
    for _ in range(100):
        if bot.port:
            break
        await asyncio.sleep(0.01)
    client = FakeOneBot(url_of(bot), TOKEN)
    await client.connect()
    try:
        await asyncio.wait_for(bot.stop(), 10)
        await asyncio.wait_for(runner, 5)
        await client.wait_closed()
    finally:
        await client.close()


# ----- message reading -------------------------------------------------------------------


def test_cq_codes_are_parsed_and_unescaped() -> None:
    segments = parse_cq_string("[CQ:at,qq=10001] 你好&#91;1&#93; &amp; [CQ:image,file=a&#44;b.jpg]")
    assert segments == [
        {"type": "at", "data": {"qq": "10001"}},
        {"type": "text", "data": {"text": " 你好[1] & "}},
        {"type": "image", "data": {"file": "a,b.jpg"}},
    ]


@pytest.mark.parametrize(
    ("message", "kind", "text_", "mentioned"),
    [
        ([text("你好 "), text("世界")], MessageKind.TEXT, "你好 世界", False),
        ([at(SELF_ID), text(" 在吗")], MessageKind.TEXT, "在吗", True),
        ([at("all"), text("通知")], MessageKind.TEXT, "通知", False),
        (
            [{"type": "reply", "data": {"id": "1"}}, text("这个呢")],
            MessageKind.TEXT,
            "这个呢",
            False,
        ),
        ([{"type": "image", "data": {}}, text("看图")], MessageKind.TEXT, "看图", False),
        ([{"type": "image", "data": {}}], MessageKind.IMAGE, "", False),
        ([{"type": "record", "data": {}}], MessageKind.VOICE, "", False),
        ([{"type": "video", "data": {}}], MessageKind.VIDEO, "", False),
        ([{"type": "file", "data": {}}], MessageKind.FILE, "", False),
        ([{"type": "face", "data": {"id": "1"}}], MessageKind.STICKER, "", False),
        ([{"type": "json", "data": {"data": "{}"}}], MessageKind.LINK, "", False),
        ([{"type": "forward", "data": {"id": "x"}}], MessageKind.OTHER, "", False),
        ([at(SELF_ID)], MessageKind.TEXT, "", True),
        ("[CQ:face,id=14]", MessageKind.STICKER, "", False),
        (None, MessageKind.TEXT, "", False),
        ([{"no": "type"}, 5, text("好")], MessageKind.TEXT, "好", False),
    ],
)
def test_messages_are_read(message: object, kind: MessageKind, text_: str, mentioned: bool) -> None:
    read = read_message(message, str(SELF_ID))
    assert (read.kind, read.text, read.mentions_self) == (kind, text_, mentioned)


def test_outgoing_messages_are_segment_arrays() -> None:
    assert outgoing_message("[CQ:face,id=1] 你好") == [text("[CQ:face,id=1] 你好")]
    assert outgoing_message("你好", ("30003",)) == [at("30003"), text(" 你好")]


async def test_a_private_notice_to_an_admin_is_pushed(
    adapter: OneBotAdapter, qq: FakeOneBot
) -> None:
    await adapter.send_private(str(ALICE), "内容重新加载失败：harassment.yaml")
    actions = await qq.wait_for_actions(1)
    assert actions[0]["action"] == "send_private_msg"
    assert actions[0]["params"]["user_id"] == ALICE
    assert "重新加载失败" in sent_text(actions[0])
    assert adapter.platform == "qq"  # admin ids are written "qq:<number>"


# ----- hardening (issue 15) ----------------------------------------------------------------


async def test_a_browser_handshake_with_an_origin_is_refused(
    adapter: OneBotAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    client = FakeOneBot(url_of(adapter), TOKEN)  # even with the right token
    try:
        with pytest.raises(aiohttp.WSServerHandshakeError) as info:
            await client.connect(extra_headers={"Origin": "http://evil.example"})
        assert info.value.status == 403
    finally:
        await client.close()
    assert "Origin 'http://evil.example'" in caplog.text
    assert not adapter._connections


async def test_replies_go_only_through_the_account_the_message_came_from(
    adapter: OneBotAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    mine = FakeOneBot(url_of(adapter), TOKEN, self_id=SELF_ID)
    other = FakeOneBot(url_of(adapter), TOKEN, self_id=SELF_ID + 1)
    await mine.connect()
    await other.connect()
    try:
        # the other connection poses as SELF_ID: dropped, nobody is answered through it
        await other.send(
            {
                "self_id": SELF_ID,
                "post_type": "message",
                "message_type": "private",
                "message_id": 1,
                "user_id": ALICE,
                "message": [text(AT_DOOR)],
            }
        )
        await other.private(BOB, [text(AT_DOOR)])  # its own account: answered through it
        await other.wait_for_actions(1)
        await asyncio.sleep(0.3)
        assert mine.actions == []
        assert {a["params"]["user_id"] for a in other.actions} == {BOB}
        await mine.private(ALICE, [text(AT_DOOR)])
        await mine.wait_for_actions(1)
        await asyncio.sleep(0.3)
        assert {a["params"]["user_id"] for a in mine.actions} == {ALICE}
        assert {a["params"]["user_id"] for a in other.actions} == {BOB}
    finally:
        await mine.close()
        await other.close()
    assert "sent an event for account 10001; dropped" in caplog.text


async def test_a_deeply_nested_frame_is_skipped_and_the_connection_stays(
    qq: FakeOneBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert qq._ws is not None
    await qq._ws.send_str("[" * 200_000 + "]" * 200_000)
    await qq._ws.send_str('{"post_type": "message", "x": ' + "[" * 100 + "]" * 100 + "}")
    await qq._ws.send_str("not json at all")
    await qq.private(ALICE, [text(AT_DOOR)])
    actions = await qq.wait_for_actions(1)
    assert actions[0]["action"] == "send_private_msg"
    assert "is not JSON, is nested deeper than 64" in caplog.text
    assert not qq._ws.closed


async def test_a_lone_surrogate_does_not_lose_the_urgent_reply(qq: FakeOneBot) -> None:
    await qq.private(ALICE, [text("催收的人堵在我家门口不走\ud800")])
    actions = await settled(qq)
    texts = [sent_text(a) for a in actions]
    assert any("110" in t for t in texts)
    for t in texts:
        t.encode("utf-8")


async def test_a_refused_reply_is_sent_again_in_parts_urgent_lines_first(
    qq: FakeOneBot, adapter: OneBotAdapter
) -> None:
    qq.refuse = lambda action: "\n" in sent_text(action)
    submitted: list[bool] = []
    submit = adapter._outbox.submit

    def spy(*args: object, **kwargs: object) -> int:
        submitted.append(bool(kwargs.get("urgent")))
        return submit(*args, **kwargs)  # type: ignore[arg-type]

    adapter._outbox.submit = spy  # type: ignore[method-assign]
    await qq.private(ALICE, [text("催收的人堵在我家门口不走")])
    actions = await settled(qq)
    assert submitted == [True]  # the adapter passes Response.urgent on
    delivered = [sent_text(a) for a in actions if "\n" not in sent_text(a)]
    assert delivered, actions
    assert "110" in delivered[0]  # the urgent line goes first
    assert all("\n" not in t for t in delivered)


async def test_replies_unsent_at_a_stop_are_sent_after_the_next_start(
    engine: Engine, tmp_path: pytest.TempPathFactory
) -> None:
    config = onebot_config()
    config = config.model_copy(
        update={
            "sending": config.sending.model_copy(
                update={"unsent_dir": str(tmp_path), "stop_drain_seconds": 0.2}
            )
        }
    )
    first = OneBotAdapter(config, engine)
    await first.start()
    events = FakeOneBot(url_of(first), TOKEN, role="Event")  # events only: no way to reply
    await events.connect()
    await events.private(ALICE, [text("催收的人堵在我家门口不走")])
    for _ in range(100):
        if first.pending_replies:
            break
        await asyncio.sleep(0.02)
    queued = first.pending_replies
    assert queued > 0
    await events.close()
    await asyncio.wait_for(first.stop(), 10)
    assert (tmp_path / "unsent-onebot.json").exists()  # type: ignore[operator]

    second = OneBotAdapter(config, engine)
    await second.start()
    qq = FakeOneBot(url_of(second), TOKEN)
    await qq.connect()
    try:
        actions = await qq.wait_for_actions(queued)
        assert "110" in sent_text(actions[0])
    finally:
        await qq.close()
        await asyncio.wait_for(second.stop(), 10)
    assert not (tmp_path / "unsent-onebot.json").exists()  # type: ignore[operator]
