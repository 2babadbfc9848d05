"""The readings of the fixed texts a reader is built from, kept and shipped.

Building a reader reads about 10,000 fixed texts: the intents' and answers' examples, the
labelled real questions, the keywords. Reading one (normalising, segmenting, extracting its
features) is a pure function of the text, the lexicon, the dictionary, the names the bot is
addressed by, the reading code, and — for text with Latin letters only — the pinyin index. A
:class:`ReadingStore` keeps readings under a hash of exactly those inputs (:class:`Keys`), so a
reading is never used with anything else:

- in a process, readers built for the same vocabulary share one store (tests and reloads build
  many content versions; an edited example is read, the others are not read again);
- ``python -m bot train`` exports the readings of the shipped content next to the weights
  (``readings.json.gz``); a process whose keys match starts from them instead of reading every
  text again (start-up), and ``check`` says when the file no longer matches (start-up is then
  slower, never wrong).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bot.content import Lexicon

log = logging.getLogger(__name__)

FILE_NAME = "readings.json.gz"
FORMAT = 1
#: the code a reading depends on (a change to any of them makes shipped readings stale)
_CODE = (
    "normalize.py",
    "segment.py",
    "language.py",
    "readings.py",
    "pinyin.py",
    "classifier.py",
)
_LIBRARIES = ("jieba", "OpenCC", "pypinyin")
#: readings kept per store, and stores kept per process (each store is a few MB)
STORE_LIMIT = 40_000
STORES_KEPT = 4

_LATIN = re.compile(r"[A-Za-z]")


def has_latin(text: str) -> bool:
    """True when ``text`` (after NFKC, so full-width letters count) has a Latin letter: its
    reading then depends on the pinyin index too."""
    return bool(_LATIN.search(text)) or (
        not text.isascii() and bool(_LATIN.search(unicodedata.normalize("NFKC", text)))
    )


@cache
def code_digest() -> str:
    """A hash of the reading code and of the libraries it reads with."""
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _CODE:
        h.update(name.encode())
        h.update((here / name).read_bytes())
    for library in _LIBRARIES:
        try:
            h.update(f"{library}={version(library)}".encode())
        except PackageNotFoundError:
            h.update(f"{library}=-".encode())
    return h.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Keys:
    """What a reading depends on: ``plain`` for text without Latin letters, ``latin`` (the
    plain key and the pinyin index) for text with them."""

    plain: str
    latin: str

    @classmethod
    def of(
        cls,
        lexicon: Lexicon,
        dictionary: object,
        bot_names: Iterable[str],
        pinyin_digest: str,
    ) -> Keys:
        h = hashlib.sha256()
        for part in (repr(lexicon), repr(dictionary), repr(tuple(bot_names)), code_digest()):
            h.update(part.encode())
            h.update(b"\0")
        plain = h.hexdigest()[:16]
        latin = hashlib.sha256(f"{plain}:{pinyin_digest}".encode()).hexdigest()[:16]
        return cls(plain, latin)


class ReadingStore:
    """Readings of fixed texts under one set of :class:`Keys` (see the module docstring)."""

    def __init__(self, keys: Keys | None) -> None:
        #: None: a private store (a reader built by hand), never shared nor exported
        self.keys = keys
        self._features: dict[str, tuple[str, ...]] = {}
        self._normal: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._features) + len(self._normal)

    def features(self, text: str, read: Callable[[str], tuple[str, ...]]) -> tuple[str, ...]:
        """The features of ``text``: kept, or ``read(text)`` (then kept while there is room)."""
        found = self._features.get(text)
        if found is None:
            found = read(text)
            if len(self._features) < STORE_LIMIT:
                self._features[text] = found
        return found

    def normal(self, text: str, read: Callable[[str], str]) -> str:
        """The normalised form of a fixed word (a keyword): kept, or ``read(text)``."""
        found = self._normal.get(text)
        if found is None:
            found = read(text)
            if len(self._normal) < STORE_LIMIT:
                self._normal[text] = found
        return found

    # -- the shipped file ----------------------------------------------------------------------

    def export(self, path: Path) -> int:
        """Write every reading to ``path`` (atomically); the number written."""
        if self.keys is None:
            raise ValueError("a private store has no keys to be exported under")
        sections: dict[str, dict[str, dict[str, object]]] = {"plain": {}, "latin": {}}
        for text, features in self._features.items():
            section = "latin" if has_latin(text) else "plain"
            sections[section].setdefault("features", {})[text] = "\t".join(features)
        for text, normal in self._normal.items():
            section = "latin" if has_latin(text) else "plain"
            sections[section].setdefault("normal", {})[text] = normal
        document = {
            "format": FORMAT,
            "plain": {"key": self.keys.plain, **sections["plain"]},
            "latin": {"key": self.keys.latin, **sections["latin"]},
        }
        data = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
        tmp = path.with_name(f".{path.name}.tmp")
        # mtime 0: the same readings make the same bytes (no churn in the repository)
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            out.write(data)
        tmp.replace(path)
        return len(self)

    def seed(self, path: Path) -> int:
        """Take the readings in ``path`` whose keys match this store's; the number taken (0
        when the file is missing, unreadable or made for other inputs)."""
        if self.keys is None:
            return 0
        document = _read(path)
        if document is None:
            return 0
        taken = 0
        for name, key in (("plain", self.keys.plain), ("latin", self.keys.latin)):
            section = document.get(name)
            if not isinstance(section, dict) or section.get("key") != key:
                continue
            for text, joined in section.get("features", {}).items():
                if text not in self._features and len(self._features) < STORE_LIMIT:
                    self._features[text] = tuple(joined.split("\t")) if joined else ()
                    taken += 1
            for text, normal in section.get("normal", {}).items():
                if text not in self._normal and len(self._normal) < STORE_LIMIT:
                    self._normal[text] = normal
                    taken += 1
        return taken


def _read(path: Path) -> dict[str, object] | None:
    try:
        document = json.loads(gzip.decompress(path.read_bytes()))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError) as exc:
        log.warning("cannot read the shipped readings %s: %s", path, exc)
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    return document


def file_status(keys: Keys, path: Path) -> str | None:
    """None when ``path`` holds readings made for ``keys``; otherwise what is wrong."""
    document = _read(path)
    if document is None:
        return f"{path} is missing or unreadable"
    for name, key in (("plain", keys.plain), ("latin", keys.latin)):
        section = document.get(name)
        if not isinstance(section, dict) or section.get("key") != key:
            return f"the {name} readings in {path} were made for other content or code"
    return None


_STORES: dict[Keys, ReadingStore] = {}


def shared_store(keys: Keys, path: Path | None) -> ReadingStore:
    """The process's store for ``keys``, seeded from ``path`` when it is first made."""
    store = _STORES.get(keys)
    if store is None:
        if len(_STORES) >= STORES_KEPT:
            _STORES.clear()
        store = _STORES[keys] = ReadingStore(keys)
        if path is not None:
            store.seed(path)
    return store
