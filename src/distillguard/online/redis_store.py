"""Guard state in Redis, shared by several gateway workers and kept across restarts.

Same records as :class:`~distillguard.online.store.MemoryStore`, under one key prefix
(``online.redis_key_prefix``):

=====================  ==========================================================
``{p}a:{account}``     hash ``v`` (version), ``d`` (account state, JSON)
``{p}s:{account}``     the account's last score (JSON)
``{p}pop``             hash: ``accounts`` counter
``{p}hist``            hash: events per account (bucketed) → accounts
``{p}cols``            set: event columns seen with a value
``{p}ic:{key}``        accounts holding an indicator value (counter)
``{p}im:{key}``        the first ``online.max_index_members`` of them (list)
``{p}org``             hash: account → organisation
``{p}mem``             hash: account → its node in the group structure
``{p}par``             hash: node → parent node (union-find)
``{p}g:{root}``        hash: a group's aggregates, risk, campaign number
``{p}cid``             campaign number counter
=====================  ==========================================================

Account updates are compare-and-set on the version (a Lua script), retried when two
workers update one account at once. Union and find run as Lua scripts, so a merge is
atomic. The scripts touch keys they compute, so this targets one Redis server (or a
primary with replicas), not Redis Cluster. Any Redis error (refused connection,
timeout after ``online.redis_timeout_ms``) becomes
:class:`~distillguard.online.store.StateUnavailable`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from distillguard.online.profile import AccountState, ProfileSettings
from distillguard.online.store import PopulationCounts, StateUnavailable, events_bucket

T = TypeVar("T")

_CAS = """
local current = redis.call('HGET', KEYS[1], 'v')
if (current or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
return 1
"""
_INDEX_ADD = """
redis.call('INCR', KEYS[1])
if redis.call('LLEN', KEYS[2]) < tonumber(ARGV[2]) then redis.call('RPUSH', KEYS[2], ARGV[1]) end
return 1
"""
# KEYS[1] = parent hash. ARGV[1] = node.
_FIND = """
local x = ARGV[1]
local p = redis.call('HGET', KEYS[1], x)
while p and p ~= x do x = p; p = redis.call('HGET', KEYS[1], x) end
return x
"""
# KEYS[1] = parent hash, KEYS[2] = member hash, KEYS[3] = score key.
# ARGV[1] = account, ARGV[2] = group key prefix. Returns {score, group fields...}.
_CONTEXT = """
local score = redis.call('GET', KEYS[3]) or ''
local x = redis.call('HGET', KEYS[2], ARGV[1])
if not x then return {score} end
local p = redis.call('HGET', KEYS[1], x)
while p and p ~= x do x = p; p = redis.call('HGET', KEYS[1], x) end
local out = redis.call('HGETALL', ARGV[2] .. x)
table.insert(out, 1, score)
return out
"""
# KEYS[1] = parent hash. ARGV[1], ARGV[2] = nodes, ARGV[3] = group key prefix.
_UNION = """
local function find(x)
  local p = redis.call('HGET', KEYS[1], x)
  while p and p ~= x do x = p; p = redis.call('HGET', KEYS[1], x) end
  return x
end
local a, b = find(ARGV[1]), find(ARGV[2])
if a == b then return a end
local ga, gb = ARGV[3] .. a, ARGV[3] .. b
local sa = tonumber(redis.call('HGET', ga, 'size') or '0')
local sb = tonumber(redis.call('HGET', gb, 'size') or '0')
if sa < sb then a, b, ga, gb = b, a, gb, ga end
redis.call('HSET', KEYS[1], b, a)
local fields = redis.call('HGETALL', gb)
for i = 1, #fields, 2 do
  local k, v = fields[i], fields[i + 1]
  if k == 'campaign' then
    local mine = redis.call('HGET', ga, 'campaign')
    if not mine or tonumber(v) < tonumber(mine) then redis.call('HSET', ga, k, v) end
  elseif k ~= 'risk' and k ~= 'candidate' then
    redis.call('HINCRBYFLOAT', ga, k, v)
  end
end
redis.call('DEL', gb)
return a
"""
# KEYS[1] = hash, ARGV[1] = field, ARGV[2] = value: keep the smallest value.
_MIN = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or tonumber(ARGV[2]) < tonumber(current) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 1
"""
_CAS_TRIES = 16


def _wrap(fn: Callable[..., T]) -> Callable[..., T]:
    def call(*args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except redis.RedisError as exc:
            raise StateUnavailable(f"redis: {type(exc).__name__}: {exc}") from None

    call.__name__ = fn.__name__
    call.__doc__ = fn.__doc__
    return call


def _group(fields: Mapping[str, str]) -> dict[str, Any]:
    return {k: (int(v) if k == "campaign" else float(v)) for k, v in fields.items()}


class RedisStore:
    """:class:`~distillguard.online.store.StateStore` in Redis (see the module doc).

    Parameters
    ----------
    url:
        ``redis://host:port/db``.
    settings:
        Profile settings (to build fresh account states).
    prefix:
        Key prefix (``online.redis_key_prefix``).
    timeout_ms:
        Connect and socket timeout; past it the state counts as unavailable.
    """

    def __init__(self, url: str, settings: ProfileSettings, *, prefix: str = "distillguard:",
                 timeout_ms: int = 250) -> None:
        self.settings = settings
        self.prefix = prefix
        timeout = timeout_ms / 1000.0
        self.client = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=timeout,
            socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0),
        )
        self._cas = self.client.register_script(_CAS)
        self._index_add = self.client.register_script(_INDEX_ADD)
        self._find = self.client.register_script(_FIND)
        self._context = self.client.register_script(_CONTEXT)
        self._union = self.client.register_script(_UNION)
        self._min = self.client.register_script(_MIN)
        p = prefix
        self._pop, self._hist, self._cols = f"{p}pop", f"{p}hist", f"{p}cols"
        self._org, self._mem, self._par, self._cid = f"{p}org", f"{p}mem", f"{p}par", f"{p}cid"
        self._models = f"{p}models"

    def _account_key(self, account_id: str) -> str:
        return f"{self.prefix}a:{account_id}"

    def _score_key(self, account_id: str) -> str:
        return f"{self.prefix}s:{account_id}"

    def _state(self, account_id: str, data: str | None) -> AccountState | None:
        if data is None:
            return None
        return AccountState.from_data(json.loads(data), self.settings)

    @_wrap
    def ping(self) -> bool:
        return bool(self.client.ping())

    @_wrap
    def update_account(
        self, account_id: str, apply: Callable[[AccountState], T]
    ) -> tuple[AccountState, bool, T]:
        key = self._account_key(account_id)
        for _ in range(_CAS_TRIES):
            version, data = cast(list[str | None], self.client.hmget(key, ["v", "d"]))
            state = self._state(account_id, data)
            created = state is None
            if state is None:
                state = AccountState(account_id, self.settings)
            result = apply(state)
            new_version = str(int(version or 0) + 1)
            payload = json.dumps(state.to_data(), separators=(",", ":"))
            if self._cas(keys=[key], args=[version or "", new_version, payload]):
                return state, created, result
        raise StateUnavailable(f"account {account_id!r} is updated too often concurrently")

    @_wrap
    def accounts(self, account_ids: list[str]) -> list[AccountState | None]:
        if not account_ids:
            return []
        pipe = self.client.pipeline(transaction=False)
        for account in account_ids:
            pipe.hget(self._account_key(account), "d")
        return [self._state(a, d) for a, d in zip(account_ids, pipe.execute(), strict=True)]

    @_wrap
    def account_ids(self) -> list[str]:
        start = len(self.prefix) + 2
        return sorted(k[start:] for k in self.client.scan_iter(f"{self.prefix}a:*", count=1000))

    @_wrap
    def scores(self, account_ids: list[str]) -> list[dict[str, Any] | None]:
        if not account_ids:
            return []
        values = self.client.mget([self._score_key(a) for a in account_ids])
        return [json.loads(v) if v else None for v in values]

    @_wrap
    def put_scores(self, scores: Mapping[str, dict[str, Any]]) -> None:
        if scores:
            self.client.mset({
                self._score_key(a): json.dumps(s, separators=(",", ":"))
                for a, s in scores.items()
            })

    @_wrap
    def record_event(
        self, account_id: str, new_account: bool, events_before: int, ts: float
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        pipe = self.client.pipeline(transaction=False)
        self._min(keys=[self._pop], args=["start", repr(ts)], client=pipe)
        if new_account:
            pipe.hincrby(self._pop, "accounts", 1)
        old, new = events_bucket(events_before), events_bucket(events_before + 1)
        if old != new or new_account:
            if not new_account:
                pipe.hincrby(self._hist, str(old), -1)
            pipe.hincrby(self._hist, str(new), 1)
        self._context(keys=[self._par, self._mem, self._score_key(account_id)],
                      args=[account_id, f"{self.prefix}g:"], client=pipe)
        return self._parse_context(pipe.execute()[-1])

    @_wrap
    def context(self, account_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        reply = self._context(keys=[self._par, self._mem, self._score_key(account_id)],
                              args=[account_id, f"{self.prefix}g:"])
        return self._parse_context(reply)

    @staticmethod
    def _parse_context(reply: list[str]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        score = json.loads(reply[0]) if reply and reply[0] else None
        fields = reply[1:]
        group = _group(dict(zip(fields[::2], fields[1::2], strict=True))) if fields else None
        return score, group

    @_wrap
    def note_model(self, model: str, ts: float) -> None:
        self._min(keys=[self._models], args=[model, repr(ts)])

    @_wrap
    def population(self) -> PopulationCounts:
        pipe = self.client.pipeline(transaction=False)
        pipe.hgetall(self._pop)
        pipe.hgetall(self._hist)
        pipe.hgetall(self._models)
        pop, hist, models = pipe.execute()
        return PopulationCounts(
            int(pop.get("accounts", 0)),
            {int(k): int(v) for k, v in hist.items() if int(v) > 0},
            float(pop["start"]) if "start" in pop else None,
            {m: float(ts) for m, ts in models.items()},
        )

    @_wrap
    def mark_columns(self, names: Iterable[str]) -> None:
        names = list(names)
        if names:
            self.client.sadd(self._cols, *names)

    @_wrap
    def seen_columns(self) -> set[str]:
        return {str(name) for name in cast(set[str], self.client.smembers(self._cols))}

    @_wrap
    def index_add(self, key: str, account_id: str, cap: int) -> None:
        self._index_add(keys=[f"{self.prefix}ic:{key}", f"{self.prefix}im:{key}"],
                        args=[account_id, cap])

    @_wrap
    def index_add_all(self, keys: list[str], account_id: str, cap: int) -> None:
        if len(keys) == 1:
            self.index_add(keys[0], account_id, cap)
            return
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            self._index_add(keys=[f"{self.prefix}ic:{key}", f"{self.prefix}im:{key}"],
                            args=[account_id, cap], client=pipe)
        pipe.execute()

    @_wrap
    def index_get(self, keys: list[str]) -> list[tuple[int, list[str]]]:
        if not keys:
            return []
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.get(f"{self.prefix}ic:{key}")
            pipe.lrange(f"{self.prefix}im:{key}", 0, -1)
        replies = pipe.execute()
        return [(int(replies[i] or 0), list(replies[i + 1])) for i in range(0, len(replies), 2)]

    @_wrap
    def set_org(self, account_id: str, org_id: str) -> None:
        self.client.hset(self._org, account_id, org_id)

    @_wrap
    def orgs(self, account_ids: list[str]) -> list[str | None]:
        return cast(list[str | None], self.client.hmget(self._org, account_ids)) \
            if account_ids else []

    @_wrap
    def member_of(self, account_ids: list[str]) -> list[str | None]:
        return cast(list[str | None], self.client.hmget(self._mem, account_ids)) \
            if account_ids else []

    @_wrap
    def set_member_of(self, account_id: str, node: str | None) -> None:
        if node is None:
            self.client.hdel(self._mem, account_id)
        else:
            self.client.hset(self._mem, account_id, node)

    @_wrap
    def find(self, node: str) -> str:
        return str(self._find(keys=[self._par], args=[node]))

    @_wrap
    def union(self, a: str, b: str) -> str:
        return str(self._union(keys=[self._par], args=[a, b, f"{self.prefix}g:"]))

    @_wrap
    def group_add(self, root: str, delta: Mapping[str, float]) -> None:
        if not delta:
            return
        pipe = self.client.pipeline(transaction=False)
        for key, value in delta.items():
            pipe.hincrbyfloat(f"{self.prefix}g:{root}", key, value)
        pipe.execute()

    @_wrap
    def groups(self, roots: list[str]) -> list[dict[str, Any]]:
        if not roots:
            return []
        pipe = self.client.pipeline(transaction=False)
        for root in roots:
            pipe.hgetall(f"{self.prefix}g:{root}")
        return [_group(fields) for fields in pipe.execute()]

    @_wrap
    def set_group(self, root: str, fields: Mapping[str, Any]) -> None:
        if fields:
            self.client.hset(f"{self.prefix}g:{root}",
                             mapping={k: str(v) for k, v in fields.items()})

    @_wrap
    def next_campaign_number(self) -> int:
        return int(self.client.incr(self._cid))

    @_wrap
    def campaign_count(self) -> int:
        return int(self.client.get(self._cid) or 0)

    def close(self) -> None:
        self.client.close()
