"""What the HTTP API checks before a request reaches a handler: the Host header (against DNS
rebinding), a per-client rate limit (429 with Retry-After), and the security headers every
response carries, errors included."""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable

from aiohttp import web

from bot.adapters.ratelog import RateLimitedLog

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0
#: clients whose request times are remembered (the least recently seen are forgotten first)
MAX_TRACKED_CLIENTS = 10_000

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
#: API answers (and errors) are personal: never cached
API_CACHE_CONTROL = "no-store"
#: the page's files may be cached, but checked again each time
PAGE_CACHE_CONTROL = "no-cache"

_refusals = RateLimitedLog(log)


def host_name(header: str) -> str:
    """The host part of a Host header value, lower-cased, without port or brackets."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header[1:]
    if header.count(":") == 1:
        header = header.partition(":")[0]
    return header.rstrip(".")


def allowed_host_names(bound_host: str, configured: Iterable[str]) -> frozenset[str]:
    """The Host names accepted: ``configured``, or by default the bound host and loopback."""
    names = [host_name(h) for h in configured if h.strip()]
    if not names:
        names = ["localhost", "127.0.0.1", "::1"]
        bound = host_name(bound_host)
        if bound and bound not in ("0.0.0.0", "::"):
            names.append(bound)
    return frozenset(names)


def _parse_networks(values: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip()]


class ClientAddress:
    """Who a request comes from: the peer, or the address a trusted proxy forwarded in
    ``header`` (X-Forwarded-For by default; X-Real-IP and the like hold one address)."""

    def __init__(self, trusted_proxies: Iterable[str], header: str = "X-Forwarded-For") -> None:
        self._trusted = _parse_networks(trusted_proxies)
        self._header = header

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip().strip("[]"))
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    def is_trusted(self, request: web.Request) -> bool:
        """True when the request's peer is a trusted proxy (its forwarded headers count)."""
        return bool(self._trusted) and self._is_trusted(request.remote or "")

    def of(self, request: web.Request) -> str:
        """The client's address. The forwarded header is read only when the peer is a trusted
        proxy: the right-most address not itself a trusted proxy is the client."""
        peer = request.remote or "?"
        if not self._trusted or not self._is_trusted(peer):
            return peer
        forwarded = [
            a.strip()
            for a in ",".join(request.headers.getall(self._header, [])).split(",")
            if a.strip()
        ]
        for address in reversed(forwarded):
            if not self._is_trusted(address):
                return address[:64]
        return peer

    def over_https(self, request: web.Request) -> bool:
        """True when the browser reached us over HTTPS: directly, or through a trusted proxy
        that says so (``X-Forwarded-Proto: https`` or ``Forwarded: proto=https``)."""
        if request.secure:
            return True
        if not self.is_trusted(request):
            return False
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        forwarded = request.headers.get("Forwarded", "").lower()
        return proto == "https" or "proto=https" in forwarded.replace(" ", "")


class ClientRateLimit:
    """At most ``per_minute`` requests per client in any 60 seconds."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = per_minute
        self._clock = clock
        self._clients: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after(self, client: str) -> float:
        """0 when ``client`` may make a request now (and counts it), else seconds to wait."""
        now = self._clock()
        times = self._clients.pop(client, None) or deque()
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        self._clients[client] = times  # most recently seen last
        while len(self._clients) > MAX_TRACKED_CLIENTS:
            self._clients.popitem(last=False)
        if len(times) >= self._limit:
            return max(times[0] + WINDOW_SECONDS - now, 0.001)
        times.append(now)
        return 0.0


def retry_after_header(seconds: float) -> str:
    """Retry-After in whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


def log_refusal(kind: str, message: str, *args: object) -> None:
    """A WARNING about a refused request, at most one a minute per ``kind``."""
    _refusals.log(kind, logging.WARNING, message, *args)


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: the security headers on every response, errors included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", API_CACHE_CONTROL)
