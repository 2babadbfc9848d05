"""The WeChat Official Account end to end: a fake WeChat on 127.0.0.1 (tests/fakes/wechat_server.py)
signs and encrypts callbacks with wechatpy's real crypto and serves the API; the adapter
answers with a stand-in engine (to control timing) or the real one."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.adapters.official import (
    VOICE_NOT_RECOGNISED,
    OfficialAdapter,
    split_for_wechat,
)
from bot.adapters.official_api import OfficialApi, OfficialApiError
from bot.cli import main
from bot.config import Config, ConfigError, OfficialConfig, load_config
from bot.engine import Engine, Understanding
from bot.messages import Incoming, MessageKind, Response
from bot.storage.sessions.memory import MemoryStore
from tests.fakes.wechat_server import (
    AES_KEY,
    ALICE,
    APP_ID,
    APP_SECRET,
    BOB,
    TOKEN,
    FakeWeChat,
    event,
    image,
    text,
    voice,
)
from tests.harness import ROOT, memory_config

AT_DOOR = "催收的人在门口"
ACK = "收到，正在整理回答。"


class StandIn:
    """An engine stand-in: records what it is asked, answers after ``delay`` seconds."""

    def __init__(
        self, delay: float = 0.0, replies: list[str] | None = None, urgent: bool = False
    ) -> None:
        self.delay = delay
        self.replies = replies
        self.urgent = urgent
        self.received: list[Incoming] = []

    async def handle(self, incoming: Incoming) -> Response:
        self.received.append(incoming)
        await asyncio.sleep(self.delay)
        replies = self.replies if self.replies is not None else [f"答：{incoming.text}"]
        return Response(replies=list(replies), intent="stand_in", urgent=self.urgent)


def official_config(base_url: str, *, read_photos: bool = True, **official: Any) -> Config:
    config = memory_config()
    if not read_photos:
        config = config.model_copy(
            update={"photo": config.photo.model_copy(update={"enabled": False})}
        )
    settings = OfficialConfig.model_validate(
        {
            "port": 0,
            "app_id": APP_ID,
            "app_secret": APP_SECRET,
            "token": TOKEN,
            "encoding_aes_key": AES_KEY,
            "api_base_url": base_url,
            "ack_text": ACK,
            "passive_reply_seconds": 2.0,
            **official,
        }
    )
    sending = config.sending.model_copy(
        update={"per_room_per_minute": 100, "overall_per_minute": 200}
    )
    return config.model_copy(
        update={
            "sending": sending,
            "platforms": config.platforms.model_copy(update={"official": settings}),
        }
    )


@pytest.fixture
async def wechat() -> AsyncIterator[FakeWeChat]:
    fake = FakeWeChat()
    await fake.start()
    yield fake
    await fake.close()


Start = Callable[..., Awaitable[OfficialAdapter]]


@pytest.fixture
async def start(wechat: FakeWeChat) -> AsyncIterator[Start]:
    """Start an adapter for an engine (options: the official settings) behind the fake."""
    adapters: list[OfficialAdapter] = []

    async def starter(engine: Any, **official: Any) -> OfficialAdapter:
        adapter = OfficialAdapter(official_config(wechat.base_url, **official), engine)
        await adapter.start()
        adapters.append(adapter)
        wechat.callback_url = f"http://127.0.0.1:{adapter.port}/wechat/official"
        return adapter

    yield starter
    for adapter in adapters:
        await asyncio.wait_for(adapter.stop(), 15)


async def settle(seconds: float = 0.3) -> None:
    await asyncio.sleep(seconds)


# ----- URL verification and signatures ---------------------------------------------------


async def test_url_verification_echoes_echostr_only_when_signed(
    wechat: FakeWeChat, start: Start
) -> None:
    await start(StandIn())
    assert await wechat.verify_url("8364120597312") == (200, "8364120597312")
    status, body = await wechat.verify_url("8364120597312", token="notTheToken1")
    assert status == 403 and "8364120597312" not in body
    status, _ = await wechat.verify_url("8364120597312", timestamp=1_600_000_000)
    assert status == 403


@pytest.mark.parametrize("mode", ["safe", "compatible", "plain"])
async def test_bad_signature_is_refused_and_nothing_processed(
    wechat: FakeWeChat, start: Start, mode: str
) -> None:
    engine = StandIn()
    adapter = await start(engine, mode=mode)
    reply = await wechat.send(text(ALICE, "你好"), mode, token="someoneElse42")  # type: ignore[arg-type]
    assert reply.status == 403
    # missing signature altogether
    query, body = wechat.callback_request(text(ALICE, "你好"), mode)  # type: ignore[arg-type]
    del query["signature"]
    assert (await wechat.post(query, body)).status == 403
    await settle(0.1)
    assert engine.received == [] and adapter.engine_calls == 0
    assert wechat.sent == []


async def test_a_wrong_msg_signature_or_altered_ciphertext_is_refused(
    wechat: FakeWeChat, start: Start
) -> None:
    engine = StandIn()
    await start(engine)
    query, body = wechat.callback_request(text(ALICE, "你好"), "safe")
    assert (await wechat.post({**query, "msg_signature": "0" * 40}, body)).status == 403
    at = body.index("<Encrypt><![CDATA[") + len("<Encrypt><![CDATA[") + 20
    altered = body[:at] + ("A" if body[at] != "A" else "B") + body[at + 1 :]
    assert (await wechat.post(query, altered)).status == 403
    await settle(0.1)
    assert engine.received == []


async def test_safe_mode_refuses_plain_messages(wechat: FakeWeChat, start: Start) -> None:
    engine = StandIn()
    await start(engine, mode="safe")
    reply = await wechat.send(text(ALICE, "你好"), "safe", encrypt=False)
    assert reply.status == 403
    await settle(0.1)
    assert engine.received == []


async def test_unreadable_or_oversized_bodies_get_an_error_not_a_crash(
    wechat: FakeWeChat, start: Start
) -> None:
    engine = StandIn()
    await start(engine, mode="plain")
    query = wechat.signed_query()
    query["openid"] = ALICE
    assert (await wechat.post(query, "<xml><not-closed>")).status == 400
    assert (
        await wechat.post(
            wechat.signed_query() | {"openid": ALICE}, "<xml>" + "x" * 70_000 + "</xml>"
        )
    ).status == 413
    assert (await wechat.send(text(ALICE, "还在吗"), "plain")).content == "答：还在吗"
    assert [i.text for i in engine.received] == ["还在吗"]


# ----- modes ------------------------------------------------------------------------------


async def test_safe_mode_text_gets_an_encrypted_passive_reply(
    wechat: FakeWeChat, start: Start
) -> None:
    engine = StandIn()
    await start(engine, mode="safe")
    reply = await wechat.send(text(ALICE, "你好"), "safe")
    assert reply.status == 200 and reply.encrypted
    assert reply.content == "答：你好"
    assert "答：你好" not in reply.body  # only the ciphertext travels
    [incoming] = engine.received
    assert (incoming.user, incoming.platform, incoming.room, incoming.kind) == (
        ALICE,
        "official",
        None,
        MessageKind.TEXT,
    )


async def test_compatible_mode_answers_encrypted_and_plain_callbacks(
    wechat: FakeWeChat, start: Start
) -> None:
    engine = StandIn()
    await start(engine, mode="compatible")
    encrypted = await wechat.send(text(ALICE, "第一条"), "compatible")
    assert encrypted.encrypted and encrypted.content == "答：第一条"
    plain = await wechat.send(text(ALICE, "第二条"), "compatible", encrypt=False)
    assert not plain.encrypted and plain.content == "答：第二条"
    assert [i.text for i in engine.received] == ["第一条", "第二条"]


async def test_plain_mode_needs_no_aes_key(wechat: FakeWeChat, start: Start) -> None:
    engine = StandIn()
    await start(engine, mode="plain", encoding_aes_key=None)
    reply = await wechat.send(text(BOB, "你好"), "plain")
    assert reply.content == "答：你好" and not reply.encrypted
    # an encrypted message cannot be read without the key: refused, not processed
    assert (await wechat.send(text(BOB, "再问"), "safe")).status == 403
    assert [i.text for i in engine.received] == ["你好"]


# ----- retries, replays, duplicates -------------------------------------------------------


async def test_the_same_callback_twice_is_answered_once(wechat: FakeWeChat, start: Start) -> None:
    engine = StandIn()
    await start(engine)
    query, body = wechat.callback_request(text(ALICE, "你好"), "safe")
    first = await wechat.post(query, body)
    again = await wechat.post(query, body)
    assert first.content == again.content == "答：你好"
    assert len(engine.received) == 1


async def test_replays_with_an_old_timestamp_or_a_reused_nonce_are_refused(
    wechat: FakeWeChat, start: Start
) -> None:
    engine = StandIn()
    await start(engine, mode="plain")
    old = await wechat.send(text(ALICE, "旧消息"), "plain", timestamp=1_700_000_000)
    assert old.status == 403
    query, body = wechat.callback_request(text(ALICE, "你好", msg_id=777), "plain")
    assert (await wechat.post(query, body)).content == "答：你好"
    # a captured query with another message put in the body (plain mode signs no body)
    forged = text(ALICE, "伪造的消息", msg_id=778)
    assert (await wechat.post(query, forged)).status == 403
    await settle(0.1)
    assert [i.text for i in engine.received] == ["你好"]


async def test_duplicate_msg_ids_are_processed_once(wechat: FakeWeChat, start: Start) -> None:
    engine = StandIn(delay=0.5)
    await start(engine)
    message = text(ALICE, "同一条", msg_id=4242)
    # WeChat's retries come with new nonces; two of them while the first is in progress
    replies = await asyncio.gather(wechat.send(message), wechat.send(message), wechat.send(message))
    assert [r.content for r in replies] == ["答：同一条"] * 3
    later = await wechat.send(message)
    assert later.content == "答：同一条"
    assert len(engine.received) == 1
    await settle()
    assert wechat.sent == []  # nothing went out a second way


async def test_events_are_deduplicated_by_sender_and_time(wechat: FakeWeChat, start: Start) -> None:
    engine = StandIn()
    await start(engine)
    follow = event(ALICE, "subscribe", create_time=1_764_500_000)
    first = await wechat.send(follow)
    again = await wechat.send(follow)
    assert first.content == again.content
    other = await wechat.send(event(BOB, "subscribe", create_time=1_764_500_000))
    assert other.content == first.content
    assert [(i.user, i.text) for i in engine.received] == [
        (ALICE, "你好"),
        (ALICE, "菜单"),
        (BOB, "你好"),
        (BOB, "菜单"),
    ]


# ----- the 5-second rule ------------------------------------------------------------------


async def test_a_slow_answer_is_acknowledged_then_sent_as_a_customer_service_message(
    wechat: FakeWeChat, start: Start
) -> None:
    engine = StandIn(delay=1.2)
    await start(engine, passive_reply_seconds=0.3)
    message = text(ALICE, "慢慢答", msg_id=5151)
    loop = asyncio.get_running_loop()
    began = loop.time()
    reply = await wechat.send(message)
    assert loop.time() - began < 1.0  # well before WeChat's 5 s
    assert reply.content == ACK
    retry = await wechat.send(message)  # a retry while the answer is being prepared
    assert retry.content == ACK
    sent = await wechat.wait_for_sent(1)
    assert sent == [{"touser": ALICE, "msgtype": "text", "text": {"content": "答：慢慢答"}}]
    assert (await wechat.send(message)).content == ACK  # a late retry: still no second answer
    await settle(0.5)
    assert len(wechat.sent) == 1 and len(engine.received) == 1
    assert wechat.token_requests == 1


async def test_an_empty_ack_text_answers_success(wechat: FakeWeChat, start: Start) -> None:
    await start(StandIn(delay=0.8), passive_reply_seconds=0.2, ack_text="")
    reply = await wechat.send(text(ALICE, "慢慢答"))
    assert reply.status == 200 and reply.body == "success" and reply.content is None
    await wechat.wait_for_sent(1)
    assert wechat.sent_texts(ALICE) == ["答：慢慢答"]


async def test_short_replies_share_one_passive_message(wechat: FakeWeChat, start: Start) -> None:
    await start(StandIn(replies=["第一段。", "第二段？"]))
    reply = await wechat.send(text(ALICE, "问"))
    assert reply.content == "第一段。\n\n第二段？"
    await settle()
    assert wechat.sent == []


async def test_a_long_answer_starts_passively_and_the_rest_follows_in_order(
    wechat: FakeWeChat, start: Start
) -> None:
    paragraphs = [f"第{n}段：" + "请保存好催收的录音和短信截图。" * 40 for n in range(1, 4)]
    await start(StandIn(replies=paragraphs))
    reply = await wechat.send(text(ALICE, "长回答"))
    assert reply.content is not None and reply.content.startswith("第1段：")
    await wechat.wait_for_sent(2)
    await settle()
    texts = [reply.content, *wechat.sent_texts(ALICE)]
    assert all(len(t.encode("utf-8")) <= 2048 for t in texts)
    assert "".join(texts).replace("\n", "") == "".join(paragraphs)


async def test_customer_service_messages_share_one_token_and_refresh_it_when_expired(
    wechat: FakeWeChat, start: Start
) -> None:
    await start(StandIn(delay=0.6), passive_reply_seconds=0.1)
    await wechat.send(text(ALICE, "一"))
    await wechat.send(text(BOB, "二"))
    await wechat.wait_for_sent(2)
    assert wechat.token_requests == 1
    wechat.expire_tokens()
    await wechat.send(text(ALICE, "三"))
    await wechat.wait_for_sent(3)
    assert wechat.refused == [42001] and wechat.token_requests == 2
    assert sorted(wechat.sent_texts()) == sorted(["答：一", "答：二", "答：三"])


@pytest.mark.parametrize("urgent", [True, False])
async def test_slow_answers_are_queued_as_urgent_when_they_are(
    wechat: FakeWeChat, start: Start, monkeypatch: pytest.MonkeyPatch, urgent: bool
) -> None:
    """The outbox sends conversations with urgent messages first (tests/adapters/
    test_outbox.py); here: the adapter marks them."""
    adapter = await start(
        StandIn(replies=["有人威胁你，马上打110。"], urgent=urgent, delay=0.4),
        passive_reply_seconds=0.1,
    )
    submitted: list[tuple[str, list[str], bool]] = []
    original = adapter._outbox.submit

    def submit(conversation: str, texts: list[str], **options: Any) -> int:
        submitted.append((conversation, list(texts), options.get("urgent", False)))
        return original(conversation, texts, **options)

    monkeypatch.setattr(adapter._outbox, "submit", submit)
    assert (await wechat.send(text(ALICE, "他们在砸门"))).content == ACK
    await wechat.wait_for_sent(1)
    assert submitted == [(ALICE, ["有人威胁你，马上打110。"], urgent)]


# ----- kinds of messages ------------------------------------------------------------------


async def test_voice_uses_wechats_recognition(wechat: FakeWeChat, start: Start) -> None:
    engine = StandIn()
    await start(engine)
    reply = await wechat.send(voice(ALICE, "催收的人在我家门口不走"))
    assert reply.content == "答：催收的人在我家门口不走"
    [incoming] = engine.received
    assert incoming.kind is MessageKind.TEXT


@pytest.mark.parametrize("recognition", [None, "", "   "])
async def test_voice_without_recognition_gets_a_kind_note(
    wechat: FakeWeChat, start: Start, recognition: str | None
) -> None:
    engine = StandIn()
    await start(engine)
    reply = await wechat.send(voice(ALICE, recognition))
    assert reply.content == VOICE_NOT_RECOGNISED
    assert "110" in VOICE_NOT_RECOGNISED and "打字" in VOICE_NOT_RECOGNISED
    assert engine.received == []


async def test_images_go_to_the_engine_as_images(wechat: FakeWeChat, start: Start) -> None:
    """With the photo check off they go without their bytes (the engine asks for text); with
    it on: tests/adapters/test_official_photos.py."""
    engine = StandIn(replies=["请用文字描述。"])
    await start(engine, read_photos=False)
    reply = await wechat.send(image(ALICE))
    assert reply.content == "请用文字描述。"
    [incoming] = engine.received
    assert incoming.kind is MessageKind.IMAGE and incoming.text == ""
    assert incoming.image is None and wechat.media_requests == []


async def test_menu_clicks_ask_their_text_and_other_events_get_success(
    wechat: FakeWeChat, start: Start
) -> None:
    engine = StandIn()
    await start(engine)
    click = await wechat.send(event(ALICE, "CLICK", key="怎么核实催收人员的身份"))
    assert click.content == "答：怎么核实催收人员的身份"
    for name in ("unsubscribe", "VIEW", "LOCATION", "TEMPLATESENDJOBFINISH"):
        reply = await wechat.send(
            event(ALICE, name, key="https://example.invalid/" if name == "VIEW" else None)
        )
        assert (reply.status, reply.body) == (200, "success"), name
    assert [i.text for i in engine.received] == ["怎么核实催收人员的身份"]


# ----- the real engine: the same advice as on the other platforms -------------------------


@pytest.fixture
async def second_engine(understanding: Understanding, config: Config) -> AsyncIterator[Engine]:
    store = MemoryStore(config.sessions.idle_minutes * 60, config.sessions.max_sessions)
    eng = Engine(config, understanding, store)
    yield eng
    await eng.close()


async def test_the_real_engine_gives_the_same_at_door_advice_as_elsewhere(
    wechat: FakeWeChat, start: Start, engine: Engine, second_engine: Engine
) -> None:
    await start(engine)
    reply = await wechat.send(text(ALICE, AT_DOOR))
    elsewhere = await second_engine.handle(Incoming(user="alice", text=AT_DOOR, platform="http"))
    assert reply.content == "\n\n".join(elsewhere.replies)
    assert "110" in reply.content and "委托书" in reply.content
    spoken = await wechat.send(voice(BOB, AT_DOOR))
    assert spoken.content == reply.content


async def test_the_real_engine_welcomes_a_new_follower_with_the_menu(
    wechat: FakeWeChat, start: Start, engine: Engine
) -> None:
    await start(engine)
    reply = await wechat.send(event(ALICE, "subscribe"))
    assert reply.content is not None
    assert "催收应对助手" in reply.content and "1. " in reply.content and "110" in reply.content
    # the menu's numbers work in the next message
    choice = await wechat.send(text(ALICE, "1"))
    assert choice.content is not None and "110" in choice.content


async def test_the_real_engine_asks_for_text_after_an_image(
    wechat: FakeWeChat, start: Start, engine: Engine
) -> None:
    await start(engine, read_photos=False)
    reply = await wechat.send(image(ALICE))
    assert reply.content is not None and "文字" in reply.content


async def test_every_default_menu_button_gets_an_answer(engine: Engine) -> None:
    settings = OfficialConfig()
    asked = [b.text for top in settings.menu for b in (top.sub_buttons or [top])]
    assert len(asked) == 6
    for question in asked:
        assert question is not None
        response = await engine.handle(Incoming(user=question, text=question, platform="official"))
        assert response.intent not in (None, "fallback", "clarify", "error"), question


# ----- configuration, the menu command, secrets -------------------------------------------


def test_missing_or_malformed_settings_are_named(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError,
        match=r"platforms\.official\.token \(env "
        r"WECHAT_OFFICIAL_TOKEN\) must be set",
    ):
        OfficialAdapter(official_config("http://127.0.0.1:9", token=None), StandIn())
    with pytest.raises(ConfigError, match=r"platforms\.official\.encoding_aes_key"):
        OfficialAdapter(official_config("http://127.0.0.1:9", encoding_aes_key=None), StandIn())
    path = tmp_path / "config.yaml"
    path.write_text(
        yaml.safe_dump({"platforms": {"official": {"encoding_aes_key": "short"}}}), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(caught.value).startswith(f"{path}: platforms.official.encoding_aes_key: ")
    assert len(str(caught.value).splitlines()) == 1
    with pytest.raises(
        ConfigError,
        match=r"^env WECHAT_OFFICIAL_TOKEN: platforms\.official\."
        r"token: .*3 to 32 letters",
    ):
        load_config(None, env={"WECHAT_OFFICIAL_TOKEN": "a b"})
    path.write_text(
        yaml.safe_dump(
            {"platforms": {"official": {"menu": [{"name": "太长的菜单名字", "text": "菜单"}]}}}
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"platforms\.official\.menu: .*16 UTF-8 bytes"):
        load_config(path, env={})
    path.write_text(
        yaml.safe_dump(
            {
                "platforms": {
                    "official": {
                        "menu": [
                            {"name": "两个", "text": "菜单", "url": "https://example.invalid/"}
                        ]
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"platforms\.official\.menu\.0: .*exactly one"):
        load_config(path, env={})
    config = load_config(
        None, env={"WECHAT_OFFICIAL_APP_SECRET": APP_SECRET, "WECHAT_OFFICIAL_TOKEN": TOKEN}
    )
    official = config.platforms.official
    assert official.app_secret is not None and APP_SECRET not in repr(official)
    assert TOKEN not in str(config)


async def test_the_menu_command_sets_the_menu_from_config(
    wechat: FakeWeChat,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "platforms": {
                    "official": {
                        "app_id": APP_ID,
                        "api_base_url": wechat.base_url,
                        "menu": [
                            {"name": "有人上门", "text": AT_DOOR},
                            {
                                "name": "更多",
                                "sub_buttons": [
                                    {"name": "全部话题", "text": "菜单"},
                                    {"name": "投诉渠道", "url": "https://www.nfra.gov.cn/"},
                                ],
                            },
                        ],
                    }
                }
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("WECHAT_OFFICIAL_APP_SECRET", APP_SECRET)
    code = await asyncio.to_thread(main, ["--config", str(path), "menu"])
    assert code == 0
    assert wechat.menus == [
        {
            "button": [
                {"type": "click", "name": "有人上门", "key": AT_DOOR},
                {
                    "name": "更多",
                    "sub_button": [
                        {"type": "click", "name": "全部话题", "key": "菜单"},
                        {"type": "view", "name": "投诉渠道", "url": "https://www.nfra.gov.cn/"},
                    ],
                },
            ]
        }
    ]
    monkeypatch.setenv("WECHAT_OFFICIAL_APP_SECRET", "wrong-secret-123")
    code = await asyncio.to_thread(main, ["--config", str(path), "menu"])
    err = capsys.readouterr().err
    assert code == 1 and "40125" in err and "AppSecret is wrong" in err
    assert "wrong-secret-123" not in err and len(wechat.menus) == 1


async def test_api_errors_name_the_endpoint_and_never_the_token(wechat: FakeWeChat) -> None:
    api = OfficialApi(wechat.base_url, APP_ID, APP_SECRET)
    try:
        await api.send_text(ALICE, "你好")
        with pytest.raises(OfficialApiError, match="/cgi-bin/message/custom/send: errcode"):
            await api.call("/cgi-bin/message/custom/send", {"touser": ALICE, "msgtype": "x"})
        dead = OfficialApi("http://127.0.0.1:9", APP_ID, APP_SECRET, timeout_seconds=2)
        with pytest.raises(OfficialApiError) as caught:
            await dead.send_text(ALICE, "你好")
        await dead.close()
        assert "connection failed" in str(caught.value) and APP_SECRET not in str(caught.value)
        assert APP_SECRET not in repr(api)
    finally:
        await api.close()


async def test_secrets_never_reach_the_log(
    wechat: FakeWeChat, start: Start, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await start(StandIn(delay=0.4), passive_reply_seconds=0.1)
    await wechat.verify_url("123")
    await wechat.send(text(ALICE, "你好"))
    await wechat.send(text(ALICE, "你好"), token="someoneElse42")
    await wechat.wait_for_sent(1)
    logged = caplog.text
    assert "official:" in logged
    for secret in (TOKEN, AES_KEY, APP_SECRET, "ACCESS_TOKEN_", "你好"):
        assert secret not in logged, secret


async def test_run_serves_the_official_account(wechat: FakeWeChat, tmp_path: Path) -> None:
    """``python -m bot run --platform official``: the CLI, the runner and the adapter."""
    path = tmp_path / "config.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "sessions": {"store": "memory"},
                "reload": {"watch": False},
                "platforms": {
                    "official": {"port": 0, "app_id": APP_ID, "api_base_url": wechat.base_url}
                },
            }
        ),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "WECHAT_OFFICIAL_APP_SECRET": APP_SECRET,
        "WECHAT_OFFICIAL_TOKEN": TOKEN,
        "WECHAT_OFFICIAL_AES_KEY": AES_KEY,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(path),
        "run",
        "--platform",
        "official",
        env=env,
        cwd=tmp_path,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(60):
            while True:
                line = (await process.stderr.readline()).decode("utf-8", "replace")
                assert line, "the bot stopped:\n" + "".join(lines)
                lines.append(line)
                found = re.search(r"Account callback on http://127\.0\.0\.1:(\d+)/", line)
                if found:
                    break
        wechat.callback_url = f"http://127.0.0.1:{found.group(1)}/wechat/official"
        reply = await wechat.send(text(ALICE, AT_DOOR))
        assert reply.encrypted and reply.content is not None and "110" in reply.content
    finally:
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            rest = (await process.stderr.read()).decode("utf-8", "replace")
            code = await process.wait()
    assert code == 0, rest
    for secret in (TOKEN, AES_KEY, APP_SECRET):
        assert secret not in "".join(lines) + rest


def test_split_for_wechat_keeps_every_part_within_the_byte_limit() -> None:
    emoji = "😀" * 700
    parts = split_for_wechat("一句话。" * 500 + "\n\n" + emoji, 2048)
    assert all(len(p.encode("utf-8")) <= 2048 for p in parts)
    assert "".join(parts).replace("\n", "") == "一句话。" * 500 + emoji
