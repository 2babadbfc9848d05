"""One client cannot shut others out: per-client connection limits below the cap, idle
connections evicted first, a 503 (not a reset) when nothing can be evicted, one log line."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

import bot.adapters.webserver as webserver
from bot.engine import Engine
from tests.adapters.test_http_api import http_config
from tests.adapters.test_http_hardening import adapter_on

#: local ports of the hostile client's sockets (all sockets are on 127.0.0.1: the server
#: tells the clients apart by this, as it would by their addresses)
ATTACKER: set[int] = set()


@pytest.fixture(autouse=True)
def clients_by_port(monkeypatch: pytest.MonkeyPatch) -> None:
    ATTACKER.clear()

    def client_of(transport: asyncio.BaseTransport) -> str:
        peer = transport.get_extra_info("peername")
        return "attacker" if peer and peer[1] in ATTACKER else "someone"

    monkeypatch.setattr(webserver, "_client_of", client_of)


async def _attacker_connection(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    ATTACKER.add(sock.getsockname()[1])
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return await asyncio.open_connection(sock=sock)


async def _get(port: int, path: str = "/healthz") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    data = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return data


async def test_idle_sockets_of_one_client_never_shut_others_out(engine: Engine) -> None:
    config = http_config(max_connections=8, max_connections_per_client=3, idle_timeout_seconds=60)
    async with adapter_on(engine, config) as adapter:
        assert adapter.port is not None
        held = [await _attacker_connection(adapter.port) for _ in range(40)]
        await asyncio.sleep(0.3)
        assert adapter._server.open_connections <= 3 + 1
        for _ in range(5):  # everyone else still gets through
            assert (await _get(adapter.port)).startswith(b"HTTP/1.1 200")
        for _, writer in held:
            writer.close()


async def test_busy_connections_past_the_limit_get_503_and_one_log_line(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config = http_config(
        max_connections=8,
        max_connections_per_client=2,
        idle_timeout_seconds=60,
        body_timeout_seconds=300,
    )
    async with adapter_on(engine, config) as adapter:
        port = adapter.port
        assert port is not None
        busy = []
        for _ in range(2):  # requests in progress: their bodies never come
            reader, writer = await _attacker_connection(port)
            writer.write(
                b"POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            )
            await writer.drain()
            busy.append((reader, writer))
        await asyncio.sleep(0.3)
        answers = []
        for _ in range(10):
            reader, writer = await _attacker_connection(port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            await writer.drain()
            answers.append(await asyncio.wait_for(reader.read(), 10))
            writer.close()
        for answer in answers:
            assert answer.startswith(b"HTTP/1.1 503"), answer[:80]
            assert b"Retry-After: 5" in answer and b"too_many_connections" in answer
        assert (await _get(port)).startswith(b"HTTP/1.1 200")  # others are served
        for _, writer in busy:
            writer.close()
    lines = [r for r in caplog.records if "connection limit" in r.getMessage()]
    assert len(lines) == 1  # one throttled line for ten refusals
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
