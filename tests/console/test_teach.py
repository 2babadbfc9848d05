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
from tests.console.desk import DOOR_QUESTIONS, Desk, cannot_answer, pick, taught_reading_moves

#: A message for the tests that only need some example to write (what the model makes of it
#: does not matter to them).
VISITORS_AGAIN = "昨天那帮人来过了"


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
    """A message the bot cannot answer today, taught as an example of the direct answer the
    bot itself guesses for it: written, reloaded, and answered with it at once (the
    direct-answer selector learns from the examples when the content loads)."""
    text = cannot_answer(desk.engine)
    guess = desk.engine.understanding.reader.read(text).direct
    assert guess is not None and guess.answer is not None
    target = Target(guess.intent, guess.answer)
    path = desk.intents / target.filename
    before_text = path.read_text()
    version = desk.engine.understanding.content.version
    short = desk.engine.understanding.content.answer(guess.answer)[1].short
    intent, replies = await ask(desk, text, "u1")
    assert intent in ("fallback", "clarify") and short not in replies

    result = await desk.teacher.teach(text, target, who="counsellor-li")

    assert result.status == "written"
    [added], removed = added_lines(before_text, path.read_text())
    assert added.strip() == f"- {text}" and removed == []
    assert desk.engine.understanding.content.version != version  # reloaded live
    assert result.reading is not None and result.reading.answered
    assert result.reading.answer == guess.answer and not result.learns_later
    _, replies = await ask(desk, text, "u2")
    assert short in replies
    # the eval before and after, on the shipped labelled sets
    assert result.before.topic_total == result.after.topic_total > 300
    assert 0.5 < result.before.topic <= 1 and 0.5 < result.after.topic <= 1


async def test_a_taught_topic_example_is_learned_when_the_models_are_retrained(
    desk: Desk,
) -> None:
    """A topic's example is written and reloaded, but the learned topic model reads the
    message as before until it is retrained (in the background when
    learning.retrain_on_change is on: tests/learning/test_models.py): the result says so."""
    text = cannot_answer(desk.engine)
    path = desk.intents / "collector_at_door.yaml"
    before_text = path.read_text()
    result = await desk.teacher.teach(text, Target("collector_at_door"), who="counsellor-li")
    assert result.status == "written"
    assert added_lines(before_text, path.read_text()) == ([f"  - {text}"], [])
    assert text in desk.engine.understanding.content.intent("collector_at_door").examples
    assert result.reading is not None and not result.reading.answered
    assert result.learns_later and result.to_json()["learns_later"] is True
    assert result.lowered == []


async def test_a_taught_question_gets_its_direct_answer(desk: Desk) -> None:
    target = Target("collector_at_door", "open_door")
    short = desk.engine.understanding.content.answer("open_door")[1].short
    text = pick(
        desk.engine.understanding.reader,
        DOOR_QUESTIONS,
        lambda r: (
            r.top.intent == "collector_at_door"
            and not (r.direct is not None and r.direct.confident and r.direct.answer == "open_door")
        ),
        "a door question without the open-the-door answer",
    )
    assert short not in (await ask(desk, text, "u1"))[1]
    result = await desk.teacher.teach(text, target, who="counsellor-li")
    assert result.status == "written"
    data = yaml.safe_load((desk.intents / "collector_at_door.yaml").read_text())
    [open_door] = [a for a in data["answers"] if a["id"] == "open_door"]
    assert open_door["examples"][-1] == text
    assert result.reading is not None and result.reading.answer == "open_door"
    assert result.after.direct >= result.before.direct
    _, replies = await ask(desk, text, "u2")
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
    # a labelled set that files a door question under the direct answer the bot gives it
    # today: teaching it to another answer makes the direct-answer eval worse
    reader = desk.engine.understanding.reader
    target = Target("collector_at_door", "must_meet")
    # (only a message whose reading the taught example moves can lower the accuracy)
    movable = tuple(
        t
        for t in ("他们一直敲门", "有人敲门", *DOOR_QUESTIONS)
        if taught_reading_moves(desk.engine, desk.intents, t, target)
    )
    text = pick(
        reader,
        movable,
        lambda r: (
            r.top.intent == "collector_at_door"
            and r.direct is not None
            and r.direct.confident
            and r.direct.answer != "must_meet"
        ),
        "a door question with a confident direct answer",
    )
    today = reader.read(text).direct
    assert today is not None and today.answer is not None
    sets = EvalSets(
        topics=[LabelledMessage(text, "collector_at_door")],
        questions=[
            LabelledQuestion(text, "collector_at_door", today.answer),
            LabelledQuestion("要开门吗", "collector_at_door", "open_door"),
        ],
    )
    teacher = Teacher(desk.engine, desk.records, desk.inbox, eval_sets=sets)
    path = desk.intents / target.filename
    original = path.read_text()

    asked = await teacher.teach(text, target, who="li")

    assert asked.status == "needs_confirmation"
    assert asked.lowered == ["direct"]
    assert (asked.before.direct, asked.after.direct) == (1.0, 0.5)
    assert asked.before.topic == asked.after.topic == 1.0
    assert path.read_text() == original  # nothing written
    assert await desk.records.changes() == []

    confirmed = await teacher.teach(text, target, who="li", confirm=True)
    assert confirmed.status == "written"
    assert text in path.read_text()
    [change] = await desk.records.changes()
    assert change.data["confirmed"] is True and change.data["lowered"] == ["direct"]
    assert change.data["before"]["direct"] == 1.0 and change.data["after"]["direct"] == 0.5


async def test_every_change_is_recorded_and_can_be_undone_once(desk: Desk) -> None:
    path = desk.intents / "collector_at_door.yaml"
    original = path.read_text()
    version = desk.engine.understanding.content.version
    before = await ask(desk, VISITORS_AGAIN, "u0")
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
    assert (await ask(desk, VISITORS_AGAIN, "u3"))[0] == before[0]  # read as before teaching
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
