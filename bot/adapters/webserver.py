"""What the HTTP API and the OneBot endpoint share: a small aiohttp server that tests can start
on port 0 and stop, the rule for when a token is required, and constant-time token checks.

The server protects itself: a connection that sends no complete request head within
``idle_timeout`` seconds is closed (idle sockets and slowloris headers alike; aiohttp's
keep-alive timer runs from the moment a connection is accepted), at most ``max_connections``
are open at once and at most ``max_per_client`` from one address (below the cap): past either
limit an idle connection is evicted first, else the new one is answered 503 with Retry-After
and closed, with one rate-limited log line (never a traceback),
and the event loop's "out of file descriptors" accept errors are logged once a minute at most.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server

from bot.adapters.ratelog import RateLimitedLog, install_accept_error_filter
from bot.config import ConfigError

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_SECONDS = 5.0
DEFAULT_IDLE_TIMEOUT_SECONDS = 15.0
DEFAULT_MAX_CONNECTIONS = 256

_refusals = RateLimitedLog(log)


def is_loopback(host: str) -> bool:
    """True when ``host`` is reachable only from this machine (127.0.0.0/8, ::1, localhost)."""
    host = host.strip().strip("[]").lower()
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # "", 0.0.0.0, ::, or a name that may resolve to any address


def required_token(
    host: str,
    token: str | None,
    *,
    key: str,
    env: str,
    optional_on_loopback: bool = False,
    opt_out: str = "",
) -> str | None:
    """The configured token (None when unset and allowed), else a :class:`ConfigError` naming
    ``key`` and ``env``.

    A token is required unless ``optional_on_loopback`` (an explicit opt-out in the config,
    named by ``opt_out``) and ``host`` is a loopback address: a server reachable from other
    machines always needs one.
    """
    token = (token or "").strip() or None
    if token is not None:
        return token
    if not is_loopback(host):
        raise ConfigError(
            f"{key} (or env {env}) must be set: the server listens on {host or 'every address'!r}"
            f", which is not a loopback address, so anyone who can reach it could use the bot"
        )
    if not optional_on_loopback:
        raise ConfigError(
            f"{key} (or env {env}) must be set: without it any program on this machine (a web "
            f"page in a browser too) could use the server"
            + (f"; to run without one on loopback set {opt_out}" if opt_out else "")
        )
    return None


def token_matches(given: str | None, expected: str) -> bool:
    """Compare a token from a request with the configured one in constant time."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def bearer_token(header: str | None, schemes: tuple[str, ...] = ("bearer",)) -> str | None:
    """The token in an ``Authorization: Bearer <token>`` header, else None."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() not in schemes:
        return None
    return token.strip() or None


class _GuardedHandler(RequestHandler):
    """aiohttp's connection handler, with protocol errors (a malformed request line or
    header) answered with the server's error headers and logged once a minute, without a
    traceback: a flood of garbage must not flood the log."""

    __slots__ = ()

    async def _handle_request(
        self, request: Any, start_time: float | None, request_handler: Any
    ) -> Any:
        manager = self._manager
        if isinstance(manager, _GuardedServer) and manager.is_refusing(self):
            request_handler = manager.refuse
        return await super()._handle_request(request, start_time, request_handler)

    def log_exception(self, *args: Any, **kwargs: Any) -> None:
        """Rate-limited, one line: the error's type and first line, never a traceback."""
        exc = kwargs.get("exc_info")
        detail = ""
        if isinstance(exc, BaseException):
            first = str(exc).strip().splitlines()
            detail = f": {type(exc).__name__}{' ' + first[0][:120] if first else ''}"
        text = (args[0] % args[1:]) if args else "error"
        _refusals.log("protocol", logging.WARNING, "server: %s%s", text, detail)

    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """aiohttp's error answer, with the server's error headers."""
        response = super().handle_error(request, status, exc, message)
        for name, value in getattr(self._manager, "error_headers", {}).items():
            response.headers.setdefault(name, value)
        return response


#: A refused connection gets this long to send its request and read the 503.
REFUSAL_GRACE_SECONDS = 2.0
#: Refused connections still waiting for their 503, at most (beyond: closed at once).
MAX_REFUSING = 256


def _client_of(transport: asyncio.BaseTransport) -> str:
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if isinstance(peer, tuple) and peer else "?"


def _open(handler: RequestHandler) -> bool:
    transport = handler.transport
    return transport is not None and not transport.is_closing()


def _idle(handler: RequestHandler) -> bool:
    """True when ``handler`` has no request in progress (idle keep-alive, or no complete
    request head yet: a slowloris)."""
    return not getattr(handler, "_request_in_progress", False)


class _GuardedServer(Server):
    """aiohttp's Server making :class:`_GuardedHandler` connections: at most
    ``max_per_client`` from one address and ``max_connections`` in all. A new connection past
    either limit first evicts an idle connection (no request in progress) — of the same
    client, or at the cap of the client holding the most — the oldest first; when none is
    idle, the new connection is answered 503 with Retry-After (not reset) and closed."""

    max_connections = DEFAULT_MAX_CONNECTIONS
    max_per_client = DEFAULT_MAX_CONNECTIONS // 8
    refused = 0
    evicted = 0
    error_headers: Mapping[str, str] = {}

    def __call__(self) -> RequestHandler:
        return _GuardedHandler(self, loop=self._loop, **self._kwargs)

    def _state(self) -> tuple[dict[RequestHandler, str], set[RequestHandler]]:
        clients: dict[RequestHandler, str] = self.__dict__.setdefault("_clients", {})
        refusing: set[RequestHandler] = self.__dict__.setdefault("_refusing", set())
        return clients, refusing

    def is_refusing(self, handler: RequestHandler) -> bool:
        """True when ``handler``'s requests are answered 503."""
        return handler in self._state()[1]

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        """Register the connection; past a limit evict an idle one or refuse this one."""
        clients, refusing = self._state()
        client = _client_of(transport)
        super().connection_made(handler, transport)
        live = [
            h
            for h in self._connections
            if h is not handler and h not in refusing and _open(h)  # not closing meanwhile
        ]
        mine = [h for h in live if clients.get(h) == client]
        victims: list[RequestHandler] = []
        if len(mine) >= self.max_per_client:
            victims = mine
        elif len(live) >= self.max_connections:
            counts: dict[str, int] = {}
            for h in live:
                counts[clients.get(h, "?")] = counts.get(clients.get(h, "?"), 0) + 1
            for name in sorted(counts, key=counts.__getitem__, reverse=True):
                victims = [h for h in live if clients.get(h) == name and _idle(h)]
                if victims:
                    break
        else:
            clients[handler] = client
            return
        idle = [h for h in victims if _idle(h)]  # in order of arrival: the oldest first
        if idle:
            self.evicted += 1
            clients.pop(idle[0], None)
            refusing.discard(idle[0])
            idle[0].force_close()
            clients[handler] = client
            return
        self.refused += 1
        _refusals.log(
            "cap",
            logging.WARNING,
            "server: connection limit reached (%d per client, %d in all); answered 503 to "
            "a new connection from %s (%d refused so far)",
            self.max_per_client,
            self.max_connections,
            client,
            self.refused,
        )
        if len(refusing) >= MAX_REFUSING:
            handler.force_close()  # a flood of refusals: no 503 for these
            return
        refusing.add(handler)
        self._loop.call_later(REFUSAL_GRACE_SECONDS, handler.force_close)

    def connection_lost(self, handler: RequestHandler, exc: BaseException | None = None) -> None:
        """Forget the connection."""
        clients, refusing = self._state()
        clients.pop(handler, None)
        refusing.discard(handler)
        super().connection_lost(handler, exc)

    async def refuse(self, request: Any) -> web.StreamResponse:
        """The answer to every request on a refused connection."""
        return web.json_response(
            {
                "error": {
                    "code": "too_many_connections",
                    "message": "the server has too many open connections; try again shortly",
                }
            },
            status=503,
            headers={**self.error_headers, "Retry-After": "5", "Connection": "close"},
        )


class _GuardedRunner(web.AppRunner):
    """An AppRunner whose server is a :class:`_GuardedServer`."""

    def __init__(
        self,
        app: web.Application,
        *,
        max_connections: int,
        max_per_client: int,
        error_headers: Mapping[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(app, **kwargs)
        self._max_connections = max_connections
        self._max_per_client = max_per_client
        self._error_headers = dict(error_headers)

    async def _make_server(self) -> Server:
        server = await super()._make_server()
        server.__class__ = _GuardedServer  # same layout; aiohttp offers no factory hook
        assert isinstance(server, _GuardedServer)
        server.max_connections = self._max_connections
        server.max_per_client = self._max_per_client
        server.error_headers = self._error_headers
        return server

    @property
    def refused(self) -> int:
        """Connections closed because the cap was reached."""
        server = self.server
        return server.refused if isinstance(server, _GuardedServer) else 0


class WebServer:
    """An aiohttp application served on ``host:port``; ``port`` is the bound one after
    :meth:`start` (so port 0 picks a free port). ``idle_timeout`` closes connections that
    send no complete request head for that long; ``max_connections`` caps open ones;
    ``error_headers`` go on the answers to malformed requests (which no handler sees)."""

    def __init__(
        self,
        app: web.Application,
        host: str,
        port: int,
        *,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT_SECONDS,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        max_per_client: int | None = None,
        error_headers: Mapping[str, str] | None = None,
    ) -> None:
        self._app = app
        self._host = host
        self._requested_port = port
        self._idle_timeout = idle_timeout
        self._max_connections = max_connections
        # below the cap, so one address can never hold every connection
        self._max_per_client = min(
            max_per_client or max(1, max_connections // 8), max(1, max_connections - 1)
        )
        self._error_headers = dict(error_headers or {})
        self._runner: _GuardedRunner | None = None
        self.port: int | None = None

    @property
    def refused(self) -> int:
        """Connections closed because ``max_connections`` were open."""
        return self._runner.refused if self._runner is not None else 0

    @property
    def open_connections(self) -> int:
        """Connections open now."""
        server = self._runner.server if self._runner is not None else None
        return len(server.connections) if server is not None else 0

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._runner is not None

    async def start(self) -> None:
        """Bind and start serving (an OSError when the address is taken)."""
        if self._runner is not None:
            raise RuntimeError("the server is already running")
        install_accept_error_filter()
        runner = _GuardedRunner(
            self._app,
            max_connections=self._max_connections,
            max_per_client=self._max_per_client,
            error_headers=self._error_headers,
            access_log=None,
            shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS,
            keepalive_timeout=self._idle_timeout,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._requested_port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop serving and close every connection."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
