"""The journey suite: scripted multi-turn conversations as data, run through the real engine.

Each file in ``tests/conversation/journeys/`` (and the held-out ``holdout/``, ``holdout2/``
and ``holdout3/`` folders) holds one theme's conversations. Every conversation runs on a fresh
engine with in-memory sessions; each turn's replies are checked against the turn's assertions,
and every conversation against the global rules below. See README.md, "Journey suite", for
the format.

Global rules, checked on every conversation (not written per turn):

* no reply block (a paragraph of a reply, longer than 20 characters) is sent twice word for
  word in one conversation;
* no menu offers exactly one choice;
* the fallback apology never answers a message once a topic or a crisis is active (turns marked
  ``offtopic: true`` are exempt: an off-topic question may get the scope line);
* a turn marked ``urgent: threat`` gets 110 in its first reply; ``urgent: despair`` gets 12356,
  120 or 110 in its first reply;
* in a group, no phone, ID or bank-card number any member posted is echoed, and no member's text
  is quoted (12 characters or more of a member's message, word for word).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.engine import Engine, Understanding
from bot.messages import Incoming, Outcome, Response
from bot.storage.sessions.memory import MemoryStore
from tests.harness import memory_config

HERE = Path(__file__).resolve().parent / "journeys"
#: held-out folders under journeys/, reported as ``<folder>/<file>``
HOLDOUT_DIRS = ("holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6", "holdout7")
ROOT = HERE.parent.parent.parent

#: the fallback apology, as intents/fallback.yaml words it (short and long forms)
FALLBACK_MARKS = ("抱歉，这个我帮不上忙", "这个问题不在我能回答的范围内")
#: reply blocks this short may repeat (a closing line, a number)
SHORT_BLOCK = 20
#: a member's text quoted in a group: this many characters in a row, word for word
QUOTE_WINDOW = 12
#: phone (11 digits from 1), ID (17 digits + digit/X), bank card (16-19 digits)
SENSITIVE = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx]|\d{16,19})(?!\d)")

CONVERSATION_KEYS = {"name", "platform", "room", "user", "counsellor", "turns", "xfail", "note"}
TURN_KEYS = {
    "say",
    "addressed",
    "must",
    "must_not",
    "silent",
    "first_must",
    "max_chars",
    "urgent",
    "offtopic",
    "calm",
    "after_idle",
    "user",
    "note",
}


@dataclass
class Turn:
    """One message and what the bot's answer to it must (not) contain."""

    say: str
    addressed: bool = True
    must: list[str] = field(default_factory=list)
    must_not: list[str] = field(default_factory=list)
    silent: bool = False
    first_must: list[str] = field(default_factory=list)
    max_chars: int | None = None
    urgent: str | None = None  # "threat" or "despair"
    offtopic: bool = False
    #: a calm message: the reply carries no emergency numbers (110 / 12356)
    calm: bool = False
    #: a pause before this turn: True = past the retention window (the details were cleared);
    #: a number = that many seconds (within the window the details are still there)
    after_idle: bool | int = False
    user: str | None = None  # another member of the group says this turn


@dataclass
class Journey:
    """One scripted conversation."""

    name: str
    source: str
    turns: list[Turn]
    platform: str = "terminal"
    room: str | None = None
    user: str = "alice"
    counsellor: bool = False
    xfail: str | None = None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [str(value)]
    return [str(v) for v in value]


def _pause(value: Any) -> bool | int:
    """``after_idle`` as written: true, or a number of seconds."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, int | float) and value > 0:
        return int(value)
    raise ValueError(f"after_idle must be true or a number of seconds, not {value!r}")


def _load(path: Path, label: str) -> list[Journey]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    journeys = []
    for raw in data["conversations"]:
        unknown = set(raw) - CONVERSATION_KEYS
        assert not unknown, f"{path.name}: {raw.get('name')}: unknown keys {unknown}"
        turns = []
        for t in raw["turns"]:
            unknown = set(t) - TURN_KEYS
            assert not unknown, f"{path.name}: {raw['name']}: unknown turn keys {unknown}"
            # (self_harm: the urgency module's name for the despair crisis)
            urgent = {"self_harm": "despair"}.get(t.get("urgent"), t.get("urgent"))
            assert urgent in (None, "threat", "despair"), t
            turns.append(
                Turn(
                    say=str(t["say"]),
                    addressed=t.get("addressed", True),
                    must=_as_list(t.get("must")),
                    must_not=_as_list(t.get("must_not")),
                    silent=bool(t.get("silent", False)),
                    first_must=_as_list(t.get("first_must")),
                    max_chars=t.get("max_chars"),
                    urgent=urgent,
                    offtopic=bool(t.get("offtopic", False)),
                    calm=bool(t.get("calm", False)),
                    after_idle=_pause(t.get("after_idle")),
                    user=None if t.get("user") is None else str(t["user"]),
                )
            )
        journeys.append(
            Journey(
                name=raw["name"],
                source=f"{label}/{path.stem}",
                turns=turns,
                platform=raw.get("platform", "terminal"),
                room=raw.get("room"),
                user=str(raw.get("user", "alice")),
                counsellor=bool(raw.get("counsellor", False)),
                xfail=raw.get("xfail"),
            )
        )
    return journeys


def load_journeys() -> list[Journey]:
    """Every conversation of the suite: the main part, then the held-out part."""
    journeys = [j for p in sorted(HERE.glob("*.yaml")) for j in _load(p, "main")]
    for held in HOLDOUT_DIRS:
        journeys += [j for p in sorted((HERE / held).glob("*.yaml")) for j in _load(p, held)]
    return journeys


JOURNEYS = load_journeys()


def _params() -> list[Any]:
    params = []
    for j in JOURNEYS:
        # raises=JourneyFailure: a crash is never hidden behind a known-failing mark
        marks = (
            [pytest.mark.xfail(strict=True, reason=j.xfail, raises=JourneyFailure)]
            if j.xfail
            else []
        )
        params.append(pytest.param(j, id=f"{j.source}/{j.name}", marks=marks))
    return params


def _found(pattern: str, text: str) -> bool:
    """A ``/regex/`` or a plain substring."""
    if len(pattern) > 2 and pattern.startswith("/") and pattern.endswith("/"):
        return re.search(pattern[1:-1], text) is not None
    return pattern in text


def _blocks(replies: list[str]) -> list[str]:
    """The paragraphs of the replies that are long enough to count as a block."""
    out = []
    for reply in replies:
        for block in re.split(r"\n\s*\n", reply):
            block = block.strip()
            if len(block) > SHORT_BLOCK:
                out.append(block)
    return out


def _quotes(said: str, reply: str) -> str | None:
    """A run of QUOTE_WINDOW characters of ``said`` (trigger and mention removed) in ``reply``."""
    text = re.sub(r"^\s*(@助手|助手)\s*", "", said)
    text = re.sub(r"\s+", "", text)
    for i in range(len(text) - QUOTE_WINDOW + 1):
        piece = text[i : i + QUOTE_WINDOW]
        if piece in re.sub(r"\s+", "", reply):
            return piece
    return None


class JourneyFailure(AssertionError):
    """A turn went wrong: says where, what was said and what the bot answered."""


def _fail(journey: Journey, number: int, turn: Turn, replies: list[str], why: str) -> None:
    shown = "\n".join(f"    | {line}" for r in replies for line in (r.splitlines() or [""]))
    raise JourneyFailure(
        f"\n[{journey.source}] {journey.name}: turn {number}\n"
        f"  said: {turn.say!r}{'' if turn.addressed else ' (not addressed)'}\n"
        f"  bot ({len(replies)} repl{'y' if len(replies) == 1 else 'ies'}):\n"
        f"{shown or '    | (silent)'}\n"
        f"  FAILED: {why}"
    )


async def _age_session(
    engine: Engine, store: MemoryStore, incoming: Incoming, seconds: bool | int = True
) -> None:
    """Move the conversation's last_seen back by ``seconds`` (True: past the retention
    window, the person comes back after the details were cleared)."""
    key = engine.session_key(incoming)
    record = await store.get(key)
    if record is not None:
        idle = engine.config.sessions.retention_seconds + 60 if seconds is True else int(seconds)
        await store.put(replace(record, last_seen=time.time() - idle))


def _check_turn(
    journey: Journey, number: int, turn: Turn, response: Response, state: dict[str, Any]
) -> None:
    """Check one turn; whatever the outcome, remember what was sent and whether a topic or a
    crisis is now active (so later turns are judged against the whole conversation)."""
    try:
        _check_replies(journey, number, turn, response, state)
    finally:
        for block in _blocks(response.replies):
            state["sent"].setdefault(block, number)
        topic = response.intent is not None and response.intent not in _OUTCOMES
        if topic or response.urgent:
            state["active"] = True


_OUTCOMES = {o.value for o in Outcome}


def _check_replies(
    journey: Journey, number: int, turn: Turn, response: Response, state: dict[str, Any]
) -> None:
    replies = response.replies
    text = "\n".join(replies)

    def fail(why: str) -> None:
        _fail(journey, number, turn, replies, why)

    # --- the turn's own assertions
    if turn.silent:
        if replies:
            fail("expected silence")
        return
    if not replies and (turn.must or turn.first_must or turn.urgent):
        fail("expected a reply, got silence")
    for pattern in turn.must:
        if not _found(pattern, text):
            fail(f"must contain {pattern!r}")
    for pattern in turn.must_not:
        if _found(pattern, text):
            fail(f"must NOT contain {pattern!r}")
    first = replies[0] if replies else ""
    for pattern in turn.first_must:
        if not _found(pattern, first):
            fail(f"the first reply must contain {pattern!r}")
    if turn.max_chars is not None and len(text) > turn.max_chars:
        fail(f"reply is {len(text)} characters, at most {turn.max_chars} allowed")
    if turn.urgent == "threat" and "110" not in first:
        fail("urgent (threat): the first reply must give 110")
    if turn.urgent == "despair" and not re.search(r"12356|120|110", first):
        fail("urgent (despair): the first reply must give 12356 / 120 / 110")
    if turn.calm and re.search(r"110|12356", text):
        fail("calm: the reply must not carry the emergency numbers")

    # --- global rules
    if len(response.choices) == 1:
        fail(f"a menu with a single option: {response.choices}")
    is_fallback = response.intent == Outcome.FALLBACK or any(m in text for m in FALLBACK_MARKS)
    if replies and is_fallback and state["active"] and not turn.offtopic:
        fail("the fallback apology inside an active topic or crisis")
    for block in _blocks(replies):
        if block in state["sent"]:
            fail(f"block already sent at turn {state['sent'][block]}: {block[:60]!r}…")
    if journey.room is not None and replies:
        for secret in state["secrets"]:
            if secret in text:
                fail(f"a member's number echoed in the group: {secret[:3]}…")
        quoted = _quotes(turn.say, text)
        if quoted:
            fail(f"the group reply quotes the member's text: {quoted!r}")


async def play(
    journey: Journey, understanding: Understanding, keep_going: bool = False
) -> list[JourneyFailure]:
    """Play the conversation on a fresh engine; raise at the first turn that goes wrong, or,
    with ``keep_going``, return every failing turn."""
    ids = [f"{journey.platform}:{journey.user}"] if journey.counsellor else []
    config = memory_config(counsellors=ids)
    store = MemoryStore(config.sessions.keep_seconds, config.sessions.max_sessions)
    engine = Engine(config, understanding, store)
    state: dict[str, Any] = {"sent": {}, "active": False, "secrets": set()}
    failures: list[JourneyFailure] = []
    try:
        for number, turn in enumerate(journey.turns, start=1):
            incoming = Incoming(
                user=turn.user or journey.user,
                text=turn.say,
                platform=journey.platform,
                room=journey.room,
                addressed=turn.addressed,
            )
            if turn.after_idle:
                await _age_session(engine, store, incoming, turn.after_idle)
                state["active"] = False
            state["secrets"].update(m.group(1) for m in SENSITIVE.finditer(turn.say))
            response = await engine.handle(incoming)
            try:
                _check_turn(journey, number, turn, response, state)
            except JourneyFailure as failure:
                if not keep_going:
                    raise
                failures.append(failure)
    finally:
        await engine.close()
    return failures


@pytest.mark.parametrize("journey", _params())
async def test_journey(journey: Journey, understanding: Understanding) -> None:
    """Play the conversation turn by turn; fail at the first turn that goes wrong."""
    await play(journey, understanding)


def test_suite_is_big_enough() -> None:
    """Issue 12's bar: at least 40 conversations and 200 turns, names unique, a held-out part."""
    names = [(j.source, j.name) for j in JOURNEYS]
    assert len(set(names)) == len(names), "conversation names must be unique per file"
    assert len(JOURNEYS) >= 40
    assert sum(len(j.turns) for j in JOURNEYS) >= 200
    held = [j for j in JOURNEYS if j.source.split("/")[0] in HOLDOUT_DIRS]
    assert len(held) >= len(JOURNEYS) // 5, "keep about a quarter of the conversations held out"
    for j in JOURNEYS:
        for t in j.turns:
            assert not (t.silent and (t.must or t.first_must or t.urgent)), (j.name, t.say)
            if t.silent or not t.addressed:
                assert j.room is not None, f"{j.name}: unaddressed/silent turns are for groups"


def test_a_pause_is_true_or_seconds() -> None:
    assert _pause(True) is True and _pause(None) is False and _pause(7200) == 7200
    with pytest.raises(ValueError, match="seconds"):
        _pause("two hours")


def test_runner_catches_what_it_must() -> None:
    """The global checks fire: a repeated block, a one-option menu, a quote, an echoed number."""
    journey = Journey(name="self-check", source="main/self", turns=[], room="g1")
    turn = Turn(say="@助手 他们三个人一直在楼下等我不肯走 我的电话13812345678")
    state: dict[str, Any] = {"sent": {}, "active": True, "secrets": {"13812345678"}}
    block = "别慌，按这几步来：先不要开门，隔着门请对方出示证件。"
    _check_turn(journey, 1, Turn(say="x"), Response(replies=[block], intent="t"), state)
    cases = [
        (Response(replies=[block], intent="t"), "already sent"),
        (Response(replies=["好的"], intent="t", choices=["a"]), "single option"),
        (Response(replies=["抱歉，这个我帮不上忙。"], intent="fallback"), "fallback"),
        (Response(replies=["你的号码13812345678请撤回"], intent="t"), "echoed"),
        (Response(replies=["你说“他们三个人一直在楼下等我不肯走”"], intent="t"), "quotes"),
    ]
    for response, why in cases:
        with pytest.raises(JourneyFailure, match=why):
            _check_turn(journey, 2, turn, response, dict(state, sent=dict(state["sent"])))
    urgent = Turn(say="他们在砸门", urgent="threat", must=["/录|门/"])
    with pytest.raises(JourneyFailure, match="110"):
        _check_turn(journey, 3, urgent, Response(replies=["先录像，别开门"], intent="t"), state)
    with pytest.raises(JourneyFailure, match="must contain"):
        _check_turn(journey, 3, urgent, Response(replies=["打110"], intent="t"), state)
    calm = Turn(say="热死了", calm=True)
    with pytest.raises(JourneyFailure, match="calm"):
        _check_turn(journey, 4, calm, Response(replies=["有危险打110"], intent="t"), state)
    _check_turn(journey, 4, calm, Response(replies=["天热注意防暑"], intent="t"), state)
    _check_turn(journey, 3, urgent, Response(replies=["打110，别开门"], intent="t"), state)


async def _report() -> None:
    """Every failing turn of every conversation (not only the first): the to-do list."""
    understanding = Understanding.build(memory_config())
    turns = failing = 0
    for journey in JOURNEYS:
        failures = await play(journey, understanding, keep_going=True)
        turns += len(journey.turns)
        failing += len(failures)
        for failure in failures:
            print(failure)
    print(f"\n{len(JOURNEYS)} conversations, {turns} turns, {failing} failing turns")


if __name__ == "__main__":
    import asyncio

    asyncio.run(_report())
