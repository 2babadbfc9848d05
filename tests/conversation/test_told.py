"""The person's own clauses, kept and quoted (bot/conversation/told.py)."""

from __future__ import annotations

from bot.conversation import told
from bot.conversation.state import Session


def test_clauses_split_long_sentences_at_commas_and_drop_fragments() -> None:
    assert told.clauses("好的。5张信用卡全面逾期了") == ["5张信用卡全面逾期了"]
    long = "我在外地打工，催收说要去我老家找我爸妈，还说要在村里贴告示，我该怎么办才好呢"
    assert "催收说要去我老家找我爸妈" in told.clauses(long)


def test_remember_masks_keeps_the_newest_and_does_not_repeat() -> None:
    kept: list[str] = []
    for i in range(told.KEPT + 5):
        kept = told.remember(kept, f"第{i}件事情发生了")
    assert len(kept) == told.KEPT and kept[-1] == f"第{told.KEPT + 4}件事情发生了"
    kept = told.remember([], "身份证号110101199003074512给了他们")
    assert "110101199003074512" not in kept[0]
    assert told.remember(["欠了3万块钱"], "欠了3万块钱") == ["欠了3万块钱"]


def test_quote_takes_the_clause_the_question_asks_about() -> None:
    kept = ["5张信用卡全面逾期", "电话一天打十几次", "我想先跟其中一家银行谈谈"]
    asked = "我刚才说我一共有几张卡逾期"
    assert told.quote(kept, asked + "？我想一家一家谈", asked) == "5张信用卡全面逾期"
    assert told.quote(kept, "我刚才说的天气怎么样", "") is None


def test_the_clauses_survive_the_stored_session_and_a_fresh_start() -> None:
    session = Session(key="k", told=["催收说要去我老家"])
    again = Session.from_json(session.to_json())
    assert again.told == ["催收说要去我老家"]
    assert Session.from_json('{"key": "old"}').told == []  # a session stored before
    again.reset()
    assert again.told == []


def test_english_is_compared_by_words_not_letter_pairs() -> None:
    kept = ["My roommate is here with me", "They came to my office at noon"]
    assert told.quote(kept, "Where did I say they came?", "Where did I say") == kept[1]
    asked = "What was the total I told you"
    assert told.quote(kept, asked + "?", asked) is None
