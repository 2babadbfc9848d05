"""Reading a photo: OCR (rapidocr_onnxruntime, PP-OCRv4 models shipped in its wheel) and QR codes
(OpenCV), in a worker thread with bounded concurrency.

Nothing is imported or loaded until the first photo arrives, so a bot that never sees one keeps
its start-up time and memory. The model is loaded once per process and shared. Reading runs in
a thread (onnxruntime and OpenCV release the GIL), at most ``concurrency`` photos at a time, so
other conversations keep being answered meanwhile; a photo that would wait behind too many
others is refused with a "busy" answer instead of queueing for minutes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

#: Lines the OCR is less sure of than this are dropped (its own default is 0.5).
MIN_LINE_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class Reading:
    """What was read from one photo: the text lines in reading order and the QR payloads."""

    lines: tuple[str, ...] = ()
    qr_codes: tuple[str, ...] = ()
    seconds: float = 0.0
    size: tuple[int, int] = (0, 0)  # of the photo as sent
    format: str = ""

    @property
    def text(self) -> str:
        """The lines joined with newlines."""
        return "\n".join(self.lines)

    @property
    def empty(self) -> bool:
        """True when neither text nor a QR code was found."""
        return not self.lines and not self.qr_codes


class ReaderBusy(Exception):
    """Too many photos are waiting to be read."""


@dataclass
class PhotoReader:
    """OCR and QR decoding, loaded on first use; safe to share between tasks and threads.

    ``concurrency`` photos are read at once (each OCR uses ``threads`` cores); up to
    ``max_waiting`` more wait their turn, beyond that :meth:`read` raises :class:`ReaderBusy`.
    """

    concurrency: int = 1
    threads: int = 0  # 0: as many as the machine has, at most 2
    max_waiting: int = 8
    _ocr: Any = field(default=None, init=False, repr=False)
    _load_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    # One semaphore per event loop (an asyncio primitive belongs to the loop it first waited
    # on; tests and reloads may run several loops over one shared reader).
    _semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = field(
        default_factory=weakref.WeakKeyDictionary, init=False, repr=False
    )
    _waiting: int = field(default=0, init=False, repr=False)

    @property
    def loaded(self) -> bool:
        """True once the OCR model is in memory."""
        return self._ocr is not None

    def load(self) -> Any:
        """Load the OCR model (once; later calls return it). Blocking: call from a thread."""
        with self._load_lock:
            if self._ocr is None:
                started = time.monotonic()
                from rapidocr_onnxruntime import RapidOCR

                threads = self.threads or min(2, os.cpu_count() or 1)
                self._ocr = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
                log.info(
                    "photo: OCR model loaded in %.1f s (%d thread%s)",
                    time.monotonic() - started,
                    threads,
                    "" if threads == 1 else "s",
                )
            return self._ocr

    async def read(self, photo: bytes | Image.Image) -> Reading:
        """Read a photo (file bytes, or an image already taken in) in a worker thread, waiting
        for a free slot; ReaderBusy when too many photos already wait, PhotoRejected (from
        bot.photo.intake) for bytes that are not a sound photo. Decoding happens in the slot
        too, so neither a big photo's decoding nor its memory is multiplied by a crowd."""
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = asyncio.Semaphore(self.concurrency)
        if semaphore.locked() and self._waiting >= self.max_waiting:
            raise ReaderBusy(f"{self._waiting} photos are waiting")
        self._waiting += 1
        try:
            await semaphore.acquire()
        finally:
            self._waiting -= 1
        try:
            return await asyncio.to_thread(self.read_now, photo)
        finally:
            semaphore.release()

    def read_now(self, photo: bytes | Image.Image) -> Reading:
        """Read a photo in this thread (blocking). Bytes are checked and scaled down first
        (PhotoRejected when they are not a sound photo), before the model is loaded."""
        import numpy as np

        started = time.monotonic()
        size, fmt = (0, 0), "image"
        if isinstance(photo, bytes | bytearray):
            from bot.photo.intake import load_photo

            intake = load_photo(bytes(photo))
            image, size, fmt = intake.image, intake.original_size, intake.format
        else:
            image, size = photo, photo.size
        ocr = self.load()
        pixels = np.asarray(image.convert("RGB"))[:, :, ::-1].copy()  # OpenCV order: BGR
        result, _ = ocr(pixels)
        lines = tuple(
            str(text).strip()
            for _, text, score in (result or [])
            if float(score) >= MIN_LINE_SCORE and str(text).strip()
        )
        qr_codes = decode_qr_codes(pixels)
        return Reading(
            lines=lines,
            qr_codes=qr_codes,
            seconds=time.monotonic() - started,
            size=size,
            format=fmt,
        )


def decode_qr_codes(pixels: Any) -> tuple[str, ...]:
    """The payloads of the QR codes in a BGR pixel array (OpenCV's QRCodeDetector)."""
    import cv2

    found: list[str] = []
    detector = cv2.QRCodeDetector()
    gray = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    for candidate in (gray, _upscaled(gray, cv2)):
        if candidate is None:
            continue
        try:
            ok, payloads, _, _ = detector.detectAndDecodeMulti(candidate)
        except cv2.error:
            ok, payloads = False, ()
        if not ok or not any(payloads):
            try:
                payload, _, _ = detector.detectAndDecode(candidate)
            except cv2.error:
                payload = ""
            payloads = (payload,)
        for payload in payloads:
            if payload and payload not in found:
                found.append(payload)
        if found:
            break
    return tuple(found)


def _upscaled(gray: Any, cv2: Any) -> Any:
    """A small screenshot's QR code is easier to find at twice the size."""
    height, width = gray.shape[:2]
    if max(height, width) > 1000:
        return None
    return cv2.resize(gray, (width * 2, height * 2), interpolation=cv2.INTER_NEAREST)


_default: PhotoReader | None = None


def default_reader(concurrency: int = 1, threads: int = 0, max_waiting: int = 8) -> PhotoReader:
    """The process's shared reader (the model is loaded once, on the first photo). The
    settings of the first call make it; later calls get the same reader."""
    global _default
    if _default is None:
        _default = PhotoReader(concurrency=concurrency, threads=threads, max_waiting=max_waiting)
    return _default
