"""Fixtures of the inbox and teaching tests (made available by conftest.py): a copy of
intents/ in tmp_path, an engine serving it, the console's records beside its (memory)
sessions (the ``desk``)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.config import Config, SessionsConfig
from bot.console.audit import ConsoleRecords
from bot.console.inbox import Inbox
from bot.console.teach import EvalSets, Teacher
from bot.content import default_intents_dir
from bot.engine import Engine, Understanding
from bot.storage.sessions.memory import MemoryStore
from bot.storage.turns.memory import MemoryTurnLog
from tests.harness import memory_config


def copy_intents(target: Path) -> Path:
    """A copy of the shipped intents/ (the tests edit it)."""
    shutil.copytree(default_intents_dir(), target)
    return target


def desk_config(tmp_path: Path) -> Config:
    """Memory sessions; the console's records in tmp_path; the content a copy in tmp_path."""
    intents = copy_intents(tmp_path / "intents")
    return memory_config(
        intents_dir=str(intents),
        sessions=SessionsConfig(store="memory", sqlite_path=str(tmp_path / "data" / "s.sqlite3")),
    )


@dataclass
class Desk:
    """An engine over a copy of the content, with the console's inbox, teacher and records."""

    engine: Engine
    records: ConsoleRecords
    inbox: Inbox
    teacher: Teacher
    intents: Path


@pytest.fixture(scope="session")
def eval_sets() -> EvalSets:
    return EvalSets.shipped()


@pytest.fixture
async def desk(tmp_path: Path, eval_sets: EvalSets) -> AsyncIterator[Desk]:
    config = desk_config(tmp_path)
    understanding = Understanding.build(config)
    engine = Engine(config, understanding, MemoryStore(600), MemoryTurnLog(3600, 10_000))
    records = ConsoleRecords.for_config(config)
    inbox = Inbox(engine, records)
    teacher = Teacher(engine, records, inbox, eval_sets=eval_sets)
    yield Desk(engine, records, inbox, teacher, Path(config.intents_dir))
    await records.close()
    await engine.close()
