"""An urgent reply never waits behind ordinary ones for the per-minute window: it has a
reserved share outside the ordinary budget (measured on the fake clock of the outbox tests,
where time moves only when the outbox sleeps)."""

from __future__ import annotations

import asyncio

from bot.adapters.outbox import Outbox
from tests.adapters.test_outbox import FakeClock, Recorder, drain, make_outbox


async def test_an_urgent_reply_goes_at_once_when_the_minute_is_spent() -> None:
    clock, gate = FakeClock(), asyncio.Event()

    async def sleep(seconds: float) -> None:
        await gate.wait()  # the minute passes only when the test says so
        clock.now += seconds

    recorder = Recorder(clock)
    outbox = Outbox(
        recorder,
        per_room_per_minute=2,
        overall_per_minute=3,
        max_message_chars=1500,
        clock=clock,
        sleep=sleep,
        urgent_reserve_per_minute=2,
    )
    for index in range(6):  # one client's flood spends the minute's whole budget at once
        outbox.submit(f"flood{index % 3}", [f"ordinary {index}"])
    await asyncio.sleep(0.05)
    assert len(recorder.sent) == 3
    outbox.submit("threatened", ["先拨打110"], urgent=True)
    outbox.submit("flood0", ["他们在门口不走，马上打110"], urgent=True)  # also in a spent chat
    await asyncio.sleep(0.05)
    assert len(recorder.sent) == 5, "an urgent reply waited for the ordinary window"
    gate.set()
    await drain(outbox)
    urgent = [t for t, m in recorder.sent if "110" in m.text]
    assert urgent == [0.0, 0.0], recorder.sent  # not 60 s later
    # the reserve is a share, not a bypass: ordinary replies still keep to their budget
    ordinary = [t for t, m in recorder.sent if "110" not in m.text]
    assert ordinary == [0.0, 0.0, 0.0, 60.0, 60.0, 60.0]


async def test_the_reserve_is_bounded_per_minute() -> None:
    outbox, recorder = make_outbox(per_room=1, overall=1, urgent_reserve_per_minute=2)
    for index in range(5):
        outbox.submit("a", [f"urgent {index}"], urgent=True)
    await drain(outbox)
    # one from the ordinary budget and two from the reserve each minute
    assert recorder.times() == [0.0, 0.0, 0.0, 60.0, 60.0]
