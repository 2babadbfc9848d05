"""Text hygiene at the platform boundary and ids in log lines."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.base import describe_turn
from bot.adapters.hygiene import MAX_LOGGED_ID_CHARS, clean_incoming, clean_text, log_id
from bot.adapters.terminal import _incoming_from
from bot.messages import Incoming, Response


def test_lone_surrogates_are_replaced_and_clean_text_is_kept() -> None:
    assert clean_text("催收\ud800") == "催收\ufffd"
    assert clean_text("\udfff开头") == "\ufffd开头"
    assert clean_text("a\x00b") == "ab"
    text = "正常的文字 😀"
    assert clean_text(text) is text


@given(
    st.text(
        alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=())
    )
)
def test_clean_text_is_always_encodable(text: str) -> None:
    clean_text(text).encode("utf-8")


def test_clean_incoming_cleans_user_room_and_text() -> None:
    incoming = Incoming(user="u\ud800", text="t\udc00", room="r\ud834")
    cleaned = clean_incoming(incoming)
    assert cleaned.text == "t\ufffd"
    # An id is cleaned too, and marked with a digest so it stays apart from "u\ufffd" itself.
    assert cleaned.user.startswith("u\ufffd#") and cleaned.room is not None
    assert cleaned.room.startswith("r\ufffd#")
    cleaned.user.encode("utf-8")
    ok = Incoming(user="u", text="t")
    assert clean_incoming(ok) is ok


def test_the_jsonl_terminal_cleans_what_it_reads() -> None:
    incoming = _incoming_from({"conversation": "c\ud800", "text": "你好\ud800"})
    assert isinstance(incoming, Incoming)
    incoming.text.encode("utf-8")
    incoming.user.encode("utf-8")


def test_a_1mb_id_makes_a_short_log_line() -> None:
    huge = "x" * 1_000_000
    line = describe_turn(huge, Incoming(user=huge, text="t", room=huge), Response(replies=["a"]))
    assert len(line) < 500
    assert "(1000000 chars)" in line
    assert log_id("short") == "short"
    assert len(log_id("y" * 10_000)) < MAX_LOGGED_ID_CHARS + 30
