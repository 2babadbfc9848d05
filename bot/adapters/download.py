"""Fetching a photo a platform gives as a link (OneBot image segments, WeChat URL file boxes):
http(s) only, only to public addresses, with a size limit and a timeout, never written to disk.

A link is a request the bot makes on a stranger's behalf, so it must not reach what only the
bot's machine can reach (loopback, the private network, link-local cloud metadata at
169.254.169.254 …). Every host, the first and each redirect's, is resolved first; when any of
its addresses is not public the download stops before a connection is made, and the connection
goes to exactly the addresses that were checked (a name that resolves once to a public address
and then to a private one — DNS rebinding — cannot slip through). Redirects are followed by this
module, one at a time, at most :data:`MAX_REDIRECTS`.

The resolver is injectable (:class:`Resolver`; the module default is :data:`RESOLVER`), so tests
can let a server on 127.0.0.1 stand in for a public host.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.photo.texts import MAX_BYTES

DOWNLOAD_TIMEOUT_SECONDS = 20.0
MAX_REDIRECTS = 3
_REDIRECTS = (301, 302, 303, 307, 308)


class DownloadError(Exception):
    """The photo could not be fetched (a reason for the log, never the URL's query)."""


class DownloadTooLarge(DownloadError):
    """The photo is larger than the limit (nothing beyond the limit was read)."""


class DownloadRefused(DownloadError):
    """The link leads to an address that is not public (nothing was sent to it)."""


class Resolver:
    """Names to addresses, and which addresses the bot may fetch from.

    The default asks the system's resolver and allows only global unicast addresses."""

    async def resolve(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` (raises OSError when it has none)."""
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
        return list(dict.fromkeys(str(info[4][0]) for info in infos))

    def is_public(self, address: str) -> bool:
        """True when ``address`` is a public (global unicast) address."""
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return ip.is_global and not ip.is_multicast


#: the resolver downloads use unless one is passed (tests replace it)
RESOLVER = Resolver()


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


class _Pinned(AbstractResolver):
    """aiohttp's resolver for one download: only the addresses already checked."""

    def __init__(self) -> None:
        self.addresses: dict[str, list[str]] = {}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = self.addresses.get(host)
        if not addresses:
            raise OSError(f"{host} was not checked")
        return [
            ResolveResult(
                hostname=host,
                host=a,
                port=port,
                family=socket.AF_INET6 if ":" in a else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for a in addresses
        ]

    async def close(self) -> None:
        return None


async def _check(url: str, resolver: Resolver, pinned: _Pinned) -> str:
    """``url``'s scheme and host (for messages) once its host is known to be public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadError(f"not an http(s) URL (scheme {parts.scheme or 'none'!r})")
    host = parts.hostname
    where = f"{parts.scheme}://{host}"
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            addresses = await resolver.resolve(host, port)
        except (OSError, ValueError) as exc:
            raise DownloadError(f"cannot resolve {where} ({type(exc).__name__})") from None
        if not addresses:
            raise DownloadError(f"cannot resolve {where}")
    private = [a for a in addresses if not resolver.is_public(a)]
    if private:
        raise DownloadRefused(f"{where} is not a public address ({private[0]}); not fetched")
    pinned.addresses[host] = addresses
    return where


async def download_image(
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    seconds: float = DOWNLOAD_TIMEOUT_SECONDS,
    resolver: Resolver | None = None,
) -> bytes:
    """The bytes at ``url``, read in chunks and dropped as soon as they pass ``max_bytes``.

    Raises :class:`DownloadRefused` when the host or a redirect's host is not public,
    :class:`DownloadTooLarge` beyond ``max_bytes``, :class:`DownloadError` for other schemes,
    HTTP errors, too many redirects, timeouts and network errors.
    """
    resolver = resolver or RESOLVER
    pinned = _Pinned()
    where = await _check(url, resolver, pinned)
    connector = aiohttp.TCPConnector(resolver=pinned, use_dns_cache=False)
    session = aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=seconds, sock_connect=min(seconds, 10.0)),
    )
    try:
        async with asyncio.timeout(seconds):
            for _ in range(MAX_REDIRECTS + 1):
                async with session.get(url, allow_redirects=False) as response:
                    if response.status in _REDIRECTS and "Location" in response.headers:
                        url = urljoin(url, response.headers["Location"])
                        where = await _check(url, resolver, pinned)
                        continue
                    return await _read(response, where, max_bytes)
            raise DownloadError(f"more than {MAX_REDIRECTS} redirects from {where}")
    except TimeoutError:
        raise DownloadError(f"no complete answer from {where} within {seconds:.0f} s") from None
    except aiohttp.ClientError as exc:
        raise DownloadError(f"{type(exc).__name__} from {where}") from None
    finally:
        await session.close()


async def _read(response: Any, where: str, max_bytes: int) -> bytes:
    if response.status != 200:
        raise DownloadError(f"HTTP {response.status} from {where}")
    too_large = DownloadTooLarge(f"more than {max_bytes} bytes from {where}")
    if (response.content_length or 0) > max_bytes:
        raise too_large
    data = bytearray()
    async for chunk in response.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > max_bytes:
            raise too_large
    return bytes(data)
