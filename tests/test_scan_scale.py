"""The fast paths of a scan give exactly what the plain paths give.

Per-event features are computed once per distinct text and rewrite only the strings a
pattern can change; IPs are canonicalised per distinct value; ingest inserts straight
into ``events`` (duplicates taken out at the end of each file) while a background
thread prepares the next batch. Each shortcut is checked here against the plain
computation it replaces, on generated hostile text.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillguard.config import default_config
from distillguard.detect import features
from distillguard.detect.features import (
    _lower,
    _matches,
    capability_of,
    event_features,
    network_prefix,
    networks_and_blocks,
)
from distillguard.detect.rules import SKELETON_MASKS, any_pattern
from distillguard.engines.batches import DUPLICATE_REASON
from distillguard.engines.embedded import EmbeddedWorkspace
from distillguard.ingest.background import ahead, ordered_map
from distillguard.ingest.validate import canonical_ips
from distillguard.schema import FEATURE_COLUMNS

CFG = default_config()

# Pieces that exercise every rewrite: whitespace of every kind, numbers, quotes, e-mail-
# and URL-like tokens, capital letters with special lower-casing, look-alike letters,
# zero-width characters, and words the configured patterns look for.
_PIECES = [
    " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\xa0", "\u2003", "\u200b", "1", "42", "3.14",
    "10/20", '"', '"quoted"', "@", "a@b.c", "user9@mail.example.org", "http://x.io/p?q=1",
    "HTTPS://Y.ORG", "İ", "Σ", "ΣΑΣ", "а", "ѕtер", "Step by Step", "python", "rubric", "proof",
    "image", "poem", "Explain your reasoning", "ｓｔｅｐ ｂｙ ｓｔｅｐ", "word", "x",
]
texts = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)
optional_texts = st.one_of(st.none(), texts)


@settings(max_examples=60, deadline=None)
@given(st.lists(texts, min_size=1, max_size=30))
def test_when_lowering_then_the_ascii_shortcut_equals_utf8_lower(values: list[str]) -> None:
    array = pa.array(values, pa.string())
    assert _lower(array).equals(pc.utf8_lower(array))


@settings(max_examples=80, deadline=None)
@given(st.lists(texts, min_size=1, max_size=30))
def test_when_collapsing_whitespace_then_the_cheaper_pattern_gives_what_backslash_s_plus_gives(
    values: list[str],
) -> None:
    array = pa.array(values, pa.string())
    pattern, replacement, _ = SKELETON_MASKS[-1]
    plain = pc.replace_substring_regex(array, pattern=r"\s+", replacement=" ")
    assert replacement == " "
    assert pc.replace_substring_regex(array, pattern=pattern, replacement=" ").equals(plain)
    # Every string a rewrite changes is found by its cheaper search, where it has one.
    for pattern, replacement, hint in SKELETON_MASKS:
        if hint is None:
            continue
        rewritten = pc.replace_substring_regex(array, pattern=pattern, replacement=replacement)
        changed = pc.not_equal(rewritten, array)
        found = pc.match_substring_regex(array, pattern=hint)
        assert not pc.any(pc.and_(changed, pc.invert(found))).as_py()


@settings(max_examples=60, deadline=None)
@given(st.lists(optional_texts, min_size=1, max_size=30))
def test_when_capabilities_are_assigned_then_the_first_matching_area_wins(
    values: list[str | None],
) -> None:
    array = pa.array(values, pa.string())
    # The plain computation: every area's pattern over every row, first hit wins.
    result = pa.nulls(len(array), pa.string())
    decided = pa.repeat(False, len(array))
    for name, pattern in CFG.features.capabilities.items():
        hit = pc.and_(pc.fill_null(_matches(array, pattern), False), pc.invert(decided))
        result = pc.if_else(hit, pa.scalar(name), result)
        decided = pc.or_(decided, hit)
    plain = pc.if_else(pc.and_(pc.invert(decided), pc.is_valid(array)), "general", result)
    assert capability_of(array, CFG.features).equals(plain)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries({
            "prompt": optional_texts,
            "system_prompt": st.one_of(
                st.none(), st.sampled_from(["Think step by step.", "Be brief."])),
            "email": st.one_of(st.none(), st.sampled_from(
                [" John.Smith42@Example.COM ", "user8231@mail.io", "bad", "@x", ""])),
            "ip": st.one_of(st.none(), st.sampled_from(
                ["10.1.2.3", "10.1.2.99", "2001:db8::1", "2001:db8:1:2::7", "::1", "999.1.1.1",
                 "010.1.1.1", " 1.2.3.4", "not an ip"])),
            "max_tokens": st.one_of(st.none(), st.integers(0, 10_000)),
        }),
        min_size=1,
        max_size=25,
    )
)
def test_when_a_batch_repeats_values_then_features_equal_those_of_each_row_alone(
    rows: list[dict[str, object]],
) -> None:
    schema = pa.schema([("prompt", pa.string()), ("system_prompt", pa.string()),
                        ("email", pa.string()), ("ip", pa.string()), ("max_tokens", pa.int64())])
    table = pa.Table.from_pylist(rows, schema=schema)
    batch = event_features(table, CFG.features).select(list(FEATURE_COLUMNS))
    one_by_one = pa.concat_tables(
        event_features(table.slice(i, 1), CFG.features).select(list(FEATURE_COLUMNS))
        for i in range(table.num_rows)
    )
    assert batch.to_pylist() == one_by_one.to_pylist()


@settings(max_examples=40, deadline=None)
@given(st.lists(optional_texts, min_size=1, max_size=30))
def test_when_values_are_not_shared_out_then_features_are_the_same(
    prompts: list[str | None],
) -> None:
    table = pa.table({"prompt": pa.array(prompts * 2, pa.string()),
                      "email": pa.array([p and f"{p[:3]}@x.io" for p in prompts * 2], pa.string())})
    results = []
    for all_distinct in (True, False):  # row by row, or once per distinct value
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(features, "_all_distinct_in_sample", lambda _values, d=all_distinct: d)
            results.append(event_features(table, CFG.features).select(list(FEATURE_COLUMNS)))
    assert results[0].equals(results[1])


def test_a_sample_tells_repeated_values_from_distinct_ones() -> None:
    distinct = pa.array([f"prompt {i}" for i in range(50_000)])
    repeated = pa.array([f"prompt {i % 40_000}" for i in range(50_000)])  # a fifth repeats
    assert features._all_distinct_in_sample(distinct)
    assert not features._all_distinct_in_sample(repeated)
    assert not features._all_distinct_in_sample(pa.nulls(10, pa.string()))


def test_when_a_column_has_several_chunks_then_features_equal_those_of_one_chunk() -> None:
    prompts = ["Solve 12 + 30 step by step", "write a python function", None, "a  b\tc"] * 5
    one = pa.table({"prompt": pa.array(prompts, pa.string())})
    chunked = pa.table({"prompt": pa.chunked_array([prompts[:7], prompts[7:]], pa.string())})
    expected = event_features(one, CFG.features).select(list(FEATURE_COLUMNS)).to_pylist()
    assert event_features(chunked, CFG.features).select(list(FEATURE_COLUMNS)).to_pylist() == (
        expected
    )


@pytest.mark.parametrize(
    "ip",
    ["10.1.2.3", "255.255.255.255", "0.0.0.0", "2001:db8::1", "2001:0:0:1::", "fe80::1",
     "::ffff:1.2.3.4", "1.2.3.04", "256.1.1.1", "1.2.3", " 1.2.3.4", "", "garbage", None],
)
def test_when_ip_prefix_is_taken_then_it_matches_ipaddress(ip: str | None) -> None:
    expected: str | None = None
    if ip is not None:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            expected = None
        else:
            length = 24 if address.version == 4 else 48
            expected = str(ipaddress.ip_network(f"{address}/{length}", strict=False))
    got = network_prefix(pa.array([ip, ip, "10.9.9.9"], pa.string())).to_pylist()
    assert got == [expected, expected, "10.9.9.0/24"]


def _expected_prefix(ip: str, lengths: tuple[int, int] = (24, 48)) -> str | None:
    """The network of ``ip`` (IPv4 and IPv6 prefix lengths), as :mod:`ipaddress` gives it."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    length = lengths[0] if address.version == 4 else lengths[1]
    return str(ipaddress.ip_network(f"{address}/{length}", strict=False))


def _expected_canonical(ip: str) -> str | None:
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        return None


# Hextets that are often zero (so runs of zero groups of every length appear), written
# as Python writes them or not (leading zeros, capitals), full or compressed.
_hextets = st.one_of(st.just(0), st.just(0), st.integers(1, 15), st.integers(0, 0xFFFF))


@st.composite
def _ipv6_texts(draw: st.DrawFn) -> str:
    groups = draw(st.lists(_hextets, min_size=8, max_size=8))
    form = draw(st.sampled_from(["full", "padded", "upper", "python"]))
    if form == "python":
        return str(ipaddress.IPv6Address(bytes(b for g in groups for b in g.to_bytes(2, "big"))))
    text = ":".join(f"{g:04x}" if form == "padded" else f"{g:x}" for g in groups)
    return text.upper() if form == "upper" else text


@settings(max_examples=60, deadline=None)
@given(st.lists(_ipv6_texts(), min_size=1, max_size=20))
def test_when_ipv6_is_written_in_any_form_then_prefix_and_canonical_form_match_ipaddress(
    ips: list[str],
) -> None:
    array = pa.array(ips, pa.string())
    assert network_prefix(array).to_pylist() == [_expected_prefix(ip) for ip in ips]
    assert canonical_ips(array).to_pylist() == [_expected_canonical(ip) for ip in ips]
    assert networks_and_blocks(array)[1].to_pylist() == [_expected_block(ip) for ip in ips]


def _expected_block(ip: str) -> str | None:
    return _expected_prefix(ip, (8, 32))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(
    st.ip_addresses(v=4).map(str), st.ip_addresses(v=6).map(str),
    st.sampled_from(["", "x", "01.2.3.4", "1.2.3", "::", "::ffff:1.2.3.4", " 1.2.3.4"])),
    min_size=1, max_size=20))
def test_an_address_s_block_is_its_ipv4_slash_8_or_ipv6_slash_32(ips: list[str]) -> None:
    networks, blocks = networks_and_blocks(pa.array(ips, pa.string()))
    assert networks.to_pylist() == [_expected_prefix(ip) for ip in ips]
    assert blocks.to_pylist() == [_expected_block(ip) for ip in ips]


def test_when_ips_are_canonicalised_per_distinct_value_then_each_row_gets_its_own() -> None:
    values = ["1.2.3.4", "2001:DB8::1", "1.2.3.4", None, "01.2.3.4", "2001:db8:0:0::1", "x"]
    got = canonical_ips(pa.array(values, pa.string())).to_pylist()
    assert got == ["1.2.3.4", "2001:db8::1", "1.2.3.4", None, None, "2001:db8::1", None]


def test_any_pattern_match_is_the_or_of_its_parts() -> None:
    texts_ = pa.array(["a python poem", "just words", None, "prove it"], pa.string())
    patterns = list(CFG.features.capabilities.values())
    combined = pc.fill_null(_matches(texts_, any_pattern(patterns)), False).to_pylist()
    parts = [pc.fill_null(_matches(texts_, p), False).to_pylist() for p in patterns]
    assert combined == [any(column) for column in zip(*parts, strict=True)]


# -- the background iterator ----------------------------------------------------------------


def test_when_items_are_computed_ahead_then_they_arrive_in_order() -> None:
    assert list(ahead(iter(range(100)), depth=3)) == list(range(100))


def test_when_the_iterator_fails_then_the_consumer_gets_the_error_after_earlier_items() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("broken at 3")

    seen: list[int] = []
    with pytest.raises(ValueError, match="broken at 3"):
        for item in ahead(items()):
            seen.append(item)
    assert seen == [1, 2]


def test_when_the_consumer_stops_early_then_the_producer_stops_and_closes_its_iterator() -> None:
    closed = threading.Event()
    produced: list[int] = []

    def items() -> Iterator[int]:
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    stream = ahead(items(), depth=2)
    assert [next(stream) for _ in range(3)] == [0, 1, 2]
    stream.close()
    assert closed.wait(5)
    assert len(produced) < 100


def test_when_mapped_in_several_threads_then_results_arrive_in_order() -> None:
    def slow_square(x: int) -> int:
        time.sleep(0.002 * (x % 3))  # later items often finish first
        return x * x

    assert list(ordered_map(slow_square, iter(range(40)), workers=3)) == [
        x * x for x in range(40)]


def test_when_the_mapped_function_fails_then_the_consumer_gets_the_error_in_order() -> None:
    def check(x: int) -> int:
        if x == 5:
            raise ValueError("bad item 5")
        return x

    seen: list[int] = []
    with pytest.raises(ValueError, match="bad item 5"):
        for item in ordered_map(check, iter(range(10)), workers=2):
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


def test_when_the_map_consumer_stops_early_then_no_further_items_are_taken() -> None:
    taken: list[int] = []

    def items() -> Iterator[int]:
        for i in range(10_000):
            taken.append(i)
            yield i

    stream = ordered_map(lambda x: x, items(), workers=2)
    assert [next(stream) for _ in range(3)] == [0, 1, 2]
    stream.close()
    assert len(taken) <= 6


# -- ingest straight into events ------------------------------------------------------------


def _events(ids: list[str]) -> pa.Table:
    return pa.table({
        "request_id": ids,
        "timestamp": pa.array([1_769_940_000_000 + i for i in range(len(ids))], pa.int64()),
        "account_id": [f"acc{i % 3}" for i in range(len(ids))],
        "prompt": [f"prompt {i}" for i in range(len(ids))],
    })


def test_when_duplicates_span_batches_and_files_then_first_copies_stay_and_counts_add_up(
    tmp_path: Path,
) -> None:
    config = dataclasses.replace(
        CFG, ingest=dataclasses.replace(CFG.ingest, batch_rows=4))  # many batches per file
    pq.write_table(_events(["a", "b", "c", "d", "e", "f"]), tmp_path / "1.parquet")
    # Within the file: "x" twice (rows 1 and 9); against file 1: "c" and "f".
    pq.write_table(_events(["x", "g", "c", "h", "i", "j", "k", "f", "x", "l"]),
                   tmp_path / "2.parquet")
    with EmbeddedWorkspace(tmp_path / "ws.duckdb") as ws:
        threads = ws.con.execute("SELECT current_setting('threads')").fetchone()
        first = ws.ingest([tmp_path / "1.parquet"], config)
        second = ws.ingest([tmp_path / "2.parquet"], config)
        ids = [r[0] for r in ws.con.execute(
            "SELECT request_id FROM events ORDER BY request_id").fetchall()]
        quarantined = ws.con.execute(
            "SELECT source_row, reason FROM quarantine ORDER BY source_row").fetchall()
        kept_x = ws.con.execute(
            "SELECT source_row FROM events WHERE request_id = 'x'").fetchall()
        assert ws.con.execute("SELECT current_setting('threads')").fetchone() == threads
    assert first.rows_valid == 6 and first.duplicates == 0
    assert (second.rows_read, second.rows_valid, second.duplicates) == (10, 7, 3)
    assert second.rows_read == second.rows_valid + second.rows_quarantined
    assert ids == sorted(set(ids)) and len(ids) == 13
    assert quarantined == [(3, DUPLICATE_REASON), (8, DUPLICATE_REASON), (9, DUPLICATE_REASON)]
    assert kept_x == [(1,)]


def test_when_a_file_breaks_mid_way_then_none_of_its_rows_stay(tmp_path: Path) -> None:
    config = dataclasses.replace(
        CFG, ingest=dataclasses.replace(CFG.ingest, batch_rows=2))
    good = tmp_path / "good.jsonl"
    good.write_text("".join(
        f'{{"request_id": "r{i}", "timestamp": 1769940000000, "account_id": "a"}}\n'
        for i in range(6)))
    calls: list[int] = []

    def stop_after_first_batch(path: str, done: int) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with EmbeddedWorkspace(tmp_path / "ws.duckdb") as ws:
        with pytest.raises(KeyboardInterrupt):
            ws.ingest([good], config, progress=stop_after_first_batch)
        assert ws.con.execute("SELECT count(*) FROM events").fetchone() == (0,)
        assert ws.con.execute("SELECT count(*) FROM files").fetchone() == (0,)
        assert list(ws.segments.iterdir()) == []  # the partial segment is gone too
        again = ws.ingest([good], config)
        assert again.rows_valid == 6


def test_when_a_file_is_ingested_then_its_rows_are_one_listed_parquet_segment(
    tmp_path: Path,
) -> None:
    pq.write_table(_events(["a", "b", "c"]), tmp_path / "1.parquet")
    pq.write_table(_events(["d", "e"]), tmp_path / "2.parquet")
    with EmbeddedWorkspace(tmp_path / "ws.duckdb") as ws:
        ws.ingest([tmp_path / "1.parquet"], CFG)
        ws.ingest([tmp_path / "2.parquet"], CFG)
        listed = ws.con.execute("SELECT segment, rows FROM segments ORDER BY position").fetchall()
        in_duckdb = ws.con.execute("SELECT count(*) FROM stored_events").fetchone()
        ids = [r[0] for r in ws.con.execute(
            "SELECT request_id FROM events ORDER BY request_id").fetchall()]
    files = sorted(p.name for p in (tmp_path / "ws.duckdb.events").iterdir())
    assert [rows for _, rows in listed] == [3, 2]
    assert sorted(name for name, _ in listed) == files
    assert in_duckdb == (0,)
    assert ids == ["a", "b", "c", "d", "e"]
    assert pq.read_table(tmp_path / "ws.duckdb.events" / listed[0][0]).schema.names[:3] == [
        "request_id", "timestamp", "account_id"]


def test_when_a_workspace_is_moved_then_its_events_are_read_from_the_new_place(
    tmp_path: Path,
) -> None:
    import shutil

    from distillguard.store.labels import connect_workspace

    pq.write_table(_events(["a", "b", "c"]), tmp_path / "1.parquet")
    with EmbeddedWorkspace(tmp_path / "old" / "ws.duckdb") as ws:
        ws.ingest([tmp_path / "1.parquet"], CFG)
    shutil.move(tmp_path / "old", tmp_path / "new")
    with connect_workspace(tmp_path / "new" / "ws.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM events").fetchone() == (3,)
    with EmbeddedWorkspace(tmp_path / "new" / "ws.duckdb") as ws:
        assert ws.con.execute("SELECT count(*) FROM events").fetchone() == (3,)
        ws.ingest([tmp_path / "1.parquet"], CFG)  # known by its digest: nothing new
        assert ws.con.execute("SELECT count(*) FROM events").fetchone() == (3,)


def test_when_an_ingest_died_before_commit_then_its_files_are_removed_on_open(
    tmp_path: Path,
) -> None:
    pq.write_table(_events(["a"]), tmp_path / "1.parquet")
    with EmbeddedWorkspace(tmp_path / "ws.duckdb") as ws:
        ws.ingest([tmp_path / "1.parquet"], CFG)
        kept = {p.name for p in ws.segments.iterdir()}
        # What a process killed mid-file leaves: a partial segment and, killed between
        # the rename and the commit, an unlisted whole one.
        (ws.segments / "dead-run2.parquet.partial").write_bytes(b"PAR1")
        pq.write_table(_events(["z"]), ws.segments / "dead-run3.parquet")
    with EmbeddedWorkspace(tmp_path / "ws.duckdb") as ws:
        assert {p.name for p in ws.segments.iterdir()} == kept
        assert ws.con.execute("SELECT request_id FROM events").fetchall() == [("a",)]


def test_when_a_version_1_workspace_is_opened_then_its_events_stay_and_new_ones_add(
    tmp_path: Path,
) -> None:
    import duckdb

    from distillguard.store.workspace import STORED_EVENT_SCHEMA

    path = tmp_path / "ws.duckdb"
    old = duckdb.connect(str(path))  # what distillguard 1 wrote: events in a table
    old.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    old.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    old.register("empty", STORED_EVENT_SCHEMA.empty_table())
    old.execute("CREATE TABLE events AS SELECT * FROM empty")
    old.execute("INSERT INTO events (request_id, timestamp, account_id) "
                "VALUES ('v1', TIMESTAMPTZ '2026-02-01 10:00:00+00', 'acc0')")
    old.close()
    pq.write_table(_events(["a", "v1"]), tmp_path / "1.parquet")
    with EmbeddedWorkspace(path) as ws:
        report = ws.ingest([tmp_path / "1.parquet"], CFG)
        ids = sorted(r[0] for r in ws.con.execute("SELECT request_id FROM events").fetchall())
        version = ws.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert ids == ["a", "v1"]
    assert report.duplicates == 1  # "v1" was already there, in the old table
    assert version == ("2",)


def test_a_workspace_written_before_a_column_was_added_reads_it_as_null(
    tmp_path: Path,
) -> None:
    import duckdb

    from distillguard.detect.profiles import build_profiles

    pq.write_table(_events(["a", "b"]).append_column("ip", pa.array(["10.1.2.3", "11.1.2.3"])),
                   tmp_path / "1.parquet")
    path = tmp_path / "ws.duckdb"
    with EmbeddedWorkspace(path) as ws:
        ws.ingest([tmp_path / "1.parquet"], CFG)
        segments = sorted(ws.segments.glob("*.parquet"))
    assert segments
    for segment in segments:  # what distillguard wrote before address blocks
        pq.write_table(pq.read_table(segment).drop_columns(["ip_block"]), segment)
    old = duckdb.connect(str(path))
    old.execute("ALTER TABLE stored_events DROP COLUMN ip_block")
    old.close()
    pq.write_table(_events(["c"]).append_column("ip", pa.array(["10.9.9.9"])),
                   tmp_path / "2.parquet")
    with EmbeddedWorkspace(path) as ws:
        ws.ingest([tmp_path / "2.parquet"], CFG)
        blocks = dict(ws.con.execute("SELECT request_id, ip_block FROM events").fetchall())
        profile = {r["account_id"]: r for r in build_profiles(ws.con, CFG).to_pylist()}
    assert blocks == {"a": None, "b": None, "c": "10.0.0.0/8"}
    # An older event counts its network as its block: acc0's two events are two blocks.
    assert {k: v["distinct_blocks"] for k, v in profile.items()} == {"acc0": 2, "acc1": 1}


def test_when_only_duplicates_held_a_column_then_it_is_not_available(tmp_path: Path) -> None:
    first = _events(["a", "b"])
    pq.write_table(first, tmp_path / "1.parquet")
    # The second file repeats "a" and is the only one with an organisation and an IP.
    second = _events(["a", "c"]).append_column("org_id", pa.array(["org1", None]))
    second = second.append_column("ip", pa.array(["10.0.0.1", None]))
    second = second.set_column(1, "timestamp", pa.array([1_769_940_000_000] * 2))
    pq.write_table(second.take([0]), tmp_path / "2.parquet")
    pq.write_table(_events(["d"]).append_column("ip", pa.array(["10.0.0.2"])),
                   tmp_path / "3.parquet")
    with EmbeddedWorkspace(tmp_path / "ws.duckdb") as ws:
        ws.ingest([tmp_path / "1.parquet", tmp_path / "2.parquet", tmp_path / "3.parquet"], CFG)
        ws.con.execute("CREATE TEMP VIEW every_event AS SELECT * FROM events")
        kept = ws.available_columns()
        scanned = ws.available_columns("every_event")
    assert kept == scanned
    assert "ip" in kept and "org_id" not in kept and "prompt" in kept


def test_when_a_memory_limit_is_set_then_the_workspace_engine_runs_under_it(
    tmp_path: Path,
) -> None:
    from distillguard.config import WorkspaceConfig
    from distillguard.errors import ConfigError

    pq.write_table(_events(["a"]), tmp_path / "1.parquet")
    config = dataclasses.replace(CFG, workspace=WorkspaceConfig(memory_limit="300MB"))
    with EmbeddedWorkspace(tmp_path / "ws.duckdb") as ws:
        ws.ingest([tmp_path / "1.parquet"], config)
        limit = ws.con.execute("SELECT current_setting('memory_limit')").fetchone()
        assert limit is not None and limit[0].startswith(("286", "300"))
        with pytest.raises(ConfigError, match=r"workspace\.memory_limit"):
            ws.apply_settings(WorkspaceConfig(memory_limit="lots"))


@pytest.mark.parametrize("container", ["parquet", "jsonl"])
def test_when_identifiers_are_blank_then_they_are_stored_as_null_and_others_unchanged(
    tmp_path: Path, container: str
) -> None:
    from distillguard.ingest import read_events

    rows = _events(["a", "b", "c"]).append_column(
        "payment_fingerprint", pa.array(["", " \t", "card-1"])
    ).append_column("org_id", pa.array(["org 1 ", None, "  "]))
    path = tmp_path / f"events.{container}"
    if container == "parquet":
        pq.write_table(rows, path)
    else:
        import json

        path.write_text("".join(json.dumps(row) + "\n" for row in rows.to_pylist()))
    (chunk,) = list(read_events([path]))
    assert chunk.valid.column("payment_fingerprint").to_pylist() == [None, None, "card-1"]
    assert chunk.valid.column("org_id").to_pylist() == ["org 1 ", None, None]
    assert chunk.valid.column("prompt").to_pylist() == ["prompt 0", "prompt 1", "prompt 2"]


def test_when_events_came_from_elsewhere_then_available_columns_scans_them(
    tmp_path: Path,
) -> None:
    pq.write_table(_events(["a"]), tmp_path / "1.parquet")
    with EmbeddedWorkspace(tmp_path / "ws.duckdb") as ws:
        ws.ingest([tmp_path / "1.parquet"], CFG)
        assert "ip" not in ws.available_columns()
        # Rows another engine (or an older distillguard) put there, not counted at ingest.
        ws.con.execute("INSERT INTO stored_events (request_id, timestamp, account_id, ip) "
                       "VALUES ('z', now(), 'acc9', '10.0.0.1')")
        assert "ip" in ws.available_columns()


def test_when_a_version_1_spark_workspace_is_opened_then_its_events_view_stays(
    tmp_path: Path,
) -> None:
    import duckdb

    staged = tmp_path / "stage.parquet"
    pq.write_table(_events(["s1", "s2"]), staged)
    path = tmp_path / "ws.duckdb"
    old = duckdb.connect(str(path))  # what a version-1 Spark scan wrote: a view
    old.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    old.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    old.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{staged}')")
    old.close()
    with EmbeddedWorkspace(path) as ws:
        ids = [r[0] for r in ws.con.execute(
            "SELECT request_id FROM events ORDER BY request_id").fetchall()]
    assert ids == ["s1", "s2"]
