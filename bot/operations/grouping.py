"""Grouping similar messages: the one grouping of the code base (``report`` and the console's
inbox both use it).

Two messages land in one group when they ask the same thing in slightly different words.
Each text is first reduced to a *key*:

1. the bot's own normaliser (bot/understanding/normalize.py): Traditional → Simplified,
   full-width → half-width, lower case, emoji and WeChat emoji codes removed, the lexicon's
   variant spellings (崔收 → 催收) replaced;
2. every number, masked or not (``138****5678``, ``13812345678``, ``3万``'s ``3``), becomes
   one ``0``; masked names and addresses (``**``) go the same way;
3. punctuation and spaces are dropped, and so are the particles that end a clause
   (了, 吗, 啊, 呢, 吧, 呀, 嘛 …), which add a tone but no question.

Two keys are similar when :func:`rapidfuzz.fuzz.ratio` (the normalised Indel similarity of
the characters: one typo in ten characters still scores 0.9) or the same on their jieba
words in sorted order (a question asked the other way round) reaches ``threshold``.
Messages are then grouped by union–find over every similar pair (single linkage), on
the distinct keys in sorted order, so the output does not depend on the order of the
records.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from bot.content import Content, Lexicon
from bot.storage.turns.base import TurnRecord
from bot.understanding.normalize import Normalizer

#: Two keys at least this similar (0–1) are in one group.
DEFAULT_THRESHOLD = 0.8
#: At most this many distinct keys are grouped (the most frequent, then the newest); the rest
#: are left out (counted in :attr:`Grouping.left_out`), so grouping stays fast whatever the log.
MAX_DISTINCT = 4000
#: Rows of the similarity matrix computed at a time (bounds the memory: 4 bytes × rows ×
#: distinct keys).
_CHUNK = 256

# Numbers with their separators, and the stars of masked numbers, names and addresses.
_NUMBERS = re.compile(r"[\d*]+(?:[ .\-/:][\d*]+)*")
_NOT_WORD = re.compile(r"[\W_]+")
# The particles that end a clause ("他们来了吗" asks what "他们来" asks).
_PARTICLES = re.compile(r"[了吗嘛吧呢啊呀哦哈啦么哇喔噢]+$")
_NUMBER_TOKEN = "0"


@lru_cache(maxsize=1)
def _default_normalizer() -> Normalizer:
    return Normalizer(Lexicon())


@lru_cache(maxsize=1)
def _default_cut() -> Callable[[str], list[str]]:
    from bot.understanding.segment import Segmenter

    return Segmenter(()).cut


class Grouper:
    """Reduces texts to keys and groups them (see the module docstring).

    ``normalizer`` and ``cut`` are the bot's (:meth:`for_content` takes them from a loaded
    content set); without them a normaliser without a lexicon and a tokenizer without the
    domain dictionary are built on first use.
    """

    def __init__(
        self,
        normalizer: Normalizer | None = None,
        cut: Callable[[str], list[str]] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        if not 0 < threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        self._normalizer = normalizer
        self._cut = cut
        self.threshold = threshold

    @classmethod
    def for_content(cls, content: Content, threshold: float = DEFAULT_THRESHOLD) -> Grouper:
        """A grouper reading text as the bot does with ``content`` (its lexicon and dictionary)."""
        from bot.understanding.segment import Segmenter

        return cls(Normalizer(content.lexicon), Segmenter(content.dictionary).cut, threshold)

    def key(self, text: str) -> str:
        """The text as compared (see the module docstring); "" when nothing is left."""
        normalizer = self._normalizer or _default_normalizer()
        text = normalizer.normalize(text).text
        text = _NUMBERS.sub(_NUMBER_TOKEN, text)
        clauses = (_PARTICLES.sub("", clause) for clause in _NOT_WORD.split(text))
        return "".join(clauses)

    def words(self, key: str) -> str:
        """The key's words in sorted order, space-separated (for reordered questions)."""
        cut = self._cut or _default_cut()
        return " ".join(sorted(word for word in cut(key) if word.strip()))

    def similarity(self, a: str, b: str) -> float:
        """How alike two keys are, 0–1."""
        chars = fuzz.ratio(a, b)
        words = fuzz.ratio(self.words(a), self.words(b))
        return max(chars, words) / 100

    def similar_pairs(self, left: Sequence[str], right: Sequence[str]) -> Iterator[tuple[int, int]]:
        """Every (i, j) with ``left[i]`` and ``right[j]`` similar (keys), row by row."""
        if not left or not right:
            return
        left_words = [self.words(key) for key in left]
        right_words = left_words if right is left else [self.words(key) for key in right]
        cutoff = np.float32(self.threshold * 100 - 1e-4)
        for start in range(0, len(left), _CHUNK):
            rows = slice(start, min(start + _CHUNK, len(left)))
            similar = (
                np.maximum(
                    process.cdist(left[rows], right, scorer=fuzz.ratio, dtype=np.float32),
                    process.cdist(
                        left_words[rows], right_words, scorer=fuzz.ratio, dtype=np.float32
                    ),
                )
                >= cutoff
            )
            for row, column in zip(*np.nonzero(similar), strict=True):
                yield start + int(row), int(column)

    def clusters(self, keys: Sequence[str]) -> list[list[int]]:
        """Indices of ``keys`` (distinct, non-empty) in groups: each group sorted, groups in
        the order of their first index."""
        n = len(keys)
        parent = list(range(n))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        if n > 1:
            for i, j in self.similar_pairs(keys, keys):
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        groups: dict[int, list[int]] = {}
        for i in range(n):
            groups.setdefault(find(i), []).append(i)
        return list(groups.values())


def signature(keys: Iterable[str]) -> str:
    """A short stable id of a group: a hash of its smallest key."""
    return hashlib.sha256(min(keys).encode()).hexdigest()[:12]


@dataclass
class MessageGroup:
    """Similar messages that kept their text: counts, members (masked), the bot's guesses."""

    signature: str
    keys: frozenset[str]
    count: int = 0
    fallback: int = 0
    clarify: int = 0
    low_confidence: int = 0
    first_seen: float = float("inf")
    last_seen: float = 0.0
    texts: Counter[str] = field(default_factory=Counter)
    scores: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    #: who wrote each text: the salted hashes of the records (for "删除我的记录")
    authors: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, record: TurnRecord) -> None:
        """Count one record in."""
        self.count += 1
        if record.intent == "fallback":
            self.fallback += 1
        elif record.intent == "clarify":
            self.clarify += 1
        else:
            self.low_confidence += 1
        self.first_seen = min(self.first_seen, record.at)
        self.last_seen = max(self.last_seen, record.at)
        self.texts[record.text or ""] += 1
        if record.user:
            self.authors[record.text or ""].add(record.user)
        for guess in record.guesses:
            self.scores[guess.intent] += guess.score

    @property
    def representative(self) -> str:
        """The most frequent text (masked); the first in sorted order among equals."""
        return min(self.texts.items(), key=lambda item: (-item[1], item[0]))[0]

    def members(self, limit: int | None = None) -> list[tuple[str, int]]:
        """The distinct texts with their counts, most frequent first."""
        ranked = sorted(self.texts.items(), key=lambda item: (-item[1], item[0]))
        return ranked if limit is None else ranked[:limit]

    def guesses(self, limit: int = 3) -> list[tuple[str, float]]:
        """The likeliest intents over the group: mean score per message, best first."""
        ranked = sorted(self.scores.items(), key=lambda item: (-item[1], item[0]))
        return [(intent, total / self.count) for intent, total in ranked[:limit]]


@dataclass
class Grouping:
    """The groups of a set of records, largest first; ``left_out``: records not grouped
    because more than :data:`MAX_DISTINCT` distinct texts were found."""

    groups: list[MessageGroup]
    left_out: int = 0


def group_records(
    records: Iterable[TurnRecord],
    grouper: Grouper | None = None,
    *,
    include: Callable[[TurnRecord], bool] | None = None,
    max_distinct: int = MAX_DISTINCT,
) -> Grouping:
    """Group the records that kept their text for review (not for the safety view alone) and
    pass ``include``; largest groups first,
    equal sizes by signature, so the same records always give the same output."""
    grouper = grouper or Grouper()
    by_key: dict[str, list[TurnRecord]] = {}
    keys_of: dict[str, str] = {}
    for record in records:
        if not record.text or record.safety_only or (include is not None and not include(record)):
            continue
        key = keys_of.get(record.text)
        if key is None:
            key = keys_of[record.text] = grouper.key(record.text) or record.text
        by_key.setdefault(key, []).append(record)
    ranked = sorted(by_key, key=lambda k: (-len(by_key[k]), -max(r.at for r in by_key[k]), k))
    kept = sorted(ranked[:max_distinct])
    left_out = sum(len(by_key[k]) for k in ranked[max_distinct:])
    groups = []
    for indices in grouper.clusters(kept):
        keys = frozenset(kept[i] for i in indices)
        group = MessageGroup(signature=signature(keys), keys=keys)
        for key in sorted(keys):
            for record in by_key[key]:
                group.add(record)
        groups.append(group)
    groups.sort(key=lambda g: (-g.count, g.signature))
    return Grouping(groups, left_out)
