"""The photo check: read a collection letter, lawyer's letter, mandate, work ID, SMS screenshot
or payment code from a photo and say what is wrong with it.

The flow, one module each: :mod:`~bot.photo.intake` (is it a sound image; downscale) →
:mod:`~bot.photo.reader` (OCR and QR codes in a worker thread, model loaded on first use) →
:mod:`~bot.photo.document` (what kind of paper, what it names) → :mod:`~bot.photo.checks` (what
is wrong, with the rule) → :mod:`~bot.photo.answer` (the replies). The engine calls
:func:`check_photo`; this package imports neither the engine nor any adapter.

Privacy: the image is never stored or logged; the text read is logged only masked, at DEBUG.
Importing this package is cheap: Pillow, OpenCV and the OCR model load with the first photo.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.photo.answer import BUSY, FAILED, UNCLEAR, UNREADABLE, compose, verify_line
from bot.photo.checks import Finding
from bot.photo.document import DocKind, Document, read_document
from bot.photo.reader import PhotoReader, ReaderBusy, Reading, default_reader
from bot.photo.texts import MAX_BYTES
from bot.privacy import mask

log = logging.getLogger(__name__)

__all__ = [
    "MAX_BYTES",
    "DocKind",
    "Document",
    "Finding",
    "PhotoAnswer",
    "PhotoReader",
    "Reading",
    "answer_reading",
    "check_photo",
    "default_reader",
    "read_document",
]


@dataclass(frozen=True)
class PhotoAnswer:
    """The answer to one photo.

    ``intent`` is ``photo_check`` (a paper was recognised), ``fallback`` (text was read but
    not understood: the masked text goes to the unanswered-question record), or
    ``photo_unreadable`` / ``photo_rejected`` / ``photo_busy`` / ``photo_failed``.
    ``masked_text`` is the text read, masked (bot.privacy.mask), for the record only.
    """

    replies: list[str]
    intent: str
    urgent: bool = False
    kind: DocKind = DocKind.UNKNOWN
    findings: list[Finding] = field(default_factory=list)
    masked_text: str = ""
    relevant: bool = False  # worth answering when nobody addressed the bot
    #: what was read off the paper (kept in the conversation: follow-ups about the letter)
    document: Document | None = field(default=None, repr=False)

    @property
    def codes(self) -> list[str]:
        """The codes of the findings (for tests and logs)."""
        return [code for f in self.findings for code in f.codes]


async def check_photo(
    data: bytes, *, in_group: bool = False, reader: PhotoReader | None = None
) -> PhotoAnswer:
    """Read one photo and answer it. Never raises: bad input and failures become a sentence."""
    from bot.photo.intake import PhotoRejected  # Pillow: loaded with the first photo

    reader = reader or default_reader()
    try:
        reading = await reader.read(data)
    except PhotoRejected as exc:
        log.info("photo: rejected (%s)", exc.reason)
        return PhotoAnswer(replies=[exc.reply], intent="photo_rejected")
    except ReaderBusy as exc:
        log.warning("photo: refused, the reader is busy (%s)", exc)
        return PhotoAnswer(replies=[BUSY], intent="photo_busy")
    except Exception:
        log.exception("photo: reading a photo of %d bytes failed", len(data))
        return PhotoAnswer(replies=[FAILED], intent="photo_failed")
    return answer_reading(reading, in_group=in_group)


def answer_reading(reading: Reading, *, in_group: bool = False) -> PhotoAnswer:
    """The answer to what was read from a photo (pure apart from logging)."""
    document = read_document(reading.lines, reading.qr_codes)
    masked = mask(document.text)
    log.info(
        "photo: %dx%d %s read in %.2f s: %d lines, %d QR codes, kind %s",
        reading.size[0],
        reading.size[1],
        reading.format,
        reading.seconds,
        len(reading.lines),
        len(reading.qr_codes),
        document.kind.value,
    )
    if log.isEnabledFor(logging.DEBUG):
        log.debug("photo: text read (masked): %s", masked[:300].replace("\n", " / "))
    if reading.empty:
        return PhotoAnswer(replies=[UNREADABLE], intent="photo_unreadable")
    replies, findings = compose(document, in_group=in_group)
    if document.kind is DocKind.UNKNOWN and not findings:
        return PhotoAnswer(
            replies=[UNCLEAR, verify_line(document)],
            intent="fallback",
            kind=document.kind,
            masked_text=masked,
        )
    return PhotoAnswer(
        replies=replies,
        intent="photo_check",
        kind=document.kind,
        findings=findings,
        urgent=any(f.urgent for f in findings),
        masked_text=masked,
        relevant=True,
        document=document,
    )
