"""Who sends the traffic: countries and time zones, e-mails, cards, IPs, client fingerprints.

All generators are vectorised over accounts (or events, for per-request IPs). Values
are synthetic: addresses are random, fingerprints are JA4-like strings invented here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.simulate.textgen import (
    TemplateRenderer,
    ipv6,
    join_columns,
    pick,
    random_hex,
    random_public_ipv4,
    scatter,
    subnet_hosts,
    text_pool,
)
from distillguard.simulate.vocab import FIRST_NAMES, LAST_NAMES


@dataclass(frozen=True)
class Country:
    code: str
    weight: float
    utc_offsets: tuple[float, ...]
    language: str
    mail_domains: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country("US", 0.27, (-8, -7, -6, -5), "en",
            ("gmail.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com")),
    Country("IN", 0.11, (5.5,), "en", ("gmail.com", "gmail.com", "yahoo.co.in", "outlook.com")),
    Country("BR", 0.06, (-3,), "pt", ("gmail.com", "hotmail.com", "outlook.com", "uol.com.br")),
    Country("GB", 0.06, (0,), "en", ("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk")),
    Country("DE", 0.06, (1,), "de", ("gmail.com", "web.de", "gmx.de", "t-online.de")),
    Country("FR", 0.04, (1,), "fr", ("gmail.com", "orange.fr", "free.fr", "laposte.net")),
    Country("JP", 0.05, (9,), "ja", ("gmail.com", "yahoo.co.jp", "icloud.com", "docomo.ne.jp")),
    Country("KR", 0.04, (9,), "ko", ("naver.com", "gmail.com", "daum.net", "kakao.com")),
    Country("CA", 0.04, (-8, -5), "en", ("gmail.com", "outlook.com", "yahoo.ca")),
    Country("MX", 0.03, (-6,), "es", ("gmail.com", "hotmail.com", "outlook.com")),
    Country("ES", 0.03, (1,), "es", ("gmail.com", "hotmail.es", "yahoo.es")),
    Country("ID", 0.03, (7,), "en", ("gmail.com", "yahoo.co.id")),
    Country("AU", 0.03, (10,), "en", ("gmail.com", "outlook.com", "bigpond.com")),
    Country("PL", 0.02, (1,), "en", ("gmail.com", "wp.pl", "onet.pl")),
    Country("NG", 0.02, (1,), "en", ("gmail.com", "yahoo.com")),
    Country("PH", 0.02, (8,), "en", ("gmail.com", "yahoo.com")),
    Country("VN", 0.02, (7,), "en", ("gmail.com", "yahoo.com.vn")),
    Country("TR", 0.02, (3,), "en", ("gmail.com", "hotmail.com", "yandex.com")),
    Country("SG", 0.02, (8,), "en", ("gmail.com", "outlook.com")),
    Country("NL", 0.02, (1,), "en", ("gmail.com", "ziggo.nl", "outlook.com")),
    Country("TW", 0.01, (8,), "zh", ("gmail.com", "yahoo.com.tw")),
    Country("HK", 0.01, (8,), "zh", ("gmail.com", "yahoo.com.hk", "outlook.com")),
    Country("RU", 0.01, (3,), "ru", ("mail.ru", "yandex.ru", "gmail.com")),
)
COUNTRY_CODES = tuple(country.code for country in COUNTRIES)
COUNTRY_INDEX = {code: k for k, code in enumerate(COUNTRY_CODES)}

# First octets that look residential/mobile vs. hosting. Synthetic, not a real registry.
RESIDENTIAL_OCTETS = (24, 49, 58, 59, 61, 67, 68, 69, 70, 71, 73, 75, 76, 79, 81, 82, 84, 86,
                      87, 89, 90, 92, 93, 95, 97, 98, 99, 101, 112, 114, 116, 118, 121, 122,
                      124, 175, 177, 179, 180, 186, 187, 189, 190, 200, 201, 220, 222)
HOSTING_OCTETS = (3, 13, 18, 34, 35, 44, 45, 52, 54, 64, 104, 107, 134, 137, 138, 139, 142,
                  143, 146, 147, 157, 159, 161, 164, 165, 167, 178, 185, 188, 193, 194, 195,
                  198, 206, 207, 209, 212, 213, 216, 217)


@dataclass(frozen=True)
class ClientFamily:
    """A kind of client: user-agent templates and the TLS fingerprints its stack produces."""

    user_agents: tuple[str, ...]
    tls: tuple[str, ...]


CLIENTS: dict[str, ClientFamily] = {
    "chrome": ClientFamily(
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/{int:120-133}.0.0.0 Safari/537.36",
         "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
         "Gecko) Chrome/{int:120-133}.0.0.0 Safari/537.36",
         "Mozilla/5.0 (Linux; Android {int:11-14}; Pixel {int:5-8}) AppleWebKit/537.36 (KHTML, "
         "like Gecko) Chrome/{int:120-133}.0.0.0 Mobile Safari/537.36"),
        ("t13d1516h2_8daaf6152771_02713d6af862", "t13d1517h2_8daaf6152771_b0da82dd1658")),
    "safari": ClientFamily(
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
         "Gecko) Version/17.{int:0-6} Safari/605.1.15",
         "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{int:0-6} like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.{int:0-6} Mobile/15E148 Safari/604.1"),
        ("t13d2014h2_a09f3c656075_14788d8d241b",)),
    "firefox": ClientFamily(
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{int:115-134}.0) Gecko/20100101 "
         "Firefox/{int:115-134}.0",
         "Mozilla/5.0 (X11; Linux x86_64; rv:{int:115-134}.0) Gecko/20100101 "
         "Firefox/{int:115-134}.0"),
        ("t13d1715h2_5b57614c22b0_3d5424432f57",)),
    "mobile_app": ClientFamily(
        ("AssistantApp/{int:3-5}.{int:0-20}.{int:0-9} (iPhone; iOS 17.{int:0-6}; Scale/3.00)",
         "AssistantApp/{int:3-5}.{int:0-20}.{int:0-9} (Android {int:11-14}; SM-S9{int:10-28}B)"),
        ("t13d2013h2_a09f3c656075_e42f34c56612", "t13d1516h2_8daaf6152771_e5627efa2ab1")),
    "python_sdk": ClientFamily(
        ("frontier-python/1.{int:20-60}.{int:0-9}",
         "frontier-python/1.{int:20-60}.{int:0-9} async:asyncio"),
        ("t13d1812h2_85036bcba153_375ca2c5e164",)),
    "node_sdk": ClientFamily(
        ("frontier-node/4.{int:0-80}.{int:0-9}",),
        ("t13d1712h2_5b57614c22b0_1f04b8ecd1d5",)),
    "httpx": ClientFamily(("python-httpx/0.{int:24-28}.{int:0-2}",),
                          ("t13d1812h2_85036bcba153_375ca2c5e164",)),
    "requests": ClientFamily(("python-requests/2.{int:28-32}.{int:0-3}",),
                             ("t13d1812h1_85036bcba153_b26ce05bbdd6",)),
    "aiohttp": ClientFamily(("Python/3.{int:9-12} aiohttp/3.{int:8-10}.{int:0-5}",),
                            ("t13d1812h1_85036bcba153_60b6e1cfd1b8",)),
    "go": ClientFamily(("Go-http-client/2.0", "Go-http-client/1.1"),
                       ("t13d1312h2_f57a46bbacb6_e7c285222651",)),
    "curl": ClientFamily(("curl/8.{int:0-11}.{int:0-1}",),
                         ("t13d3112h2_e8f1e7e78f70_6bebaf5329ac",)),
    "java": ClientFamily(("okhttp/4.12.0", "Apache-HttpClient/5.{int:1-3} (Java/17.0.{int:1-12})"),
                         ("t13d1611h2_2d4f2f7e1d90_5ac7197df9d2",)),
    "langchain": ClientFamily(
        ("langchain-frontier/0.{int:1-3}.{int:0-30} frontier-python/1.{int:20-60}.{int:0-9}",),
        ("t13d1812h2_85036bcba153_375ca2c5e164",)),
    "ide": ClientFamily(
        ("CodeAssist/{int:1-2}.{int:0-40}.{int:0-9} vscode/1.{int:85-97}.0",
         "CodeAssist/{int:1-2}.{int:0-40}.{int:0-9} jetbrains/2024.{int:1-3}"),
        ("t13d1712h2_5b57614c22b0_1f04b8ecd1d5",)),
}

CONSUMER_CLIENTS = {"chrome": 0.38, "safari": 0.2, "firefox": 0.07, "mobile_app": 0.35}
DEVELOPER_CLIENTS = {"python_sdk": 0.3, "node_sdk": 0.15, "httpx": 0.1, "requests": 0.08,
                     "langchain": 0.08, "ide": 0.22, "curl": 0.02, "go": 0.03, "java": 0.02}
SERVER_CLIENTS = {"python_sdk": 0.35, "httpx": 0.15, "requests": 0.15, "aiohttp": 0.1,
                  "go": 0.1, "java": 0.1, "node_sdk": 0.05}

_renderer = TemplateRenderer({
    "first": FIRST_NAMES, "last": LAST_NAMES,
    "initial": tuple("abcdefghijklmnoprstvwy"),
    "nick": ("sunny", "darkstar", "pixel", "coffee", "moon", "tiger", "nova", "blue", "lucky",
             "ninja", "cloud", "happy", "rocket", "panda", "jazz", "storm"),
    "sep": (".", "_", ""),
    "letters": tuple("abcdefghijklmnopqrstuvwxyz"),
})

PERSONAL_LOCAL_PARTS = (
    "{first}.{last}", "{first}{last}", "{first}{last}{int:1-99}", "{first}_{last}",
    "{first}{int:1970-2008}", "{initial}{last}", "{first}.{last}{int:1-9}", "{nick}{int:1-999}",
    "{first}{sep}{nick}", "{last}.{first}",
)
#: Machine-made local parts a careless account farm produces.
FARM_LOCAL_PARTS = (
    "{letters}{letters}{letters}{letters}{letters}{letters}{letters}{int:10-9999}",
    "{first}{last}{int:1000-9999}",
)


def weighted_keys(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    """Draw ``n`` indexes into ``list(weights)`` with the given weights."""
    p = np.asarray(list(weights.values()), dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum())


def countries(rng: np.random.Generator, n: int,
              only: Sequence[str] | None = None) -> np.ndarray:
    """Indexes into ``COUNTRIES`` drawn by traffic weight (optionally from a subset)."""
    pool = [k for k, c in enumerate(COUNTRIES) if only is None or c.code in only]
    p = np.asarray([COUNTRIES[k].weight for k in pool])
    return np.asarray(pool, dtype=np.int64)[rng.choice(len(pool), size=n, p=p / p.sum())]


def utc_offsets(rng: np.random.Generator, country_index: np.ndarray) -> np.ndarray:
    """A UTC offset (hours) per account, from its country's time zones."""
    out = np.zeros(len(country_index), dtype=np.float64)
    for k in np.unique(country_index):
        mask = country_index == k
        zones = np.asarray(COUNTRIES[int(k)].utc_offsets)
        out[mask] = zones[rng.integers(0, len(zones), int(mask.sum()))]
    return out


def country_codes(country_index: np.ndarray) -> pa.Array:
    return text_pool(COUNTRY_CODES).take(country_index)


def personal_emails(rng: np.random.Generator, country_index: np.ndarray) -> pa.Array:
    """Consumer mailboxes with varied local parts and the country's usual providers."""
    n = len(country_index)
    local = _renderer.render_any(PERSONAL_LOCAL_PARTS, rng, n)
    domains = []
    for k in np.unique(country_index):
        count = int(np.count_nonzero(country_index == k))
        domains.append(pick(COUNTRIES[int(k)].mail_domains, rng, count))
    return join_columns([local, "@", scatter(domains, country_index)], n)


def domain_emails(rng: np.random.Generator, n: int, domains: str | pa.Array,
                  styles: Sequence[str] = ("{first}.{last}",)) -> pa.Array:
    """Mailboxes at one domain, or at ``domains[i]`` per account (a university, a company)."""
    return join_columns([_renderer.render_any(styles, rng, n), "@", domains], n)


def farm_emails(rng: np.random.Generator, n: int,
                domains: Sequence[str] = ("gmail.com", "outlook.com", "proton.me")) -> pa.Array:
    """Bulk-registered mailboxes: machine-made local parts at free providers."""
    return join_columns([_renderer.render_any(FARM_LOCAL_PARTS, rng, n), "@",
                         pick(domains, rng, n)], n)


def cards(rng: np.random.Generator, n: int) -> pa.Array:
    """Distinct payment-instrument fingerprints (stable hashes, here random)."""
    return random_hex(rng, n, 8, prefix="pf_")


def shared_cards(rng: np.random.Generator, n: int, distinct: int) -> pa.Array:
    """``n`` accounts paying with only ``distinct`` instruments between them."""
    pool = cards(rng, max(1, distinct))
    return pool.take(rng.integers(0, len(pool), n))


def clients(rng: np.random.Generator, n: int,
            weights: dict[str, float]) -> tuple[pa.Array, pa.Array]:
    """User agent and TLS fingerprint per account, drawn from client families."""
    families = list(weights)
    chosen = weighted_keys(rng, weights, n)
    agents, tls = [], []
    for k in np.unique(chosen):
        count = int(np.count_nonzero(chosen == k))
        family = CLIENTS[families[int(k)]]
        agents.append(_renderer.render_any(family.user_agents, rng, count))
        tls.append(pick(family.tls, rng, count))
    return scatter(agents, chosen), scatter(tls, chosen)


def one_client(rng: np.random.Generator, family: str) -> tuple[str, str]:
    """A single concrete client (an operator's tooling, shared by its accounts)."""
    agents, tls = clients(rng, 1, {family: 1.0})
    return str(agents[0].as_py()), str(tls[0].as_py())


def residential_ips(rng: np.random.Generator, n: int, ipv6_share: float = 0.15) -> pa.Array:
    """Home and mobile addresses, some IPv6."""
    v4 = random_public_ipv4(rng, n, RESIDENTIAL_OCTETS)
    v6_mask = rng.random(n) < ipv6_share
    if not v6_mask.any():
        return v4
    words = rng.integers(0, 65536, size=(n, 8))
    words[:, 0] = np.asarray([0x2600, 0x2a02, 0x2001, 0x2409, 0x2804])[rng.integers(0, 5, n)]
    return pc.if_else(pa.array(v6_mask), ipv6(words), v4)


def hosting_prefixes(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` random /24 prefixes in hosting-provider-like space, shape ``(count, 3)``."""
    first = np.asarray(HOSTING_OCTETS)[rng.integers(0, len(HOSTING_OCTETS), count)]
    return np.column_stack([first, rng.integers(0, 256, count), rng.integers(0, 256, count)])


def residential_prefixes(rng: np.random.Generator, count: int) -> np.ndarray:
    first = np.asarray(RESIDENTIAL_OCTETS)[rng.integers(0, len(RESIDENTIAL_OCTETS), count)]
    return np.column_stack([first, rng.integers(0, 256, count), rng.integers(0, 256, count)])


def addresses_in(rng: np.random.Generator, prefixes: np.ndarray, n: int,
                 hosts: int = 254) -> pa.Array:
    """``n`` addresses spread over the given /24 prefixes (hosts ``1..hosts``)."""
    which = rng.integers(0, len(prefixes), n)
    return subnet_hosts(prefixes[which], rng.integers(1, hosts + 1, n))


def account_ages_us(rng: np.random.Generator, n: int, median_days: float,
                    sigma: float = 1.0, min_hours: float = 1.0) -> np.ndarray:
    """How long before the start each account was created (lognormal), in microseconds."""
    days = rng.lognormal(np.log(median_days), sigma, n)
    return (np.maximum(days * 24.0, min_hours) * 3_600e6).astype(np.int64)


COMPANY_WORDS = ("bright", "loop", "nova", "quant", "blue", "harbor", "pixel", "forge", "atlas",
                 "signal", "maple", "vertex", "orbit", "cedar", "lumen", "stack", "delta",
                 "river", "summit", "ember", "north", "kite", "polar", "clover")
COMPANY_SUFFIXES = (".io", ".com", ".ai", ".dev", ".co")
UNIVERSITY_WORDS = ("westfield", "lakeside", "northbridge", "saint-anselm", "riverton",
                    "eastmoor", "kingsford", "hillcrest", "bayview", "greenholm", "ashford")
#: How a university mailbox domain looks in a few countries (``{u}`` = the name).
UNIVERSITY_DOMAINS = {"US": "students.{u}.edu", "GB": "{u}.ac.uk", "AU": "student.{u}.edu.au",
                      "DE": "stud.uni-{u}.de", "IN": "{u}.ac.in", "CA": "mail.{u}.ca",
                      "KR": "{u}.ac.kr", "JP": "{u}.ac.jp", "BR": "aluno.{u}.edu.br"}


def company_domain(rng: np.random.Generator) -> str:
    words = rng.choice(len(COMPANY_WORDS), size=2, replace=False)
    suffix = COMPANY_SUFFIXES[int(rng.integers(0, len(COMPANY_SUFFIXES)))]
    return f"{COMPANY_WORDS[words[0]]}{COMPANY_WORDS[words[1]]}{suffix}"


def university_domain(rng: np.random.Generator, country_code: str) -> str:
    name = UNIVERSITY_WORDS[int(rng.integers(0, len(UNIVERSITY_WORDS)))]
    pattern = UNIVERSITY_DOMAINS.get(country_code, "{u}.edu")
    return pattern.format(u=name)
