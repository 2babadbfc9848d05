"""Taking a photo in: checking the bytes are a sound image of a sane size, and downscaling it.

Every way a photo can be bad ends in :class:`PhotoRejected`, whose ``reply`` is one Chinese
sentence for the person; nothing here raises anything else for bad input. The bytes are never
written anywhere.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from bot.photo.texts import (
    EMPTY,
    HEIC,
    MAX_BYTES,
    NOT_AN_IMAGE,
    TOO_LARGE,
    TOO_MANY_PIXELS,
    TRUNCATED,
)

#: The largest photo accepted, in pixels: beyond this it is a decompression bomb, not a photo.
#: It holds for JPEG, which is decoded straight at 1/2 … 1/8 of its size (``draft``), so even
#: a 50-megapixel photo costs a few megabytes.
MAX_PIXELS = 50_000_000
#: The largest image of any other format (PNG, GIF, WebP, BMP, TIFF …), which is decoded at
#: full size: 24 megapixels (a long phone screenshot, 1242 x 19,000) is about 100 MB decoded.
#: A 6 KB PNG of 49 megapixels is refused from its header, before a byte is decoded.
MAX_DECODED_PIXELS = 24_000_000
#: The formats decoded at a reduced size, whose limit is :data:`MAX_PIXELS`.
DRAFT_FORMATS = frozenset({"JPEG", "MPO"})

# Pillow's own guard, for every image opened in this process: a warning past the limit and
# an error past twice it.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def pixel_limit(fmt: str | None) -> int:
    """The most pixels an image of format ``fmt`` (Pillow's name) may have."""
    return MAX_PIXELS if fmt in DRAFT_FORMATS else MAX_DECODED_PIXELS


#: The longest side the OCR gets: enough for the text of a letter photographed whole, and
#: cheap to read (a 4000-pixel photo is decoded straight at a quarter of its size).
TARGET_SIDE = 1600


class PhotoRejected(Exception):
    """A photo that cannot be read; ``reply`` says why in one sentence, ``reason`` for logs."""

    def __init__(self, reply: str, reason: str) -> None:
        super().__init__(reason)
        self.reply = reply
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Intake:
    """A photo ready for reading: RGB, at most :data:`TARGET_SIDE` on its longest side."""

    image: Image.Image
    original_size: tuple[int, int]
    format: str


def check_size(size: int) -> None:
    """Refuse more than :data:`MAX_BYTES` (adapters call this before downloading the rest)."""
    if size > MAX_BYTES:
        raise PhotoRejected(TOO_LARGE, f"{size} bytes (limit {MAX_BYTES})")


def load_photo(data: bytes, target_side: int = TARGET_SIDE) -> Intake:
    """Open ``data`` as an image, check it and scale it down to ``target_side``.

    Raises :class:`PhotoRejected` for empty data, more than 10 MB, not an image, more pixels
    than its format's limit (:func:`pixel_limit`: 50 megapixels for JPEG, decoded at a reduced
    size, 24 for the others; checked from the header, before anything is decoded) and truncated
    files.
    """
    if not data:
        raise PhotoRejected(EMPTY, "no bytes")
    check_size(len(data))
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc", b"ftypmsf1"):
        raise PhotoRejected(HEIC, "HEIC/HEIF (Pillow cannot read it)")
    with warnings.catch_warnings():
        # Pillow warns (and raises beyond twice its limit) about decompression bombs; the
        # limit here is our own, checked from the header below.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise PhotoRejected(TOO_MANY_PIXELS, f"decompression bomb: {exc}") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise PhotoRejected(NOT_AN_IMAGE, f"not an image: {type(exc).__name__}") from None
        try:
            return _prepare(image, target_side)
        finally:
            image.close()


def _prepare(image: Image.Image, target_side: int) -> Intake:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise PhotoRejected(NOT_AN_IMAGE, "zero-sized image")
    fmt = image.format or "?"
    limit = pixel_limit(image.format)
    if width * height > limit:
        raise PhotoRejected(
            TOO_MANY_PIXELS, f"{fmt} of {width}x{height} pixels (limit {limit} for {fmt})"
        )
    try:
        if max(width, height) > target_side:
            # JPEG: decode at 1/2, 1/4 or 1/8 scale straight away (fast, little memory).
            image.draft("RGB", _scaled((width, height), target_side))
        image.load()
        image = ImageOps.exif_transpose(image) or image
        if image.mode != "RGB":
            image = _to_rgb(image)
        if max(image.size) > target_side:
            image = image.resize(_scaled(image.size, target_side), Image.Resampling.LANCZOS)
    except Image.DecompressionBombError as exc:
        raise PhotoRejected(TOO_MANY_PIXELS, f"decompression bomb: {exc}") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        # "image file is truncated", broken chunks, bad EXIF ...
        raise PhotoRejected(
            TRUNCATED, f"broken image data: {type(exc).__name__}: {str(exc)[:80]}"
        ) from None
    return Intake(image=image, original_size=(width, height), format=fmt)


def _scaled(size: tuple[int, int], target_side: int) -> tuple[int, int]:
    width, height = size
    factor = target_side / max(width, height)
    return max(1, round(width * factor)), max(1, round(height * factor))


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB with transparency flattened onto white (a screenshot's alpha must not turn black)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")
