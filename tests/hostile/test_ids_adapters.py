"""Every adapter: distinct ids from the platform never share a conversation, whatever
separators, escapes, lengths or unencodable characters they hold (a property test per adapter,
through each adapter's own conversion of the platform's ids)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.hygiene import MAX_ID_CHARS, bounded_id
from bot.adapters.official import message_key
from bot.adapters.onebot import OneBotAdapter
from bot.adapters.terminal import _incoming_from
from bot.adapters.wechaty import WechatyAdapter
from bot.messages import Incoming, SessionKey

_SEPARATORS = ["/", ":", "%", "2", "F", "3", "A", "a", "\\", "|", "#", "@", "\x00", "\ud800"]
#: ids made mostly of the characters keys are joined and escaped with
_ID = st.text(alphabet=st.sampled_from(_SEPARATORS), min_size=1, max_size=12)
#: the same, sometimes long enough to be cut and digested
_ANY_ID = _ID | st.builds(lambda a, n: a * n, _ID, st.integers(MAX_ID_CHARS // 2, MAX_ID_CHARS))


def _keys(incoming: Incoming) -> tuple[str, str, str]:
    key = SessionKey.of(incoming)
    return key.user, key.conversation(), key.conversation(per_room=True)


def _assert_apart(a: tuple[Any, ...], b: tuple[Any, ...], ka: tuple[str, ...], kb: tuple[str, ...]):
    if a == b:
        assert ka == kb
        return
    # The conversation a person has (in a private chat or in a group) is never another's.
    assert ka[1] != kb[1], (a, b, ka)


@settings(max_examples=300, deadline=None)
@given(a=_ANY_ID, b=_ANY_ID)
def test_bounded_ids_are_one_to_one(a: str, b: str) -> None:
    assert len(bounded_id(a)) <= MAX_ID_CHARS
    assert (bounded_id(a) == bounded_id(b)) == (a == b)


def test_an_id_made_to_look_rewritten_is_not_anothers() -> None:
    long = "x" * 1000
    forged = bounded_id(long)
    assert bounded_id(forged) != forged
    assert bounded_id("\ud800") != bounded_id("\ufffd")
    assert bounded_id("a\x00b") != bounded_id("ab")


@settings(max_examples=300, deadline=None)
@given(
    a=st.tuples(_ANY_ID, _ANY_ID, st.none() | _ANY_ID),
    b=st.tuples(_ANY_ID, _ANY_ID, st.none() | _ANY_ID),
)
def test_terminal_jsonl_ids_never_collide(
    a: tuple[str, str, str | None], b: tuple[str, str, str | None]
) -> None:
    def keys(conversation: str, user: str, room: str | None) -> tuple[str, str, str]:
        incoming = _incoming_from(
            {"conversation": conversation, "user": user, "room": room, "text": "hi"}
        )
        assert isinstance(incoming, Incoming)
        return _keys(incoming)

    _assert_apart(a, b, keys(*a), keys(*b))


def test_the_terminal_collision() -> None:
    one = _incoming_from({"conversation": "tenantA/alice", "user": "web", "text": "x"})
    two = _incoming_from({"conversation": "tenantA", "user": "alice/web", "text": "x"})
    assert isinstance(one, Incoming) and isinstance(two, Incoming)
    assert _keys(one) != _keys(two)


_QQ = st.integers(1, 10**12) | st.integers(1, 10**12).map(str)


@settings(max_examples=300, deadline=None)
@given(a=st.tuples(_QQ, st.none() | _QQ), b=st.tuples(_QQ, st.none() | _QQ))
def test_onebot_ids_never_collide(a: tuple[Any, Any], b: tuple[Any, Any]) -> None:
    def keys(user: Any, group: Any) -> tuple[str, str, str]:
        event = {
            "message_type": "private" if group is None else "group",
            "user_id": user,
            "group_id": group,
            "message": "hi",
        }
        incoming = OneBotAdapter._to_incoming(None, event, "999")  # type: ignore[arg-type]
        assert incoming is not None
        return _keys(incoming)

    same = tuple(None if v is None else int(v) for v in a) == tuple(
        None if v is None else int(v) for v in b
    )
    ka, kb = keys(*a), keys(*b)
    assert (ka[1] == kb[1]) == same


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name


def _wechat_message(user: str, room: str | None) -> Any:
    async def no() -> bool:
        return False

    return SimpleNamespace(
        talker=lambda: SimpleNamespace(contact_id=user),
        room=lambda: None if room is None else SimpleNamespace(room_id=room),
        type=lambda: _Named("MESSAGE_TYPE_TEXT"),
        text=lambda: "hi",
        mention_self=no,
    )


@settings(max_examples=300, deadline=None)
@given(
    a=st.tuples(_ANY_ID, st.none() | _ANY_ID),
    b=st.tuples(_ANY_ID, st.none() | _ANY_ID),
)
def test_wechat_ids_never_collide(a: tuple[str, str | None], b: tuple[str, str | None]) -> None:
    adapter: Any = object.__new__(WechatyAdapter)
    adapter._config = SimpleNamespace(bot_name="助手")
    adapter._bot_names = lambda msg: ["助手"]

    def keys(user: str, room: str | None) -> tuple[str, str, str]:
        incoming = asyncio.run(WechatyAdapter._to_incoming(adapter, _wechat_message(user, room)))
        return _keys(incoming)

    _assert_apart(a, b, keys(*a), keys(*b))


@settings(max_examples=300, deadline=None)
@given(a=st.tuples(_ANY_ID, st.integers(1, 99)), b=st.tuples(_ANY_ID, st.integers(1, 99)))
def test_official_ids_and_retry_keys_never_collide(a: tuple[str, int], b: tuple[str, int]) -> None:
    """The Official Account: the follower's open id is the conversation; a retry is known by
    the sender and the MsgId (two followers' messages with one MsgId are two messages)."""

    def keys(source: str, msg_id: int) -> tuple[str, str]:
        from bot.adapters.hygiene import clean_incoming

        incoming = clean_incoming(Incoming(user=source, text="hi", platform="official"))
        message = SimpleNamespace(id=msg_id, source=source, time=0, type="text")
        return SessionKey.of(incoming).conversation(), message_key(message)  # type: ignore[arg-type]

    ka, kb = keys(*a), keys(*b)
    assert (ka[0] == kb[0]) == (a[0] == b[0])
    assert (ka[1] == kb[1]) == (a == b)


#: visitor ids as the public page issues them (URL-safe base64), and API clients (None)
_VISITOR = st.none() | st.text(alphabet=st.sampled_from("AZaz09-_"), min_size=1, max_size=22)


@given(
    a=st.tuples(_VISITOR, _ID, _ID, st.none() | _ID),
    b=st.tuples(_VISITOR, _ID, _ID, st.none() | _ID),
)
def test_public_page_visitors_and_api_clients_never_collide(
    a: tuple[Any, ...], b: tuple[Any, ...]
) -> None:
    """A public page's visitor (any conversation, user and room names) never reaches another
    visitor's or an API client's conversation (bot/adapters/http.py, MessageRequest)."""
    from bot.adapters.http import MessageRequest

    def keys(ids: tuple[Any, ...]) -> tuple[str, str, str]:
        visitor, conversation, user, room = ids
        request = MessageRequest(conversation=conversation, user=user, room=room, text="hi")
        return _keys(request.incoming(visitor))

    _assert_apart(a, b, keys(a), keys(b))
