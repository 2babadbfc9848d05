"""Word segmentation with a private jieba tokenizer and the domain dictionary.

jieba's module-level tokenizer is global state shared by every importer, and its default cache
file in /tmp collides between users. We build our own :class:`jieba.Tokenizer`, point its cache
at the per-user cache directory, add the domain dictionary, and initialise it once at start-up.
A reload builds a new :class:`Segmenter` rather than adding words to a live one, since
``add_word`` while another task calls ``cut`` is not safe.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jieba
import platformdirs

# jieba logs its start-up ("Building prefix dict ...") at DEBUG on its own logger; keep it quiet.
jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]")


def cache_dir() -> Path:
    """A writable per-user cache directory for jieba's prefix dictionary."""
    path = Path(os.environ.get("CUISHOU_BOT_CACHE") or platformdirs.user_cache_dir("cuishou-bot"))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        path = Path(platformdirs.user_cache_dir("cuishou-bot", ensure_exists=False))
    return path


#: jieba's main dictionary is trimmed to words at least this frequent: the 350 000-word
#: dictionary costs about 45 MB more memory and half a second more start-up, and the rare
#: words it adds (names, classical terms) do not change a single classification of the test
#: set; the domain words come from our own dictionary anyway.
MIN_WORD_FREQUENCY = 5


def trimmed_dictionary(directory: Path) -> Path:
    """jieba's dictionary without its rarest words, written once into ``directory``."""
    target = directory / f"jieba-dict-f{MIN_WORD_FREQUENCY}.txt"
    if target.exists():
        return target
    source = Path(jieba.__file__).resolve().parent / "dict.txt"
    kept = []
    with source.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) >= MIN_WORD_FREQUENCY:
                kept.append(line if line.endswith("\n") else line + "\n")
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text("".join(kept), encoding="utf-8")
    partial.replace(target)  # atomic: a concurrent start never reads half a file
    return target


#: Segmentations remembered, of messages up to CACHEABLE_CHARS long. Chat repeats itself
#: ("没有", "1", "详细", "你好", the same question asked by many people), and jieba's pure-Python
#: segmentation is the largest single cost of understanding a short message.
CACHE_SIZE = 8192
CACHEABLE_CHARS = 64


class Segmenter:
    """Splits normalised text into words, using the domain dictionary."""

    def __init__(self, dictionary: Iterable[tuple[str, int | None, str | None]]) -> None:
        directory = cache_dir()
        tokenizer = jieba.Tokenizer(str(trimmed_dictionary(directory)))
        tokenizer.tmp_dir = str(directory)
        tokenizer.initialize()
        for word, freq, tag in dictionary:
            tokenizer.add_word(word, freq, tag)
        self._tokenizer = tokenizer
        self._cached = lru_cache(maxsize=CACHE_SIZE)(self._segment)

    def cut(self, text: str) -> list[str]:
        """The words of ``text`` that carry meaning (no spaces or punctuation)."""
        words = self._cached(text) if len(text) <= CACHEABLE_CHARS else self._segment(text)
        return list(words)

    def cache_clear(self) -> None:
        """Forget remembered segmentations (the benchmark measures without them too)."""
        self._cached.cache_clear()

    def _segment(self, text: str) -> tuple[str, ...]:
        return tuple(w for w in self._tokenizer.cut(text, HMM=False) if _WORD.search(w))
