"""Osprey's world: the clock, ids, countries, networks, client stacks, identities and the
event sink that every legitimate group and campaign writes into (see OSPREY.md).

Everything per event is vectorised: a group draws its timestamps, account indices and
texts as arrays and hands them to :meth:`World.emit` in one call.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.schema import EVENT_SCHEMA

from .osprey_text import Text

SEC = 1_000_000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR
#: Thursday 3 September 2026 to Saturday 12 September 2026 (nine days, one weekend, and
#: Labor Day on Monday the 7th in the US and Canada).
START = int(datetime(2026, 9, 3, tzinfo=UTC).timestamp()) * SEC
DAYS = 9
END = START + DAYS * DAY
#: The vendor's models: the flagship, its cheap sibling, and the one released on day six.
OLD, NANO, NEW = "strix-4", "strix-4-nano", "strix-5"

#: Country → (UTC offsets in September, name region, language, weight among ordinary users).
COUNTRIES: dict[str, tuple[tuple[float, ...], str, str, float]] = {
    "US": ((-4.0, -5.0, -7.0), "en", "en", 21.0), "CA": ((-4.0, -7.0), "en", "en", 3.0),
    "MX": ((-6.0,), "latam", "es", 3.0), "BR": ((-3.0,), "br", "pt", 6.0),
    "AR": ((-3.0,), "latam", "es", 2.0), "CO": ((-5.0,), "latam", "es", 1.5),
    "CL": ((-4.0,), "latam", "es", 1.0), "VE": ((-4.0,), "latam", "es", 0.6),
    "GB": ((1.0,), "en", "en", 5.0), "IE": ((1.0,), "en", "en", 0.7),
    "ES": ((2.0,), "es", "es", 3.0), "FR": ((2.0,), "fr", "fr", 3.0),
    "DE": ((2.0,), "de", "de", 4.0), "NL": ((2.0,), "de", "en", 1.5),
    "SE": ((2.0,), "se", "sv", 1.0), "PL": ((2.0,), "pl", "pl", 2.0),
    "UA": ((3.0,), "slav", "ru", 1.0), "TR": ((3.0,), "tr", "tr", 2.5),
    "EG": ((3.0,), "ar", "ar", 1.5), "AE": ((4.0,), "ar", "en", 1.0),
    "NG": ((1.0,), "ng", "en", 3.0), "KE": ((3.0,), "ke", "sw", 1.5),
    "ZA": ((2.0,), "en", "en", 1.0), "IN": ((5.5,), "in", "hi", 9.0),
    "PK": ((5.0,), "in", "en", 1.5), "KZ": ((5.0,), "slav", "ru", 0.5),
    "SG": ((8.0,), "en", "en", 1.0), "PH": ((8.0,), "ph", "en", 3.0),
    "ID": ((7.0,), "id", "id", 3.0), "VN": ((7.0,), "vn", "vi", 2.0),
    "TW": ((8.0,), "zh", "zh", 1.0), "JP": ((9.0,), "jp", "ja", 2.5),
    "KR": ((9.0,), "kr", "ko", 2.0), "AU": ((10.0,), "en", "en", 2.0),
    "NZ": ((12.0,), "en", "en", 0.5),
}
FREEMAIL: dict[str, tuple[str, ...]] = {
    "en": ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com", "proton.me"),
    "latam": ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx"),
    "br": ("gmail.com", "hotmail.com", "outlook.com", "uol.com.br", "bol.com.br"),
    "es": ("gmail.com", "hotmail.es", "outlook.es", "yahoo.es"),
    "fr": ("gmail.com", "orange.fr", "free.fr", "laposte.net"),
    "de": ("gmail.com", "gmx.de", "web.de", "t-online.de"),
    "se": ("gmail.com", "outlook.com", "hotmail.se"),
    "pl": ("gmail.com", "wp.pl", "o2.pl", "onet.pl"),
    "slav": ("gmail.com", "ukr.net", "mail.kz", "proton.me"),
    "tr": ("gmail.com", "hotmail.com", "yandex.com"),
    "ar": ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com"),
    "ng": ("gmail.com", "yahoo.com"), "ke": ("gmail.com", "yahoo.com"),
    "in": ("gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com"),
    "ph": ("gmail.com", "yahoo.com"), "id": ("gmail.com", "yahoo.co.id"),
    "vn": ("gmail.com", "yahoo.com.vn"), "zh": ("gmail.com", "yahoo.com.tw"),
    "jp": ("gmail.com", "yahoo.co.jp", "icloud.com"), "kr": ("naver.com", "gmail.com",
                                                             "daum.net"),
}

#: Local-hour activity profiles (24 weights each).
PROFILES: dict[str, np.ndarray] = {
    "evening": np.array([3, 2, 1, .5, .3, .3, .6, 1.5, 2.5, 3, 3.5, 4, 4, 4, 4, 4, 4, 4.5, 5,
                         6.5, 7.5, 7.5, 6.5, 4.5]),
    "office": np.array([.2, .1, .1, .1, .1, .2, .5, 2, 6, 9, 10, 10, 7, 8, 10, 10, 9, 7, 3,
                        1.5, 1, .8, .5, .3]),
    "student": np.array([4, 3, 1.5, .6, .3, .2, .3, .8, 2, 3.5, 4.5, 5, 4.5, 5, 5.5, 6, 6.5,
                         6.5, 6, 6.5, 7, 7, 6.5, 5.5]),
    "flat": np.ones(24),
    "late": np.array([6, 5, 4, 2.5, 1, .5, .4, .5, 1, 1.5, 2, 2.5, 3, 3, 3, 3, 3.5, 4, 4.5,
                      5, 6, 7, 7.5, 7]),
    "school": np.array([.1, .1, .1, .1, .1, .2, .5, 2, 6, 8, 8, 7, 6, 7, 6, 5, 4, 3, 3, 3,
                        2.5, 1.5, .6, .2]),
}
for _k, _v in PROFILES.items():
    PROFILES[_k] = _v / _v.sum()


def sub_rng(seed: int, name: str) -> np.random.Generator:
    """An independent random stream for one named part of the world."""
    return np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(name.encode())])


def _hex(seed_text: str, k: int) -> str:
    return hashlib.sha256(seed_text.encode()).hexdigest()[:k]


# ---- client stacks --------------------------------------------------------------------------

#: Stack → (user-agent template, version choices, TLS stack). The TLS value is what the
#: network library presents; everyone on the same library shares it.
STACKS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "python": ("strix-python/{v} (Python 3.{w}; httpx 0.27)",
               ("1.6.2", "1.7.0", "1.7.4", "1.8.1", "1.9.0", "1.9.3"), "openssl3"),
    "python_old": ("strix-python/{v} (Python 3.8; requests 2.28)",
                   ("0.9.4", "0.9.7", "1.0.2"), "openssl11"),
    "requests": ("python-requests/{v}", ("2.31.0", "2.32.3", "2.32.4"), "openssl3"),
    "aiohttp": ("Python/3.{w} aiohttp/{v}", ("3.9.5", "3.10.2", "3.10.5"), "openssl3"),
    "langchain": ("langchain-strix/{v} strix-python/1.8.1", ("0.2.3", "0.2.8", "0.3.0"),
                  "openssl3"),
    "node": ("strix-node/{v} (Node.js v20.{w}; undici)", ("2.3.0", "2.4.1", "2.5.0"),
             "node20"),
    "node22": ("strix-node/{v} (Node.js v22.{w}; undici)", ("2.5.0", "2.6.2"), "node22"),
    "agent_cli": ("strix-code/{v} (node v22.{w}; linux)", ("0.8.3", "0.9.0", "0.9.2"),
                  "node22"),
    "go": ("Go-http-client/2.0", ("",), "go122"),
    "curl": ("curl/{v}", ("7.81.0", "8.5.0", "8.9.1"), "curl"),
    "java": ("Java-http-client/{v}", ("17.0.12", "21.0.4"), "jdk"),
    "dotnet": ("strix-dotnet/{v} (.NET 8.0)", ("1.1.0", "1.2.3"), "schannel"),
    "php": ("GuzzleHttp/7 (+https://github.com/guzzle/guzzle)", ("",), "curl"),
    "rust": ("reqwest/{v}", ("0.11.27", "0.12.5"), "rustls"),
    "k6": ("k6/{v} (https://k6.io/)", ("0.52.0", "0.53.0"), "go122"),
    "apps_script": ("Mozilla/5.0 (compatible; Google-Apps-Script; beanserver; "
                    "+https://script.google.com; id: UAEmdDd{v})", ("8f2Kq", "3nPw1", "Zx0a9"),
                    "gfe"),
    "chrome_win": ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                   "Gecko) Chrome/{v}.0.0.0 Safari/537.36", ("126", "127", "128"), "chrome"),
    "chrome_mac": ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, "
                   "like Gecko) Chrome/{v}.0.0.0 Safari/537.36", ("127", "128"), "chrome"),
    "chrome_android": ("Mozilla/5.0 (Linux; Android {w}; K) AppleWebKit/537.36 (KHTML, like "
                       "Gecko) Chrome/{v}.0.0.0 Mobile Safari/537.36", ("127", "128"), "chrome"),
    "safari": ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, "
               "like Gecko) Version/17.{w} Safari/605.1.15", ("",), "safari"),
    "firefox": ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 "
                "Firefox/{v}.0", ("128", "129", "130"), "firefox"),
    "electron": ("Hearthchat/{v} Chrome/126.0.6478.127 Electron/31.{w}.0 Safari/537.36",
                 ("3.2.0", "3.3.1", "3.4.0"), "chrome"),
    "ios_app": ("Parley/{v} (iPhone; iOS 17.{w}) CFNetwork/1494.0.7 Darwin/23.4.0",
                ("4.1", "4.2", "4.3"), "ios"),
    "android_app": ("Parley/{v} (Android 14) okhttp/4.12.0", ("4.1.0", "4.2.2", "4.3.0"),
                    "okhttp"),
}
TLS: dict[str, str] = {
    name: f"t13d{13 + i % 5:02d}{10 + i % 7:02d}h2_{_hex(name, 12)}_{_hex(name + '/ext', 12)}"
    for i, name in enumerate(sorted({s[2] for s in STACKS.values()} | {"gateway_go",
                                                                      "scraper"}))
}


#: The range of the minor number ``{w}`` per stack (Python 3.w, Node 20.w, iOS 17.w...).
_MINOR: dict[str, tuple[int, int]] = {
    "python": (9, 14), "aiohttp": (9, 13), "node": (10, 19), "node22": (2, 12),
    "agent_cli": (8, 12), "chrome_android": (12, 15), "safari": (1, 7), "electron": (1, 9),
    "ios_app": (3, 7),
}


def client(rng: np.random.Generator, stack: str) -> tuple[str, str]:
    """One installation of ``stack``: its user agent (a version drawn) and TLS value."""
    template, versions, tls = STACKS[stack]
    lo, hi = _MINOR.get(stack, (1, 10))
    ua = template.format(v=versions[int(rng.integers(len(versions)))],
                         w=int(rng.integers(lo, hi)))
    return ua, TLS[tls]


# ---- networks -------------------------------------------------------------------------------

_CLOUD: dict[str, tuple[str, ...]] = {
    "aws": ("3.91", "3.120", "18.140", "18.196", "34.229", "52.14", "54.183", "13.211"),
    "gcp": ("34.82", "34.118", "35.186", "35.200", "34.93"),
    "azure": ("20.42", "20.106", "40.76", "52.167"),
    "hetzner": ("65.21", "95.216", "135.181", "49.12"),
    "ovh": ("51.68", "51.195", "141.94"),
    "do": ("159.89", "167.99", "143.198", "178.128"),
    "vultr": ("45.76", "139.180", "149.28"),
    "oracle": ("129.146", "158.101"),
}


class Net:
    """Addresses: home broadband per country, carrier NAT exits, a satellite ISP, clouds."""

    def __init__(self, seed: int) -> None:
        rng = sub_rng(seed, "networks")
        used: set[int] = set()
        self.home_prefix: dict[str, list[int]] = {}
        for code in sorted(COUNTRIES):
            prefixes: list[int] = []
            while len(prefixes) < 5:
                p = int(rng.integers(2, 223)) * 256 + int(rng.integers(0, 256))
                if p // 256 in (10, 100, 127, 169, 172, 192) or p in used:
                    continue
                used.add(p)
                prefixes.append(p)
            self.home_prefix[code] = prefixes
        self.cgnat: dict[str, list[str]] = {
            code: [self._v4(rng, self.home_prefix[code][4]) for _ in range(8)]
            for code in sorted(COUNTRIES)}
        self.satellite = [f"98.97.{int(rng.integers(0, 256))}.{int(rng.integers(1, 255))}"
                          for _ in range(10)]
        self.vpn = [self.cloud(rng, "vultr") for _ in range(14)]

    @staticmethod
    def _v4(rng: np.random.Generator, prefix: int) -> str:
        return (f"{prefix // 256}.{prefix % 256}.{int(rng.integers(0, 256))}."
                f"{int(rng.integers(1, 255))}")

    def home(self, rng: np.random.Generator, country: str) -> str:
        return self._v4(rng, self.home_prefix[country][int(rng.integers(0, 4))])

    def home_v6(self, rng: np.random.Generator, country: str) -> str:
        base = self.home_prefix[country][0]
        groups = [0x2a00 + base % 0x400, 1 + base % 0xfff0]
        groups += [int(rng.integers(1, 0x10000)) for _ in range(6)]
        return ":".join(f"{g:x}" for g in groups)

    def nat(self, rng: np.random.Generator, country: str) -> str:
        return self.cgnat[country][int(rng.integers(0, 8))]

    @staticmethod
    def cloud(rng: np.random.Generator, provider: str, subnet: str | None = None) -> str:
        if subnet is None:
            prefixes = _CLOUD[provider]
            pre = prefixes[int(rng.integers(len(prefixes)))]
            return f"{pre}.{int(rng.integers(0, 256))}.{int(rng.integers(1, 255))}"
        return f"{subnet}.{int(rng.integers(1, 255))}"

    @staticmethod
    def subnet(rng: np.random.Generator, provider: str) -> str:
        prefixes = _CLOUD[provider]
        return f"{prefixes[int(rng.integers(len(prefixes)))]}.{int(rng.integers(0, 256))}"

    def ordinary(self, rng: np.random.Generator, country: str) -> str:
        """Where an ordinary person's requests come from: mostly home broadband, some on a
        phone network, a commercial VPN or the satellite ISP."""
        r = rng.random()
        if r < 0.62:
            return self.home(rng, country)
        if r < 0.72 and country in ("DE", "IN", "JP", "US", "FR"):
            return self.home_v6(rng, country)
        if r < 0.9:
            return self.nat(rng, country)
        if r < 0.97:
            return self.vpn[int(rng.integers(len(self.vpn)))]
        return self.satellite[int(rng.integers(len(self.satellite)))]


# ---- accounts -------------------------------------------------------------------------------


@dataclass
class Accts:
    """A batch of accounts of one group: per-account attributes as arrays."""

    archetype: str
    campaign: str | None
    ids: np.ndarray
    created: np.ndarray
    email: np.ndarray
    pay: np.ndarray
    org: np.ndarray
    country: np.ndarray
    path: np.ndarray
    ip: np.ndarray
    ua: np.ndarray
    tls: np.ndarray
    key: np.ndarray
    tz: np.ndarray
    tier: np.ndarray
    verified: np.ndarray
    declared: np.ndarray
    contract: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def obj(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """An object array (strings and None) from a sequence."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


#: Several strings: a sequence or an object array.
Strs: TypeAlias = Sequence[str] | np.ndarray


# ---- the world ------------------------------------------------------------------------------


class World:
    """The sink of all events and accounts of one Osprey member."""

    def __init__(self, seed: int, scale: float, corpus: Path | None) -> None:
        self.seed = seed
        self.scale = scale
        #: Heavy single accounts (gateways, batch jobs) shrink more slowly than head counts.
        self.vol = float(np.clip(np.sqrt(scale), 0.12, 1.0))
        rng = sub_rng(seed, "world")
        self.release = START + 5 * DAY + int((15 + rng.uniform(0, 4)) * HOUR)
        self.text = Text(corpus, seed)
        self.net = Net(seed)
        self._id_rng = sub_rng(seed, "account-ids")
        self._ids: set[str] = set()
        self._conv = int(sub_rng(seed, "conversations").integers(1 << 40, 1 << 44))
        self.groups: list[Accts] = []
        self.tables: list[pa.Table] = []

    # sizes ---------------------------------------------------------------------------------
    def n(self, base: float | np.number[Any], lo: int = 1) -> int:
        """``base`` accounts at scale 1, at least ``lo`` at any scale."""
        return max(lo, round(float(base) * self.scale))

    # ids -----------------------------------------------------------------------------------
    def new_id(self, prefix: str, k: int = 16) -> str:
        alphabet = "abcdefghijkmnopqrstuvwxyz23456789"
        while True:
            raw = self._id_rng.integers(0, len(alphabet), size=k)
            value = prefix + "".join(alphabet[i] for i in raw)
            if value not in self._ids:
                self._ids.add(value)
                return value

    def conv_ids(self, k: int) -> pa.Array:
        """``k`` fresh conversation ids."""
        start = self._conv
        self._conv += k * 7 + 13
        values = start + 7 * np.arange(k, dtype=np.int64)
        return pa.array(np.char.mod("conv_%011x", values).astype(object), pa.string())

    # accounts ------------------------------------------------------------------------------
    def accounts(self, rng: np.random.Generator, n: int, archetype: str, *,
                 campaign: str | None = None, countries: Strs | str = "world",
                 created: np.ndarray, email: Sequence[str | None] | None = None,
                 pay: Sequence[str | None] | str = "card", org: Sequence[str | None] | str |
                 None = None, path: Strs | str = "direct",
                 ip: Sequence[str] | None = None, stack: Strs | str = "python",
                 tier: Strs | str = "pay_as_you_go",
                 verified: Sequence[bool] | bool = False, declared: str | None = None,
                 contract: bool = False) -> Accts:
        """Register ``n`` accounts. Per-account attributes are given as sequences or one
        value for all; ``countries`` "world" draws from the ordinary mix; ``pay`` "card" gives
        each its own card, "none" none; ``email`` None makes personal free-mail addresses."""
        if isinstance(countries, str):
            if countries == "world":
                codes = sorted(COUNTRIES)
                w = np.array([COUNTRIES[c][3] for c in codes])
                cs = [codes[i] for i in rng.choice(len(codes), size=n, p=w / w.sum())]
            else:
                cs = [countries] * n
        else:
            cs = list(countries)
        ids = [self.new_id("acct_") for _ in range(n)]
        tz = [float(COUNTRIES[c][0][int(rng.integers(len(COUNTRIES[c][0])))]) for c in cs]
        emails = list(email) if email is not None else [self.personal_email(rng, c)
                                                         for c in cs]
        if isinstance(pay, str):
            pays: list[str | None] = ([card(rng) for _ in range(n)] if pay == "card"
                                      else [None] * n)
        else:
            pays = list(pay)
        orgs = list(org) if isinstance(org, list | tuple | np.ndarray) else [org] * n
        stacks = [stack] * n if isinstance(stack, str) else list(stack)
        clients = [client(rng, s) for s in stacks]
        ips = list(ip) if ip is not None else [self.net.ordinary(rng, c) for c in cs]
        acc = Accts(
            archetype=archetype, campaign=campaign, ids=obj(ids),
            created=np.asarray(created, dtype=np.int64), email=obj(emails), pay=obj(pays),
            org=obj(orgs), country=obj(cs),
            path=obj([path] * n if isinstance(path, str) else list(path)), ip=obj(ips),
            ua=obj([c[0] for c in clients]), tls=obj([c[1] for c in clients]),
            key=obj([self.new_id("key_", 12) for _ in range(n)]), tz=np.asarray(tz),
            tier=obj([tier] * n if isinstance(tier, str) else list(tier)),
            verified=np.asarray([verified] * n if isinstance(verified, bool) else verified,
                                dtype=bool),
            declared=obj([declared] * n), contract=np.full(n, contract, dtype=bool))
        self.groups.append(acc)
        return acc

    def personal_email(self, rng: np.random.Generator, country: str,
                       domain: str | None = None) -> str:
        region = COUNTRIES[country][1]
        first, last = self.text.name(rng, region)
        dom = domain or str(rng.choice(FREEMAIL.get(region, FREEMAIL["en"])))
        r = rng.random()
        if r < 0.35:
            local = f"{first}.{last}"
        elif r < 0.6:
            local = f"{first}{last}{int(rng.integers(1, 99))}"
        elif r < 0.8:
            local = f"{first[0]}{last}{int(rng.integers(70, 2008))}"
        else:
            local = f"{first}_{int(rng.integers(100, 9999))}"
        return f"{local}@{dom}"

    # events --------------------------------------------------------------------------------
    def emit(self, acc: Accts, a: np.ndarray, ts: np.ndarray, **cols: Any) -> int:
        """Write events: ``a`` (account indices into ``acc``) and ``ts`` (µs) per event, and
        any event column by name (an array, a pyarrow array, one value, or None). Account
        columns come from ``acc`` unless given. Events outside the window or not after the
        account's creation are dropped. Returns how many were kept."""
        a = np.asarray(a, dtype=np.int64)
        ts = np.asarray(ts, dtype=np.int64)
        keep = (ts >= START) & (ts < END) & (ts > acc.created[a])
        if not keep.any():
            return 0
        idx = np.flatnonzero(keep)
        n = len(idx)
        base = {"account_id": acc.ids, "org_id": acc.org, "api_key_id": acc.key, "ip": acc.ip,
                "user_agent": acc.ua, "tls_fingerprint": acc.tls,
                "payment_fingerprint": acc.pay, "email": acc.email,
                "access_path": acc.path, "country": acc.country}
        aliases = {"ua": "user_agent", "tls": "tls_fingerprint", "key": "api_key_id",
                   "system": "system_prompt", "conv": "conversation_id"}
        given = {aliases.get(k, k): v for k, v in cols.items()}
        unknown = set(given) - {f.name for f in EVENT_SCHEMA}
        if unknown:
            raise ValueError(f"unknown event columns {sorted(unknown)}")
        arrays: list[pa.Array] = []
        for f in EVENT_SCHEMA:
            name = f.name
            if name == "request_id":
                arrays.append(pa.nulls(n, pa.string()))
            elif name == "timestamp":
                arrays.append(pa.array(ts[idx]))
            elif name == "account_created_at":
                arrays.append(pa.array(acc.created[a[idx]]))
            elif name == "tool_count" and isinstance(given.get(name), np.ndarray):
                tools = np.asarray(given[name], dtype=np.int64)[idx]
                arrays.append(pa.array(tools, f.type, mask=tools <= 0))  # no tools: not sent
            elif name in given:
                arrays.append(_column(given[name], idx, len(a), f.type))
            elif name in base:
                arrays.append(pa.array(base[name][a[idx]], f.type))
            elif name == "status":
                arrays.append(_column("ok", idx, len(a), f.type))
            else:
                arrays.append(pa.nulls(n, f.type))
        self.tables.append(pa.Table.from_arrays(arrays, names=[f.name for f in EVENT_SCHEMA]))
        return n


def _column(value: Any, idx: np.ndarray, full: int, typ: pa.DataType) -> pa.Array:
    if value is None:
        return pa.nulls(len(idx), typ)
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    if isinstance(value, pa.Array):
        if len(value) != full:
            raise ValueError("column length differs from the events")
        return value.take(pa.array(idx)).cast(typ)
    if isinstance(value, np.ndarray):
        if len(value) != full:
            raise ValueError("column length differs from the events")
        return pa.array(value[idx], typ)
    return pa.array(np.full(len(idx), value, dtype=object), typ)


def card(rng: np.random.Generator) -> str:
    """A payment fingerprint: the stable hash of one card."""
    return "pm_" + "".join(f"{int(x):02x}" for x in rng.integers(0, 256, size=10))


# ---- time ----------------------------------------------------------------------------------


def local_times(rng: np.random.Generator, tz: np.ndarray | float, profile: str | np.ndarray,
                n: int, *, first_day: np.ndarray | int = -1, last_day: np.ndarray | int = DAYS,
                weekend: float = 1.0) -> np.ndarray:
    """``n`` times (µs) whose local hour follows ``profile``; the local day is uniform in
    ``[first_day, last_day)`` (days since the start), weekends kept with prob. ``weekend``."""
    p = PROFILES[profile] if isinstance(profile, str) else profile / profile.sum()
    lo = np.broadcast_to(np.asarray(first_day), (n,))
    hi = np.maximum(np.broadcast_to(np.asarray(last_day), (n,)), lo + 1)
    day = lo + np.floor(rng.random(n) * (hi - lo)).astype(np.int64)
    if weekend < 1.0:
        # 3 Sept 2026 is a Thursday: day 2 and 3 (and 9) are the weekend.
        wkend = ((day + 3) % 7) >= 5
        redo = wkend & (rng.random(n) > weekend)
        day[redo] = lo[redo] + np.floor(rng.random(int(redo.sum())) * (hi[redo] - lo[redo])
                                        ).astype(np.int64)
    hour = rng.choice(24, size=n, p=p)
    tzv = np.broadcast_to(np.asarray(tz, dtype=float), (n,))
    offset = ((hour - tzv) * HOUR).astype(np.int64)
    return START + day * DAY + offset + rng.integers(0, HOUR, size=n)


def sessions(rng: np.random.Generator, starts: np.ndarray, lengths: np.ndarray,
             gap_s: float, sigma: float = 0.8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expand sessions into events: (session index, turn, timestamp) per event, turns
    spaced by log-normal gaps of median ``gap_s`` seconds."""
    lengths = np.maximum(np.asarray(lengths, dtype=np.int64), 1)
    sess = np.repeat(np.arange(len(lengths)), lengths)
    first = np.cumsum(lengths) - lengths
    turn = np.arange(len(sess)) - first[sess]
    gaps = (rng.lognormal(np.log(gap_s), sigma, size=len(sess)) * SEC).astype(np.int64)
    gaps[turn == 0] = 0
    cs = np.cumsum(gaps)
    ts = np.asarray(starts, dtype=np.int64)[sess] + cs - cs[first][sess]
    return sess, turn, ts


def adopt(rng: np.random.Generator, ts: np.ndarray, at: np.ndarray | int, share: float,
          before: Mapping[str, float], after: str = NEW) -> np.ndarray:
    """The model per event: ``before``'s mix, and from ``at`` on ``after`` with prob. share."""
    names = list(before)
    p = np.array([before[k] for k in names], dtype=float)
    model = obj([names[i] for i in rng.choice(len(names), size=len(ts), p=p / p.sum())])
    moved = (ts >= np.asarray(at)) & (rng.random(len(ts)) < share)
    model[moved] = after
    return model


def days_before(rng: np.random.Generator, n: int, lo: float, hi: float) -> np.ndarray:
    """Creation times ``lo``..``hi`` days before the window starts (log-uniform)."""
    days = np.exp(rng.uniform(np.log(max(lo, 1e-3)), np.log(hi), size=n))
    return (START - days * DAY).astype(np.int64) - rng.integers(0, HOUR, size=n)


def pick(rng: np.random.Generator, values: Sequence[Any], n: int,
         p: Sequence[float] | None = None) -> np.ndarray:
    """``n`` draws from ``values`` as an object array."""
    pr = None if p is None else np.asarray(p, dtype=float) / np.sum(p)
    return obj(values)[rng.choice(len(values), size=n, p=pr)]


def ints(values: np.ndarray) -> pa.Array:
    """Numbers as text, for template slots."""
    return pc.cast(pa.array(np.asarray(values)), pa.string())
