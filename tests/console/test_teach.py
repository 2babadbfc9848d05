"""Teaching from the desk (bot/desk/teach.py): validated, written with exactly one more
line, reloaded live, answered right afterwards, evaluated before and after, confirmed when
an accuracy drops, recorded, and undone."""

from __future__ import annotations

import asyncio
import difflib

import pytest
import yaml

from bot.console.editing import EditError, Target
from bot.console.teach import EvalSets, Teacher
from bot.messages import Incoming
from bot.operations.evaluation import LabelledMessage, LabelledQuestion
from tests.console.desk import Desk

#: Falls back today; taught as an example of collector_at_door it is answered with it.
VISITORS_AGAIN = "昨天那帮人来过了"
#: No direct answer today; taught as an example of open_door it gets that answer.
DOORBELL = "门铃一直响我该去开吗"


def added_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    lines = list(difflib.ndiff(old.splitlines(), new.splitlines()))
    return (
        [line[2:] for line in lines if line.startswith("+ ")],
        [line[2:] for line in lines if line.startswith("- ")],
    )


async def ask(desk: Desk, text: str, user: str) -> tuple[str | None, list[str]]:
    response = await desk.engine.handle(Incoming(user=user, text=text, platform="test"))
    return response.intent, response.replies


async def test_a_taught_example_is_answered_right_afterwards(desk: Desk) -> None:
    path = desk.intents / "collector_at_door.yaml"
    before_text = path.read_text()
    version = desk.engine.understanding.content.version
    assert (await ask(desk, VISITORS_AGAIN, "u1"))[0] in ("fallback", "clarify")

    result = await desk.teacher.teach(
        VISITORS_AGAIN, Target("collector_at_door"), who="counsellor-li"
    )

    assert result.status == "written"
    assert added_lines(before_text, path.read_text()) == ([f"  - {VISITORS_AGAIN}"], [])
    assert desk.engine.understanding.content.version != version  # reloaded live
    assert result.reading is not None and result.reading.answered
    assert result.reading.intent == "collector_at_door"
    intent, replies = await ask(desk, VISITORS_AGAIN, "u2")
    assert intent == "collector_at_door"
    advice = desk.engine.understanding.content.intent("collector_at_door").advice.short
    assert replies[0].startswith(advice.strip().splitlines()[0])
    # the eval before and after, on the shipped labelled sets
    assert result.before.topic_total == result.after.topic_total > 300
    assert 0.5 < result.before.topic <= 1 and 0.5 < result.after.topic <= 1
    assert result.lowered == []


async def test_a_taught_question_gets_its_direct_answer(desk: Desk) -> None:
    target = Target("collector_at_door", "open_door")
    short = desk.engine.understanding.content.answer("open_door")[1].short
    assert short not in (await ask(desk, DOORBELL, "u1"))[1]
    result = await desk.teacher.teach(DOORBELL, target, who="counsellor-li")
    assert result.status == "written"
    data = yaml.safe_load((desk.intents / "collector_at_door.yaml").read_text())
    [open_door] = [a for a in data["answers"] if a["id"] == "open_door"]
    assert open_door["examples"][-1] == DOORBELL
    assert result.reading is not None and result.reading.answer == "open_door"
    assert result.after.direct >= result.before.direct
    _, replies = await ask(desk, DOORBELL, "u2")
    assert short in replies


@pytest.mark.parametrize(
    ("text", "target", "reason"),
    [
        ("   ", Target("harassment"), "空"),
        ("长" * 201, Target("harassment"), "太长"),
        ("我的电话是13812345678 他们天天打", Target("harassment"), "个人信息"),
        ("我叫张三 催收天天打电话", Target("harassment"), "个人信息"),
        ("6222 0212 3456 7890 123 这张卡被催", Target("harassment"), "个人信息"),
        # an example of another intent already (whitespace does not count)
        ("门口那俩人说是招行委托的，我怎么知道是真是假", Target("harassment"), "已经是"),
        ("门口那俩人说是招行委托的， 我怎么知道是真是假", Target("verify_identity"), "已经是"),
        ("要开门吗", Target("collector_at_door", "open_door"), "已经是"),
        ("新的一句", Target("no_such_intent"), "没有话题"),
        ("新的一句", Target("harassment", "open_door"), "没有直接回答"),
    ],
)
async def test_what_cannot_be_taught_is_refused_and_nothing_is_written(
    desk: Desk, text: str, target: Target, reason: str
) -> None:
    files = {p.name: p.read_bytes() for p in desk.intents.iterdir()}
    with pytest.raises(EditError, match=reason):
        await desk.teacher.teach(text, target, who="counsellor-li")
    assert {p.name: p.read_bytes() for p in desk.intents.iterdir()} == files
    assert await desk.records.changes() == []


async def test_content_the_check_rejects_is_refused(desk: Desk) -> None:
    """The candidate goes through the same check as `python -m bot check`: here another
    process broke a file meanwhile, so the content as it would be does not load."""
    (desk.intents / "complain.yaml").write_text("id: complain\nexamples: []\n")
    with pytest.raises(EditError, match="没有通过检查"):
        await desk.teacher.teach(VISITORS_AGAIN, Target("collector_at_door"), who="li")
    assert VISITORS_AGAIN not in (desk.intents / "collector_at_door.yaml").read_text()


async def test_a_change_that_lowers_accuracy_needs_confirmation(desk: Desk) -> None:
    # a labelled set that files the message under the classifier's best guess today:
    # teaching it to another topic makes the topic eval worse
    guess = desk.engine.understanding.reader.read(VISITORS_AGAIN).top.intent
    target = next(i for i in ("harassment", "complain") if i != guess)
    sets = EvalSets(
        topics=[
            LabelledMessage(VISITORS_AGAIN, guess),
            LabelledMessage("催收的人在我家门口，怎么办", "collector_at_door"),
        ],
        questions=[LabelledQuestion("要开门吗", "collector_at_door", "open_door")],
    )
    teacher = Teacher(desk.engine, desk.records, desk.inbox, eval_sets=sets)
    path = desk.intents / f"{target}.yaml"
    original = path.read_text()

    asked = await teacher.teach(VISITORS_AGAIN, Target(target), who="li")

    assert asked.status == "needs_confirmation"
    assert asked.lowered == ["topic"]
    assert (asked.before.topic, asked.after.topic) == (1.0, 0.5)
    assert asked.before.direct == asked.after.direct == 1.0
    assert path.read_text() == original  # nothing written
    assert await desk.records.changes() == []

    confirmed = await teacher.teach(VISITORS_AGAIN, Target(target), who="li", confirm=True)
    assert confirmed.status == "written"
    assert VISITORS_AGAIN in path.read_text()
    [change] = await desk.records.changes()
    assert change.data["confirmed"] is True and change.data["lowered"] == ["topic"]
    assert change.data["before"]["topic"] == 1.0 and change.data["after"]["topic"] == 0.5


async def test_every_change_is_recorded_and_can_be_undone_once(desk: Desk) -> None:
    path = desk.intents / "collector_at_door.yaml"
    original = path.read_text()
    version = desk.engine.understanding.content.version
    result = await desk.teacher.teach(VISITORS_AGAIN, Target("collector_at_door"), who="li")
    assert result.change is not None
    [change] = await desk.records.changes()
    assert (change.who, change.action) == ("li", "add_example")
    assert change.data["file"] == "collector_at_door.yaml"
    assert change.data["intent"] == "collector_at_door" and change.data["answer"] is None
    assert change.data["text"] == VISITORS_AGAIN
    assert change.data["before"]["topic"] == round(result.before.topic, 4)
    assert change.data["after"]["direct"] == round(result.after.direct, 4)
    assert change.at > 0 and change.undone_by is None

    undo = await desk.teacher.undo(change.id, who="wang")

    assert path.read_text() == original  # exactly that line gone, comments and all kept
    assert desk.engine.understanding.content.version == version  # reloaded
    assert (await ask(desk, VISITORS_AGAIN, "u3"))[0] in ("fallback", "clarify")
    newest, first = await desk.records.changes()
    assert (newest.id, newest.action, newest.who, newest.undoes) == (undo.id, "undo", "wang", 1)
    assert newest.data["text"] == VISITORS_AGAIN
    assert first.undone_by == undo.id
    with pytest.raises(EditError, match="已经撤销过"):
        await desk.teacher.undo(change.id, who="wang")
    with pytest.raises(EditError, match="不能再撤销"):
        await desk.teacher.undo(undo.id, who="wang")
    with pytest.raises(EditError, match="没有编号"):
        await desk.teacher.undo(999, who="wang")
    assert path.read_text() == original


async def test_undo_refuses_when_the_example_was_removed_or_changed_meanwhile(
    desk: Desk,
) -> None:
    path = desk.intents / "collector_at_door.yaml"
    result = await desk.teacher.teach(VISITORS_AGAIN, Target("collector_at_door"), who="li")
    assert result.change is not None
    edited = path.read_text().replace(VISITORS_AGAIN, VISITORS_AGAIN + "吧")  # edited by hand
    path.write_text(edited)
    with pytest.raises(EditError, match="已经没有这一句"):
        await desk.teacher.undo(result.change.id, who="wang")
    assert path.read_text() == edited
    assert (await desk.records.get(result.change.id)).undone_by is None  # type: ignore[union-attr]


async def test_concurrent_teaching_of_one_file_loses_nothing(desk: Desk) -> None:
    texts = [VISITORS_AGAIN, "那几个人今天下午又来敲门了", "楼下又来了一帮讨债的"]
    results = await asyncio.gather(
        *(
            desk.teacher.teach(t, Target("collector_at_door"), who=f"c{i}")
            for i, t in enumerate(texts)
        )
    )
    assert [r.status for r in results] == ["written"] * 3
    assert sum(r.rebased for r in results) >= 1  # later ones were applied to a fresh copy
    examples = yaml.safe_load((desk.intents / "collector_at_door.yaml").read_text())["examples"]
    assert set(texts) <= set(examples)
    assert len(await desk.records.changes()) == 3
    spec = desk.engine.understanding.content.intent("collector_at_door")
    assert set(texts) <= set(spec.examples)  # the live content has all three
