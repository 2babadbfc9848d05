"""A turn log in Redis: one sorted set scored by time, shared by every bot process.

Each record is a member of ``cuishou:turns`` (its JSON with a random id, so equal records stay
apart) scored by its time. Every write, in one MULTI/EXEC, adds the records, removes those
past the retention period and those beyond ``max_records`` (the oldest first), and lets the
whole key expire after the retention period, so a bot that stops leaves nothing behind for
long. Records that keep a text carry a salted hash of the person (for "删除我的记录"); the
salt is created once, in ``cuishou:turns:salt``. When Redis cannot be reached every call
raises :class:`StoreUnavailable`.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Sequence
from dataclasses import replace
from typing import cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.storage.errors import StoreUnavailable
from bot.storage.sessions.redis import _describe
from bot.storage.turns.base import TurnLog, TurnRecord, new_salt, user_tag

log = logging.getLogger(__name__)

TURNS_KEY = "cuishou:turns"
SALT_SUFFIX = ":salt"


class RedisTurnLog(TurnLog):
    """Turn records in Redis at ``url``; connects lazily."""

    def __init__(
        self,
        url: str,
        retention_seconds: float,
        max_records: int,
        *,
        timeout: float = 2.0,
        key: str = TURNS_KEY,
    ) -> None:
        super().__init__(retention_seconds, max_records)
        # No retries: a record that cannot be written now is skipped, never waited for.
        self._redis = Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self.key = key
        self.where = _describe(self._redis)
        self._salt = ""

    async def tag_of(self, user: str) -> str:
        return await self._tag(user)

    async def _tag(self, user: str) -> str:
        """``user``'s salted hash; the salt is read (or created) on first use."""
        if not self._salt:
            salt_key = self.key + SALT_SUFFIX
            await self._redis.set(salt_key, new_salt(), nx=True)
            value = await self._redis.get(salt_key)
            self._salt = value.decode() if isinstance(value, bytes) else str(value)
        return user_tag(self._salt, user)

    def _unavailable(self, exc: RedisError) -> StoreUnavailable:
        return StoreUnavailable(f"Redis at {self.where} is unavailable: {exc}")

    async def record_many(self, turns: Sequence[TurnRecord]) -> None:
        if not turns:
            return
        try:
            members = {}
            for turn in turns:
                if turn.user:
                    turn = replace(turn, user=await self._tag(turn.user))
                members[f"{secrets.token_hex(4)}{turn.to_json()}"] = turn.at
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zadd(self.key, members)
                pipe.zremrangebyscore(self.key, "-inf", f"({self.oldest_kept()}")
                pipe.zremrangebyrank(self.key, 0, -self.max_records - 1)
                pipe.pexpire(self.key, math.ceil(self.retention_seconds * 1000))
                await pipe.execute()
        except RedisError as exc:
            raise self._unavailable(exc) from exc

    async def forget_user(self, user: str) -> int:
        try:
            needle = f'"u":"{await self._tag(user)}"'.encode()
            members = cast(
                list[tuple[bytes, float]],
                await self._redis.zrange(self.key, 0, -1, withscores=True),
            )
            found = [(member, score) for member, score in members if needle in member]
            if not found:
                return 0
            async with self._redis.pipeline(transaction=True) as pipe:
                for member, score in found:
                    pipe.zrem(self.key, member)
                    try:
                        record = TurnRecord.from_json(member[8:])
                    except (ValueError, KeyError, TypeError):
                        continue  # unreadable: removed whole
                    cleared = record.forgotten()
                    pipe.zadd(self.key, {member[:8] + cleared.to_json().encode(): score})
                await pipe.execute()
        except RedisError as exc:
            raise self._unavailable(exc) from exc
        return len(found)

    async def query(self, since: float, until: float | None = None) -> list[TurnRecord]:
        since = max(since, self.oldest_kept())
        try:
            members = cast(
                list[bytes],
                await self._redis.zrangebyscore(
                    self.key, since, "+inf" if until is None else f"({until}"
                ),
            )
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
