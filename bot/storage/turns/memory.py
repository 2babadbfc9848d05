"""An in-memory turn log: a bounded deque, gone when the process ends."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import replace

from bot.storage.turns.base import TurnLog, TurnRecord, new_salt, user_tag


class MemoryTurnLog(TurnLog):
    """Keeps the newest ``max_records`` records of the last ``retention_seconds``; the salt of
    the people's hashes lives (and dies) with it."""

    def __init__(self, retention_seconds: float, max_records: int) -> None:
        super().__init__(retention_seconds, max_records)
        self._records: deque[TurnRecord] = deque(maxlen=max_records)
        self._salt = new_salt()

    def _stored(self, turn: TurnRecord) -> TurnRecord:
        return replace(turn, user=user_tag(self._salt, turn.user)) if turn.user else turn

    def record_immediately(self, turn: TurnRecord) -> bool:
        self._records.append(self._stored(turn))
        self._purge()
        return True

    async def record_many(self, turns: Sequence[TurnRecord]) -> None:
        self._records.extend(self._stored(turn) for turn in turns)
        self._purge()

    async def forget_user(self, user: str) -> int:
        tag = user_tag(self._salt, user)
        forgotten = 0
        for index, turn in enumerate(self._records):
            if turn.user == tag:
                self._records[index] = turn.forgotten()
                forgotten += 1
        return forgotten

    async def query(self, since: float, until: float | None = None) -> list[TurnRecord]:
        self._purge()
        since = max(since, self.oldest_kept())
        found = [t for t in self._records if t.at >= since and (until is None or t.at < until)]
        found.sort(key=lambda t: t.at)
        return found

    async def danger(self, limit: int = 200) -> list[TurnRecord]:
        self._purge()
        found = []
        for turn in reversed(self._records):
            if turn.danger:
                found.append(turn)
                if len(found) >= limit:
                    break
        found.sort(key=lambda t: t.at, reverse=True)
        return found

    def _purge(self) -> None:
        """Drop records past the retention period from the old end (records come in time
        order; one recorded late with an older time waits until it reaches that end)."""
        oldest = self.oldest_kept()
        records = self._records
        while records and records[0].at < oldest:
            records.popleft()

    def __len__(self) -> int:
        return len(self._records)
