"""Decode-size limits per format: a small PNG of 49 megapixels (about 6 KB, ~2 GB once decoded
and converted) is refused from its header, before anything is decoded; a JPEG is decoded at a
reduced size, so its limit is higher."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile, JpegImagePlugin

from bot.photo import intake
from bot.photo import texts as photo_texts
from bot.photo.intake import MAX_DECODED_PIXELS, MAX_PIXELS, PhotoRejected, load_photo, pixel_limit


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_of(width: int, height: int) -> bytes:
    """A complete, valid grey PNG of ``width`` x ``height`` black pixels (compressed row by
    row, so making it costs little memory)."""
    packer = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte + one byte per pixel
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def test_a_49_megapixel_png_is_refused_without_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    data = png_of(7000, 7000)
    assert len(data) < 200_000  # a small file …
    with Image.open(io.BytesIO(data)) as probe:
        assert probe.size == (7000, 7000)  # … that is a sound 49-megapixel PNG

    def no_decoding(self: Image.Image) -> None:
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(PhotoRejected) as refused:
        load_photo(data)
    assert refused.value.reply == photo_texts.TOO_MANY_PIXELS
    assert "PNG" in refused.value.reason


def test_limits_per_format() -> None:
    assert pixel_limit("PNG") == pixel_limit("GIF") == pixel_limit("WEBP") == MAX_DECODED_PIXELS
    assert pixel_limit("JPEG") == MAX_PIXELS > MAX_DECODED_PIXELS
    assert MAX_DECODED_PIXELS < 7000 * 7000
    assert Image.MAX_IMAGE_PIXELS == intake.MAX_PIXELS


def test_a_png_within_its_limit_is_read() -> None:
    photo = load_photo(png_of(2000, 3000))
    assert photo.format == "PNG" and max(photo.image.size) == intake.TARGET_SIDE


def test_a_large_jpeg_is_decoded_at_a_reduced_size(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    Image.new("L", (6400, 4800), 200).save(buffer, "JPEG", quality=30)  # 30.7 megapixels
    drafts: list[tuple[int, int]] = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def recording(self: Image.Image, mode: str | None, size: tuple[int, int] | None) -> object:
        result = draft(self, mode, size)
        drafts.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording)
    photo = load_photo(buffer.getvalue())
    assert photo.original_size == (6400, 4800)
    assert drafts and drafts[0][0] <= 6400 // 4  # decoded at a quarter of its width or less
