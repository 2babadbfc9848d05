"""The terminal chat's note on an earlier conversation: said while the engine would continue
it, not after the idle expiry (the store keeps a conversation longer, for the return notice)."""

from __future__ import annotations

import time
from dataclasses import replace

from bot.adapters.terminal import TERMINAL_USER, earlier_conversation
from bot.engine import Engine
from bot.messages import Incoming


async def test_the_note_follows_the_idle_expiry(engine: Engine) -> None:
    assert await earlier_conversation(engine, new=False) is None  # nothing earlier
    await engine.handle(Incoming(user=TERMINAL_USER, text="怎么和银行协商分期"))
    key = engine.session_key(Incoming(user=TERMINAL_USER, text=""))
    record = await engine.store.get(key)
    assert record is not None
    await engine.store.put(replace(record, last_seen=time.time() - 5 * 60))
    note = await earlier_conversation(engine, new=False)
    assert note is not None and "5分钟前" in note
    idle = engine.config.sessions.retention_seconds
    await engine.store.put(replace(record, last_seen=time.time() - idle - 60))
    assert await earlier_conversation(engine, new=False) is None  # the engine starts afresh
    await engine.store.put(replace(record, last_seen=time.time()))
    assert await earlier_conversation(engine, new=True) is None
    assert await engine.store.get(key) is None  # --new forgot it
