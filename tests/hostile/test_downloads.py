"""Image links are fetched only from public addresses: the first host and every redirect's,
after DNS resolution, before any connection. A real server on 127.0.0.1 stands in for a public
host through an injected resolver; no other address is ever connected to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from bot.adapters.download import DownloadError, DownloadRefused, Resolver, download_image


class StandIn(Resolver):
    """A world where 127.0.0.1 is a public host's address: 'photos.test' is public,
    'intranet.test' resolves to a private address, 'rebind.test' to one of each."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        table = {
            "photos.test": ["127.0.0.1"],
            "intranet.test": ["10.1.2.3"],
            "rebind.test": ["127.0.0.1", "192.168.0.7"],
            "metadata.test": ["169.254.169.254"],
            "mapped.test": ["::ffff:10.0.0.1"],
        }
        if host not in table:
            raise OSError("no such host")
        return table[host]

    def is_public(self, address: str) -> bool:
        return address == "127.0.0.1" or super().is_public(address)


@asynccontextmanager
async def server() -> AsyncIterator[tuple[int, list[str]]]:
    hits: list[str] = []

    async def handle(request: web.Request) -> web.StreamResponse:
        hits.append(request.path)
        name = request.match_info["name"]
        port = request.url.port
        targets = {
            "to-intranet": f"http://intranet.test:{port}/ok.jpg",
            "to-ten": "http://10.1.2.3/ok.jpg",
            "to-metadata": "http://169.254.169.254/latest/meta-data/",
            "to-metadata-name": "http://metadata.test/latest/",
            "to-rebind": f"http://rebind.test:{port}/ok.jpg",
            "to-mapped": "http://[::ffff:10.0.0.1]/ok.jpg",
            "to-loopback": f"http://[::1]:{port}/ok.jpg",
            "relative": "/ok.jpg",
            "loop": "/loop",
        }
        if name in targets:
            raise web.HTTPFound(targets[name])
        return web.Response(body=b"12345", content_type="image/jpeg")

    app = web.Application()
    app.router.add_get("/{name}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield runner.addresses[0][1], hits
    finally:
        await runner.cleanup()


async def test_loopback_and_private_links_are_refused_before_any_connection() -> None:
    async with server() as (port, hits):
        for url in (
            f"http://127.0.0.1:{port}/ok.jpg",
            f"http://localhost:{port}/ok.jpg",
            f"http://[::1]:{port}/ok.jpg",
            f"http://0.0.0.0:{port}/ok.jpg",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/a.jpg",
        ):
            with pytest.raises(DownloadRefused):
                await download_image(url, seconds=5)
        assert hits == []


async def test_a_public_host_is_fetched_and_relative_redirects_are_followed() -> None:
    resolver = StandIn()
    async with server() as (port, hits):
        assert await download_image(f"http://photos.test:{port}/ok.jpg", resolver=resolver) == (
            b"12345"
        )
        assert await download_image(f"http://photos.test:{port}/relative", resolver=resolver) == (
            b"12345"
        )
        assert hits == ["/ok.jpg", "/relative", "/ok.jpg"]
        with pytest.raises(DownloadError, match="redirects"):
            await download_image(f"http://photos.test:{port}/loop", resolver=resolver)


@pytest.mark.parametrize(
    "start",
    ["to-intranet", "to-ten", "to-metadata", "to-metadata-name", "to-rebind", "to-mapped"],
)
async def test_a_redirect_to_a_private_address_is_refused(start: str) -> None:
    resolver = StandIn()
    async with server() as (port, hits):
        with pytest.raises(DownloadRefused):
            await download_image(f"http://photos.test:{port}/{start}", resolver=resolver, seconds=5)
        assert hits == [f"/{start}"]  # the private address was never connected to


async def test_a_redirect_to_loopback_is_refused_with_the_real_resolver_policy() -> None:
    resolver = StandIn()
    async with server() as (port, hits):
        with pytest.raises(DownloadRefused):
            await download_image(f"http://photos.test:{port}/to-loopback", resolver=resolver)
        assert hits == ["/to-loopback"]


async def test_a_name_resolving_to_a_private_address_is_refused() -> None:
    resolver = StandIn()
    with pytest.raises(DownloadRefused):
        await download_image("http://intranet.test/ok.jpg", resolver=resolver)
    with pytest.raises(DownloadError, match="resolve"):
        await download_image("http://unknown.test/ok.jpg", resolver=resolver)


def test_the_default_policy() -> None:
    policy = Resolver()
    for private in ["127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                    "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "0.0.0.0", "100.64.0.1",
                    "224.0.0.1", "not an address"]:  # fmt: skip
        assert not policy.is_public(private), private
    for public in ["1.1.1.1", "223.5.5.5", "2400:3200::1"]:
        assert policy.is_public(public), public
