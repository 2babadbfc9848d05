"""The decision trace: ``chat --explain`` prints which policy answered and why the ones before
it declined, with the scores; the HTTP API gives the same with ``"debug": true`` only to the
admin token."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import SecretStr

from bot.conversation.dialogue import POLICIES
from bot.engine import Engine
from tests.adapters.test_http_api import AT_DOOR, TOKEN, assert_error, http_config, serving
from tests.harness import run

ADMIN = "admin-token-0123456789"


def _policies_named(trace: list[str]) -> list[str]:
    return [line.split(":", 1)[0] for line in trace[1:]]


async def test_the_api_gives_the_trace_to_the_admin_token(engine: Engine) -> None:
    message = {"conversation": "c1", "user": "u1", "text": AT_DOOR, "debug": True}
    async with serving(engine, http_config(admin_token=SecretStr(ADMIN))) as api:
        headers = {"Content-Type": "application/json", "X-Admin-Token": ADMIN}
        async with api.session.post(
            api.base + "/v1/messages", data=json.dumps(message).encode(), headers=headers
        ) as resp:
            assert resp.status == 200
            body = await resp.json()
        trace = body["trace"]
        assert trace[0].startswith("reading: collector_at_door ")
        named = _policies_named(trace)
        assert named == [p.name for p in POLICIES][: len(named)]
        assert re.match(r"topics: answers: collector_at_door [01]\.\d\d >= ", trace[-1]), trace[-1]
        assert "urgency: declined: calm: nothing urgent [p=" in trace[1]
        assert body["replies"]  # the answer itself is unchanged


@pytest.mark.parametrize("given", [None, "wrong-token-0123456789", TOKEN])
async def test_the_trace_is_refused_without_the_admin_token(
    engine: Engine, given: str | None
) -> None:
    message = {"conversation": "c1", "user": "u1", "text": AT_DOOR, "debug": True}
    async with serving(engine, http_config(admin_token=SecretStr(ADMIN))) as api:
        headers = {"Content-Type": "application/json"}
        if given is not None:
            headers["X-Admin-Token"] = given
        async with api.session.post(
            api.base + "/v1/messages", data=json.dumps(message).encode(), headers=headers
        ) as resp:
            assert_error(resp.status, await resp.json(), 403, "forbidden", "X-Admin-Token")


async def test_no_admin_token_configured_means_no_trace_for_anyone(engine: Engine) -> None:
    async with serving(engine, http_config()) as api:
        status, body = await api.post(
            {"conversation": "c1", "user": "u1", "text": AT_DOOR, "debug": True}
        )
        assert_error(status, body, 403, "forbidden")
        body = await api.say(AT_DOOR, conversation="c2")  # without debug: as always
        assert "trace" not in body


async def test_debug_must_be_a_boolean(engine: Engine) -> None:
    async with serving(engine, http_config(admin_token=SecretStr(ADMIN))) as api:
        status, body = await api.post(
            {"conversation": "c1", "user": "u1", "text": AT_DOOR, "debug": "yes"}
        )
        assert_error(status, body, 422, "wrong_type", "debug")


def test_chat_explain_prints_the_trace_after_each_reply() -> None:
    result = run("chat", "--memory", "--explain", stdin="催收的人在门口\n要开门吗\n".encode())
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "  · urgency: declined: calm" in out
    assert "  · topics: answers: collector_at_door" in out
    assert "  · direct: answers: open_door" in out  # the second message, with its score
    assert "  · pending: declined: no yes/no read" in out


def test_chat_jsonl_explain_adds_the_trace() -> None:
    line = json.dumps({"conversation": "a", "text": "催收的人在门口"}, ensure_ascii=False)
    result = run("chat", "--jsonl", "--memory", "--explain", stdin=(line + "\n").encode())
    out = json.loads(result.stdout.decode().splitlines()[0])
    assert out["intent"] == "collector_at_door"
    assert any(t.startswith("topics: answers") for t in out["trace"])
    plain = run("chat", "--jsonl", "--memory", stdin=(line + "\n").encode())
    assert "trace" not in json.loads(plain.stdout.decode().splitlines()[0])
