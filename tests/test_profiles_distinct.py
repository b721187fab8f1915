"""The profile counts distinct prompts on their text, not on a 64-bit hash."""

from __future__ import annotations

from datetime import timedelta

import pytest

from distillguard.config import default_config
from distillguard.detect.profiles import build_profiles
from tests.helpers import T0, connection_with_events

#: Two different prompts with the same DuckDB ``hash()`` (crafted: DuckDB's string hash
#: XORs 8-byte blocks into its state and multiplies, so the second block can be solved
#: for to cancel a changed first block).
COLLIDING = ("Write a proof that the s", 'WrimcsrhproT"Ratat the s')


def test_the_crafted_prompts_do_collide_under_duckdb_hash() -> None:
    con = connection_with_events([])
    row = con.execute("SELECT hash(?) = hash(?), ? = ?", [*COLLIDING, *COLLIDING]).fetchone()
    assert row == (True, False)


def test_when_distinct_prompts_share_a_hash_then_they_still_count_as_distinct() -> None:
    rows = [
        {"account_id": "a1", "prompt": prompt, "timestamp": T0 + timedelta(minutes=i)}
        for i, prompt in enumerate([*COLLIDING, COLLIDING[0]])
    ]
    profile = build_profiles(connection_with_events(rows), default_config()).to_pylist()[0]
    assert profile["distinct_prompts"] == 2
    assert abs(profile["repeated_prompt_share"] - 1 / 3) < 1e-12


def test_address_blocks_are_ipv4_slash_8s_and_ipv6_slash_32s() -> None:
    # A CI pool: many /24s of two cloud blocks. A proxy pool: one address per ISP block.
    ci = [f"{3 + 49 * (i % 2)}.{i}.{i % 7}.9" for i in range(12)]
    proxies = [f"{11 + i}.20.30.40" for i in range(10)]
    phones = ["2600:387:1:2::9", "2600:387:ff:0:1::3", "2a02:3030:9::1", "2a02:3031::1"]
    rows = [{"account_id": name, "ip": ip, "timestamp": T0 + timedelta(minutes=i)}
            for name, ips in (("ci", ci), ("proxies", proxies), ("phones", phones))
            for i, ip in enumerate(ips)]
    profile = {r["account_id"]: r for r in
               build_profiles(connection_with_events(rows), default_config()).to_pylist()}
    assert profile["ci"]["distinct_networks"] == 12
    assert profile["ci"]["distinct_blocks"] == 2
    assert profile["proxies"]["distinct_blocks"] == 10
    # Two carriers' /32s; one carrier's addresses in different /48s are one block.
    assert profile["phones"]["distinct_networks"] == 4
    assert profile["phones"]["distinct_blocks"] == 3
    # The effective number of blocks weighs them by requests: two blocks half and half
    # are two, ten blocks once each ten, a carrier holding two of four requests 2.83.
    assert profile["ci"]["block_spread"] == pytest.approx(2.0)
    assert profile["proxies"]["block_spread"] == pytest.approx(10.0)
    assert profile["phones"]["block_spread"] == pytest.approx(2 ** 1.5)
