"""Watermark keys, green lists, detection statistics and de-duplication (NumPy only, no torch)."""

from __future__ import annotations

import hashlib
import hmac
import json
import math

import numpy as np
import pytest

from distillguard.errors import DistillguardError
from distillguard.watermark.detect import (
    ScoreTable,
    dedup_first,
    detect,
    first_window_in_sequence,
    green_bits_own_key,
    sequence_tuples,
)
from distillguard.watermark.greenlist import (
    WatermarkConfig,
    green_mask,
    is_green,
    sliding_windows,
    window_states,
)
from distillguard.watermark.keys import (
    SECRET_ENV,
    WatermarkKeyError,
    account_key,
    campaign_key,
    derive_account_key,
    load_key_set,
    load_master_secret,
    seeds_array,
)
from distillguard.watermark.radioactivity import score_per_key_texts, score_shared_texts
from distillguard.watermark.stats import (
    binomial_p_values,
    bonferroni_adjust,
    holm_adjust,
    randomized_p_values,
    uniformity_ks_p_value,
    z_scores,
)

SECRET = b"unit-test-master-secret-0123456789"
GAMMA = 0.25


def watermarked_sequences(
    seeds: np.ndarray, length: int, vocab: int, delta: float, rng: np.random.Generator
) -> np.ndarray:
    """Toy sampler: random logits per step, green tokens of each row's key boosted by delta."""
    rows = seeds.shape[0]
    tokens = np.zeros((rows, length), dtype=np.int64)
    tokens[:, 0] = rng.integers(0, vocab, rows)
    for step in range(1, length):  # sequential by nature; vectorised over rows
        logits = rng.normal(0.0, 1.0, (rows, vocab))
        logits += delta * green_mask(window_states(seeds, tokens[:, step - 1 : step]), vocab, GAMMA)
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        cumulative = probs.cumsum(axis=1)
        tokens[:, step] = (cumulative < rng.random((rows, 1))).sum(axis=1).clip(max=vocab - 1)
    return tokens


# --- keys -------------------------------------------------------------------------------


def test_when_account_key_derived_then_it_is_hmac_sha256_of_the_account_id() -> None:
    expected = hmac.new(SECRET, b"acct-42", hashlib.sha256).digest()
    assert derive_account_key(SECRET, "acct-42") == expected
    key = account_key(SECRET, "acct-42", "camp-1")
    assert key.key == expected and key.seed == int.from_bytes(expected[:8], "big")
    assert key.group == "campaign:camp-1"
    assert expected.hex() not in repr(key)


def test_when_accounts_differ_then_keys_and_green_lists_differ() -> None:
    first, second = account_key(SECRET, "alice"), account_key(SECRET, "bob")
    assert first.key != second.key
    windows = np.arange(200)[:, None]
    green_first = green_mask(window_states(np.uint64(first.seed), windows), 500, GAMMA)
    green_second = green_mask(window_states(np.uint64(second.seed), windows), 500, GAMMA)
    assert abs(green_first.mean() - GAMMA) < 0.01
    # independent green lists overlap on about gamma^2 of the vocabulary
    overlap = (green_first & green_second).mean()
    assert abs(overlap - GAMMA**2) < 0.01
    assert campaign_key(SECRET, "alice").key != first.key


def test_when_account_id_has_nul_then_key_derivation_fails() -> None:
    with pytest.raises(WatermarkKeyError, match="NUL"):
        derive_account_key(SECRET, "campaign\x00x")


def test_when_secret_comes_from_env_or_file_then_it_is_loaded(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    assert load_master_secret() == SECRET
    secret_file = tmp_path / "secret"
    secret_file.write_bytes(b"another-secret-of-enough-length\n")
    assert load_master_secret(secret_file) == b"another-secret-of-enough-length"
    monkeypatch.delenv(SECRET_ENV)
    with pytest.raises(WatermarkKeyError, match=SECRET_ENV):
        load_master_secret()
    monkeypatch.setenv(SECRET_ENV, "short")
    with pytest.raises(WatermarkKeyError, match="too short"):
        load_master_secret()


def test_when_key_set_is_csv_or_json_then_keys_are_derived_or_read(tmp_path) -> None:
    csv_file = tmp_path / "keys.csv"
    csv_file.write_text("account_id,campaign_id\nacct-1,camp-A\nacct-2,\n", "utf-8")
    keys = load_key_set(csv_file, SECRET)
    assert [k.key_id for k in keys] == ["acct-1", "acct-2"]
    assert keys[0].key == derive_account_key(SECRET, "acct-1") and keys[0].campaign_id == "camp-A"
    json_file = tmp_path / "keys.json"
    precomputed = "ab" * 32
    json_file.write_text(
        json.dumps(["acct-3", {"campaign_id": "camp-B"}, {"key_id": "k9", "key": precomputed}]),
        "utf-8",
    )
    keys = load_key_set(json_file, SECRET)
    assert [k.key_id for k in keys] == ["acct-3", "campaign:camp-B", "k9"]
    assert keys[2].key == bytes.fromhex(precomputed)
    # precomputed keys need no secret; derived ones do
    only_precomputed = tmp_path / "pre.json"
    only_precomputed.write_text(json.dumps({"keys": [{"key_id": "k9", "key": precomputed}]}))
    assert load_key_set(only_precomputed, None)[0].key_id == "k9"
    with pytest.raises(WatermarkKeyError, match="master secret"):
        load_key_set(csv_file, None)
    duplicate = tmp_path / "dup.csv"
    duplicate.write_text("account_id\nacct-1\nacct-1\n", "utf-8")
    with pytest.raises(WatermarkKeyError, match="appears twice"):
        load_key_set(duplicate, SECRET)


def test_when_key_set_file_is_malformed_then_error_names_it(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    with pytest.raises(DistillguardError, match=r"bad\.json"):
        load_key_set(bad, SECRET)
    headerless = tmp_path / "bad.csv"
    headerless.write_text("foo,bar\n1,2\n", "utf-8")
    with pytest.raises(DistillguardError, match="header"):
        load_key_set(headerless, SECRET)


# --- green lists and statistics ------------------------------------------------------------


def test_when_many_windows_hashed_then_green_share_is_gamma_and_deterministic() -> None:
    seeds = np.array([1, 2**63 + 5], dtype=np.uint64)
    windows = np.random.default_rng(0).integers(0, 1000, (2, 5000, 2))
    states = window_states(seeds[:, None], windows)
    tokens = np.random.default_rng(1).integers(0, 1000, (2, 5000))
    green = is_green(states, tokens, GAMMA)
    assert abs(green.mean() - GAMMA) < 0.01
    np.testing.assert_array_equal(
        green, is_green(window_states(seeds[:, None], windows), tokens, GAMMA)
    )
    with pytest.raises(DistillguardError):
        WatermarkConfig(gamma=1.5)


def test_when_binomial_case_is_hand_made_then_p_value_is_the_exact_tail() -> None:
    expected = sum(math.comb(10, k) * 0.25**k * 0.75 ** (10 - k) for k in range(7, 11))
    p_value = binomial_p_values(np.array([7]), np.array([10]), 0.25)[0]
    assert p_value == pytest.approx(expected, rel=1e-12)
    assert z_scores(np.array([7]), np.array([10]), 0.25)[0] == pytest.approx(
        (7 - 2.5) / math.sqrt(10 * 0.25 * 0.75)
    )
    # nothing scored: no evidence
    assert binomial_p_values(np.array([0]), np.array([0]), 0.25)[0] == 1.0


def test_when_holm_applied_to_known_vector_then_adjusted_values_match() -> None:
    p_values = np.array([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(holm_adjust(p_values), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(bonferroni_adjust(p_values), [0.04, 0.16, 0.12, 0.02])
    assert holm_adjust(np.array([0.9, 0.8])).max() <= 1.0


def test_when_sequences_given_then_tuples_are_windows_before_each_scored_token() -> None:
    tuples = sequence_tuples([np.array([5, 6, 7, 8]), np.array([1, 2, 3])], 2, start=[0, 2])
    np.testing.assert_array_equal(tuples.windows, [[5, 6], [6, 7], [1, 2]])
    np.testing.assert_array_equal(tuples.tokens, [7, 8, 3])
    np.testing.assert_array_equal(tuples.sequence, [0, 0, 1])
    np.testing.assert_array_equal(tuples.position, [2, 3, 2])
    np.testing.assert_array_equal(sliding_windows(np.array([5, 6, 7, 8]), 2), [[5, 6], [6, 7]])


def test_when_text_is_repeated_then_dedup_keeps_z_unchanged() -> None:
    rng = np.random.default_rng(3)
    key = account_key(SECRET, "acct-9")
    once = watermarked_sequences(np.array([key.seed], dtype=np.uint64), 120, 300, 2.0, rng)[0]
    repeated = np.tile(once, 10)
    ids = [key.key_id]
    single = detect([once], seeds_array([key]), ids, GAMMA, 1)[0]
    many = detect([repeated], seeds_array([key]), ids, GAMMA, 1)[0]
    # the joins between copies add at most one new tuple
    assert many.scored[0] - single.scored[0] <= 1
    assert abs(many.z_score[0] - single.z_score[0]) < 0.3
    raw = detect([repeated], seeds_array([key]), ids, GAMMA, 1, dedup=False)[0]
    assert raw.scored[0] == repeated.size - 1 and raw.z_score[0] > 2.5 * single.z_score[0]
    mask = dedup_first([np.array([[1, 2], [1, 2], [2, 1]]), np.array([3, 3, 3])])
    np.testing.assert_array_equal(mask, [True, False, True])


def test_when_text_is_watermarked_then_only_its_key_is_detected() -> None:
    rng = np.random.default_rng(4)
    keys = [account_key(SECRET, f"acct-{i}") for i in range(300)]
    texts = watermarked_sequences(seeds_array(keys[:3]), 200, 400, 2.0, rng)
    tables = detect(texts, seeds_array(keys), [k.key_id for k in keys], GAMMA, 1, per_document=True)
    for row, table in enumerate(tables):
        best = table.records(1)[0]
        assert best["id"] == f"acct-{row}" and best["holm_p_value"] < 1e-6
        others = np.delete(table.p_value, row)
        assert others.min() > 1e-5


def test_when_text_is_not_watermarked_then_p_values_are_not_tiny() -> None:
    rng = np.random.default_rng(5)
    keys = [account_key(SECRET, f"acct-{i}") for i in range(200)]
    texts = rng.integers(0, 400, (20, 200))
    tables = detect(texts, seeds_array(keys), [k.key_id for k in keys], GAMMA, 1, per_document=True)
    p_values = np.concatenate([t.p_value for t in tables])
    assert p_values.min() > 1e-5
    # exact p-values are discrete (conservative); calibration is checked on randomized ones
    randomized = np.concatenate(
        [
            randomized_p_values(t.green, t.scored, GAMMA, np.random.default_rng(i))
            for i, t in enumerate(tables)
        ]
    )
    assert uniformity_ks_p_value(randomized) > 0.01
    assert (p_values <= 0.05).mean() <= 0.05 + 0.01
    # family-wise level 5 % per document: about one document in twenty may have a Holm p <= 0.05
    assert sum(bool(t.adjusted_p_value.min() <= 0.05) for t in tables) <= 3


def test_when_keys_pooled_by_campaign_then_counts_add_up() -> None:
    table = ScoreTable(["a", "b", "c"], np.array([100, 100, 50]), np.array([40, 30, 10]), GAMMA)
    pooled = table.pooled(["camp", "camp", "c"])
    assert pooled.get("camp")["scored_tokens"] == 200 and pooled.get("camp")["green_tokens"] == 70
    assert pooled.rank_of("camp") == 1


# --- radioactivity scoring rules (no model needed) ------------------------------------------


def copying_suspect(sequences: np.ndarray, vocab: int, rng: np.random.Generator) -> np.ndarray:
    """A clean 'model' that copies what followed the same token earlier in its input.

    Elsewhere it guesses at random. It never saw the key, so any test calling it
    radioactive is a false positive.
    """
    predictions = rng.integers(0, vocab, sequences.shape)
    for row in range(sequences.shape[0]):  # small toy input
        last_seen: dict[int, int] = {}
        for position in range(1, sequences.shape[1]):
            previous = int(sequences[row, position - 1])
            if previous in last_seen:
                predictions[row, position] = last_seen[previous]
            last_seen[previous] = int(sequences[row, position])
    return predictions


def test_when_clean_suspect_copies_context_then_only_dedup_keeps_p_values_valid() -> None:
    rng = np.random.default_rng(6)
    keys = [account_key(SECRET, f"acct-{i}") for i in range(40)]
    key_index = np.repeat(np.arange(40), 5)
    served = watermarked_sequences(seeds_array(keys)[key_index], 150, 40, 2.5, rng)
    predictions = copying_suspect(served, 40, rng)
    config = WatermarkConfig(context_width=1)
    valid = score_per_key_texts(served, predictions, key_index, keys, config)
    invalid = score_per_key_texts(served, predictions, key_index, keys, config, dedup=False)
    assert valid.keys.p_value.min() > 1e-4
    assert invalid.keys.p_value.max() < 1e-6  # every innocent key "detected"
    # the first-window rule alone removes the copies
    tuples = sequence_tuples(served[:1], 1, 0, predictions[:1])
    first = first_window_in_sequence(tuples)
    assert first.sum() == len(np.unique(served[0, :-1]))


def test_when_suspect_prefers_green_tokens_then_campaign_ranks_first() -> None:
    rng = np.random.default_rng(7)
    keys = [account_key(SECRET, f"acct-{i}", "camp" if i < 3 else None) for i in range(120)]
    key_index = np.repeat(np.arange(120), 4)
    served = rng.integers(0, 300, (key_index.size, 60))
    # a radioactive suspect: its guess is green for the campaign's keys 40 % of the time
    states = window_states(seeds_array(keys)[key_index][:, None], served[:, :, None])
    green = green_mask(states, 300, GAMMA)
    guess_green = np.argmax(green * rng.random(green.shape), axis=-1)
    guess_any = rng.integers(0, 300, served.shape)
    use_green = (key_index[:, None] < 3) & (rng.random(served.shape) < 0.4)
    predictions = np.zeros_like(served)
    predictions[:, 1:] = np.where(use_green, guess_green, guess_any)[:, :-1]
    result = score_per_key_texts(served, predictions, key_index, keys, WatermarkConfig())
    assert result.groups.records(1)[0]["id"] == "campaign:camp"
    assert result.groups.get("campaign:camp")["p_value"] < 1e-10
    innocent = result.keys.p_value[3:]
    assert innocent.min() > 1e-4
    shared = score_shared_texts(served, predictions, keys, WatermarkConfig())
    assert shared.keys.scored.min() == shared.keys.scored.max() > 0


def test_when_own_key_bits_scored_then_they_match_the_green_list() -> None:
    key = account_key(SECRET, "acct-1")
    tuples = sequence_tuples([np.array([3, 9, 4, 4])], 1)
    bits = green_bits_own_key(tuples, np.full(3, key.seed, dtype=np.uint64), GAMMA)
    mask = green_mask(window_states(np.uint64(key.seed), np.array([[3], [9], [4]])), 10, GAMMA)
    np.testing.assert_array_equal(bits, mask[np.arange(3), [9, 4, 4]])


def test_when_keys_listed_then_only_fingerprints_show_and_export_is_private(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from typer.testing import CliRunner

    from distillguard.cli.watermark import watermark_app

    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    key_set = tmp_path / "keys.csv"
    key_set.write_text("account_id,campaign_id\nacct-1,camp-A\n", "utf-8")
    exported = tmp_path / "export.json"
    result = CliRunner().invoke(watermark_app, ["keys", str(key_set), "--export", str(exported)])
    assert result.exit_code == 0, result.output
    key = account_key(SECRET, "acct-1", "camp-A")
    assert key.fingerprint in result.output and key.key.hex() not in result.output
    assert json.loads(exported.read_text("utf-8"))["keys"][0]["key"] == key.key.hex()
    assert exported.stat().st_mode & 0o777 == 0o600
