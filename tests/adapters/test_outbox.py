"""The outbox: rate limits, order, queueing and message splitting."""

from __future__ import annotations

import asyncio
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.outbox import Outbox, Outgoing, SlidingWindow, split_message


class FakeClock:
    """A clock that only moves when the outbox sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)  # cancelled here, the time does not move
        self.now += seconds


class Recorder:
    """A ``send`` that records (time, message)."""

    def __init__(self, clock: FakeClock, fail_on: str | None = None) -> None:
        self.clock = clock
        self.fail_on = fail_on
        self.sent: list[tuple[float, Outgoing]] = []

    async def __call__(self, message: Outgoing) -> None:
        if message.text == self.fail_on:
            raise ConnectionError("gateway went away")
        self.sent.append((self.clock(), message))

    def texts(self) -> list[str]:
        return [m.text for _, m in self.sent]

    def times(self, conversation: str | None = None) -> list[float]:
        return [t for t, m in self.sent if conversation in (None, m.conversation)]


def make_outbox(
    per_room: int = 100,
    overall: int = 100,
    max_chars: int = 1500,
    fail_on: str | None = None,
    **kwargs: int,
) -> tuple[Outbox, Recorder]:
    clock = FakeClock()
    recorder = Recorder(clock, fail_on)
    outbox = Outbox(
        recorder,
        per_room_per_minute=per_room,
        overall_per_minute=overall,
        max_message_chars=max_chars,
        clock=clock,
        sleep=clock.sleep,
        **kwargs,
    )
    return outbox, recorder


async def drain(outbox: Outbox) -> None:
    await asyncio.wait_for(outbox.join(), 5)
    await outbox.close()


# ----- sliding window --------------------------------------------------------------------


def test_sliding_window_allows_limit_then_waits_for_the_oldest_to_expire() -> None:
    window = SlidingWindow(limit=2, period=60)
    assert window.wait_time(0) == 0
    window.record(0)
    window.record(10)
    assert window.wait_time(10) == pytest.approx(50)
    assert window.wait_time(60) == 0  # the event at 0 has left the window
    window.record(60)
    assert window.wait_time(61) == pytest.approx(9)
    assert not window.is_idle(69)
    assert window.is_idle(120)


# ----- rate limits and order -------------------------------------------------------------


async def test_burst_within_limits_is_sent_at_once_in_order() -> None:
    outbox, recorder = make_outbox(per_room=10, overall=10)
    assert outbox.submit("room-a", ["一", "二", "三"], in_room=True) == 3
    await drain(outbox)
    assert recorder.texts() == ["一", "二", "三"]
    assert recorder.times() == [0, 0, 0]


async def test_per_room_limit_spreads_a_burst_over_minutes_and_drops_nothing() -> None:
    outbox, recorder = make_outbox(per_room=2, overall=100)
    outbox.submit("room-a", [f"第{i}条" for i in range(5)], in_room=True)
    await drain(outbox)
    assert recorder.texts() == [f"第{i}条" for i in range(5)]
    assert recorder.times() == [0, 0, 60, 60, 120]


async def test_overall_limit_applies_across_conversations() -> None:
    outbox, recorder = make_outbox(per_room=100, overall=3)
    for room in ("a", "b", "c", "d"):
        outbox.submit(room, [f"to {room}"], in_room=True)
    await drain(outbox)
    assert recorder.texts() == ["to a", "to b", "to c", "to d"]
    assert recorder.times() == [0, 0, 0, 60]


async def test_a_conversation_at_its_limit_does_not_hold_up_the_others() -> None:
    outbox, recorder = make_outbox(per_room=2, overall=100)
    outbox.submit("busy", ["b1", "b2", "b3"], in_room=True)
    outbox.submit("user-1", ["hello"])
    await drain(outbox)
    assert recorder.texts() == ["b1", "b2", "hello", "b3"]
    assert recorder.times("user-1") == [0]
    assert recorder.times("busy") == [0, 0, 60]


async def test_order_is_kept_per_conversation_across_submissions() -> None:
    outbox, recorder = make_outbox(per_room=3, overall=4)
    outbox.submit("a", ["a1", "a2"])
    outbox.submit("b", ["b1"])
    outbox.submit("a", ["a3", "a4"])
    outbox.submit("b", ["b2", "b3"])
    await drain(outbox)
    sent = recorder.texts()
    assert [t for t in sent if t.startswith("a")] == ["a1", "a2", "a3", "a4"]
    assert [t for t in sent if t.startswith("b")] == ["b1", "b2", "b3"]
    assert len(sent) == 7


async def test_under_the_overall_limit_the_oldest_message_goes_first() -> None:
    outbox, recorder = make_outbox(per_room=100, overall=1)
    outbox.submit("x", ["x1"])
    outbox.submit("y", ["y1"])
    outbox.submit("x", ["x2"])
    await drain(outbox)
    assert recorder.texts() == ["x1", "y1", "x2"]
    assert recorder.times() == [0, 60, 120]


async def test_conversations_with_urgent_messages_go_first_in_their_own_order() -> None:
    outbox, recorder = make_outbox(per_room=100, overall=1)
    outbox.submit("a", ["a1", "a2"])
    outbox.submit("b", ["b1"])
    outbox.submit("c", ["c1"], urgent=True)
    outbox.submit("d", ["d1"])
    outbox.submit("d", ["d2"], urgent=True)  # jumps ahead of d1, which waits its turn
    await drain(outbox)
    assert recorder.texts() == ["c1", "d2", "a1", "a2", "b1", "d1"]
    # c1 uses the minute's one ordinary slot, d2 the urgent reserve; the rest wait their turn
    assert recorder.times() == [0, 0, 60, 120, 180, 240]


async def test_message_submitted_while_waiting_for_a_limit_goes_out_at_once() -> None:
    gate = asyncio.Event()
    real_clock = FakeClock()

    async def slow_sleep(seconds: float) -> None:
        await gate.wait()  # the limited conversation waits until the test lets it go
        real_clock.now += seconds

    recorder = Recorder(real_clock)
    outbox = Outbox(
        recorder,
        per_room_per_minute=1,
        overall_per_minute=100,
        max_message_chars=100,
        clock=real_clock,
        sleep=slow_sleep,
    )
    outbox.submit("a", ["a1", "a2"])
    for _ in range(50):
        if recorder.texts() == ["a1"]:
            break
        await asyncio.sleep(0)
    outbox.submit("b", ["b1"])  # must not wait behind a2
    for _ in range(50):
        if "b1" in recorder.texts():
            break
        await asyncio.sleep(0)
    assert recorder.texts() == ["a1", "b1"]
    gate.set()
    await drain(outbox)
    assert recorder.texts() == ["a1", "b1", "a2"]


async def test_long_reply_is_split_and_mentions_go_on_the_first_part_only() -> None:
    outbox, recorder = make_outbox(max_chars=10)
    text = "第一段内容。\n\n第二段内容比较长一些。\n\n第三段。"
    count = outbox.submit("room", [text, "下一条"], in_room=True, mention_ids=["u1"])
    await drain(outbox)
    messages = [m for _, m in recorder.sent]
    assert count == len(messages) >= 4
    assert all(len(m.text) <= 10 for m in messages)
    assert messages[0].mention_ids == ("u1",)
    assert all(m.mention_ids == () for m in messages[1:])
    assert messages[-1].text == "下一条"
    assert "".join(m.text for m in messages[:-1]) == text.replace("\n", "")


async def test_private_messages_never_carry_mentions() -> None:
    outbox, recorder = make_outbox()
    outbox.submit("user", ["hi"], mention_ids=["user"])
    await drain(outbox)
    assert recorder.sent[0][1] == Outgoing("user", "hi", in_room=False, mention_ids=())


async def test_failed_send_is_logged_and_the_rest_still_goes_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outbox, recorder = make_outbox(fail_on="boom")
    with caplog.at_level(logging.WARNING, logger="bot.adapters.outbox"):
        outbox.submit("a", ["one", "boom", "three"])
        await drain(outbox)
    assert recorder.texts() == ["one", "three"]
    assert "sending a message to a failed" in caplog.text
    assert "failed again" in caplog.text  # retried once, then given up
    assert "boom" not in caplog.text  # message texts are not logged


async def test_huge_queue_is_kept_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    outbox, recorder = make_outbox(per_room=5, overall=5, warn_queue_size=20)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.outbox"):
        outbox.submit("a", [f"m{i}" for i in range(30)])
        assert outbox.pending == 30
        await drain(outbox)
    assert recorder.texts() == [f"m{i}" for i in range(30)]
    assert any("waiting to be sent" in r.getMessage() for r in caplog.records)
    assert recorder.times()[-1] == 5 * 60  # 30 messages at 5 a minute


async def test_empty_replies_send_nothing() -> None:
    outbox, recorder = make_outbox()
    assert outbox.submit("a", ["", "  \n "]) == 0
    await drain(outbox)
    assert recorder.sent == []


async def test_close_drops_what_is_left_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    never = asyncio.Event()

    async def blocked_send(message: Outgoing) -> None:
        await never.wait()

    outbox = Outbox(
        blocked_send, per_room_per_minute=10, overall_per_minute=10, max_message_chars=100
    )
    outbox.submit("a", ["x", "y"])
    await asyncio.sleep(0)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.outbox"):
        await outbox.close(drain_seconds=0.01)
    assert "2 unsent message(s)" in caplog.text
    assert outbox.pending == 0
    with pytest.raises(RuntimeError):
        outbox.submit("a", ["z"])


def test_invalid_limits_are_rejected() -> None:
    async def send(message: Outgoing) -> None: ...

    with pytest.raises(ValueError, match="at least 1"):
        Outbox(send, per_room_per_minute=0, overall_per_minute=1, max_message_chars=10)


# ----- splitting -------------------------------------------------------------------------


def test_short_text_is_one_part_and_blank_text_none() -> None:
    assert split_message("  你好  ", 10) == ["你好"]
    assert split_message("", 10) == []
    assert split_message(" \n\n ", 10) == []


def test_splits_on_paragraphs_before_lines() -> None:
    text = "第一段第一行\n第一段第二行\n\n第二段"
    assert split_message(text, 14) == ["第一段第一行\n第一段第二行", "第二段"]


def test_splits_a_long_paragraph_on_lines() -> None:
    text = "一二三四五\n六七八九十\n甲乙丙"
    assert split_message(text, 11) == ["一二三四五\n六七八九十", "甲乙丙"]


def test_splits_a_long_line_after_sentence_ends() -> None:
    text = "先保存证据。再拨打110报警！然后联系律师？最后写投诉信。"
    assert split_message(text, 16) == [
        "先保存证据。再拨打110报警！",
        "然后联系律师？最后写投诉信。",
    ]
    parts = split_message(text, 12)
    assert all(len(p) <= 12 for p in parts)
    assert all(p.endswith(("。", "！", "？")) for p in parts)
    assert "".join(parts) == text


def test_hard_split_as_last_resort_keeps_every_character() -> None:
    text = "字" * 25
    assert split_message(text, 10) == ["字" * 10, "字" * 10, "字" * 5]


def test_never_separates_a_combining_mark_or_emoji_sequence() -> None:
    text = "abcde\u0301fgh"  # e + combining acute accent at positions 4-5
    parts = split_message(text, 5)
    assert all(not p.startswith("\u0301") for p in parts)
    assert "".join(parts) == text
    family = "ab👨\u200d👩\u200d👧cd"  # one emoji of five code points
    parts = split_message(family, 6)
    assert parts == ["ab", "👨\u200d👩\u200d👧c", "d"]


def test_rejects_a_limit_below_one() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        split_message("abc", 0)


@given(
    st.text(alphabet=st.sampled_from(list("催收我你。！？ \n\nab1")), max_size=300),
    st.integers(min_value=1, max_value=40),
)
def test_split_parts_fit_are_non_empty_and_keep_all_content(text: str, max_chars: int) -> None:
    parts = split_message(text, max_chars)
    assert all(part and part == part.strip() for part in parts)
    assert all(len(part) <= max_chars for part in parts)

    def squeeze(s: str) -> str:
        return "".join(s.split())

    assert squeeze("".join(parts)) == squeeze(text)


# ----- bounds, priority, retries and stopping (issue 15) ------------------------------------


async def test_an_urgent_reply_jumps_300_ordinary_ones() -> None:
    outbox, recorder = make_outbox(
        per_room=100, overall=30, max_queued=1000, max_queued_per_conversation=1000
    )
    for index in range(300):
        outbox.submit(f"user{index % 50}", [f"ordinary {index}"])
    outbox.submit("threatened", ["先拨打110"], urgent=True)
    await drain(outbox)
    texts = recorder.texts()
    assert texts.index("先拨打110") <= 1  # at most the one already being sent goes first
    assert len(texts) == 301


async def test_a_conversation_queue_is_bounded_and_keeps_the_newest_and_urgent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outbox, recorder = make_outbox(per_room=1, overall=100, max_queued_per_conversation=5)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.outbox"):
        outbox.submit("a", ["urgent 1"], urgent=True)
        for index in range(20):
            outbox.submit("a", [f"m{index}"])
        outbox.submit("a", ["urgent 2"], urgent=True)
        assert outbox.pending == 5  # the urgent ones count, and make room
        await drain(outbox)
    texts = recorder.texts()
    assert texts[:2] == ["urgent 1", "urgent 2"]
    assert texts[2:] == ["m17", "m18", "m19"]
    assert outbox.dropped == 17
    lines = [r for r in caplog.records if "queue full" in r.getMessage()]
    assert len(lines) == 1  # rate-limited: one line a minute, with the figures
    assert "limits 5 per conversation" in lines[0].getMessage()


async def test_the_overall_bound_drops_the_oldest_ordinary_replies_never_urgent() -> None:
    outbox, recorder = make_outbox(
        per_room=100, overall=1, max_queued=10, max_queued_per_conversation=100
    )
    for index in range(12):
        outbox.submit("flood", [f"f{index}"])
    outbox.submit("quiet", ["q"])
    for index in range(3):
        outbox.submit("danger", [f"urgent {index}"], urgent=True)
    assert outbox.pending <= 13
    await drain(outbox)
    texts = recorder.texts()
    assert {"q", "urgent 0", "urgent 1", "urgent 2"} <= set(texts)
    assert all(not t.startswith("f") or int(t[1:]) >= 3 for t in texts)  # the oldest went


async def test_urgent_messages_are_never_dropped_even_beyond_every_bound() -> None:
    outbox, recorder = make_outbox(
        per_room=100, overall=100, max_queued=2, max_queued_per_conversation=2
    )
    for index in range(10):
        outbox.submit("a", [f"u{index}"], urgent=True)
    await drain(outbox)
    assert recorder.texts() == [f"u{index}" for index in range(10)]


async def test_a_failed_message_is_sent_again_in_parts_urgent_lines_first() -> None:
    clock = FakeClock()
    sent: list[str] = []

    async def send(message: Outgoing) -> None:
        if "\n" in message.text:
            raise ValueError("the platform refused the message")
        sent.append(message.text)

    outbox = Outbox(
        send,
        per_room_per_minute=100,
        overall_per_minute=100,
        max_message_chars=1500,
        clock=clock,
        sleep=clock.sleep,
    )
    outbox.submit("a", ["他们说的不对。\n如果有人威胁你，请先拨打110。\n再看合同。"], urgent=True)
    await drain(outbox)
    assert sent == ["如果有人威胁你，请先拨打110。", "他们说的不对。", "再看合同。"]


async def test_unsent_messages_are_saved_on_stop_and_sent_on_the_next_start(
    tmp_path: pytest.TempPathFactory, caplog: pytest.LogCaptureFixture
) -> None:
    unsent = tmp_path / "unsent.json"  # type: ignore[operator]
    blocked = asyncio.Event()

    async def never(message: Outgoing) -> None:
        await blocked.wait()

    first = Outbox(
        never,
        per_room_per_minute=100,
        overall_per_minute=100,
        max_message_chars=1500,
        unsent_file=unsent,
    )
    first.submit("a", ["one", "two"])
    first.submit("b", ["请先拨打110"], urgent=True)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.outbox"):
        await first.close(drain_seconds=0.05)
    assert "3 unsent message(s) (1 urgent); saved to" in caplog.text
    assert unsent.exists()

    clock = FakeClock()
    recorder = Recorder(clock)
    second = Outbox(
        recorder,
        per_room_per_minute=100,
        overall_per_minute=100,
        max_message_chars=1500,
        clock=clock,
        sleep=clock.sleep,
        unsent_file=unsent,
    )
    assert second.restore() == 3
    await drain(second)
    assert recorder.texts() == ["请先拨打110", "one", "two"]
    assert not unsent.exists()


async def test_without_a_file_unsent_messages_are_counted_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def never(message: Outgoing) -> None:
        await asyncio.Event().wait()

    outbox = Outbox(never, per_room_per_minute=100, overall_per_minute=100, max_message_chars=1500)
    outbox.submit("a", ["one", "two"])
    with caplog.at_level(logging.WARNING, logger="bot.adapters.outbox"):
        await outbox.close(drain_seconds=0.05)
    assert "2 unsent message(s) (0 urgent) and nowhere to save them" in caplog.text


async def test_a_damaged_unsent_file_is_moved_aside(tmp_path: pytest.TempPathFactory) -> None:
    unsent = tmp_path / "unsent.json"  # type: ignore[operator]
    unsent.write_text("[{not json", encoding="utf-8")
    outbox, _ = make_outbox(unsent_file=unsent)  # type: ignore[arg-type]
    assert outbox.restore() == 0
    assert not unsent.exists() and unsent.with_suffix(".damaged").exists()


async def test_a_lone_surrogate_in_a_reply_is_replaced_before_sending() -> None:
    outbox, recorder = make_outbox()
    outbox.submit("a", ["请先拨打110\ud800"])
    await drain(outbox)
    assert recorder.texts() == ["请先拨打110\ufffd"]
    recorder.texts()[0].encode("utf-8")
