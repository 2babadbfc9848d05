"""The public web page's anonymous visitors (``platforms.http.public_page: true``).

A page open to anyone cannot hold a shared token: whatever the page holds, every visitor can
read. Instead the server gives each visitor an id of its own in a signed cookie:

* ``<id>.<issued>.<signature>``: 128 random bits, the time it was issued (Unix seconds) and an
  HMAC-SHA256 over both with ``platforms.http.visitor_secret`` (env ``BOT_VISITOR_SECRET``;
  unset: a random secret for this process, so visitors start afresh after a restart). Only the
  server can make one; a changed byte, another server's cookie or one older than
  :data:`MAX_AGE_SECONDS` is refused (the page then asks for a new one);
* HttpOnly (the page's JavaScript never sees it), ``SameSite=Lax`` (a form or a fetch from
  another site does not carry it; a link to the page does), ``Path=/``, ``Secure`` when the
  browser came over HTTPS (directly or through a trusted proxy that says so), no ``Max-Age``:
  it goes when the browser is closed;
* every conversation of a visitor is scoped by the id, so two visitors never share one, and
  each visitor has a rate limit of its own (``visitor_rate_limit_per_minute``) besides the
  per-address one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

from bot.config import HttpConfig

#: the cookie's name
COOKIE = "cuishou_visitor"
#: a visitor id is refused this long after it was issued (the page gets a new one)
MAX_AGE_SECONDS = 7 * 24 * 3600
#: a cookie longer than this is not looked at
MAX_COOKIE_CHARS = 200


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class VisitorIds:
    """Issues and checks the signed visitor cookies (see the module docstring)."""

    def __init__(
        self,
        secret: str | None,
        *,
        max_age_seconds: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        raw = secret.encode("utf-8") if secret else secrets.token_bytes(32)
        # the key is derived, so the same secret used elsewhere signs nothing alike
        self._key = hashlib.sha256(b"cuishou-visitor-v1\0" + raw).digest()
        self._max_age = max_age_seconds
        self._clock = clock

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest())

    def issue(self) -> tuple[str, str]:
        """A new visitor: ``(id, cookie value)``."""
        visitor = _b64(secrets.token_bytes(16))
        payload = f"{visitor}.{int(self._clock())}"
        return visitor, f"{payload}.{self._sign(payload)}"

    def verify(self, value: str | None) -> str | None:
        """The visitor id of a cookie value this server issued and that has not expired;
        None for anything else."""
        if not value or len(value) > MAX_COOKIE_CHARS or not value.isascii():
            return None
        parts = value.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        visitor, issued, signature = parts
        expected = self._sign(f"{visitor}.{issued}")
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
            return None
        age = self._clock() - int(issued)
        if age < -300 or age > self._max_age:  # a clock set back a little is forgiven
            return None
        return visitor


def api_token(settings: HttpConfig) -> str | None:
    """The token API clients need (None: none), or a ConfigError naming the setting. A public
    page needs none, on any address (visitors get ids instead; a token, when set, is still
    accepted from API clients); otherwise see :func:`bot.adapters.webserver.required_token`."""
    from bot.adapters.webserver import required_token
    from bot.config import ConfigError

    if settings.public_page:
        return (settings.token or "").strip() or None
    try:
        return required_token(
            settings.host,
            settings.token,
            key="platforms.http.token",
            env="BOT_HTTP_TOKEN",
            optional_on_loopback=not settings.require_token,
            opt_out="platforms.http.require_token: false",
        )
    except ConfigError as exc:
        raise ConfigError(
            f"{exc}; for a web page open to anyone set platforms.http.public_page: true "
            '(README "A public web page")'
        ) from None
