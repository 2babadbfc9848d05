"""Word segmentation with a private jieba tokenizer and the domain dictionary.

jieba's module-level tokenizer is global state shared by every importer, and its default cache
file in /tmp collides between users. We build our own :class:`jieba.Tokenizer`, point its cache
at the per-user cache directory, add the domain dictionary, and initialise it once at start-up.
A reload builds a new :class:`Segmenter` rather than adding words to a live one, since
``add_word`` while another task calls ``cut`` is not safe.
"""

from __future__ import annotations

import logging
import math
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
#: the blocks of text jieba segments with its dictionary (the rest it splits by character)
_HAN_BLOCK: re.Pattern[str] = jieba.re_han_default
#: one-character words jieba joins into a run (``jieba.re_eng``: [a-zA-Z0-9])
_ENGLISH_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


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
        #: jieba's dictionary: word → frequency, and every prefix of a word (frequency 0)
        self._freq: dict[str, int] = tokenizer.FREQ
        self._log_total = math.log(tokenizer.total)
        self._cached = lru_cache(maxsize=CACHE_SIZE)(self._segment)

    def cut(self, text: str) -> list[str]:
        """The words of ``text`` that carry meaning (no spaces or punctuation)."""
        words = self._cached(text) if len(text) <= CACHEABLE_CHARS else self._segment(text)
        return list(words)

    def cache_clear(self) -> None:
        """Forget remembered segmentations (the benchmark measures without them too)."""
        self._cached.cache_clear()

    def _segment(self, text: str) -> tuple[str, ...]:
        """``jieba.Tokenizer.cut(text, HMM=False)``, the words with meaning kept: the same
        words, found without jieba's generators and intermediate dictionaries."""
        words: list[str] = []
        for block in _HAN_BLOCK.split(text):
            if not block:
                continue
            if _HAN_BLOCK.match(block):
                words += self._cut_block(block)
            else:  # jieba yields runs of spaces whole and anything else by character
                words += block
        return tuple(w for w in words if _WORD.search(w))

    def _cut_block(self, block: str) -> list[str]:
        """jieba's ``__cut_DAG_NO_HMM`` of one block: the most probable path through the
        dictionary words (ties to the longer word), runs of single Latin letters and digits
        joined. Every score is computed as jieba computes it, so the same path wins."""
        freq = self._freq
        log = math.log
        log_total = self._log_total
        n = len(block)
        score: list[float] = [0.0] * (n + 1)
        end: list[int] = [0] * (n + 1)
        for start in range(n - 1, -1, -1):
            best_score = 0.0
            best_end = -1
            i = start
            count = freq.get(block[start])
            while count is not None:  # a word or the prefix of one
                if count:
                    candidate = log(count) - log_total + score[i + 1]
                    if best_end < 0 or candidate >= best_score:
                        best_score, best_end = candidate, i
                i += 1
                if i == n:
                    break
                count = freq.get(block[start : i + 1])
            if best_end < 0:  # no word starts here: the character alone (frequency 1)
                best_score, best_end = log(1) - log_total + score[start + 1], start
            score[start] = best_score
            end[start] = best_end
        words: list[str] = []
        buffer = ""
        x = 0
        while x < n:
            y = end[x] + 1
            word = block[x:y]
            if len(word) == 1 and word in _ENGLISH_CHARS:
                buffer += word
            else:
                if buffer:
                    words.append(buffer)
                    buffer = ""
                words.append(word)
            x = y
        if buffer:
            words.append(buffer)
        return words
