"""distillguard.evaluation.evaluate: a scan's accounts.parquet scored against hand-made labels."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rich.console import Console

from distillguard.errors import InputFileError
from distillguard.evaluation.evaluate import EvalResult, evaluate, format_eval

# Ten labelled accounts: C1 (4 reasoning accounts), C2 (2 coding accounts), 4 legitimate.
LABELS = [
    ("a0", "campaign_reasoning", "C1"),
    ("a1", "campaign_reasoning", "C1"),
    ("a2", "campaign_reasoning", "C1"),
    ("a3", "campaign_reasoning", "C1"),
    ("a4", "campaign_coding", "C2"),
    ("a5", "campaign_coding", "C2"),
    ("a6", "casual", None),
    ("a7", "casual", None),
    ("a8", "enterprise_batch", None),
    ("a9", "enterprise_batch", None),
]
# The scan: 5 flagged (a0, a1, a2, a4 true positives; a8 a false positive).
SCAN = [
    ("a0", 0.95, "block", "S1"),
    ("a1", 0.90, "block", "S1"),
    ("a2", 0.70, "review", "S1"),
    ("a3", 0.20, "allow", None),
    ("a4", 0.65, "review", "S2"),
    ("a5", 0.40, "monitor", None),
    ("a6", 0.10, "allow", None),
    ("a7", 0.30, "monitor", None),
    ("a8", 0.80, "review", None),
    ("a9", 0.05, "allow", None),
]


def labels_table(rows: Sequence[tuple[str, str, str | None]]) -> pa.Table:
    ids, archetypes, campaigns = zip(*rows, strict=True)
    return pa.table(
        {
            "account_id": pa.array(ids, pa.string()),
            "archetype": pa.array(archetypes, pa.string()),
            "campaign_id": pa.array(campaigns, pa.string()),
        }
    )


def write_scan(directory: Path, rows: Sequence[tuple[str, float, str, str | None]]) -> Path:
    """A scan directory with just the contract columns of accounts.parquet."""
    directory.mkdir(parents=True, exist_ok=True)
    ids, risks, decisions, campaigns = zip(*rows, strict=True) if rows else ([], [], [], [])
    table = pa.table(
        {
            "account_id": pa.array(ids, pa.string()),
            "risk": pa.array(risks, pa.float64()),
            "decision": pa.array(decisions, pa.string()),
            "campaign_id": pa.array(campaigns, pa.string()),
            "reasons": pa.array([["r"]] * len(ids), pa.list_(pa.string())),
        }
    )
    pq.write_table(table, directory / "accounts.parquet")
    return directory


@pytest.fixture
def result(tmp_path: Path) -> EvalResult:
    return evaluate(labels_table(LABELS), write_scan(tmp_path / "scan", SCAN))


def test_when_known_confusion_matrix_then_exact_metrics(result: EvalResult) -> None:
    assert (result.accounts, result.positives, result.flagged) == (10, 6, 5)
    assert (result.true_positives, result.false_positives) == (4, 1)
    assert result.precision == pytest.approx(4 / 5)
    assert result.recall == pytest.approx(4 / 6)
    assert result.f1 == pytest.approx(8 / 11)  # 2TP / (2TP + FP + FN) = 8 / (8 + 1 + 2)
    assert result.false_positive_rate == pytest.approx(1 / 4)
    assert result.missing_from_scan == 0
    assert result.unlabelled_accounts == 0


def test_when_risk_ordering_known_then_auroc_and_auprc_are_exact(result: EvalResult) -> None:
    # Of the 24 (campaign, legitimate) pairs, 19 rank the campaign account higher.
    assert result.auroc == pytest.approx(19 / 24)
    # Ranked by risk: P P N P P P N P N N; precision at each positive, averaged.
    assert result.auprc == pytest.approx((1 + 1 + 3 / 4 + 4 / 5 + 5 / 6 + 6 / 8) / 6)


def test_per_archetype_false_positive_rate_and_recall(result: EvalResult) -> None:
    assert result.fpr_by_archetype == {
        "casual": {"accounts": 2, "flagged": 0, "fpr": 0.0},
        "enterprise_batch": {"accounts": 2, "flagged": 1, "fpr": 0.5},
    }
    assert result.recall_by_archetype == {
        "campaign_coding": {"accounts": 2, "flagged": 1, "recall": 0.5},
        "campaign_reasoning": {"accounts": 4, "flagged": 3, "recall": 0.75},
    }


def test_campaign_detected_at_half_flagged_and_found_as_lists_scan_ids(
    result: EvalResult,
) -> None:
    assert result.campaigns == [
        {
            "campaign_id": "C1",
            "archetype": "campaign_reasoning",
            "accounts": 4,
            "flagged": 3,
            "flagged_share": 0.75,
            "detected": True,
            "found_as": ["S1"],
        },
        {
            "campaign_id": "C2",
            "archetype": "campaign_coding",
            "accounts": 2,
            "flagged": 1,
            "flagged_share": 0.5,
            "detected": True,
            "found_as": ["S2"],
        },
    ]
    assert (result.campaigns_detected, result.campaigns_total) == (2, 2)


def test_when_grouping_matches_then_adjusted_rand_index_is_one(result: EvalResult) -> None:
    # Flagged: {a0, a1, a2} = C1 = S1, {a4} = C2 = S2, a8 legitimate and ungrouped.
    assert result.adjusted_rand_index == pytest.approx(1.0)


def test_when_scan_merges_two_campaigns_then_adjusted_rand_index_drops(tmp_path: Path) -> None:
    merged = [(a, r, d, "S1" if a == "a4" else c) for a, r, d, c in SCAN]
    result = evaluate(labels_table(LABELS), write_scan(tmp_path, merged))
    # True {a0,a1,a2},{a4},{a8} against found {a0,a1,a2,a4},{a8}: (3 - 1.8) / (4.5 - 1.8).
    assert result.adjusted_rand_index == pytest.approx(4 / 9)
    assert result.campaigns[1]["found_as"] == ["S1"]


def test_when_accounts_missing_or_unlabelled_then_counted_and_handled(tmp_path: Path) -> None:
    labels = [*LABELS, ("a10", "campaign_coding", "C2")]
    scan = [*SCAN, ("stranger", 0.99, "block", "S9")]
    result = evaluate(labels_table(labels), write_scan(tmp_path, scan))
    assert result.missing_from_scan == 1
    assert result.unlabelled_accounts == 1
    # a10 counts as a missed campaign account; the stranger counts nowhere.
    assert (result.accounts, result.positives, result.flagged) == (11, 7, 5)
    assert result.recall == pytest.approx(4 / 7)
    c2 = next(row for row in result.campaigns if row["campaign_id"] == "C2")
    assert (c2["accounts"], c2["flagged"], c2["detected"]) == (3, 1, False)
    assert result.campaigns_detected == 1
    # a10 scores risk 0, below every legitimate account: 19 + 0 of 28 pairs.
    assert result.auroc == pytest.approx(19 / 28)


def test_when_nothing_flagged_then_precision_is_undefined_and_null_in_json(
    tmp_path: Path,
) -> None:
    quiet = [(a, 0.1, "allow", None) for a, _, _, _ in SCAN]
    result = evaluate(labels_table(LABELS), write_scan(tmp_path, quiet))
    assert result.flagged == 0
    assert result.precision is None
    assert result.recall == 0.0
    assert result.f1 == 0.0
    assert result.false_positive_rate == 0.0
    assert result.adjusted_rand_index is None
    assert result.auroc == pytest.approx(0.5)  # all tied
    data = json.loads(json.dumps(result.to_dict()))
    assert data["precision"] is None
    assert data["recall"] == 0.0


def test_when_labels_have_one_class_then_auroc_and_recall_undefined(tmp_path: Path) -> None:
    legit = [(a, "casual", None) for a, _, _ in LABELS]
    result = evaluate(labels_table(legit), write_scan(tmp_path, SCAN))
    assert (result.positives, result.flagged) == (0, 5)
    assert result.auroc is None and result.auprc is None
    assert result.recall is None
    assert result.precision == 0.0
    assert result.f1 == 0.0
    assert result.false_positive_rate == pytest.approx(0.5)
    assert result.campaigns == [] and result.recall_by_archetype == {}


def test_when_labels_given_as_parquet_path_then_same_result(
    tmp_path: Path, result: EvalResult
) -> None:
    path = tmp_path / "labels.parquet"
    pq.write_table(labels_table(LABELS), path)
    assert evaluate(path, tmp_path / "scan") == result


def test_when_labels_lack_a_column_then_error_names_it(tmp_path: Path) -> None:
    path = tmp_path / "labels.parquet"
    pq.write_table(labels_table(LABELS).drop_columns(["archetype"]), path)
    with pytest.raises(InputFileError, match="archetype"):
        evaluate(path, write_scan(tmp_path / "scan", SCAN))


def test_when_labels_repeat_an_account_then_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="'a1' appears more than once"):
        evaluate(labels_table([*LABELS, LABELS[1]]), write_scan(tmp_path, SCAN))


def test_when_scan_directory_has_no_accounts_file_then_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"accounts\.parquet"):
        evaluate(labels_table(LABELS), tmp_path)


def test_format_eval_shows_numbers_and_escapes_label_markup(tmp_path: Path) -> None:
    labels = [(a, "[red]casual[/red]" if k == "casual" else k, c) for a, k, c in LABELS]
    result = evaluate(labels_table(labels), write_scan(tmp_path, SCAN))
    console = Console(record=True, width=160, color_system=None)
    for renderable in format_eval(result):
        console.print(renderable)
    text = console.export_text()
    assert "0.800" in text  # precision
    assert "0.727" in text  # F1 = 8/11
    assert "25.0%" in text  # false-positive rate
    assert "2 / 2" in text  # campaigns detected
    assert "[red]casual[/red]" in text  # shown literally, not as markup
