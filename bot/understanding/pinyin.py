"""Reading messages typed in pinyin ("dianhua hongzha zenme ban" → 电话轰炸怎么办).

People on old phones, abroad, or too frightened to switch input methods type toneless pinyin.
We invert pinyin for the vocabulary the bot knows (the words of its examples, keywords and
dictionary; the pinyin itself comes from the pypinyin library) and read a Latin run as the
sequence of known words that covers it with the fewest pieces. A run that cannot be covered
completely is left as it was, so English words and brand names are not mangled.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from bot.content import Content
from bot.signs import GAP
from bot.understanding.segment import Segmenter, cache_dir

log = logging.getLogger(__name__)

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_SEPARATORS = re.compile(r"[\s']+")
#: Cost of a single character when no known word covers a syllable (words cost 1).
_CHAR_COST = 1.6
#: The longest word (in Latin letters) looked up.
_MAX_KEY = 30


class PinyinReader:
    """Turns toneless pinyin into the bot's known words."""

    def __init__(self, words: dict[str, str], chars: dict[str, str], digest: str = "") -> None:
        self._words = words
        self._chars = chars
        #: a hash of what the index was built from ("" when built by hand): readings of
        #: Latin text made with two readers of one digest are the same
        self.digest = digest

    @classmethod
    def build(
        cls,
        vocabulary: Iterable[str],
        overrides: dict[str, str] | None = None,
        directory: Path | None = None,
    ) -> PinyinReader:
        """Index ``vocabulary`` by its pinyin. The index is cached in ``directory`` (the
        per-user cache) by a hash of its input: pypinyin's dictionaries cost about 50 MB of
        memory, so they are loaded only when the vocabulary changed."""
        counts = Counter(w for w in vocabulary if _CJK.match(w))
        overrides = overrides or {}
        digest = hashlib.sha256(
            json.dumps(
                [sorted(counts.items()), sorted(overrides.items())], ensure_ascii=False
            ).encode()
        ).hexdigest()[:16]
        path = (directory or cache_dir()) / f"pinyin-{digest}.json"
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            return cls(cached["words"], cached["chars"], digest)
        except (OSError, ValueError, KeyError, TypeError):
            pass
        words, chars = cls._index(counts, overrides)
        try:
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(
                json.dumps({"words": words, "chars": chars}, ensure_ascii=False), encoding="utf-8"
            )
            partial.replace(path)
        except OSError as exc:
            log.warning("cannot cache the pinyin index in %s: %s", path.parent, exc.strerror)
        return cls(words, chars, digest)

    @staticmethod
    def _index(
        counts: Counter[str], overrides: dict[str, str]
    ) -> tuple[dict[str, str], dict[str, str]]:
        from pypinyin import lazy_pinyin  # ~50 MB: only when the index is not cached

        words: dict[str, tuple[int, str]] = {}
        chars: dict[str, tuple[int, str]] = {}
        for word, count in sorted(counts.items()):
            key = "".join(lazy_pinyin(word))
            table = chars if len(word) == 1 else words
            if key not in table or table[key][0] < count:
                table[key] = (count, word)
            for ch in word:  # every character known, for syllables no word covers
                ch_key = "".join(lazy_pinyin(ch))
                if ch_key not in chars or chars[ch_key][0] < count:
                    chars[ch_key] = (count, ch)
        for key, value in overrides.items():
            words[_SEPARATORS.sub("", key.lower())] = (1 << 30, value)
        return ({k: v for k, (_, v) in words.items()}, {k: v for k, (_, v) in chars.items()})

    def read(self, run: str, words_only: bool = False) -> str | None:
        """The Chinese reading of a Latin ``run`` (lower case), or None if it is not pinyin.
        ``words_only``: only a reading made of whole known words ("lixi" → 利息, "cuishou" →
        催收) — in an English message "mate", "die" or "hang" are English words, not
        syllables read one character at a time."""
        text = _SEPARATORS.sub("", run)
        n = len(text)
        if n < 2 or n > 400:
            return None
        inf = float("inf")
        best: list[tuple[float, int, str]] = [(inf, -1, "")] * (n + 1)
        best[0] = (0.0, -1, "")
        for start in range(n):
            cost = best[start][0]
            if cost == inf:
                continue
            for end in range(start + 1, min(n, start + _MAX_KEY) + 1):
                piece = text[start:end]
                word = self._words.get(piece)
                step = 1.0
                if word is None and not words_only:
                    word = self._chars.get(piece)
                    step = _CHAR_COST
                if word is not None and cost + step < best[end][0]:
                    best[end] = (cost + step, start, word)
        if best[n][0] == inf:
            return None
        pieces = []
        end = n
        while end > 0:
            _, start, word = best[end]
            pieces.append(word)
            end = start
        return "".join(reversed(pieces))


def vocabulary(content: Content, segmenter: Segmenter) -> list[str]:
    """The words the bot knows (with repeats, so frequent words win pinyin ties)."""
    words = [word for word, _, _ in content.dictionary]
    for spec in content.intents:
        for example in spec.examples:
            words.extend(segmenter.cut(example))
        words.extend(w for group in spec.keyword_groups for w in group)
        words.extend(spec.urgent_keywords)
    for signal in content.signals.signals:  # so pinyin of a signal reads as its characters
        words.extend(part for phrase in signal.phrases for part in phrase.split(GAP))
    return words
