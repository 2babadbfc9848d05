"""An in-memory turn log: a bounded deque, gone when the process ends."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from bot.storage.turns.base import TurnLog, TurnRecord


class MemoryTurnLog(TurnLog):
    """Keeps the newest ``max_records`` records of the last ``retention_seconds``."""

    def __init__(self, retention_seconds: float, max_records: int) -> None:
        super().__init__(retention_seconds, max_records)
        self._records: deque[TurnRecord] = deque(maxlen=max_records)

    def record_immediately(self, turn: TurnRecord) -> bool:
        self._records.append(turn)
        self._purge()
        return True

    async def record_many(self, turns: Sequence[TurnRecord]) -> None:
        self._records.extend(turns)
        self._purge()

    async def query(self, since: float, until: float | None = None) -> list[TurnRecord]:
        self._purge()
        since = max(since, self.oldest_kept())
        found = [t for t in self._records
                 if t.at >= since and (until is None or t.at < until)]
        found.sort(key=lambda t: t.at)
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
