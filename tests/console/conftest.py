"""The console over real sockets: the real engine behind an HttpAdapter on 127.0.0.1 (a free
port) with an admin token set, and an aiohttp client that keeps cookies like a browser."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.adapters.http import HttpAdapter
from bot.config import Config
from bot.console.auth import COOKIE, CSRF_HEADER
from bot.console.web import Console
from bot.engine import Engine
from tests.adapters.test_http_api import http_config
from tests.console.desk import desk, eval_sets  # noqa: F401 - the inbox and teaching fixtures

ADMIN_TOKEN = "console-admin-token-0815"


def console_config(**http: object) -> Config:
    """A memory configuration with the HTTP server on a free port and the console on."""
    return http_config(admin_token=SecretStr(ADMIN_TOKEN), **http)


class Browser:
    """A client with a cookie jar (cookies of 127.0.0.1 accepted) for one running adapter."""

    def __init__(self, session: aiohttp.ClientSession, base: str, console: Console) -> None:
        self.session = session
        self.base = base
        self.console = console
        self.csrf = ""

    @property
    def origin(self) -> str:
        return self.base

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: object = None,
        data: object = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, aiohttp.ClientResponse]:
        """One request (redirects not followed): status, JSON or text body, the response."""
        async with self.session.request(
            method,
            self.base + path,
            json=json_body,
            data=data,
            headers=headers,
            allow_redirects=False,
        ) as resp:
            body = await resp.read()
            parsed: Any = body.decode("utf-8", "replace")
            if resp.content_type == "application/json":
                parsed = json.loads(body)
            return resp.status, parsed, resp

    async def login(self, name: str = "王老师", token: str = ADMIN_TOKEN) -> int:
        status, _, _ = await self.request(
            "POST",
            "/admin/login",
            data={"name": name, "token": token},
            headers={"Origin": self.origin},
        )
        if status == 303:
            _, info, _ = await self.request("GET", "/admin/api/session")
            self.csrf = info["csrf"]
        return status

    async def post(
        self, path: str, body: object = None, *, csrf: str | None = "", origin: str | None = ""
    ) -> tuple[int, Any]:
        """POST JSON like the page does: with the CSRF header and Origin unless told other."""
        headers = {}
        token = self.csrf if csrf == "" else csrf
        if token is not None:
            headers[CSRF_HEADER] = token
        source = self.origin if origin == "" else origin
        if source is not None:
            headers["Origin"] = source
        status, parsed, _ = await self.request(
            "POST", path, json_body={} if body is None else body, headers=headers
        )
        return status, parsed

    async def get_json(self, path: str) -> Any:
        status, body, _ = await self.request("GET", path)
        assert status == 200, body
        return body

    def session_cookie(self) -> str | None:
        for cookie in self.session.cookie_jar:
            if cookie.key == COOKIE:
                return cookie.value
        return None


@asynccontextmanager
async def console_on(engine: Engine, config: Config | None = None) -> AsyncIterator[Browser]:
    """A running adapter with the console, and a fresh browser-like client."""
    adapter = HttpAdapter(config or console_config(), engine)
    assert adapter.console is not None
    await adapter.start()
    try:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            yield Browser(session, f"http://127.0.0.1:{adapter.port}", adapter.console)
    finally:
        await adapter.stop()


@pytest.fixture
async def browser(engine: Engine) -> AsyncIterator[Browser]:
    async with console_on(engine) as client:
        yield client


def page_message(html: str) -> str:
    """The message the login page shows."""
    match = re.search(r'<p class="error" role="alert">(.*?)</p>', html)
    return match.group(1) if match else ""
