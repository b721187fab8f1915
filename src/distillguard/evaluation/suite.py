"""The evaluation suite: one fixed set of scenarios, one table everyone quotes.

``distillguard eval --suite`` simulates each scenario, scans it with the embedded engine,
evaluates the scan against the simulator's labels (account and campaign metrics, and
time to detection / leakage by re-analysing in time order), runs the windowed text-only
protocol, and writes ``suite.md`` and ``suite.json``. The scenarios are fixed so that
figures from different versions compare; the seed defaults to one the detector's
settings were not tuned on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from distillguard.config import Config, default_config
from distillguard.evaluation.evaluate import evaluate
from distillguard.evaluation.timeline import detection_over_time
from distillguard.scan import scan
from distillguard.simulate import Scenario, simulate
from distillguard.store.workspace import Workspace

#: Columns removed for the metadata-only scenario (all prompt and output text).
TEXT_COLUMNS = ("prompt", "system_prompt", "response")


@dataclass(frozen=True)
class SuiteScenario:
    name: str
    description: str
    evasion: str = "none"
    metadata_only: bool = False
    real_prompts: bool = False


SCENARIOS: tuple[SuiteScenario, ...] = (
    SuiteScenario("default", "default mix, no evasion"),
    SuiteScenario("moderate", "moderate evasion", evasion="moderate"),
    SuiteScenario("strong", "strong evasion", evasion="strong"),
    SuiteScenario("metadata_only", "no prompt, system prompt or response text",
                  metadata_only=True),
    SuiteScenario("real_prompts", "prompts drawn from real prompt sets (--corpus)",
                  real_prompts=True),
)


@dataclass
class SuiteResult:
    settings: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
    text_protocol: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"settings": self.settings, "scenarios": self.rows,
                "text_protocol": self.text_protocol}

    def to_markdown(self) -> str:
        s = self.settings
        lines = [
            "# distillguard evaluation suite",
            "",
            f"{s['accounts']} accounts × {s['hours']} h per scenario, seed {s['seed']}, "
            f"distillguard {s['version']}, {s['date']}. Leakage: time-ordered re-analysis "
            f"every {s['step_hours']} h. Worst FPR: the highest false-positive rate of any "
            "legitimate archetype.",
            "",
            "| scenario | events | precision | recall | FPR | worst FPR (archetype) | "
            "campaigns | ARI | leakage | scan s |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for r in self.rows:
            if r.get("skipped"):
                lines.append(f"| {r['scenario']} | skipped: {r['skipped']} |" + " |" * 8)
                continue
            lines.append(
                f"| {r['scenario']} | {r['events']:,} | {_fmt(r['precision'])} | "
                f"{_fmt(r['recall'])} | {_pct(r['false_positive_rate'])} | "
                f"{_pct(r['worst_fpr'])} ({r['worst_fpr_archetype']}) | "
                f"{r['campaigns_detected']}/{r['campaigns_total']} | "
                f"{_fmt(r['adjusted_rand_index'])} | {_pct(r['leakage'])} | "
                f"{r['scan_seconds']:.1f} |"
            )
        if self.text_protocol is not None:
            lines += ["", "## Windowed text-only protocol", ""]
            if "skipped" in self.text_protocol:
                lines.append(f"Skipped: {self.text_protocol['skipped']}")
            else:
                lines.append(self.text_protocol["markdown"])
        return "\n".join(lines) + "\n"


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%"


def run_suite(
    out_dir: str | Path,
    *,
    accounts: int = 3000,
    hours: float = 48.0,
    seed: int = 9,
    corpus: Path | None = None,
    step_hours: float = 2.0,
    text_protocol: bool = True,
    config: Config | None = None,
    scenarios: tuple[SuiteScenario, ...] = SCENARIOS,
    embedding_cache: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> SuiteResult:
    """Run every scenario and write ``suite.md`` and ``suite.json`` into ``out_dir``."""
    from distillguard import __version__

    config = config or default_config()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg: None)
    result = SuiteResult(settings={
        "accounts": accounts, "hours": hours, "seed": seed, "step_hours": step_hours,
        "corpus": str(corpus) if corpus else None, "version": __version__,
        "date": datetime.now(UTC).date().isoformat(),
    })
    default_sim: Path | None = None
    for spec in scenarios:
        if spec.real_prompts and corpus is None:
            result.rows.append({"scenario": spec.name, "skipped": "no --corpus given"})
            continue
        say(f"{spec.name}: simulating")
        sim_dir = out / spec.name / "sim"
        scenario = Scenario(accounts=accounts, hours=hours, seed=seed, evasion=spec.evasion,
                            corpus=corpus if spec.real_prompts else None)
        sim = simulate(scenario, sim_dir)
        events = sim.events_path
        if spec.metadata_only:
            events = sim_dir / "events_metadata_only.parquet"
            table = pq.read_table(sim.events_path)
            pq.write_table(table.drop_columns(list(TEXT_COLUMNS)), events)
        say(f"{spec.name}: scanning")
        scan_dir = out / spec.name / "scan"
        started = time.perf_counter()
        scanned = scan([events], scan_dir, config=config, write_report=False)
        seconds = time.perf_counter() - started
        metrics = evaluate(sim.labels_path, scan_dir)
        say(f"{spec.name}: time to detection")
        with Workspace(scan_dir / "workspace.duckdb") as ws:
            timeline = detection_over_time(ws, sim.labels_path, config, step_hours=step_hours)
        worst = max(metrics.fpr_by_archetype.items(), key=lambda kv: kv[1]["fpr"] or 0.0,
                    default=(None, {"fpr": None}))
        result.rows.append({
            "scenario": spec.name, "description": spec.description,
            "events": sim.events, "accounts": sim.accounts,
            "precision": metrics.precision, "recall": metrics.recall, "f1": metrics.f1,
            "auroc": metrics.auroc, "false_positive_rate": metrics.false_positive_rate,
            "worst_fpr": worst[1]["fpr"], "worst_fpr_archetype": worst[0],
            "campaigns_detected": metrics.campaigns_detected,
            "campaigns_total": metrics.campaigns_total,
            "adjusted_rand_index": metrics.adjusted_rand_index,
            "leakage": timeline.leakage,
            "hours_to_detection": {c.campaign_id: c.hours_to_detection
                                   for c in timeline.campaigns},
            "signals_unavailable": scanned.summary["signals_unavailable"],
            "scan_seconds": round(seconds, 2),
        })
        if spec.name == "default":
            default_sim = sim_dir
    if text_protocol:
        result.text_protocol = _text_protocol(default_sim, seed, embedding_cache, say)
    (out / "suite.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    (out / "suite.md").write_text(result.to_markdown())
    return result


def _text_protocol(
    sim_dir: Path | None, seed: int, cache: Path | None, say: Callable[[str], None]
) -> dict[str, Any]:
    if sim_dir is None:
        return {"skipped": "the default scenario was not run"}
    from distillguard.errors import DistillguardError
    from distillguard.text_protocol import run_text_protocol
    from distillguard.text_protocol.embedders import default_embedder

    say("windowed text-only protocol (embedding prompts takes minutes)")
    try:
        outcome = run_text_protocol(sim_dir / "events.parquet", sim_dir / "labels.parquet",
                                    seed=seed, embedder=default_embedder(cache))
    except DistillguardError as exc:  # e.g. the text extra is not installed
        return {"skipped": str(exc)}
    return {**outcome.to_dict(), "markdown": outcome.to_markdown()}

