"""A turn log in Redis: one sorted set scored by time, shared by every bot process.

Each record is a member of ``cuishou:turns`` (its JSON with a random id, so equal records stay
apart) scored by its time. Every write, in one MULTI/EXEC, adds the records, removes those
past the retention period and those beyond ``max_records`` (the oldest first), and lets the
whole key expire after the retention period, so a bot that stops leaves nothing behind for
long. When Redis cannot be reached every call raises :class:`StoreUnavailable`.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Sequence
from typing import cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.storage.errors import StoreUnavailable
from bot.storage.sessions.redis import _describe
from bot.storage.turns.base import TurnLog, TurnRecord

log = logging.getLogger(__name__)

TURNS_KEY = "cuishou:turns"


class RedisTurnLog(TurnLog):
    """Turn records in Redis at ``url``; connects lazily."""

    def __init__(self, url: str, retention_seconds: float, max_records: int, *,
                 timeout: float = 2.0, key: str = TURNS_KEY) -> None:
        super().__init__(retention_seconds, max_records)
        # No retries: a record that cannot be written now is skipped, never waited for.
        self._redis = Redis.from_url(url, socket_timeout=timeout,
                                     socket_connect_timeout=timeout)
        self.key = key
        self.where = _describe(self._redis)

    def _unavailable(self, exc: RedisError) -> StoreUnavailable:
        return StoreUnavailable(f"Redis at {self.where} is unavailable: {exc}")

    async def record_many(self, turns: Sequence[TurnRecord]) -> None:
        if not turns:
            return
        members = {f"{secrets.token_hex(4)}{turn.to_json()}": turn.at for turn in turns}
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zadd(self.key, members)
                pipe.zremrangebyscore(self.key, "-inf", f"({self.oldest_kept()}")
                pipe.zremrangebyrank(self.key, 0, -self.max_records - 1)
                pipe.pexpire(self.key, math.ceil(self.retention_seconds * 1000))
                await pipe.execute()
        except RedisError as exc:
            raise self._unavailable(exc) from exc

    async def query(self, since: float, until: float | None = None) -> list[TurnRecord]:
        since = max(since, self.oldest_kept())
        try:
            members = cast(list[bytes], await self._redis.zrangebyscore(
                self.key, since, "+inf" if until is None else f"({until}"))
        except RedisError as exc:
            raise self._unavailable(exc) from exc
        records = []
        for member in members:
            try:
                records.append(TurnRecord.from_json(member[8:]))  # after the random id
            except (ValueError, KeyError, TypeError):
                log.warning("ignoring an unreadable turn record in Redis")
        return records

    async def close(self) -> None:
        await self._redis.aclose()
