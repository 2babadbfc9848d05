"""Editing intents/*.yaml (bot/desk/editing.py): the round trip keeps every comment and
line, concurrent edits of one file (tasks and processes) lose nothing, writes are atomic."""

from __future__ import annotations

import asyncio
import difflib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from bot.console.editing import (
    ContentEditor,
    EditError,
    Target,
    add_example,
    remove_example,
    text_hash,
)
from bot.content import default_intents_dir, load_content
from tests.console.desk import copy_intents

ROOT = Path(__file__).resolve().parents[2]

COMMENTED = """\
# A hand-written file: comments, blank lines, quoting and key order must survive.
id: x   # the id
title: "标题"
examples:
  - 第一句   # about the first
  - '第二句'

  # the keywords follow
keywords:
  - 甲|乙
answers:
  - id: a1
    examples:
      - 问一   # q1
      - 问二
    short: 答
"""


def diff(old: str, new: str) -> tuple[list[str], list[str]]:
    lines = list(difflib.ndiff(old.splitlines(), new.splitlines()))
    return (
        [line[2:] for line in lines if line.startswith("+ ")],
        [line[2:] for line in lines if line.startswith("- ")],
    )


def test_adding_an_example_adds_exactly_one_line_and_keeps_the_comments() -> None:
    new = add_example(COMMENTED, Target("x"), "第三句")
    assert diff(COMMENTED, new) == (["  - 第三句"], [])
    assert new.index("  - 第三句") < new.index("  # the keywords follow")  # before the comment
    answer = add_example(COMMENTED, Target("x", "a1"), "问三: 带冒号")
    assert diff(COMMENTED, answer) == (["      - '问三: 带冒号'"], [])
    assert yaml.safe_load(answer)["answers"][0]["examples"][-1] == "问三: 带冒号"
    # and back: exactly the original text
    assert remove_example(new, Target("x"), "第三句") == COMMENTED
    assert remove_example(answer, Target("x", "a1"), "问三: 带冒号") == COMMENTED


def test_removing_an_example_removes_exactly_its_line() -> None:
    new = remove_example(COMMENTED, Target("x"), "第二句")
    assert diff(COMMENTED, new) == ([], ["  - '第二句'"])
    assert "  # the keywords follow" in new
    first = remove_example(COMMENTED, Target("x", "a1"), "问一")
    assert diff(COMMENTED, first) == ([], ["      - 问一   # q1"])


NOT_INTENTS = ("facts.yaml", "lexicon.yaml", "warning_signs.yaml")
INTENT_FILES = sorted(p for p in default_intents_dir().glob("*.yaml") if p.name not in NOT_INTENTS)


@pytest.mark.parametrize("path", INTENT_FILES, ids=lambda p: p.name)
def test_every_shipped_intent_file_round_trips(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    data = yaml.safe_load(source)
    target = Target(data["id"])
    new = add_example(source, target, "一句新的例句")
    assert diff(source, new) == (["  - 一句新的例句"], [])
    assert remove_example(new, target, "一句新的例句") == source
    for answer in data.get("answers", []):
        answer_target = Target(data["id"], answer["id"])
        new = add_example(source, answer_target, "一句新的问法")
        assert diff(source, new) == (["      - 一句新的问法"], [])
        assert remove_example(new, answer_target, "一句新的问法") == source


def test_refusals() -> None:
    with pytest.raises(EditError, match="已经是"):
        add_example(COMMENTED, Target("x"), "第 一 句")  # whitespace does not count
    with pytest.raises(EditError, match="没有话题"):
        add_example(COMMENTED, Target("y"), "新的")
    with pytest.raises(EditError, match="没有直接回答"):
        add_example(COMMENTED, Target("x", "nope"), "新的")
    with pytest.raises(EditError, match="已经没有这一句"):
        remove_example(COMMENTED, Target("x"), "没有的一句")
    with pytest.raises(EditError, match="YAML"):
        add_example("id: x\nexamples: [a\n", Target("x"), "b")


async def test_concurrent_edits_from_many_tasks_lose_nothing(tmp_path: Path) -> None:
    intents = copy_intents(tmp_path / "intents")
    editor = ContentEditor(intents)
    target = Target("verify_identity")
    stale = editor.read(target.filename)  # every task read the file before any wrote
    texts = [f"并发添加的例句第{n}条" for n in range(12)]
    validated: list[str] = []

    async def teach(text: str) -> bool:
        written = await editor.apply(
            target.filename,
            lambda fresh: add_example(fresh, target, text),
            read_hash=text_hash(stale),
            validate=validated.append,
        )
        return written.rebased

    rebased = await asyncio.gather(*(teach(t) for t in texts))
    examples = yaml.safe_load((intents / target.filename).read_text())["examples"]
    assert set(texts) <= set(examples)
    assert len(examples) == len(set(examples))
    assert sum(rebased) == len(texts) - 1  # all but the first applied to a fresh copy ...
    assert len(validated) == len(texts) - 1  # ... and validated again
    added, removed = diff(stale, (intents / target.filename).read_text())
    assert sorted(added) == sorted(f"  - {t}" for t in texts) and not removed
    load_content(intents)  # still valid content
    assert not [p for p in intents.iterdir() if p.name.endswith(".tmp")]


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from bot.console.editing import ContentEditor, Target, add_example

    async def main(directory, prefix, count):
        editor = ContentEditor(Path(directory))
        target = Target("verify_identity")
        for n in range(count):
            text = f"{prefix}进程写的第{n}句"
            await editor.apply(target.filename, lambda fresh: add_example(fresh, target, text))

    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    """
)


def test_concurrent_edits_from_two_processes_lose_nothing(tmp_path: Path) -> None:
    intents = copy_intents(tmp_path / "intents")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    count = 15
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(intents), prefix, str(count)], env=env, cwd=ROOT
        )
        for prefix in ("甲", "乙")
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    examples = yaml.safe_load((intents / "verify_identity.yaml").read_text())["examples"]
    for prefix in ("甲", "乙"):
        assert {f"{prefix}进程写的第{n}句" for n in range(count)} <= set(examples)
    load_content(intents)


async def test_a_file_locked_by_another_process_makes_the_edit_wait(tmp_path: Path) -> None:
    import fcntl

    intents = copy_intents(tmp_path / "intents")
    editor = ContentEditor(intents, lock_timeout=0.3)
    target = Target("verify_identity")
    holder = os.open(intents / ".verify_identity.yaml.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)  # flock locks per open file: like another process
    try:
        with pytest.raises(EditError, match="正被另一个程序修改"):
            await editor.apply(target.filename, lambda t: add_example(t, target, "等锁的例句"))
    finally:
        os.close(holder)
    await editor.apply(target.filename, lambda t: add_example(t, target, "等锁的例句"))
    assert "等锁的例句" in (intents / "verify_identity.yaml").read_text()


async def test_writes_are_atomic_and_keep_the_permissions(tmp_path: Path) -> None:
    intents = copy_intents(tmp_path / "intents")
    path = intents / "verify_identity.yaml"
    path.chmod(0o640)
    inode = path.stat().st_ino
    editor = ContentEditor(intents)
    target = Target("verify_identity")
    written = await editor.apply(target.filename, lambda t: add_example(t, target, "新的一句"))
    assert path.stat().st_mode & 0o777 == 0o640
    assert path.stat().st_ino != inode  # a new file replaced the old one (os.replace)
    assert written.after == path.read_text() and written.before != written.after
    with pytest.raises(EditError, match="不是内容文件"):
        editor.path("../config.yaml")
