"""A session store in Redis, for several bot processes or hosts sharing conversations.

Each session is one string key ``cuishou:session:<key>`` holding a JSON envelope
``{"user", "last_seen", "data"}`` (``data``: the conversation state, JSON text), set with
a time to live so Redis itself drops idle sessions. A set ``cuishou:user:<user>`` lists the
keys of each user's sessions for "删除我的记录"; it lives as long as the user's newest session.
The small Lua scripts keep the key and the set in step atomically (single Redis, not Cluster).

Redis bounds memory itself (``maxmemory`` with a ``volatile-*`` policy); ``max_sessions`` is
accepted for a uniform constructor but not enforced here. When Redis cannot be reached every
call raises :class:`StoreUnavailable`; the client reconnects on its own once Redis is back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.storage.errors import StoreUnavailable
from bot.storage.sessions.base import SessionRecord, SessionStore

log = logging.getLogger(__name__)

SESSION_PREFIX = "cuishou:session:"
USER_PREFIX = "cuishou:user:"
#: Connections one store opens at most; further concurrent calls wait their turn (in order).
MAX_CONNECTIONS = 50

# KEYS: session key, user set. ARGV: JSON, ttl in ms.
_PUT = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], KEYS[1])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then
    redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1
"""

# KEYS: session key. ARGV: user-set prefix. Returns 1 if the session existed.
_DELETE = """
local value = redis.call('GET', KEYS[1])
if not value then return 0 end
redis.call('DEL', KEYS[1])
local ok, session = pcall(cjson.decode, value)
if ok and type(session) == 'table' and type(session.user) == 'string' then
    redis.call('SREM', ARGV[1] .. session.user, KEYS[1])
end
return 1
"""

# KEYS: user set. ARGV: user. Deletes the listed sessions that still belong to the user.
_DELETE_USER = """
local count = 0
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
    local value = redis.call('GET', key)
    if value then
        local ok, session = pcall(cjson.decode, value)
        if ok and type(session) == 'table' and session.user == ARGV[1] then
            count = count + redis.call('DEL', key)
        end
    end
end
redis.call('DEL', KEYS[1])
return count
"""


def _read_record(key: str, value: str | bytes) -> SessionRecord:
    """The record in a stored envelope (raises ValueError, TypeError or KeyError)."""
    raw = json.loads(value)
    user, last_seen, data = raw["user"], raw["last_seen"], raw["data"]
    if not (isinstance(user, str) and isinstance(data, str) and isinstance(last_seen, int | float)):
        raise TypeError("malformed session envelope")
    return SessionRecord(key=key, user=user, last_seen=float(last_seen), data=data)


def _describe(client: Redis) -> str:
    """Where the client connects, without the password a URL may carry."""
    kwargs: dict[str, Any] = client.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"unix:{kwargs['path']} db {kwargs.get('db', 0)}"
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)} db {kwargs.get('db', 0)}"


class RedisStore(SessionStore):
    """Sessions in Redis at ``url`` (``redis://[[user]:password@]host:port/db``, ``rediss://``
    or ``unix://``). Connects lazily; :meth:`ping` checks the connection now."""

    def __init__(
        self,
        url: str,
        idle_seconds: float,
        max_sessions: int = 10_000,
        *,
        timeout: float = 2.0,
        wait_timeout: float = 10.0,
    ) -> None:
        super().__init__(idle_seconds)
        self.max_sessions = max_sessions  # not enforced: see the module docstring
        # More conversations in flight than connections: a call waits its turn (first come,
        # first served, at most ``wait_timeout``) rather than failing. redis-py's own pools
        # do not do this: the default one refuses the 101st connection ("Too many
        # connections"), and the blocking one lets late callers overtake, so some wait on.
        self.wait_timeout = wait_timeout
        self._turns = asyncio.Semaphore(MAX_CONNECTIONS)
        # A short retry: enough to reconnect a pooled connection that Redis dropped (after a
        # restart), short enough that a down Redis fails fast and the engine answers anyway.
        pool = ConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 2),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
            health_check_interval=30,
        )
        self._redis = Redis.from_pool(pool)  # the client owns the pool and closes it
        self.where = _describe(self._redis)
        self._put_script = self._redis.register_script(_PUT)
        self._delete_script = self._redis.register_script(_DELETE)
        self._delete_user_script = self._redis.register_script(_DELETE_USER)

    def _unavailable(self, exc: RedisError | str) -> StoreUnavailable:
        return StoreUnavailable(f"Redis at {self.where} is unavailable: {exc}")

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """One of the connections for one call; Redis errors become StoreUnavailable."""
        try:
            async with asyncio.timeout(self.wait_timeout):
                await self._turns.acquire()
        except TimeoutError:
            raise self._unavailable(
                f"all {MAX_CONNECTIONS} connections busy for {self.wait_timeout:g} s"
            ) from None
        try:
            yield
        except RedisError as exc:
            raise self._unavailable(exc) from exc
        finally:
            self._turns.release()

    async def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless Redis answers."""
        async with self._turn():
            await self._redis.ping()

    async def get(self, key: str) -> SessionRecord | None:
        async with self._turn():
            value = await self._redis.get(SESSION_PREFIX + key)
            if value is None:
                return None
            try:
                record = _read_record(key, value)
            except (ValueError, TypeError, KeyError) as exc:
                log.warning("dropping unreadable session %r in Redis: %s", key, exc)
                await self._delete_script(keys=[SESSION_PREFIX + key], args=[USER_PREFIX])
                return None
            if self.expired(record):  # Redis's clock runs ahead of ours, or a stale write
                await self._delete_script(keys=[SESSION_PREFIX + key], args=[USER_PREFIX])
                return None
            return record

    async def put(self, record: SessionRecord) -> None:
        ttl_ms = math.ceil((record.last_seen + self.idle_seconds - time.time()) * 1000)
        async with self._turn():
            if ttl_ms <= 0:  # already expired: keep nothing
                await self._delete_script(keys=[SESSION_PREFIX + record.key], args=[USER_PREFIX])
                return
            await self._put_script(
                keys=[SESSION_PREFIX + record.key, USER_PREFIX + record.user],
                args=[
                    json.dumps(
                        {"user": record.user, "last_seen": record.last_seen, "data": record.data},
                        ensure_ascii=False,
                    ),
                    ttl_ms,
                ],
            )

    async def delete(self, key: str) -> bool:
        async with self._turn():
            return bool(await self._delete_script(keys=[SESSION_PREFIX + key], args=[USER_PREFIX]))

    async def delete_user(self, user: str) -> int:
        async with self._turn():
            return int(await self._delete_user_script(keys=[USER_PREFIX + user], args=[user]))

    async def close(self) -> None:
        await self._redis.aclose()
