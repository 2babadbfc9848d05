"""Fetching a photo a platform gives as a link (OneBot image segments, WeChat URL file boxes):
http(s) only, with a size limit and a timeout, never written to disk."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import aiohttp

from bot.photo.texts import MAX_BYTES

DOWNLOAD_TIMEOUT_SECONDS = 20.0
MAX_REDIRECTS = 3


class DownloadError(Exception):
    """The photo could not be fetched (a reason for the log, never the URL's query)."""


class DownloadTooLarge(DownloadError):
    """The photo is larger than the limit (nothing beyond the limit was read)."""


async def download_image(
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    seconds: float = DOWNLOAD_TIMEOUT_SECONDS,
    session: aiohttp.ClientSession | None = None,
) -> bytes:
    """The bytes at ``url``, read in chunks and dropped as soon as they pass ``max_bytes``.

    Raises :class:`DownloadTooLarge` beyond ``max_bytes``, :class:`DownloadError` for other
    schemes, HTTP errors, timeouts and network errors.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadError(f"not an http(s) URL (scheme {parts.scheme or 'none'!r})")
    where = f"{parts.scheme}://{parts.hostname}"
    own = session is None
    session = session or aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=seconds, sock_connect=min(seconds, 10.0))
    )
    try:
        async with (
            asyncio.timeout(seconds),
            session.get(url, max_redirects=MAX_REDIRECTS, allow_redirects=True) as response,
        ):
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
    except TimeoutError:
        raise DownloadError(f"no complete answer from {where} within {seconds:.0f} s") from None
    except aiohttp.ClientError as exc:
        raise DownloadError(f"{type(exc).__name__} from {where}") from None
    finally:
        if own:
            await session.close()
