"""Meridian's world: the accounts, their addresses and clients, schedules, and the events.

Every draw comes from one seeded Generator. ``World.emit`` turns one group's requests into
event parts; ``World.tables`` assembles the three output tables.
"""

from __future__ import annotations

import hashlib
import ipaddress
import pathlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.simulate.independent.meridian_text import B, Text

T0_MS = 1773014400000  # 2026-03-09T00:00:00Z, a Monday
WINDOW_S = 72 * 3600
RELEASE_S = 41 * 3600  # meridian-4-pro goes live 2026-03-10T17:00Z
DAY_S = 86400
MODELS = [
    "meridian-3-pro",
    "meridian-3-flash",
    "meridian-3-mini",
    "meridian-3-pro-20251104",
    "meridian-4-pro",
]
NEW = MODELS.index("meridian-4-pro")
CGNAT = ("NG", "IN", "ID", "PH", "VN", "EG", "KE", "BR", "MX", "TR")  # mobile carriers behind CGNAT


def _nums(s: str) -> np.ndarray:
    return np.array(s.split(), float)


# Relative activity by local hour (0..23).
HUMAN = _nums("2 1.1 .6 .4 .3 .4 .8 1.5 2.5 3 3.3 3.4 3.2 3.3 3.4 3.3 3.2 3.3 3.6 4 4.2 4 3.4 2.6")
WORK = _nums(".2 .1 .1 .1 .1 .2 .5 1.5 3.5 5 5.2 5 3.8 4.6 5 5 4.6 3.6 2 1.4 1.2 1 .7 .4")
STUDENT = _nums("2.5 1.6 .8 .4 .2 .2 .4 1 1.5 2 2.2 2.3 2.4 2.6 3 3.4 3.8 4 4.2 4.6 5 5 4.6 3.6")
FLAT = np.ones(24)
GLOBAL = np.sum(
    [np.roll(HUMAN, -int(tz)) * w for tz, w in ((-5, 0.4), (1, 0.3), (5.5, 0.15), (8, 0.15))],
    axis=0,
)

# The banks drawn from most (meridian_text.json); the rest are read as B["NAME"] where used.
AGENTS, BROWSERS, SDKS, WORDS = B["AGENTS"], B["BROWSERS"], B["SDKS"], B["WORDS"]
DEV_CC, REGION_OF, PERSONA = B["DEV_CC"], B["REGION_OF"], B["PERSONA"]
FIRST, LAST = B["FIRST"], B["LAST"]
P3 = {"meridian-3-pro": 0.45, "meridian-3-flash": 0.35, "meridian-3-mini": 0.2}


def ja4(family: str) -> str:
    h = hashlib.sha256(family.encode()).hexdigest()
    return f"{B['TLS_SHAPE'][family]}_{h[:12]}_{h[12:24]}"


def _hex_ids(rng: np.random.Generator, n: int, nbytes: int, prefix: str) -> pa.Array:
    """n random ids ``prefix + hex``, built without a Python loop."""
    raw = rng.integers(0, 256, (n, nbytes), dtype=np.uint8)
    digits = np.frombuffer(b"0123456789abcdef", np.uint8)
    hexed = np.empty((n, 2 * nbytes), np.uint8)
    hexed[:, 0::2], hexed[:, 1::2] = digits[raw >> 4], digits[raw & 15]
    pre = np.frombuffer(prefix.encode(), np.uint8)
    full = np.concatenate([np.broadcast_to(pre, (n, len(pre))), hexed], axis=1)
    offsets = (np.arange(n + 1, dtype=np.int32) * full.shape[1]).tobytes()
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(full.tobytes()))


class World:
    """The accounts and event parts of one scenario; every draw comes from one seeded Generator."""

    FIELDS = (
        "id",
        "arch",
        "camp",
        "org",
        "email",
        "created",
        "pay",
        "path",
        "tier",
        "verified",
        "declared",
        "contract",
    )

    def __init__(self, seed: int, scale: float, corpus: str | pathlib.Path | None):
        self.rng = np.random.default_rng([seed, 0])
        self.T = Text(np.random.default_rng([seed, 1]), corpus)
        self.scale = scale
        self.A: dict[str, list] = {k: [] for k in self.FIELDS}
        self.ips: list[list[tuple[str, str]]] = []
        self.clients: list[list[tuple[str, str]]] = []
        self.keys: list[list[str]] = []
        self.parts: list[dict] = []
        self.nconv = 0
        self.seen: set[str] = set()
        self.cgnat: dict[str, list[tuple[str, str]]] = {}
        self.vpn = [self.host_ip() for _ in range(60)]

    # --- small draws -------------------------------------------------------------------------
    def n(self, k: float) -> int:
        return max(1, round(k * self.scale))

    def pick(self, seq: Any) -> Any:
        return seq[int(self.rng.integers(len(seq)))]

    def hex(self, nbytes: int) -> str:
        return self.rng.bytes(nbytes).hex()

    def uid(self, prefix: str, nbytes: int = 6) -> str:
        while (s := prefix + self.hex(nbytes)) in self.seen:
            pass
        self.seen.add(s)
        return s

    def countries(self, n: int, weights: Mapping[str, float] | None = None) -> list[str]:
        w = weights or {c: v[3] for c, v in B["CC"].items()}
        keys = list(w)
        return [
            keys[i]
            for i in self.rng.choice(
                len(keys), n, p=np.array(list(w.values()), float) / sum(w.values())
            )
        ]

    def tz(self, cc: str) -> float:
        return float(self.pick(B["CC"][cc][0]))

    def age(self, mean_days: float, lo: float = 2) -> float:
        return -DAY_S * min(lo + self.rng.exponential(mean_days), 1400) - self.rng.uniform(0, DAY_S)

    def v4(self, prefix: str) -> str:
        parts = prefix.split(".")
        return ".".join(
            parts + [str(int(self.rng.integers(1, 255))) for _ in range(4 - len(parts))]
        )

    def res_ip(self, cc: str) -> tuple[str, str]:
        _, v4, v6, _ = B["CC"][cc]
        if v6 and self.rng.random() < 0.2:
            groups = self.pick(v6.split()).split(":") + [
                f"{int(x):x}" for x in self.rng.integers(0, 65536, 6)
            ]
            return ipaddress.IPv6Address(":".join(groups[:8])).compressed, cc
        return self.v4(self.pick(v4.split())), cc

    def res_net(self, cc: str) -> str:
        """A residential /24 in the country: its first three octets."""
        rng, first = self.rng, self.pick(B["CC"][cc][1].split())
        prefix = f"{first}.{int(rng.integers(0, 256))}.{int(rng.integers(0, 256))}"
        return self.v4(prefix).rsplit(".", 1)[0]

    def mobile_ip(self, cc: str) -> tuple[str, str]:
        if cc in CGNAT:  # carrier-grade NAT: many subscribers per address
            pool = self.cgnat.setdefault(
                cc, [(self.v4(self.pick(B["CC"][cc][1].split())), cc) for _ in range(14)]
            )
            return self.pick(pool)
        return self.res_ip(cc)

    def host_ip(self) -> tuple[str, str]:
        cc, prefix = self.pick(B["HOSTING"])
        return self.v4(prefix), cc

    def cloud_ip(self, region: str) -> tuple[str, str]:
        cc, prefixes = B["CLOUD"][region]
        return self.v4(self.pick(prefixes.split())), cc

    def client(self, entry: Sequence[str]) -> tuple[str, str]:
        return entry[0], ja4(entry[1])

    def email(
        self, cc: str | None = None, domain: str | None = None, style: int | None = None
    ) -> str:
        r, f, last = self.rng, self.pick(FIRST), self.pick(LAST)
        if domain is None:
            local = B["MAIL"].get(cc or "", [])
            domain = self.pick(local) if local and r.random() < 0.35 else self.pick(B["WEBMAIL"])
        s = int(r.integers(7)) if style is None else style
        return (
            [
                f"{f}.{last}",
                f"{f}{last}",
                f"{f}_{last}",
                f"{f[0]}{last}",
                f"{f}{int(r.integers(1, 9999))}",
                f"{f}.{last}{int(r.integers(60, 106)) % 100:02d}",
                f"{self.pick(B['NICK'])}{int(r.integers(1, 999))}",
            ][s]
            + "@"
            + domain
        )

    def card(self) -> str:
        return "pf_" + self.hex(8)

    # --- accounts ----------------------------------------------------------------------------
    def account(
        self,
        arch: str,
        *,
        email: str,
        created: float,
        ips: list,
        clients: list,
        camp: str | None = None,
        org: str | None = None,
        pay: str | None = None,
        path: str = "direct",
        keys: int = 1,
        tier: str = "pay_as_you_go",
        verified: bool | None = None,
        declared: str | None = None,
        contract: bool = False,
    ) -> int:
        vals = (
            self.uid("acct_"),
            arch,
            camp,
            org or self.uid("org_", 5),
            email,
            T0_MS + int(created * 1000),
            pay,
            path,
            tier,
            pay is not None if verified is None else verified,
            declared,
            contract,
        )
        for k, v in zip(self.FIELDS, vals, strict=True):
            self.A[k].append(v)
        self.ips.append(list(ips))
        self.clients.append(list(clients))
        self.keys.append([self.uid("key_", 8) for _ in range(keys)])
        return len(self.ips) - 1

    def created_s(self, acc: np.ndarray) -> np.ndarray:
        return (np.asarray(self.A["created"], np.int64)[acc] - T0_MS) / 1000

    # --- time ----------------------------------------------------------------------------------
    def sessions(
        self, acc: Any, tz: Any, per_day: Any, profile: np.ndarray, lo: Any = None, hi: Any = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Session starts per account: a rhythm by local hour, ``per_day`` per active day."""
        acc, k = np.asarray(acc), len(acc)
        lo = np.maximum(self.created_s(acc) + 60, 0) if lo is None else np.broadcast_to(lo, (k,))
        hi = np.broadcast_to(WINDOW_S if hi is None else hi, (k,))
        hours = np.arange(72)
        W = profile[(np.floor(hours[None, :] + np.asarray(tz, float)[:, None]).astype(int)) % 24]
        act = (
            W * ((hours[None, :] + 1) * 3600 > lo[:, None]) * (hours[None, :] * 3600 < hi[:, None])
        )
        lam = np.broadcast_to(per_day, (k,)) * 3 * act.sum(1) / W.sum(1)
        loc = np.repeat(np.arange(k), self.rng.poisson(lam))
        cdf = np.cumsum(act, 1)
        cdf = cdf / np.maximum(cdf[:, -1:], 1e-12)
        hour = np.minimum((cdf[loc] < self.rng.random(len(loc))[:, None]).sum(1), 71)
        start = np.clip((hour + self.rng.random(len(loc))) * 3600, lo[loc], hi[loc])
        return acc[loc], start, loc

    def windows(
        self,
        acc: Any,
        per_acc: Any,
        n_win: tuple[int, int],
        dur_h: tuple[float, float],
        lo: Any = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Session starts inside a few active windows per account (shift work, rotation)."""
        acc = np.asarray(acc)
        lo = np.maximum(self.created_s(acc) + 60, 0) if lo is None else lo
        nw = self.rng.integers(n_win[0], n_win[1] + 1, len(acc))
        wa = np.repeat(np.arange(len(acc)), nw)
        ws = lo[wa] + self.rng.random(len(wa)) * np.maximum(WINDOW_S - lo[wa] - 3600, 0)
        wd = self.rng.uniform(*dur_h, len(wa)) * 3600
        cnt = self.rng.poisson(np.asarray(per_acc, float)[wa] / nw[wa])
        w = np.repeat(np.arange(len(wa)), cnt)
        return acc[wa[w]], ws[w] + self.rng.random(len(w)) * wd[w], wa[w]

    def expand(
        self, s_acc: Any, s_start: Any, s_len: Any, gap: Any, sig: float = 0.8
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Events of sessions: turn index and start + cumulative lognormal gaps (seconds)."""
        s_len = np.asarray(s_len, np.int64)
        sid = np.repeat(np.arange(len(s_len)), s_len)
        first = np.cumsum(s_len) - s_len
        pos = np.arange(len(sid)) - first[sid]
        gaps = np.broadcast_to(gap, (len(s_len),))[sid] * np.exp(
            sig * self.rng.standard_normal(len(sid))
        )
        gaps[pos == 0] = 0
        cs = np.cumsum(gaps)
        return np.asarray(s_acc)[sid], np.asarray(s_start)[sid] + cs - cs[first][sid], sid, pos

    # --- events --------------------------------------------------------------------------------
    def emit(
        self,
        acc: np.ndarray,
        t: np.ndarray,
        sid: Any,
        pos: Any,
        prompt: pa.Array,
        ctok: Any,
        *,
        models: Any,
        adopt: tuple[float, float] = (0.0, 1.0),
        system: Any = None,
        sys_extra: Any = 0,
        max_tokens: Any = -1,
        temp: Any = np.nan,
        n: Any = 1,
        logprobs: Any = False,
        tools: Any = 0,
        refuse: Any = 0.01,
        err: float = 0.004,
        extra_tok: Any = 0,
        ip_slot: Any = None,
        ip_uniform: bool = False,
        ip_by_conv: bool = False,
        cl_slot: Any = None,
        single: bool = False,
    ) -> None:
        """Append one group's events (all arrays of the same length) to the scenario."""
        rng, N = self.rng, len(acc)
        if N == 0:
            return

        def arr(v: Any, dt: Any) -> np.ndarray:
            return np.array(np.broadcast_to(np.asarray(v, dt), (N,)))

        t_ms = T0_MS + np.round(np.asarray(t) * 1000).astype(np.int64)
        keep = (
            (t_ms >= T0_MS)
            & (t_ms < T0_MS + WINDOW_S * 1000)
            & (t_ms >= np.asarray(self.A["created"])[acc] + 20000)
        )
        km = pa.array(keep)
        cols = {
            k: arr(v, d)[keep]
            for k, v, d in (
                ("acc", acc, np.int64),
                ("t", t_ms, np.int64),
                ("sid", sid, np.int64),
                ("pos", pos, np.int64),
                ("ctok", ctok, float),
                ("max_tokens", max_tokens, np.int64),
                ("temp", temp, float),
                ("n", n, np.int64),
                ("logprobs", logprobs, bool),
                ("tools", tools, np.int64),
                ("refuse", refuse, float),
                ("extra", extra_tok, float),
                ("sys_extra", sys_extra, float),
                ("ip_slot", -1 if ip_slot is None else ip_slot, np.int64),
                ("cl_slot", -1 if cl_slot is None else cl_slot, np.int64),
            )
        }
        prompt = prompt.filter(km)
        fixed = None if isinstance(models, dict) else arr(models, np.int64)[keep]
        system = (
            pa.nulls(N, pa.string())
            if system is None
            else pa.array([system]).take(pa.array(np.zeros(N, np.int64)))
            if isinstance(system, str)
            else system
        ).filter(km)
        N, acc, ts = int(keep.sum()), cols["acc"], (cols["t"] - T0_MS) / 1000
        if N == 0:
            return
        if single:
            conv, cols["pos"] = np.arange(N), np.zeros(N, np.int64)
        else:
            conv = np.unique(cols["sid"], return_inverse=True)[1].ravel()
        nc = int(conv.max()) + 1
        cstart = np.full(nc, np.inf)
        np.minimum.at(cstart, conv, ts)
        # model: per conversation; the new model is taken up after its release at a per-group pace
        if isinstance(models, dict):
            names = list(models)
            midx = np.array([MODELS.index(m) for m in names])[
                rng.choice(len(names), nc, p=np.array(list(models.values())) / sum(models.values()))
            ]
            pmax, tau = adopt
            pnew = np.where(
                cstart > RELEASE_S, pmax * (1 - np.exp(-(cstart - RELEASE_S) / (tau * 3600))), 0
            )
            model = np.where(rng.random(nc) < pnew, NEW, midx)[conv]
        else:
            model = fixed
        # status: refusals, errors (more of them while the new model's capacity ramps up)
        launch = (model == NEW) & (ts - RELEASE_S < 6 * 3600)
        u = rng.random(N)
        status = np.where(
            u < err + 0.04 * launch, 2, np.where(u < err + 0.04 * launch + cols["refuse"], 1, 0)
        )
        ctok = cols["ctok"] * cols["n"]
        ctok = np.where(
            cols["max_tokens"] > 0, np.minimum(ctok, cols["max_tokens"] * cols["n"]), ctok
        )
        ctok = np.where(status == 1, rng.lognormal(np.log(55), 0.4, N), ctok)
        ctok = np.maximum(np.round(ctok), 1).astype(np.int64) * (status != 2)
        own = np.ceil(pc.binary_length(prompt).to_numpy(zero_copy_only=False) / 3.8) + 4
        stok = np.ceil(
            pc.fill_null(pc.binary_length(system), 0).to_numpy(zero_copy_only=False) / 3.8
        ) + cols["sys_extra"] * pc.is_valid(system).to_numpy(zero_copy_only=False)
        o = np.lexsort(
            (cols["pos"], conv)
        )  # earlier turns of the same conversation travel with each request
        done = (own + ctok)[o]
        cs = np.cumsum(done) - done
        seg = np.r_[True, conv[o][1:] != conv[o][:-1]]
        hist = np.empty(N)
        hist[o] = cs - np.maximum.accumulate(np.where(seg, cs, 0))
        ptok = np.minimum(stok + cols["tools"] * 140 + cols["extra"] + hist + own, 195000).astype(
            np.int64
        )
        if ip_by_conv or ip_uniform:
            sizes = np.array([len(x) for x in self.ips])[acc]
            draw = (
                (rng.random(nc)[conv] if ip_by_conv else rng.random(N))
                if ip_uniform
                else np.minimum(rng.exponential(0.7, nc), 50)[conv]
            )
            slot = np.minimum(
                (draw * sizes).astype(np.int64) if ip_uniform else draw.astype(np.int64), sizes - 1
            )
        else:
            slot = np.minimum(rng.exponential(0.7, N), 50).astype(np.int64)
        cols["ip_slot"] = np.where(cols["ip_slot"] >= 0, cols["ip_slot"], slot)
        cols["cl_slot"] = np.where(
            cols["cl_slot"] >= 0,
            cols["cl_slot"],
            np.minimum(rng.exponential(0.5, N), 50).astype(np.int64),
        )
        self.parts.append(
            dict(
                acc=acc,
                t=cols["t"],
                conv=conv + self.nconv,
                turn=cols["pos"],
                prompt=prompt,
                system=system,
                model=model,
                ptok=ptok,
                ctok=ctok,
                max_tokens=cols["max_tokens"],
                temp=cols["temp"],
                n=cols["n"],
                logprobs=cols["logprobs"],
                tools=cols["tools"],
                status=status,
                ip_slot=cols["ip_slot"],
                cl_slot=cols["cl_slot"],
                key_slot=np.minimum(rng.exponential(0.6, N), 50).astype(np.int64),
            )
        )
        self.nconv += nc

    # --- output --------------------------------------------------------------------------------
    def tables(self) -> tuple[pa.Table, pa.Table, pa.Table]:
        P = {
            k: (
                pa.concat_arrays([p[k] for p in self.parts])
                if isinstance(self.parts[0][k], pa.Array)
                else np.concatenate([p[k] for p in self.parts])
            )
            for k in self.parts[0]
        }
        o = np.argsort(P["t"], kind="stable")
        P = {k: v.take(pa.array(o)) if isinstance(v, pa.Array) else v[o] for k, v in P.items()}
        acc, N = P["acc"], len(o)

        def pooled(lists: list[list[Any]], slot: np.ndarray) -> tuple[list[Any], np.ndarray]:
            sizes = np.array([len(x) for x in lists])
            off = np.cumsum(sizes) - sizes
            return [x for lst in lists for x in lst], off[acc] + np.minimum(slot, sizes[acc] - 1)

        ipl, ipi = pooled(self.ips, P["ip_slot"])
        cll, cli = pooled(self.clients, P["cl_slot"])
        kyl, kyi = pooled(self.keys, P["key_slot"])
        A = {k: pa.array(v) for k, v in self.A.items()}

        def take(a: pa.Array, idx: Any) -> pa.Array:
            return a.take(pa.array(idx))

        conv_ids = _hex_ids(self.rng, self.nconv, 10, "conv_")
        req = _hex_ids(self.rng, N, 12, "req_")
        ts = pa.timestamp("ms", tz="UTC")
        events = pa.table(
            {
                "request_id": req,
                "timestamp": pa.array(P["t"], ts),
                "account_id": take(A["id"], acc),
                "prompt": P["prompt"],
                "org_id": take(A["org"], acc),
                "api_key_id": take(pa.array(kyl), kyi),
                "ip": take(pa.array([x[0] for x in ipl]), ipi),
                "user_agent": take(pa.array([x[0] for x in cll]), cli),
                "tls_fingerprint": take(pa.array([x[1] for x in cll]), cli),
                "payment_fingerprint": take(A["pay"].cast(pa.string()), acc),
                "email": take(A["email"], acc),
                "account_created_at": take(pa.array(self.A["created"], ts), acc),
                "access_path": take(A["path"], acc),
                "country": take(pa.array([x[1] for x in ipl]), ipi),
                "model": take(pa.array(MODELS), P["model"]),
                "system_prompt": P["system"],
                "conversation_id": take(conv_ids, P["conv"]),
                "turn": pa.array(P["turn"], pa.int32()),
                "response": pa.nulls(N, pa.string()),
                "prompt_tokens": pa.array(P["ptok"], pa.int32()),
                "completion_tokens": pa.array(P["ctok"], pa.int32()),
                "max_tokens": pa.array(P["max_tokens"], pa.int32(), mask=P["max_tokens"] <= 0),
                "temperature": pa.array(P["temp"], pa.float64(), mask=np.isnan(P["temp"])),
                "n": pa.array(P["n"], pa.int32()),
                "logprobs": pa.array(P["logprobs"]),
                "tool_count": pa.array(P["tools"], pa.int32()),
                "status": take(pa.array(["ok", "refused", "error"]), P["status"]),
            }
        )
        assert len(pc.unique(req)) == N, "request ids must be unique"
        present = np.unique(acc)
        labels = pa.table(
            {
                "account_id": take(A["id"], present),
                "archetype": take(A["arch"], present),
                "campaign_id": take(A["camp"].cast(pa.string()), present),
            }
        )
        customers = pa.table(
            {
                "account_id": take(A["id"], present),
                "org_id": take(A["org"], present),
                "tier": take(A["tier"], present),
                "verified": take(A["verified"], present),
                "declared_use": take(A["declared"].cast(pa.string()), present),
                "contract": take(A["contract"], present),
            }
        )
        return events, labels, customers


# ----------------------------------------------------------------------------------------------
# Small helpers the groups share


def choose(w: World, options: Any, n: int, p: Any = None) -> np.ndarray:
    p = None if p is None else np.asarray(p, float) / np.sum(p)
    return np.asarray(options)[w.rng.choice(len(options), n, p=p)]


def session_prompts(
    w: World, pos: np.ndarray, first: dict[str, float], later: dict[str, float]
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Prompts for multi-turn sessions: first turns from one mix, later turns from another."""
    p0, c0, k0 = w.T.mix(len(pos), first)
    p1, c1, _ = w.T.mix(len(pos), later)
    f = pos == 0
    return pc.if_else(pa.array(f), p0, p1), np.where(f, c0, c1), k0


def texts_at(options: list, idx: np.ndarray) -> pa.Array:
    return pa.array(options, pa.string()).take(pa.array(idx))


def as_singles(
    sid: np.ndarray, pos: np.ndarray, mask_sess: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sessions in mask_sess are strings of independent requests: one conversation per event."""
    ev = mask_sess[sid]
    return np.where(ev, sid.max() + 1 + np.arange(len(sid)), sid), np.where(ev, 0, pos)


def run_events(
    w: World, runs: list[Any], gap: float, sig: float = 0.3
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Constant-rate job runs (account, start s, requests) to events."""
    r = np.array(runs, dtype=float).reshape(-1, 3)
    return w.expand(r[:, 0].astype(np.int64), r[:, 1], r[:, 2].astype(np.int64), gap, sig)


def company(w: World) -> tuple[str, str]:
    a, b = w.pick(WORDS), w.pick(B["SUFFIX"])
    return f"{a.title()} {b.title()}", f"{a}{b}.{w.pick(['com', 'com', 'io', 'co', 'de', 'co.uk'])}"


def dev_system(w: World) -> str | None:
    if w.rng.random() < 0.3:
        return None
    return (
        f"You are {w.pick(WORDS).title()}{w.pick(['Bot', 'AI', 'Assist', 'Pal'])}, an assistant "
        "that helps "
        f"{w.pick(B['DEV_AUDIENCE'])} {w.pick(B['DEV_TASK'])}. {w.pick(B['DEV_RULE'])}"
    )
