"""The HTTP server against hostile and clumsy clients, over real sockets on 127.0.0.1: idle and
slow connections, too many connections, a foreign Host header, floods (429), missing security
headers, lone surrogates, and a required token."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest

from bot.adapters.http import HttpAdapter
from bot.adapters.http_guard import ClientRateLimit, allowed_host_names, host_name
from bot.adapters.ratelog import AcceptErrorFilter
from bot.config import Config, ConfigError
from bot.engine import Engine
from tests.adapters.test_http_api import TOKEN, http_config

SECURITY = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cache-Control",
)


@asynccontextmanager
async def adapter_on(engine: Engine, config: Config) -> AsyncIterator[HttpAdapter]:
    adapter = HttpAdapter(config, engine)
    await adapter.start()
    try:
        yield adapter
    finally:
        await asyncio.wait_for(adapter.stop(), 10)


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    """True when the server closes the connection within ``seconds``."""
    try:
        while await asyncio.wait_for(reader.read(1024), seconds):
            pass
    except TimeoutError:
        return False
    except ConnectionError:
        return True
    return True


async def raw_request(port: int, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(65536), 5)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


# ----- connections -----------------------------------------------------------------------


async def test_an_idle_socket_is_closed_after_the_idle_timeout(engine: Engine) -> None:
    async with adapter_on(engine, http_config(idle_timeout_seconds=0.5)) as adapter:
        assert adapter.port is not None
        reader, writer = await asyncio.open_connection("127.0.0.1", adapter.port)
        try:
            assert await closed_within(reader, 5)
        finally:
            writer.close()


async def test_a_slowloris_head_is_closed_after_the_idle_timeout(engine: Engine) -> None:
    async with adapter_on(engine, http_config(idle_timeout_seconds=0.5)) as adapter:
        assert adapter.port is not None
        reader, writer = await asyncio.open_connection("127.0.0.1", adapter.port)
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            for _ in range(3):  # a header line now and then, never the end of the head
                await asyncio.sleep(0.3)
                with contextlib.suppress(ConnectionError):
                    writer.write(b"X-Slow: 1\r\n")
            assert await closed_within(reader, 5)
        finally:
            writer.close()


async def test_a_slow_body_gets_408(engine: Engine) -> None:
    async with adapter_on(engine, http_config(body_timeout_seconds=0.5)) as adapter:
        assert adapter.port is not None
        reader, writer = await asyncio.open_connection("127.0.0.1", adapter.port)
        try:
            writer.write(
                b"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te'
            )
            answer = await asyncio.wait_for(reader.read(65536), 5)
        finally:
            writer.close()
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"body_timeout" in answer


def test_accept_errors_are_logged_once_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    accept_filter = AcceptErrorFilter(interval=60, clock=lambda: now[0])
    logger = logging.getLogger("asyncio")
    installed = [f for f in logger.filters if isinstance(f, AcceptErrorFilter)]
    for other in installed:  # the process-wide one (real clock), put back below
        logger.removeFilter(other)
    logger.addFilter(accept_filter)
    try:
        with caplog.at_level(logging.ERROR, logger="asyncio"):
            loop = asyncio.new_event_loop()
            try:
                for second in range(300):  # five minutes of EMFILE, retried every second
                    now[0] = float(second)
                    for _ in range(10):
                        loop.call_exception_handler(
                            {
                                "message": "socket.accept() out of system resource",
                                "exception": OSError(24, "Too many open files"),
                            }
                        )
            finally:
                loop.close()
    finally:
        logger.removeFilter(accept_filter)
        for other in installed:
            logger.addFilter(other)
    lines = [r for r in caplog.records if "accept()" in r.getMessage()]
    assert len(lines) == 5
    assert all(r.exc_info is None for r in lines)
    assert "599 similar line(s) held back" in lines[1].getMessage()


# ----- Host, token, rate limit, headers ----------------------------------------------------


async def test_a_foreign_host_header_gets_421(engine: Engine) -> None:
    async with adapter_on(engine, http_config()) as adapter:
        assert adapter.port is not None
        answer = await raw_request(
            adapter.port,
            b"GET /healthz HTTP/1.1\r\nHost: attacker.example:8080\r\nConnection: close\r\n\r\n",
        )
        assert answer.startswith(b"HTTP/1.1 421"), answer[:200]
        assert b"X-Content-Type-Options: nosniff" in answer
        for host in (b"127.0.0.1", b"localhost:8080", b"[::1]:8080"):
            answer = await raw_request(
                adapter.port,
                b"GET /healthz HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n",
            )
            assert answer.startswith(b"HTTP/1.1 200"), (host, answer[:200])


def test_host_names_allowed_by_default_and_by_config() -> None:
    assert allowed_host_names("127.0.0.1", []) == {"localhost", "127.0.0.1", "::1"}
    assert "bot.lan" in allowed_host_names("bot.lan", [])
    assert allowed_host_names("0.0.0.0", ["chat.example.org"]) == {"chat.example.org"}
    assert host_name("[::1]:80") == "::1"
    assert host_name("Example.ORG.:443") == "example.org"


def test_a_token_is_required_by_default_even_on_loopback(engine: Engine) -> None:
    config = http_config()
    settings = config.platforms.http.model_copy(update={"require_token": True, "token": None})
    config = config.model_copy(
        update={"platforms": config.platforms.model_copy(update={"http": settings})}
    )
    with pytest.raises(ConfigError) as info:
        HttpAdapter(config, engine)
    assert "platforms.http.token" in str(info.value)
    assert "platforms.http.require_token: false" in str(info.value)
    assert Config().platforms.http.require_token is True


async def test_without_the_token_the_api_answers_401(engine: Engine) -> None:
    config = http_config(require_token=True, token=TOKEN)
    async with adapter_on(engine, config) as adapter, aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{adapter.port}/v1/messages"
        body = {"conversation": "c", "user": "u", "text": "你好"}
        async with session.post(url, json=body) as resp:
            assert resp.status == 401
        async with session.post(
            url, json=body, headers={"Authorization": f"Bearer {TOKEN}"}
        ) as resp:
            assert resp.status == 200


async def test_a_flood_gets_429_with_retry_after(engine: Engine) -> None:
    async with (
        adapter_on(engine, http_config(rate_limit_per_minute=3)) as adapter,
        aiohttp.ClientSession() as session,
    ):
        url = f"http://127.0.0.1:{adapter.port}/v1/messages"
        statuses = []
        for _ in range(5):
            async with session.post(
                url, json={"conversation": "c", "user": "u", "text": "你好"}
            ) as resp:
                statuses.append(resp.status)
                retry_after = resp.headers.get("Retry-After")
                body = await resp.json()
        assert statuses == [200, 200, 200, 429, 429]
        assert retry_after is not None and 1 <= int(retry_after) <= 60
        assert body["error"]["code"] == "too_many_requests"
        async with session.get(f"http://127.0.0.1:{adapter.port}/healthz") as resp:
            assert resp.status == 200  # the limit is for the API, not the health check


async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(engine: Engine) -> None:
    async def statuses(config: Config) -> list[int]:
        out = []
        async with adapter_on(engine, config) as adapter, aiohttp.ClientSession() as session:
            for client in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
                async with session.post(
                    f"http://127.0.0.1:{adapter.port}/v1/messages",
                    json={"conversation": "c", "user": "u", "text": "你好"},
                    headers={"X-Forwarded-For": f"198.51.100.9, {client}"},
                ) as resp:
                    out.append(resp.status)
        return out

    # Behind a trusted proxy each forwarded client has its own budget ...
    assert await statuses(http_config(rate_limit_per_minute=1, trusted_proxies=["127.0.0.1"])) == [
        200,
        200,
        200,
    ]
    # ... without one the header is ignored: all three are the same peer.
    assert await statuses(http_config(rate_limit_per_minute=1)) == [200, 429, 429]


def test_the_rate_limit_window_slides() -> None:
    now = [0.0]
    limit = ClientRateLimit(2, clock=lambda: now[0])
    assert limit.retry_after("a") == 0 and limit.retry_after("a") == 0
    assert limit.retry_after("a") == pytest.approx(60)
    assert limit.retry_after("b") == 0
    now[0] = 60.5
    assert limit.retry_after("a") == 0


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/", None, 200),
        ("GET", "/healthz", None, 200),
        ("GET", "/nothing-here", None, 404),
        ("GET", "/v1/messages", None, 405),
        ("POST", "/v1/messages", b"{not json", 400),
        ("POST", "/v1/messages", b'{"conversation": "c", "user": "u"}', 422),
    ],
)
async def test_every_response_carries_the_security_headers(
    engine: Engine, method: str, path: str, body: bytes | None, status: int
) -> None:
    async with (
        adapter_on(engine, http_config()) as adapter,
        aiohttp.ClientSession() as session,
        session.request(
            method,
            f"http://127.0.0.1:{adapter.port}{path}",
            data=body,
            headers={"Content-Type": "application/json"},
        ) as resp,
    ):
        assert resp.status == status
        for name in SECURITY:
            assert resp.headers.get(name), (name, dict(resp.headers))
        assert resp.headers["X-Frame-Options"] == "DENY"
        if path != "/":
            assert resp.headers["Cache-Control"] == "no-store"


# ----- text hygiene --------------------------------------------------------------------------


async def test_a_lone_surrogate_is_answered_not_a_500(engine: Engine) -> None:
    async with adapter_on(engine, http_config()) as adapter, aiohttp.ClientSession() as session:
        raw = b'{"conversation": "c\\udfff", "user": "u", "text": "\\u50ac\\u6536\\ud800"}'
        async with session.post(
            f"http://127.0.0.1:{adapter.port}/v1/messages",
            data=raw,
            headers={"Content-Type": "application/json"},
        ) as resp:
            assert resp.status == 200, await resp.text()
            body = await resp.json()
        assert body["conversation"] == "c\ufffd"
        assert body["replies"]
        async with session.post(
            f"http://127.0.0.1:{adapter.port}/v1/messages",
            data=raw,
            headers={"Content-Type": "application/json"},
        ) as resp:
            assert resp.status == 200  # the saved conversation is read back fine


async def test_malformed_requests_get_the_headers_and_a_short_rate_limited_log(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with adapter_on(engine, http_config()) as adapter:
        assert adapter.port is not None
        for _ in range(20):
            answer = await raw_request(
                adapter.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n"
            )
            assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400")
            assert b"X-Content-Type-Options: nosniff" in answer
            assert b"Content-Security-Policy:" in answer
    protocol = [r for r in caplog.records if "Error handling request" in r.getMessage()]
    # one line a minute at most (the limiter is process-wide), never twenty tracebacks
    assert len(protocol) <= 1
    assert all(r.exc_info is None for r in protocol)
