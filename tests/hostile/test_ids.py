"""Ids from clients: distinct ids never share a conversation, and no id or text is unbounded."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.http import MessageRequest
from bot.adapters.hygiene import MAX_ID_CHARS, MAX_TEXT_CHARS, bounded_id, clean_incoming
from bot.adapters.onebot import numeric_id
from bot.messages import Incoming, SessionKey

#: ids made mostly of the characters adapters and keys join with
_ID = st.text(alphabet=st.sampled_from(["/", ":", "%", "2", "F", "a", "\\", "|", "#"]), min_size=1)


def _key(conversation: str, user: str, room: str | None) -> tuple[str, str]:
    incoming = clean_incoming(
        MessageRequest(conversation=conversation, user=user, room=room, text="hi").incoming()
    )
    key = SessionKey.of(incoming)
    return key.conversation(), key.conversation(per_room=True)


@settings(max_examples=400, deadline=None)
@given(a=st.tuples(_ID, _ID, st.none() | _ID), b=st.tuples(_ID, _ID, st.none() | _ID))
def test_http_ids_never_collide(
    a: tuple[str, str, str | None], b: tuple[str, str, str | None]
) -> None:
    if a == b:
        return
    per_person_a, per_room_a = _key(*a)
    per_person_b, per_room_b = _key(*b)
    assert per_person_a != per_person_b
    in_rooms = a[2] is not None and b[2] is not None
    if in_rooms and (a[0] != b[0] or a[2] != b[2]):  # another API client or another room
        assert per_room_a != per_room_b


def test_the_reported_collision() -> None:
    assert _key("tenantA/alice", "web", None) != _key("tenantA", "alice/web", None)


@settings(max_examples=200, deadline=None)
@given(a=st.text(min_size=MAX_ID_CHARS - 3), b=st.text(min_size=MAX_ID_CHARS - 3))
def test_long_ids_are_bounded_and_stay_distinct(a: str, b: str) -> None:
    assert len(bounded_id(a)) <= MAX_ID_CHARS
    if a != b:
        assert bounded_id(a) != bounded_id(b)


def test_a_huge_id_and_text_are_bounded() -> None:
    incoming = clean_incoming(
        Incoming(user="u" * 1_000_000, text="钱" * 1_000_000, platform="qq", room="r" * 10**6)
    )
    assert len(incoming.user) <= MAX_ID_CHARS and incoming.room is not None
    assert len(incoming.room) <= MAX_ID_CHARS
    assert len(incoming.text) == MAX_TEXT_CHARS


def test_onebot_ids_are_numbers_of_bounded_length() -> None:
    assert numeric_id(12345) == "12345" and numeric_id(" 012345 ") == "12345"
    for bad in [{"a": 1}, [1], 1.5, True, -5, 0, "12a", "1" * 21, 10**20, "１２３", None, ""]:
        assert numeric_id(bad) is None, json.dumps(bad, default=str)
