"""Content health at /admin/api/health: check's findings on the files on disk, eval's scores
on the content served (computed once per content version), the confused pairs, the
direct-answer line and the facts each topic cites."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config
from bot.console import health
from bot.content import default_intents_dir
from bot.engine import Engine, Understanding
from bot.operations.evaluation import DEFAULT_TEST_SET, evaluate, read_test_set
from bot.storage.sessions.memory import MemoryStore
from tests.console.conftest import Browser, console_config, console_on


@pytest.fixture
def intents_copy(tmp_path: Path) -> Path:
    """A copy of the shipped intents to change."""
    folder = tmp_path / "intents"
    shutil.copytree(default_intents_dir(), folder)
    return folder


def config_on(folder: Path) -> Config:
    return console_config().model_copy(update={"intents_dir": str(folder)})


@pytest.fixture
async def engine_on_copy(intents_copy: Path) -> AsyncIterator[Engine]:
    config = config_on(intents_copy)
    engine = Engine(config, Understanding.build(config), MemoryStore(600))
    yield engine
    await engine.close()


async def test_health_shows_check_eval_and_facts(engine: Engine, browser: Browser) -> None:
    assert await browser.login() == 303
    data = await browser.get_json("/admin/api/health")
    content = engine.understanding.content
    assert data["serving_version"] == content.version

    check = data["check"]
    assert check["ok"] is True and check["problems"] == []
    assert check["version"] == content.version
    assert check["intents"] == len(content.intents)
    assert check["facts"] == len(content.facts)

    # the same figures as `python -m bot eval`
    report = evaluate(engine.understanding.classifier, read_test_set(DEFAULT_TEST_SET))
    scores = data["eval"]
    assert scores["accuracy"] == round(report.accuracy, 4)
    assert scores["total"] == report.total
    assert scores["misclassified"] == len(report.misclassified)
    by_intent = {row["intent"]: row for row in scores["intents"]}
    assert set(by_intent) == set(report.intents)
    harassment = report.intents["harassment"]
    assert by_intent["harassment"]["precision"] == round(harassment.precision, 4)
    assert by_intent["harassment"]["recall"] == round(harassment.recall, 4)
    assert by_intent["harassment"]["title"] == content.intent("harassment").title
    f1s = [row["f1"] for row in scores["intents"]]
    assert f1s == sorted(f1s)  # the weakest first
    pairs = scores["confused_pairs"]
    expected_pairs = sorted(
        (-count, expected, predicted)
        for expected, r in report.intents.items()
        for predicted, count in r.confused_with.items()
    )
    assert [(-p["count"], p["expected"], p["predicted"]) for p in pairs] == expected_pairs[:10]
    assert scores["direct"]["line"].startswith("direct-answer accuracy: ")
    assert 0 < scores["direct"]["accuracy"] <= 1

    # every topic with the facts it cites, as the register holds them
    topics = {t["intent"]: t for t in data["topics"]}
    assert set(topics) == {spec.id for spec in content.topics}
    door = content.intent("collector_at_door")
    cited = [f["id"] for f in topics["collector_at_door"]["facts"]]
    assert cited[: len(door.references)] == list(dict.fromkeys(door.references))
    first = topics["collector_at_door"]["facts"][0]
    fact = content.facts[first["id"]]
    assert (first["source"], first["statement"], first["confidence"]) == (
        fact.source,
        fact.statement,
        fact.confidence,
    )
    assert "advice" in first["used_by"]
    answer_facts = {ref for spec in content.intents for a in spec.answers for ref in a.facts}
    shown = {f["id"] for t in data["topics"] for f in t["facts"] if f["used_by"] != ["advice"]}
    assert shown and shown <= answer_facts


async def test_a_broken_file_on_disk_is_listed_while_the_old_content_serves(
    engine_on_copy: Engine, intents_copy: Path
) -> None:
    path = intents_copy / "harassment.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nexamples: [oops\n", encoding="utf-8")
    async with console_on(engine_on_copy, config_on(intents_copy)) as browser:
        assert await browser.login() == 303
        data = await browser.get_json("/admin/api/health")
    check = data["check"]
    assert check["ok"] is False
    assert any("harassment.yaml" in problem for problem in check["problems"])
    assert data["serving_version"] == engine_on_copy.understanding.content.version
    assert data["eval"]["total"] > 0  # the content served is still evaluated


async def test_eval_runs_once_per_content_version(
    engine_on_copy: Engine, intents_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[str] = []
    real = health.evaluation

    def counting(understanding: Any, test_set: Path = DEFAULT_TEST_SET) -> dict[str, Any]:
        runs.append(understanding.content.version)
        return real(understanding, test_set)

    monkeypatch.setattr(health, "evaluation", counting)
    async with console_on(engine_on_copy, config_on(intents_copy)) as browser:
        assert await browser.login() == 303
        first = await browser.get_json("/admin/api/health")
        second = await browser.get_json("/admin/api/health")
        assert first["eval"] == second["eval"]
        assert len(runs) == 1

        path = intents_copy / "harassment.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("examples:\n", "examples:\n  - 天天打电话来烦我\n", 1))
        outcome = await engine_on_copy.reload_content()
        assert outcome.ok and outcome.version != outcome.old_version
        third = await browser.get_json("/admin/api/health")
    assert runs == [outcome.old_version, outcome.version]
    assert third["serving_version"] == outcome.version
    assert third["check"]["version"] == outcome.version
