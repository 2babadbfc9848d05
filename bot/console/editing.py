"""Editing ``intents/*.yaml`` without disturbing them, and without losing an edit.

* **Round trip**: a file is read and written with ruamel.yaml's round-trip mode, which keeps
  comments, blank lines, quoting and key order. Every edit is then checked twice before it is
  written: the text must differ from the old one by exactly the lines meant (one added or one
  removed line), and the data must equal the old data with exactly that change. An edit that
  would touch anything else is refused, never written.
* **No lost update**: one lock per file, an :class:`asyncio.Lock` within the process and an
  ``fcntl`` lock on a hidden lock file beside it (``.<name>.lock``, which the content watcher
  ignores) for other processes. Inside the lock the file is read again right before the edit
  is applied (compare-and-swap on its hash: when it changed since the caller read it, the
  edit is made on the fresh copy and validated again).
* **Atomic**: the new text goes to a hidden temporary file in the same directory, is synced,
  and replaces the file with :func:`os.replace`; a reader sees the old file or the new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import difflib
import fcntl
import hashlib
import io
import os
import re
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

#: How long an edit waits for another process holding the file's lock.
LOCK_TIMEOUT = 10.0
_LOCK_POLL = 0.02
_SPACES = re.compile(r"\s+")


class EditError(Exception):
    """An edit that cannot be made; the message (Chinese) is shown to the counsellor."""


@dataclass(frozen=True)
class Target:
    """Where an example goes: an intent's ``examples``, or those of one of its direct answers."""

    intent: str
    answer: str | None = None

    @property
    def filename(self) -> str:
        """The intent's file (``check`` makes every intent live in ``<id>.yaml``)."""
        return f"{self.intent}.yaml"

    def describe(self) -> str:
        """For messages: ``intent`` or ``intent / answer``."""
        return self.intent if self.answer is None else f"{self.intent} / {self.answer}"


def text_hash(text: str) -> str:
    """The hash a caller keeps of the text it read (for compare-and-swap)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def example_key(text: str) -> str:
    """An example as ``check`` compares them: without any whitespace."""
    return _SPACES.sub("", text)


def _yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never fold a long line the author wrote on one
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def _load(text: str) -> Any:
    try:
        return _yaml().load(text)
    except Exception as exc:  # ruamel raises many kinds
        raise EditError(f"文件不是有效的 YAML，无法修改：{str(exc).splitlines()[0]}") from exc


def _dump(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _examples(data: Any, target: Target) -> CommentedSeq:
    """The example list ``target`` names in a loaded intent file."""
    if not isinstance(data, CommentedMap) or data.get("id") != target.intent:
        raise EditError(f"文件 {target.filename} 里没有话题 {target.intent}")
    if target.answer is None:
        examples = data.get("examples")
    else:
        answers = data.get("answers")
        found = [
            a
            for a in (answers if isinstance(answers, CommentedSeq) else [])
            if isinstance(a, CommentedMap) and a.get("id") == target.answer
        ]
        if not found:
            raise EditError(f"话题 {target.intent} 下没有直接回答 {target.answer}")
        examples = found[0].get("examples")
    if not isinstance(examples, CommentedSeq):
        raise EditError(f"{target.describe()} 没有例句列表，无法修改")
    return examples


def _split_trailing(token: Any) -> tuple[Any | None, str]:
    """An item's comment token split into what stays on the item's own line (an end-of-line
    comment, or nothing) and what follows it (blank lines and comment lines)."""
    value: str = token.value
    if value.startswith("#"):
        line, _, rest = value.partition("\n")
        kept = copy.copy(token)
        kept.value = line + "\n"
        return kept, rest
    return None, value[1:] if value.startswith("\n") else value


def _with_value(token: Any, value: str) -> Any:
    moved = copy.copy(token)
    moved.value = value
    return moved


def _append(seq: CommentedSeq, text: Any) -> None:
    """Append ``text``; the blank lines and comments that followed the old last item (before
    the next key) move below the new one."""
    last = len(seq) - 1
    seq.append(text)
    entry = seq.ca.items.get(last)
    if last < 0 or not entry or entry[0] is None:
        return
    token = entry[0]
    kept, rest = _split_trailing(token)
    if kept is None:
        del seq.ca.items[last]
    else:
        entry[0] = kept
    if rest:
        seq.ca.items[last + 1] = [_with_value(token, "\n" + rest), None, None, None]


def _remove(seq: CommentedSeq, index: int) -> None:
    """Remove item ``index``; when it is the last one, the blank lines and comments that
    followed it stay (now after the item before it)."""
    last = len(seq) - 1
    entry = seq.ca.items.get(index)
    trailing = ""
    if index == last and entry and entry[0] is not None:
        _, trailing = _split_trailing(entry[0])
    token = entry[0] if entry else None
    comments = dict(seq.ca.items)
    del seq[index]
    # the comments of the items after it move up with them
    seq.ca.items.clear()
    seq.ca.items.update({k - (k > index): v for k, v in comments.items() if k != index})
    if not trailing or index == 0 or token is None:
        return
    before = seq.ca.items.get(index - 1)
    if before and before[0] is not None:
        own, _ = _split_trailing(before[0])
        head = own.value if own is not None else "\n"
        before[0] = _with_value(before[0], head + trailing)
    else:
        seq.ca.items[index - 1] = [_with_value(token, "\n" + trailing), None, None, None]


def _plain(text: str) -> Any:
    return yaml.safe_load(text)


def _changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    added, removed = [], []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line.startswith("+ "):
            added.append(line[2:])
        elif line.startswith("- "):
            removed.append(line[2:])
    return added, removed


def _examples_of(data: Any, target: Target) -> list[str]:
    if target.answer is None:
        return list(data["examples"])
    for answer in data["answers"]:
        if answer["id"] == target.answer:
            return list(answer["examples"])
    return []


def _verify(old: str, new: str, target: Target, expected: list[str], change: str) -> None:
    """The edit changed exactly one line, and the data exactly the example list."""
    added, removed = _changed_lines(old, new)
    if change == "add" and (len(added) != 1 or removed):
        raise EditError("这次修改会改动文件的其他部分，已取消（文件没有改动）")
    if change == "remove" and (len(removed) != 1 or added):
        raise EditError("这次修改会改动文件的其他部分，已取消（文件没有改动）")
    before, after = _plain(old), _plain(new)
    if _examples_of(after, target) != expected:
        raise EditError("修改后的例句列表不对，已取消（文件没有改动）")
    if target.answer is None:
        before["examples"] = after["examples"] = None
    else:
        for data in (before, after):
            for answer in data["answers"]:
                if answer["id"] == target.answer:
                    answer["examples"] = None
    if before != after:
        raise EditError("这次修改会改动文件的其他内容，已取消（文件没有改动）")


def add_example(source: str, target: Target, example: str) -> str:
    """The text of an intent file with ``example`` appended to ``target``'s examples.

    Raises :class:`EditError` when the target is missing, the example is already there
    (ignoring whitespace), or the edit would change anything else."""
    data = _load(source)
    seq = _examples(data, target)
    if any(example_key(str(item)) == example_key(example) for item in seq):
        raise EditError(f"这句已经是 {target.describe()} 的例句")
    expected = [str(item) for item in seq] + [example]
    _append(seq, example)
    new = _dump(data)
    _verify(source, new, target, expected, "add")
    return new


def remove_example(source: str, target: Target, example: str) -> str:
    """The text of an intent file without ``example`` (exactly that text) in ``target``'s
    examples. Raises :class:`EditError` when it is not there (any more)."""
    data = _load(source)
    seq = _examples(data, target)
    items = [str(item) for item in seq]
    if example not in items:
        raise EditError(f"{target.describe()} 的例句里已经没有这一句（已被删除或改动）")
    index = len(items) - 1 - items[::-1].index(example)  # the newest copy
    expected = items[:index] + items[index + 1 :]
    _remove(seq, index)
    new = _dump(data)
    _verify(source, new, target, expected, "remove")
    return new


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path``'s content with ``text`` atomically (same permissions)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a crash
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


@dataclass(frozen=True)
class Written:
    """An edit written: the file's text before and after, and whether the file had changed
    since the caller read it (the edit was then made on the fresh copy)."""

    path: Path
    before: str
    after: str
    rebased: bool


class ContentEditor:
    """Writes edits into the files of one intents directory, one at a time per file."""

    def __init__(self, directory: Path, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.directory = Path(directory)
        self.lock_timeout = lock_timeout
        self._locks: dict[str, asyncio.Lock] = {}  # one per file name: bounded by the files

    def path(self, filename: str) -> Path:
        """The file ``filename`` of the directory (no other directory can be named)."""
        if Path(filename).name != filename or filename.startswith("."):
            raise EditError(f"不是内容文件：{filename}")
        return self.directory / filename

    def read(self, filename: str) -> str:
        """The file's current text."""
        try:
            return self.path(filename).read_text(encoding="utf-8")
        except OSError as exc:
            raise EditError(f"无法读取 {filename}：{exc.strerror}") from exc

    @contextlib.asynccontextmanager
    async def locked(self, filename: str) -> AsyncIterator[None]:
        """Hold ``filename``'s lock: first within this process, then across processes."""
        lock = self._locks.setdefault(filename, asyncio.Lock())
        async with lock:
            lock_path = self.directory / f".{filename}.lock"
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                deadline = time.monotonic() + self.lock_timeout
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise EditError(f"{filename} 正被另一个程序修改，请稍后再试") from None
                        await asyncio.sleep(_LOCK_POLL)
                yield
            finally:
                os.close(fd)  # closing releases the lock

    async def apply(
        self,
        filename: str,
        edit: Callable[[str], str],
        *,
        read_hash: str | None = None,
        validate: Callable[[str], None] | None = None,
    ) -> Written:
        """Apply ``edit`` (old text → new text) to ``filename`` under its lock and write the
        result atomically. ``read_hash``: the hash of the text the caller read and validated;
        when the file has changed since (or no hash is given), the edit is made on the fresh
        text and ``validate`` (new text → raises when unusable) runs on that result before
        anything is written."""
        async with self.locked(filename):
            path = self.path(filename)
            current = self.read(filename)
            rebased = read_hash is not None and text_hash(current) != read_hash
            new = edit(current)
            if validate is not None and (rebased or read_hash is None):
                await asyncio.to_thread(validate, new)
            await asyncio.to_thread(atomic_write, path, new)
        return Written(path, current, new, rebased)


@contextlib.contextmanager
def candidate_directory(directory: Path, filename: str, text: str) -> Iterator[Path]:
    """A temporary copy of the intents ``directory`` in which ``filename`` holds ``text``
    (for loading, checking and evaluating the content as it would be)."""
    with tempfile.TemporaryDirectory(prefix="cuishou-candidate-") as temp:
        copy_dir = Path(temp)
        for source in directory.iterdir():
            if source.is_file() and not source.name.startswith("."):
                shutil.copy2(source, copy_dir / source.name)
        (copy_dir / filename).write_text(text, encoding="utf-8")
        yield copy_dir


# ----- a new direct answer ---------------------------------------------------------------


def _answers_of(data: Any, intent: str) -> CommentedSeq:
    if not isinstance(data, CommentedMap) or data.get("id") != intent:
        raise EditError(f"文件 {intent}.yaml 里没有话题 {intent}")
    answers = data.get("answers")
    if not isinstance(answers, CommentedSeq):
        raise EditError(f"话题 {intent} 还没有直接回答列表，请先在文件里手动加一个")
    return answers


def _plain_answers(text: str) -> tuple[Any, list[Any]]:
    data = _plain(text)
    answers = data.pop("answers", None) if isinstance(data, dict) else None
    return data, list(answers or [])


def add_answer(source: str, intent: str, answer: dict[str, Any]) -> str:
    """The text of ``intent``'s file with ``answer`` (``id``, ``examples``, ``short``,
    ``facts``, ``lenders``? — the question bank's shape) appended to its ``answers``.

    Raises :class:`EditError` when the id is taken or the edit would change anything else
    (the text may only gain lines; the data only this answer)."""
    data = _load(source)
    seq = _answers_of(data, intent)
    if any(isinstance(a, CommentedMap) and a.get("id") == answer["id"] for a in seq):
        raise EditError(f"话题 {intent} 下已经有编号为 {answer['id']} 的回答")
    item = CommentedMap()
    item["id"] = answer["id"]
    item["examples"] = CommentedSeq(answer["examples"])
    item["short"] = answer["short"]
    facts = CommentedSeq(answer["facts"])
    facts.fa.set_flow_style()
    item["facts"] = facts
    if answer.get("lenders") and answer["lenders"] != ["any"]:
        lenders = CommentedSeq(answer["lenders"])
        lenders.fa.set_flow_style()
        item["lenders"] = lenders
    _append(seq, item)
    new = _dump(data)
    added, removed = _changed_lines(source, new)
    if removed or not added:
        raise EditError("这次修改会改动文件的其他部分，已取消（文件没有改动）")
    before, old_answers = _plain_answers(source)
    after, new_answers = _plain_answers(new)
    expected = {k: v for k, v in answer.items() if k != "lenders" or v != ["any"]}
    if before != after or new_answers != [*old_answers, expected]:
        raise EditError("这次修改会改动文件的其他内容，已取消（文件没有改动）")
    return new


def remove_answer(source: str, intent: str, answer_id: str) -> str:
    """The text of ``intent``'s file without the answer ``answer_id`` (to undo
    :func:`add_answer`). Raises :class:`EditError` when it is not there (any more)."""
    data = _load(source)
    seq = _answers_of(data, intent)
    ids = [a.get("id") if isinstance(a, CommentedMap) else None for a in seq]
    if answer_id not in ids:
        raise EditError(f"话题 {intent} 下已经没有回答 {answer_id}（已被删除或改动）")
    index = ids.index(answer_id)
    _remove(seq, index)
    new = _dump(data)
    added, _ = _changed_lines(source, new)
    before, old_answers = _plain_answers(source)
    after, new_answers = _plain_answers(new)
    if added or before != after or new_answers != old_answers[:index] + old_answers[index + 1 :]:
        raise EditError("这次修改会改动文件的其他内容，已取消（文件没有改动）")
    return new
