"""``redis`` KV store: values as Redis strings, an ordered key index per namespace.

Writes are MULTI/EXEC transactions (``apply``: one Lua script) that update the
values and the namespace's sorted-set index together, so a batch lands whole and
``scan`` sees exactly what was written. TTL is Redis's own (SET ... PX); a rewrite without TTL is a plain
SET/MSET, which clears any expiry (PERSIST semantics). Index members whose
value has expired are dropped lazily, atomically, by the scan that meets them.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.connection import parse_url
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError, ResponseError

from soma_core.errors import BackendUnavailableError
from soma_core.interfaces import Capabilities, KVStore

from .config import DEFAULT_HOST, DEFAULT_PORT, RedisConfig, safe_url
from .errors import is_unavailable, reason
from .keys import NamespaceKeys, lex_range, members

T = TypeVar("T")
CHUNK = 1000
"""Keys per MGET/MSET/DEL/ZADD command: big batches become several commands in one round trip."""

SWEEP = """
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then
    redis.call('ZREM', KEYS[1], ARGV[i - 1])
  end
end
return 0
"""
"""Drop index members (ARGV) whose value keys (KEYS[2..]) are gone; KEYS[1] is the index.

Checking and removing in one script keeps a key rewritten meanwhile in the index."""

APPLY = """
local nd, np, na = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local values = 3 + nd + np + na
for i = 1, nd do
  redis.call('DEL', KEYS[1 + i])
  redis.call('ZREM', KEYS[1], ARGV[3 + i])
end
for i = nd + 1, nd + np do
  redis.call('SET', KEYS[1 + i], ARGV[values + i - nd])
  redis.call('ZADD', KEYS[1], 0, ARGV[3 + i])
end
for i = nd + np + 1, nd + np + na do
  local total = redis.call('INCRBY', KEYS[1 + i], ARGV[values + i - nd])
  if total <= 0 then
    redis.call('DEL', KEYS[1 + i])
    redis.call('ZREM', KEYS[1], ARGV[3 + i])
  else
    redis.call('PERSIST', KEYS[1 + i])
    redis.call('ZADD', KEYS[1], 0, ARGV[3 + i])
  end
end
return 0
"""
"""One ``apply`` batch, atomic as every script is: deletes, then puts (SET: no expiry), then counter additions.

KEYS[1] is the index, KEYS[2..] the value keys of the deleted, put and counted keys in
that order; ARGV holds their three counts, their index members, the put values, the deltas.
INCRBY counts an expired key as 0; a counter at 0 or below is deleted, others never expire."""


def _chunks(seq: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(seq), CHUNK):
        yield seq[start : start + CHUNK]


class RedisKVStore(KVStore):
    """A KV store on one Redis server (or a proxy speaking its protocol), through redis-py asyncio.

    Connections come from a bounded, blocking pool: a burst waits for a free
    connection (up to ``pool_timeout``) instead of failing. Lost connections are
    re-established by redis-py on the next use, with ``retries`` retries.
    """

    name = "redis"
    Config = RedisConfig
    capabilities = Capabilities(ttl=True, persistent=True, multi_process=True)
    env_prefix = "SOMA_REDIS_"
    config: RedisConfig

    def __init__(self, config: RedisConfig | None = None) -> None:
        super().__init__(config)
        self._client: Redis | None = None
        self._sweep: Any = None
        self._apply: Any = None

    @property
    def address(self) -> str:
        """host:port (or socket path) of the server, with a non-zero db; never a password."""
        if self.config.url is None:
            where = f"{self.config.host or DEFAULT_HOST}:{self.config.port or DEFAULT_PORT}"
            db = self.config.db or 0
        else:
            parsed = parse_url(self.config.url)
            where = parsed.get("path") or f"{parsed.get('host', 'localhost')}:{parsed.get('port', DEFAULT_PORT)}"
            db = int(parsed.get("db", 0) or 0)
        return f"{where} db {db}" if db else where

    def _pool(self) -> BlockingConnectionPool:
        cfg = self.config
        options: dict[str, Any] = {
            "max_connections": cfg.max_connections,
            "timeout": cfg.pool_timeout,
            "socket_timeout": cfg.socket_timeout,
            "socket_connect_timeout": cfg.socket_connect_timeout,
            "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), cfg.retries),
            "health_check_interval": cfg.health_check_interval,
            "client_name": cfg.client_name,
            **cfg.connection_kwargs(),
        }
        if cfg.url is not None:
            return BlockingConnectionPool.from_url(cfg.url, **options)
        return BlockingConnectionPool(**options)

    def _reason(self, exc: BaseException) -> str:
        """One safe line about ``exc``: any configured password masked."""
        secrets = [self.config.password.get_secret_value()] if self.config.password else []
        if self.config.url is not None:
            secrets += [s for s in (parse_url(self.config.url).get("password"),) if s]
        return reason(exc, secrets)

    async def open(self) -> None:
        if self._client is not None:
            return
        client = Redis.from_pool(self._pool())
        try:
            await client.ping()
        except (RedisError, OSError) as exc:
            await _quietly_close(client)
            raise BackendUnavailableError("redis", f"cannot connect to {self.address}: {self._reason(exc)}") from None
        self._client = client
        self._sweep = client.register_script(SWEEP)
        self._apply = client.register_script(APPLY)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await _quietly_close(client)

    async def ping(self) -> None:
        await self._run(lambda client: client.ping())

    def describe(self) -> dict[str, Any]:
        options = self.config.model_dump(mode="json", exclude={"password", "url"})
        url = safe_url(self.config.url) if self.config.url is not None else None
        return {"address": self.address, "url": url, **options}

    async def _run(self, op: Callable[[Redis], Awaitable[T]]) -> T:
        """Run ``op`` on the client, turning connection trouble into BackendUnavailableError."""
        client = self._client
        if client is None:
            raise BackendUnavailableError("redis", "store is not open")
        try:
            return await op(client)
        except (RedisError, OSError) as exc:
            if is_unavailable(exc):
                raise BackendUnavailableError("redis", f"{self.address}: {self._reason(exc)}") from None
            raise

    async def mget(self, namespace: str, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        ns = NamespaceKeys.of(self.config.key_prefix, namespace)
        data = [ns.data(m) for m in members(keys)]

        async def op(client: Redis) -> list[bytes | None]:
            if len(data) <= CHUNK:
                return cast(list[bytes | None], await client.mget(data))
            async with client.pipeline(transaction=False) as pipe:
                for chunk in _chunks(data):
                    pipe.mget(chunk)
                parts = await pipe.execute()
            return [value for part in parts for value in part]

        return await self._run(op)

    async def mset(self, namespace: str, items: Mapping[str, bytes], *, ttl: float | None = None) -> None:
        if not items:
            return
        ns = NamespaceKeys.of(self.config.key_prefix, namespace)
        pairs = list(zip(members(list(items)), (bytes(v) for v in items.values()), strict=True))

        async def op(client: Redis) -> None:
            async with client.pipeline(transaction=True) as pipe:
                for chunk in _chunks(pairs):
                    names = [m for m, _ in chunk]
                    if ttl is None:
                        pipe.mset({ns.data(m): v for m, v in chunk})  # MSET clears any old expiry
                    elif ttl > 0:
                        px = max(1, math.ceil(ttl * 1000))
                        for m, v in chunk:
                            pipe.set(ns.data(m), v, px=px)
                    else:  # already expired: the write is a delete
                        pipe.delete(*(ns.data(m) for m in names))
                        pipe.zrem(ns.index, *names)
                        continue
                    pipe.zadd(ns.index, dict.fromkeys(names, 0))
                await pipe.execute()

        await self._run(op)

    async def mdelete(self, namespace: str, keys: Sequence[str]) -> int:
        unique = list(dict.fromkeys(keys))
        if not unique:
            return 0
        ns = NamespaceKeys.of(self.config.key_prefix, namespace)
        encoded = members(unique)

        async def op(client: Redis) -> int:
            async with client.pipeline(transaction=True) as pipe:
                for chunk in _chunks(encoded):
                    pipe.delete(*(ns.data(m) for m in chunk))
                    pipe.zrem(ns.index, *chunk)
                results = await pipe.execute()
            return sum(results[0::2])  # DEL counts live keys only; expired ones are not counted

        return await self._run(op)

    async def apply(
        self,
        namespace: str,
        *,
        put: Mapping[str, bytes] | None = None,
        add: Mapping[str, int] | None = None,
        delete: Sequence[str] = (),
    ) -> None:
        """One Lua script (EVALSHA): one round trip, atomic; counters are added by INCRBY in the server."""
        doomed = members(list(dict.fromkeys(delete)))
        puts = members(list(put or {}))
        deltas = {key: int(delta) for key, delta in (add or {}).items() if delta}
        counted = members(list(deltas))
        if not (doomed or puts or counted):
            return
        ns = NamespaceKeys.of(self.config.key_prefix, namespace)
        names = [*doomed, *puts, *counted]
        values = [bytes(v) for v in (put or {}).values()]
        args = [len(doomed), len(puts), len(counted), *names, *values, *deltas.values()]
        keys = [ns.index, *(ns.data(m) for m in names)]
        await self._run(lambda client: self._apply(keys=keys, args=args, client=client))

    async def scan(
        self, namespace: str, prefix: str = "", *, after: str | None = None, limit: int = 1000
    ) -> list[tuple[str, bytes]]:
        if limit <= 0:
            return []
        ns = NamespaceKeys.of(self.config.key_prefix, namespace)
        lower, upper = lex_range(prefix, after)

        async def op(client: Redis) -> list[tuple[str, bytes]]:
            found: list[tuple[str, bytes]] = []
            start = lower
            while len(found) < limit:
                want = limit - len(found)
                page = cast(list[bytes], await client.zrange(ns.index, start, upper, bylex=True, offset=0, num=want))
                if not page:
                    break
                values = cast(list[bytes | None], await client.mget([ns.data(m) for m in page]))
                stale = [m for m, v in zip(page, values, strict=True) if v is None]
                found += [(m.decode("utf-8"), v) for m, v in zip(page, values, strict=True) if v is not None]
                if stale:  # expired (TTL) or deleted since the ZRANGE: drop from the index if still gone
                    with contextlib.suppress(ResponseError):  # best effort: a read-only replica still serves reads
                        await self._sweep(keys=[ns.index, *(ns.data(m) for m in stale)], args=stale, client=client)
                if len(page) < want:
                    break
                start = b"(" + page[-1]
            return found

        return await self._run(op)


async def _quietly_close(client: Redis) -> None:
    with contextlib.suppress(RedisError, OSError):
        await client.aclose()
