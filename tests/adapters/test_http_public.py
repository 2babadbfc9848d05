"""The public web page mode (``platforms.http.public_page``) over real sockets: anonymous
visitors get server-signed ids in a cookie, their conversations are their own, each has a rate
limit, the page holds no token, and the client address comes from a trusted proxy's header
only where one is configured. The page in Chromium: tests/e2e/test_web_page.py."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.adapters.http import HttpAdapter
from bot.adapters.registry import settings_problems
from bot.adapters.visitors import COOKIE, VisitorIds
from bot.config import Config
from bot.engine import Engine
from tests.adapters.test_http_api import TOKEN, http_config

AT_DOOR = "催收的人在门口"
SECRET = "visitor-secret-for-the-tests-0042"


def public_config(**http: object) -> Config:
    # require_token stays on: a public page needs none all the same
    return http_config(
        public_page=True, require_token=True, visitor_secret=SecretStr(SECRET), **http
    )


@asynccontextmanager
async def public(engine: Any, config: Config | None = None) -> AsyncIterator[str]:
    adapter = HttpAdapter(config or public_config(), engine)
    await adapter.start()
    try:
        yield f"http://127.0.0.1:{adapter.port}"
    finally:
        await adapter.stop()


def visitor_cookie(response: aiohttp.ClientResponse) -> Any:
    """The Set-Cookie of the visitor cookie (a Morsel), or None."""
    for header in response.headers.getall("Set-Cookie", []):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        if COOKIE in cookie:
            return cookie[COOKIE]
    return None


class Visitor:
    """A browser of its own: a cookie jar that keeps what the server set."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def close(self) -> None:
        await self.session.close()

    async def open_page(self) -> aiohttp.ClientResponse:
        async with self.session.get(self.base + "/") as response:
            await response.read()
            return response

    async def say(
        self, text: str, conversation: str = "web-1", headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        body = {"conversation": conversation, "user": "web", "text": text}
        async with self.session.post(
            self.base + "/v1/messages",
            data=json.dumps(body, ensure_ascii=False),
            headers={"Content-Type": "application/json", **(headers or {})},
        ) as response:
            return response.status, await response.json(content_type=None)


@asynccontextmanager
async def visitors(base: str, count: int = 1) -> AsyncIterator[list[Visitor]]:
    people = [Visitor(base) for _ in range(count)]
    try:
        yield people
    finally:
        for person in people:
            await person.close()


async def test_a_visitor_gets_a_signed_id_from_the_page_and_talks_without_a_token(
    engine: Engine,
) -> None:
    async with public(engine) as base, visitors(base) as [alice]:
        page = await alice.open_page()
        cookie = visitor_cookie(page)
        assert cookie is not None
        assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
        assert not cookie["secure"]  # plain http, no trusted proxy
        assert not cookie["max-age"] and not cookie["expires"]  # gone with the browser
        assert VisitorIds(SECRET).verify(cookie.value) is not None
        status, first = await alice.say(AT_DOOR)
        assert status == 200 and any("委托书" in r for r in first["replies"])
        status, second = await alice.say("没有")
        assert status == 200 and "没有证件就先不要谈钱" in second["replies"][0]
        # the page again: the id is kept, not replaced
        assert visitor_cookie(await alice.open_page()) is None


async def test_the_page_and_its_script_hold_no_token(engine: Engine) -> None:
    config = public_config(token=TOKEN, admin_token=SecretStr("an-admin-token-long-enough-1"))
    async with public(engine, config) as base, aiohttp.ClientSession() as session:
        for path in ("/", "/app.js", "/style.css"):
            async with session.get(base + path) as response:
                body = await response.text()
            assert TOKEN not in body and SECRET not in body and "an-admin-token" not in body
        # API clients may still use the token, without any cookie
        async with session.post(
            base + "/v1/messages",
            json={"conversation": "c", "user": "u", "text": AT_DOOR},
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as response:
            assert response.status == 200
        # a wrong token is not let through as a visitor either
        async with session.post(
            base + "/v1/messages",
            json={"conversation": "c", "user": "u", "text": AT_DOOR},
            headers={"Authorization": "Bearer wrong"},
        ) as response:
            assert response.status == 401


async def test_without_a_valid_id_the_api_says_so_and_a_new_one_can_be_had(
    engine: Engine,
) -> None:
    async with public(engine) as base, visitors(base) as [alice]:
        status, body = await alice.say(AT_DOOR)
        assert status == 401 and body["error"]["code"] == "visitor_needed"
        async with alice.session.post(base + "/v1/visitor") as response:
            assert response.status == 200 and visitor_cookie(response) is not None
        status, _ = await alice.say(AT_DOOR)
        assert status == 200


@pytest.mark.parametrize(
    "forge",
    [
        lambda value: value[:-2] + ("AA" if not value.endswith("AA") else "BB"),  # signature
        # another visitor's id under this signature (the first character always changes)
        lambda value: ("y" if value.startswith("x") else "x") + value[1:],
        lambda value: VisitorIds("another-server-secret").issue()[1],  # another server
        lambda value: VisitorIds(SECRET, clock=lambda: 1_000_000.0).issue()[1],  # too old
        lambda value: "a.b.c",
        lambda value: "é" * 50,
        lambda value: value + "." + "A" * 300,
    ],
)
async def test_a_forged_altered_foreign_or_old_id_is_refused(engine: Engine, forge: Any) -> None:
    async with public(engine) as base, aiohttp.ClientSession() as session:
        _, good = VisitorIds(SECRET).issue()
        async with session.post(
            base + "/v1/messages",
            json={"conversation": "c", "user": "web", "text": AT_DOOR},
            headers={"Cookie": f"{COOKIE}={forge(good)}"},
        ) as response:
            body = await response.json()
        assert response.status == 401 and body["error"]["code"] == "visitor_needed"


async def test_two_visitors_with_the_same_conversation_id_never_share_it(
    engine: Engine,
) -> None:
    async with public(engine) as base, visitors(base, 2) as [alice, bob]:
        await alice.open_page()
        await bob.open_page()
        status, _ = await alice.say("招商银行的催收上门了 在门口 欠5万", conversation="web-same")
        assert status == 200
        # Bob uses the same conversation and user names: he is not in Alice's conversation
        status, answer = await bob.say("没有", conversation="web-same")
        assert status == 200
        assert not any("没有证件就先不要谈钱" in r for r in answer["replies"])
        assert not any("5万" in r or "招商" in r for r in answer["replies"])
        # ... and his 删除我的记录 leaves Alice's conversation alone
        await bob.say("删除我的记录", conversation="web-same")
        status, follow = await alice.say("没有", conversation="web-same")
        assert "没有证件就先不要谈钱" in follow["replies"][0]


async def test_each_visitor_has_a_rate_limit_of_its_own(engine: Engine) -> None:
    config = public_config(visitor_rate_limit_per_minute=3, rate_limit_per_minute=100)
    async with public(engine, config) as base, visitors(base, 2) as [alice, bob]:
        await alice.open_page()
        await bob.open_page()
        for _ in range(3):
            assert (await alice.say("你好"))[0] == 200
        status, body = await alice.say("你好")
        assert status == 429 and body["error"]["code"] == "too_many_requests"
        # another visitor from the same address is not held back by Alice's
        assert (await bob.say("你好"))[0] == 200


async def test_new_ids_do_not_escape_the_per_address_limit(engine: Engine) -> None:
    config = public_config(visitor_rate_limit_per_minute=50, rate_limit_per_minute=4)
    async with public(engine, config) as base:
        statuses = []
        for _ in range(6):  # a fresh id for every message
            async with visitors(base) as [someone]:
                async with someone.session.post(base + "/v1/visitor") as response:
                    statuses.append(response.status)
                if response.status == 200:
                    statuses.append((await someone.say("你好"))[0])
        assert statuses.count(429) >= 1 and statuses.count(200) <= 4


async def test_another_sites_page_cannot_post_as_the_visitor(engine: Engine) -> None:
    async with public(engine) as base, visitors(base) as [alice]:
        await alice.open_page()
        status, body = await alice.say(AT_DOOR, headers={"Origin": "http://evil.example"})
        assert status == 403 and body["error"]["code"] == "wrong_origin"
        host = base.removeprefix("http://")
        status, _ = await alice.say(AT_DOOR, headers={"Origin": f"http://{host}"})
        assert status == 200
        # X-Forwarded-Host counts only from a trusted proxy
        status, _ = await alice.say(
            AT_DOOR,
            headers={"Origin": "https://chat.example.org", "X-Forwarded-Host": "chat.example.org"},
        )
        assert status == 403


async def test_behind_a_trusted_proxy_the_forwarded_host_is_the_pages_origin(
    engine: Engine,
) -> None:
    config = public_config(trusted_proxies=["127.0.0.1/32"])
    async with public(engine, config) as base, visitors(base) as [alice]:
        await alice.open_page()
        proxied = {"Origin": "https://chat.example.org", "X-Forwarded-Host": "chat.example.org"}
        status, _ = await alice.say(AT_DOOR, headers=proxied)
        assert status == 200
        status, _ = await alice.say(AT_DOOR, headers={**proxied, "Origin": "https://evil.example"})
        assert status == 403


async def test_the_client_address_comes_from_a_trusted_proxys_header_only(
    engine: Engine,
) -> None:
    """Behind a configured proxy each client address has its own limit (and the cookie is
    Secure when the proxy says HTTPS); without one the header is ignored."""

    async def flood(config: Config, header: str) -> list[int]:
        statuses = []
        async with public(engine, config) as base:
            for n in range(3):
                async with visitors(base) as [someone]:
                    proxy = {header: f"203.0.113.{n + 1}", "X-Forwarded-Proto": "https"}
                    async with someone.session.post(
                        base + "/v1/visitor", headers=proxy
                    ) as response:
                        statuses.append(response.status)
                        if response.status == 200:
                            cookie = visitor_cookie(response)
                            statuses.append(1 if cookie["secure"] else 0)
        return statuses

    trusted = dict(rate_limit_per_minute=1, trusted_proxies=["127.0.0.1/32"])
    # a proxy that puts the address in X-Real-IP
    assert (
        await flood(public_config(client_address_header="X-Real-IP", **trusted), "X-Real-IP")
        == [200, 1] * 3
    )
    assert await flood(public_config(**trusted), "X-Forwarded-For") == [200, 1] * 3
    # not configured: every request is the peer's (one a minute), the HTTPS claim not believed
    assert await flood(public_config(rate_limit_per_minute=1), "X-Forwarded-For") == [
        200,
        0,
        429,
        429,
    ]


def test_a_public_page_needs_no_token_on_any_address(engine: Engine) -> None:
    config = public_config(host="0.0.0.0", token=None)
    assert settings_problems(config, ["http"]) == []
    HttpAdapter(config, engine)  # starts without a token
    closed = http_config(host="0.0.0.0", token=None)
    [problem] = settings_problems(closed, ["http"])
    assert "platforms.http.token" in problem and "public_page" in problem
