"""The profile counts distinct prompts on their text, not on a 64-bit hash."""

from __future__ import annotations

from datetime import timedelta

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
