"""The HTTP API over real sockets: the real engine (sessions in memory) behind an HttpAdapter on
127.0.0.1 with a free port, and aiohttp's client."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest

from bot.adapters.http import MAX_TEXT_CHARS, HttpAdapter
from bot.config import Config, ConfigError
from bot.engine import Engine
from tests.harness import memory_config

AT_DOOR = "催收的人在门口"
TOKEN = "s3cret-token-4711"


def http_config(**http: object) -> Config:
    config = memory_config()
    settings = config.platforms.http.model_copy(update={"port": 0, "require_token": False, **http})
    return config.model_copy(
        update={"platforms": config.platforms.model_copy(update={"http": settings})}
    )


class Api:
    """A client for one running adapter."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base

    async def post(
        self,
        body: object = None,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json",
        token: str | None = None,
        path: str = "/v1/messages",
    ) -> tuple[int, Any]:
        headers = {"Content-Type": content_type}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        async with self.session.post(self.base + path, data=data, headers=headers) as resp:
            return resp.status, await resp.json(content_type=None)

    async def say(
        self, text: str, conversation: str = "c1", user: str = "u1", **extra: object
    ) -> dict[str, Any]:
        status, body = await self.post(
            {"conversation": conversation, "user": user, "text": text, **extra}
        )
        assert status == 200, body
        return body  # type: ignore[no-any-return]

    async def get(self, path: str) -> tuple[int, Any, aiohttp.ClientResponse]:
        async with self.session.get(self.base + path) as resp:
            return resp.status, await resp.json(content_type=None), resp


@asynccontextmanager
async def serving(engine: Engine, config: Config) -> AsyncIterator[Api]:
    adapter = HttpAdapter(config, engine)
    await adapter.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield Api(session, f"http://127.0.0.1:{adapter.port}")
    finally:
        await adapter.stop()


@pytest.fixture
async def api(engine: Engine) -> AsyncIterator[Api]:
    async with serving(engine, http_config()) as client:
        yield client


def assert_error(status: int, body: Any, expected_status: int, code: str, *words: str) -> None:
    assert status == expected_status, body
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    for word in words:
        assert word in body["error"]["message"]


# ----- answering -------------------------------------------------------------------------


async def test_a_message_gets_advice(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    body = await api.say(AT_DOOR)
    assert set(body) == {"conversation", "intent", "confidence", "replies", "choices", "urgent"}
    assert body["conversation"] == "c1"
    assert body["intent"] == "collector_at_door"
    assert 0 < body["confidence"] <= 1
    assert any("委托书" in reply for reply in body["replies"])
    assert body["choices"]  # the yes/no follow-up question
    assert body["urgent"] is False
    assert AT_DOOR not in caplog.text  # message texts are never logged


async def test_a_follow_up_answer_keeps_the_conversation(api: Api) -> None:
    first = await api.say(AT_DOOR)
    assert "委托书了吗" in first["replies"][-1]
    second = await api.say("没有")
    assert second["intent"] == "collector_at_door"
    assert "没有证件就先不要谈钱" in second["replies"][0]


async def test_two_conversations_are_kept_apart(api: Api) -> None:
    await api.say(AT_DOOR, conversation="c1", user="same-user")
    other = await api.say("没有", conversation="c2", user="same-user")
    assert other["intent"] != "collector_at_door"  # c2 was never asked the question
    mine = await api.say("没有", conversation="c1", user="same-user")
    assert "没有证件就先不要谈钱" in mine["replies"][0]


async def test_a_group_room_is_accepted(api: Api) -> None:
    body = await api.say(AT_DOOR, room="group-1")
    assert body["intent"] == "collector_at_door"
    assert "委托书" in body["replies"][0]
    assert sum(len(r) for r in body["replies"]) <= 400  # a group gets the essentials


async def test_emoji_only_text_gets_the_engines_request_for_words(api: Api) -> None:
    body = await api.say("😀😀🙏")
    assert body["intent"] == "empty"
    assert "文字" in body["replies"][0]


async def test_healthz(api: Api, engine: Engine) -> None:
    status, body, resp = await api.get("/healthz")
    assert status == 200
    assert body["status"] == "ok"
    assert body["content_version"] == engine.understanding.content.version
    assert isinstance(body["uptime_seconds"], int | float)
    assert body["uptime_seconds"] >= 0
    assert resp.content_type == "application/json"


# ----- tokens ----------------------------------------------------------------------------


async def test_a_configured_token_is_required(engine: Engine) -> None:
    message = {"conversation": "c1", "user": "u1", "text": AT_DOOR}
    async with serving(engine, http_config(token=TOKEN)) as api:
        status, body = await api.post(message)
        assert_error(status, body, 401, "unauthorized", "Authorization: Bearer")
        status, body = await api.post(message, token="wrong")
        assert_error(status, body, 401, "unauthorized")
        status, body = await api.post(message, token=TOKEN[:-1])
        assert status == 401
        status, body = await api.post(message, token=TOKEN)
        assert status == 200
        assert body["intent"] == "collector_at_door"
        # the health check and the page need no token
        status, body, _ = await api.get("/healthz")
        assert status == 200
        async with api.session.get(api.base + "/") as resp:
            assert resp.status == 200


async def test_the_token_comes_from_the_environment(engine: Engine) -> None:
    from bot.config import load_config

    config = load_config(env={"BOT_HTTP_TOKEN": TOKEN})
    config = config.model_copy(
        update={
            "platforms": config.platforms.model_copy(
                update={"http": config.platforms.http.model_copy(update={"port": 0})}
            )
        }
    )
    async with serving(engine, config) as api:
        status, _ = await api.post({"conversation": "c", "user": "u", "text": AT_DOOR})
        assert status == 401
        status, _ = await api.post({"conversation": "c", "user": "u", "text": AT_DOOR}, token=TOKEN)
        assert status == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.org"])
def test_a_non_loopback_host_without_a_token_refuses_to_start(engine: Engine, host: str) -> None:
    with pytest.raises(ConfigError) as info:
        HttpAdapter(http_config(host=host), engine)
    assert "platforms.http.token" in str(info.value)
    assert "BOT_HTTP_TOKEN" in str(info.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_a_loopback_host_needs_no_token(engine: Engine, host: str) -> None:
    HttpAdapter(http_config(host=host), engine)


def test_a_non_loopback_host_with_a_token_may_start(engine: Engine) -> None:
    HttpAdapter(http_config(host="0.0.0.0", token=TOKEN), engine)


# ----- errors ----------------------------------------------------------------------------


async def test_bad_json_is_400(api: Api) -> None:
    status, body = await api.post(raw=b'{"conversation": "c1", "text": ')
    assert_error(status, body, 400, "invalid_json", "not valid JSON")
    status, body = await api.post(raw=b"")
    assert_error(status, body, 400, "invalid_json")


async def test_binary_junk_is_400(api: Api) -> None:
    status, body = await api.post(raw=bytes(range(256)) * 4)
    assert_error(status, body, 400, "invalid_json")


async def test_deeply_nested_json_is_400_not_500(api: Api) -> None:
    status, body = await api.post(raw=b"[" * 30_000 + b"]" * 30_000)
    assert_error(status, body, 400, "invalid_json")


@pytest.mark.parametrize("missing", ["conversation", "user", "text"])
async def test_a_missing_field_is_422_and_named(api: Api, missing: str) -> None:
    message = {"conversation": "c1", "user": "u1", "text": AT_DOOR}
    del message[missing]
    status, body = await api.post(message)
    assert_error(status, body, 422, "missing_field", f"'{missing}'", "required")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("text", 42, ("'text'", "string", "number")),
        ("text", None, ("'text'", "null")),
        ("room", ["a", "b"], ("'room'", "string or null", "array")),
        ("conversation", {"id": 1}, ("'conversation'", "object")),
        ("user", True, ("'user'", "boolean")),
    ],
)
async def test_a_wrong_type_is_422_and_named(
    api: Api, field: str, value: object, words: tuple[str, ...]
) -> None:
    message: dict[str, object] = {"conversation": "c1", "user": "u1", "text": AT_DOOR}
    message[field] = value
    status, body = await api.post(message)
    assert_error(status, body, 422, "wrong_type", *words)


async def test_a_body_that_is_not_an_object_is_422(api: Api) -> None:
    status, body = await api.post(["催收的人在门口"])
    assert_error(status, body, 422, "wrong_type", "JSON object", "array")


async def test_an_empty_conversation_id_is_422(api: Api) -> None:
    status, body = await api.post({"conversation": "", "user": "u1", "text": AT_DOOR})
    assert_error(status, body, 422, "empty_field", "'conversation'")


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
async def test_an_empty_text_is_422(api: Api, text: str) -> None:
    status, body = await api.post({"conversation": "c1", "user": "u1", "text": text})
    assert_error(status, body, 422, "empty_field", "'text'")


async def test_an_oversize_body_is_413(engine: Engine) -> None:
    async with serving(engine, http_config(max_body_bytes=1024)) as api:
        status, body = await api.post({"conversation": "c1", "user": "u1", "text": "钱" * 2000})
        assert_error(
            status, body, 413, "body_too_large", "1024 bytes", "platforms.http.max_body_bytes"
        )
        # the server still answers normally afterwards
        assert (await api.say(AT_DOOR))["intent"] == "collector_at_door"


async def test_a_huge_text_is_413_with_a_clear_message(engine: Engine) -> None:
    async with serving(engine, http_config(max_body_bytes=1024 * 1024)) as api:
        text = "催" * (MAX_TEXT_CHARS + 1)
        status, body = await api.post({"conversation": "c1", "user": "u1", "text": text})
    assert_error(status, body, 413, "too_long", "'text'", str(MAX_TEXT_CHARS))


async def test_a_text_at_the_limit_is_answered(engine: Engine) -> None:
    async with serving(engine, http_config(max_body_bytes=1024 * 1024)) as api:
        body = await api.say(AT_DOOR + "啊" * (MAX_TEXT_CHARS - len(AT_DOOR)))
    assert body["intent"] == "collector_at_door"
    assert "委托书" in body["replies"][0]
    assert "只读了前" in body["replies"][-1]  # only the first part was analysed, and it says so


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/octet-stream"]
)
async def test_a_wrong_content_type_is_415(api: Api, content_type: str) -> None:
    status, body = await api.post(
        {"conversation": "c1", "user": "u1", "text": AT_DOOR}, content_type=content_type
    )
    assert_error(status, body, 415, "unsupported_media_type", "application/json")


async def test_json_with_a_charset_is_accepted(api: Api) -> None:
    status, body = await api.post(
        {"conversation": "c1", "user": "u1", "text": AT_DOOR},
        content_type="application/json; charset=utf-8",
    )
    assert status == 200
    assert body["intent"] == "collector_at_door"


async def test_an_unknown_path_is_404_json(api: Api) -> None:
    status, body, resp = await api.get("/v2/nothing")
    assert_error(status, body, 404, "not_found", "/v2/nothing", "POST /v1/messages")
    assert resp.content_type == "application/json"


async def test_a_wrong_method_is_405_json(api: Api) -> None:
    status, body, resp = await api.get("/v1/messages")
    assert_error(status, body, 405, "method_not_allowed", "GET", "POST")
    assert "POST" in resp.headers["Allow"]
    status, body = await api.post({}, path="/healthz")
    assert_error(status, body, 405, "method_not_allowed")


async def test_an_unexpected_error_is_500_json_without_a_traceback(
    api: Api, engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(*args: object) -> Callable[[], None]:
        raise RuntimeError("boom inside")

    monkeypatch.setattr("bot.adapters.http.MessageRequest.incoming", boom)
    status, body = await api.post({"conversation": "c1", "user": "u1", "text": AT_DOOR})
    assert_error(status, body, 500, "internal_error")
    assert "boom" not in body["error"]["message"]
    assert "Traceback" not in json.dumps(body)
    assert "boom inside" in caplog.text  # logged for the operator


# ----- the page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type", "marker"),
    [
        ("/", "text/html", "遇到威胁或有人不肯走，请立即拨打110"),
        ("/app.js", "text/javascript", "v1/messages"),
        ("/style.css", "text/css", "font"),
    ],
)
async def test_the_page_files_are_served(
    api: Api, path: str, content_type: str, marker: str
) -> None:
    async with api.session.get(api.base + path) as resp:
        text = await resp.text()
        assert resp.status == 200
        assert resp.content_type == content_type
        assert resp.charset == "utf-8"
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert marker in text
