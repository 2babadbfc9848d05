"""What the HTTP API and the OneBot endpoint share: a small aiohttp server that tests can start
on port 0 and stop, the rule that a server reachable from other machines needs a token, and
constant-time token checks."""

from __future__ import annotations

import hmac
import ipaddress
import logging

from aiohttp import web

from bot.config import ConfigError

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_SECONDS = 5.0


def is_loopback(host: str) -> bool:
    """True when ``host`` is reachable only from this machine (127.0.0.0/8, ::1, localhost)."""
    host = host.strip().strip("[]").lower()
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # "", 0.0.0.0, ::, or a name that may resolve to any address


def required_token(host: str, token: str | None, *, key: str, env: str) -> str | None:
    """The configured token (None when unset), or a :class:`ConfigError` naming ``key`` and
    ``env`` when ``host`` is not a loopback address and no token is set."""
    token = (token or "").strip() or None
    if token is None and not is_loopback(host):
        raise ConfigError(
            f"{key} (or env {env}) must be set: the server listens on {host or 'every address'!r}"
            f", which is not a loopback address, so anyone who can reach it could use the bot")
    return token


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


class WebServer:
    """An aiohttp application served on ``host:port``; ``port`` is the bound one after
    :meth:`start` (so port 0 picks a free port)."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self._app = app
        self._host = host
        self._requested_port = port
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._runner is not None

    async def start(self) -> None:
        """Bind and start serving (an OSError when the address is taken)."""
        if self._runner is not None:
            raise RuntimeError("the server is already running")
        runner = web.AppRunner(self._app, access_log=None,
                               shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS)
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
