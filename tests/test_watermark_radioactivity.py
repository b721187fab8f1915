"""Watermarked generation (torch, transformers), the quick radioactivity experiment, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from typer.testing import CliRunner  # noqa: E402

from distillguard.cli.watermark import prove_app, watermark_app  # noqa: E402
from distillguard.errors import DistillguardError  # noqa: E402
from distillguard.watermark.detect import detect  # noqa: E402
from distillguard.watermark.experiment import DEMO_SECRET  # noqa: E402
from distillguard.watermark.greenlist import WatermarkConfig, green_mask, window_states  # noqa: E402
from distillguard.watermark.keys import SECRET_ENV, account_key, seeds_array  # noqa: E402
from distillguard.watermark.lm import ModelSize, build_model, generate  # noqa: E402
from distillguard.watermark.processor import AccountWatermarkLogitsProcessor  # noqa: E402

pytestmark = pytest.mark.watermark
SECRET = b"unit-test-master-secret-0123456789"


def test_when_processor_applied_then_green_share_of_samples_rises_per_row_key() -> None:
    torch.manual_seed(0)
    keys = [account_key(SECRET, "alice"), account_key(SECRET, "bob")]
    config = WatermarkConfig(gamma=0.25, delta=2.0, context_width=2)
    processor = AccountWatermarkLogitsProcessor(seeds_array(keys), config)
    input_ids = torch.randint(0, 500, (2, 2000, 2))
    green_shares, plain_shares = [], []
    for row in range(2):
        windows = input_ids[row]
        scores = torch.randn(2000, 500)
        biased = AccountWatermarkLogitsProcessor(
            np.repeat(seeds_array(keys[row : row + 1]), 2000), config
        )(windows, scores)
        mask = green_mask(window_states(np.uint64(keys[row].seed), windows.numpy()), 500, 0.25)
        picked = torch.multinomial(torch.softmax(biased, -1), 1)[:, 0].numpy()
        plain = torch.multinomial(torch.softmax(scores, -1), 1)[:, 0].numpy()
        green_shares.append(mask[np.arange(2000), picked].mean())
        plain_shares.append(mask[np.arange(2000), plain].mean())
    assert min(green_shares) > 0.55 and max(plain_shares) < 0.3
    # the two rows of one batch get their own green lists
    two_rows = processor.green_mask(input_ids[:, 0, :], 500)
    assert (two_rows[0] != two_rows[1]).mean() > 0.25
    with pytest.raises(ValueError, match="keys for a batch"):
        processor.green_mask(torch.zeros((3, 2), dtype=torch.long), 500)


def test_when_hf_generate_uses_processor_then_each_row_carries_its_account_key() -> None:
    model = build_model(60, ModelSize(32, 1, 2, 128), seed=0, pad_id=0, bos_id=1)
    keys = [account_key(SECRET, f"acct-{i}") for i in range(50)]
    prompts = np.ones((4, 2), dtype=np.int64)
    config = WatermarkConfig(delta=4.0)
    out = generate(
        model, prompts, 100, seeds=seeds_array(keys[:4]), config=config, suppress_tokens=[0, 1]
    )
    assert out.shape == (4, 102)
    tables = detect(
        out, seeds_array(keys), [k.key_id for k in keys], 0.25, 1, start=2, per_document=True
    )
    for row, table in enumerate(tables):
        assert table.records(1)[0]["id"] == f"acct-{row}"
        assert table.get(f"acct-{row}")["p_value"] < 1e-6


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(prove_app, ["demo", "--out", str(out), "--quick"])
    assert result.exit_code == 0, result.output
    return out


def test_when_quick_demo_runs_then_campaign_ranks_first_and_controls_are_clean(
    demo_dir: Path,
) -> None:
    summary = json.loads((demo_dir / "results.json").read_text("utf-8"))
    campaign, clean = summary["students"]
    assert campaign["campaign_rank"] == 1 and campaign["candidates"] >= 60
    assert campaign["campaign_p_value"] < 1e-5
    assert clean["campaign_p_value"] > 1e-3
    assert summary["clean_students_min_p_value"] > 1e-4
    assert summary["clean_students_no_dedup_min_p_value"] < summary["clean_students_min_p_value"]
    html = (demo_dir / "report.html").read_text("utf-8")
    assert "Watermark radioactivity experiment" in html and "<script src=" not in html
    assert DEMO_SECRET.decode() not in html + json.dumps(summary)


def test_when_cli_detects_served_text_then_the_receiving_account_is_top(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(SECRET_ENV, DEMO_SECRET.decode())
    served = [
        json.loads(line) for line in (demo_dir / "served.jsonl").read_text("utf-8").splitlines()
    ]
    ordinary = [record for record in served if record["account_id"] == "acct-0010"]
    leak = tmp_path / "leak.txt"
    leak.write_text(" ".join(record["response"] for record in ordinary), "utf-8")
    report = tmp_path / "detect.json"
    runner = CliRunner()
    result = runner.invoke(
        watermark_app,
        [
            "detect",
            "--key-set",
            str(demo_dir / "keys.csv"),
            "--tokenizer",
            str(demo_dir / "tokenizer.json"),
            "--json",
            str(report),
            str(leak),
        ],
    )
    assert result.exit_code == 0, result.output
    best = json.loads(report.read_text("utf-8"))[0]["keys"][0]
    assert best["id"] == "acct-0010" and best["holm_p_value"] < 1e-6
    keys = runner.invoke(watermark_app, ["keys", str(demo_dir / "keys.csv")])
    assert keys.exit_code == 0 and "acct-0010" in keys.output
    monkeypatch.delenv(SECRET_ENV)
    failed = runner.invoke(
        watermark_app, ["detect", "--key-set", str(demo_dir / "keys.csv"), str(leak)]
    )
    assert isinstance(failed.exception, DistillguardError)


def test_when_cli_tests_saved_student_then_campaign_is_attributed(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(SECRET_ENV, DEMO_SECRET.decode())
    report = tmp_path / "radio.json"
    args = [
        "radioactivity",
        "--key-set",
        str(demo_dir / "keys.csv"),
        "--served",
        str(demo_dir / "served.jsonl"),
        "--tokenizer",
        str(demo_dir / "tokenizer.json"),
        "--json",
        str(report),
    ]
    result = CliRunner().invoke(
        prove_app, [*args, "--model", str(demo_dir / "models" / "campaign-student")]
    )
    assert result.exit_code == 0, result.output
    top = json.loads(report.read_text("utf-8"))[0]["top_groups"][0]
    assert top["id"] == "campaign:campaign-A" and top["p_value"] < 1e-5
    clean = CliRunner().invoke(
        prove_app, [*args, "--model", str(demo_dir / "models" / "clean-student")]
    )
    assert clean.exit_code == 0, clean.output
    records = json.loads(report.read_text("utf-8"))[0]["top_groups"]
    assert min(record["p_value"] for record in records) > 1e-4
