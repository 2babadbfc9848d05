"""The order of the conversation's decisions is one list: POLICIES, respond()'s docstring and
the README's list name the same policies in the same order; each policy lives in its own
module and either decides or declines, writing the session only through its draft."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.conversation import dialogue
from bot.conversation.context import Decision, Decline, Draft, Policy, Reset, TurnContext
from bot.conversation.dialogue import POLICIES, Dialogue
from bot.conversation.state import Pending, PendingKind, Session
from tests.harness import Chat

README = Path(__file__).resolve().parents[2] / "README.md"


def _names() -> list[str]:
    return [policy.name for policy in POLICIES]


def test_the_docstring_lists_exactly_the_policies_in_order() -> None:
    doc = Dialogue.respond.__doc__ or ""
    listed = re.findall(r"^\s*\d+\.\s+``(\w+)``", doc, flags=re.MULTILINE)
    assert listed == _names()


def test_the_readme_lists_exactly_the_policies_in_order() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split("<!-- policies:", 1)[1].split("<!-- /policies -->", 1)[0]
    listed = re.findall(r"^\d+\.\s+`(\w+)`", block, flags=re.MULTILINE)
    assert listed == _names()


def test_each_policy_has_its_own_module() -> None:
    modules = [policy.decide.__module__ for policy in POLICIES]
    assert len(set(modules)) == len(modules)
    assert all(m.startswith("bot.conversation.policies.") for m in modules)
    assert modules == [f"bot.conversation.policies.{name}" for name in _names()]


def test_no_policy_imports_another() -> None:
    folder = Path(dialogue.__file__).parent / "policies"
    names = set(_names())
    for path in folder.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        imported = set(re.findall(r"bot\.conversation\.policies\.(\w+)", source))
        assert imported & names <= {path.stem}, path.name


def test_a_draft_records_changes_and_leaves_the_session_alone() -> None:
    session = Session(key="k")
    draft = Draft(session)
    draft.active_intent = "collector_at_door"
    draft.ask("credentials")
    draft.notice("helper")
    draft.pending = Pending(kind=PendingKind.MENU, choices=["a"])
    assert session.active_intent is None and session.asked == [] and session.noticed == []
    assert draft.active_intent == "collector_at_door" and list(draft.asked) == ["credentials"]
    decision = draft.decision(dialogue.Turn(), "why")
    assert isinstance(decision, Decision)
    for change in decision.changes:
        change.apply(session)
    assert session.active_intent == "collector_at_door"
    assert session.asked == ["credentials"] and session.noticed == ["helper"]
    assert session.pending is not None and session.pending.choices == ["a"]
    assert str(decision.changes[0]) == "active_intent='collector_at_door'"


def test_reset_is_a_change_too() -> None:
    session = Session(key="k", active_intent="x", asked=["a"])
    draft = Draft(session)
    draft.reset()
    assert draft.active_intent is None and list(draft.asked) == []
    assert session.active_intent == "x"
    assert isinstance(draft.changes[0], Reset)
    draft.changes[0].apply(session)
    assert session.active_intent is None and session.asked == []


#: a conversation that reaches most policies: a visit, a question, news, danger, a crisis
#: step, a repair, a calculation, a closing, a command
_LINES = [
    "催收的人在我家门口敲门 没给看证件",
    "要开门吗",
    "啥意思",
    "他们让我签一个分期协议",
    "他们说不还钱今天就不走",
    "报警了",
    "警察来了",
    "他们走了",
    "安全了 谢谢",
    "欠招商银行5万 想分24期 每月还多少",
    "那分36期呢",
    "1e308元",
    "详细",
    "菜单",
    "烦死了",
    "今天天气怎么样",
    "好的明白了",
]


async def test_policies_that_decline_write_nothing(engine, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Through Engine.handle: every policy either declines with a reason and no change in its
    draft, or decides with exactly its draft's changes; the trace names them in order."""
    seen: list[tuple[str, bool]] = []

    def checked(policy: Policy) -> Policy:
        def decide(ctx: TurnContext, draft: Draft) -> Decision | Decline:
            outcome = policy.decide(ctx, draft)
            if isinstance(outcome, Decline):
                assert outcome.reason, policy.name
                assert draft.changes == [], (policy.name, draft.changes)
            else:
                assert list(outcome.changes) == draft.changes, policy.name
            seen.append((policy.name, isinstance(outcome, Decision)))
            return outcome

        return Policy(policy.name, decide)

    monkeypatch.setattr(dialogue, "POLICIES", tuple(checked(p) for p in POLICIES))
    chat = Chat(engine)
    for line in _LINES:
        assert await chat.say(line, explain=True), line
        trace = chat.last.trace
        answered = [t for t in trace if ": answers" in t]
        assert len(answered) >= 1 and trace[-1] == answered[-1], trace
    deciders = {name for name, decided in seen if decided}
    assert {"urgency", "commands", "crisis_steps", "repair", "closing", "amounts"} <= deciders
    assert {"pending", "direct", "topics", "calculation"} & deciders
