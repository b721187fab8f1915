"""The family suite: scenario families × seeds, scanned and scored, held-out families apart.

``distillguard eval --suite --families all --seeds 2`` draws each family's scenario for
each seed (``simulate.families``) and simulates it (with the business-context table), or
runs an independent family's own generator (``meridian``) with the seed, then scans it
with ``scan_events`` (the one place the suite calls the scan), optionally scans the same
traffic without prompt and response text (metadata only), evaluates both against the
labels, and writes ``suite.md`` and ``suite.json``: results per family and seed, per
legitimate archetype and per campaign, and pooled over the held-out families (never used
for tuning) and, separately, over the tuning families.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from distillguard.config import Config, default_config
from distillguard.evaluation.evaluate import EvalResult, evaluate
from distillguard.simulate.families import (
    ALL_FAMILIES,
    HELD_OUT,
    INDEPENDENT,
    TUNING,
    roles,
    simulate_family,
)
from distillguard.store.workspace import segments_folder

#: Columns removed for the metadata-only scan (all prompt and output text).
TEXT_COLUMNS = ("prompt", "system_prompt", "response")


@dataclass
class ScanOutcome:
    seconds: float
    customers: str  # "used" or "off"
    #: Rows the scan's validation quarantined (a generator writing invalid events).
    rows_quarantined: int = 0


def scan_events(events: Path, out: Path, *, config: Config, customers: Path | None) -> ScanOutcome:
    """Scan one file for the suite, with the business-context table when given. Extend
    here when the scan takes new inputs."""
    from distillguard.scan import scan

    started = time.perf_counter()
    result = scan([events], out, config=config, write_report=False, customers=customers)
    return ScanOutcome(seconds=round(time.perf_counter() - started, 2),
                       customers="off" if customers is None else "used",
                       rows_quarantined=int(result.summary.get("rows_quarantined", 0)))


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _metrics(result: EvalResult) -> dict[str, Any]:
    legitimate = result.accounts - result.positives
    worst = max(result.fpr_by_archetype.items(), key=lambda kv: (kv[1]["fpr"] or 0.0, kv[0]),
                default=(None, {"fpr": None}))
    return {
        "precision": result.precision, "recall": result.recall, "f1": result.f1,
        "auroc": result.auroc, "false_positive_rate": result.false_positive_rate,
        "true_positives": result.true_positives, "false_positives": result.false_positives,
        "positives": result.positives, "flagged": result.flagged, "legitimate": legitimate,
        "fpr_by_archetype": result.fpr_by_archetype,
        "worst_fpr": worst[1]["fpr"], "worst_fpr_archetype": worst[0],
        "campaigns": [{"campaign_id": c["campaign_id"], "tactic": c["archetype"],
                       "accounts": c["accounts"], "flagged": c["flagged"],
                       "recall": c["flagged_share"], "found": c["detected"],
                       "found_as": c["found_as"][:5]} for c in result.campaigns],
        "campaigns_found": result.campaigns_detected, "campaigns_total": result.campaigns_total,
        "adjusted_rand_index": result.adjusted_rand_index,
        "missing_from_scan": result.missing_from_scan,
    }


def pool(runs: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """Pooled figures over runs: sums of counts, then ratios; ARI averaged."""
    if not runs:
        return None
    tp = sum(r["true_positives"] for r in runs)
    fp = sum(r["false_positives"] for r in runs)
    positives = sum(r["positives"] for r in runs)
    legitimate = sum(r["legitimate"] for r in runs)
    archetypes: dict[str, dict[str, Any]] = {}
    for run in runs:
        for name, row in run["fpr_by_archetype"].items():
            entry = archetypes.setdefault(name, {"accounts": 0, "flagged": 0})
            entry["accounts"] += int(row["accounts"])
            entry["flagged"] += int(row["flagged"])
    for entry in archetypes.values():
        entry["fpr"] = _ratio(entry["flagged"], entry["accounts"])
    worst = max(archetypes.items(), key=lambda kv: (kv[1]["fpr"] or 0.0, kv[0]),
                default=(None, {"fpr": None}))
    tactics: dict[str, dict[str, int]] = {}
    for run in runs:
        for campaign in run["campaigns"]:
            entry = tactics.setdefault(campaign["tactic"], {"campaigns": 0, "found": 0,
                                                            "accounts": 0, "flagged": 0})
            entry["campaigns"] += 1
            entry["found"] += int(campaign["found"])
            entry["accounts"] += campaign["accounts"]
            entry["flagged"] += campaign["flagged"]
    aris = [r["adjusted_rand_index"] for r in runs if r["adjusted_rand_index"] is not None]
    meta = [r["metadata_only"] for r in runs if r.get("metadata_only")]
    meta_tp = sum(m["true_positives"] for m in meta)
    meta_flagged = sum(m["flagged"] for m in meta)
    meta_positives = sum(m["positives"] for m in meta)
    return {
        "runs": len(runs), "families": sorted({r["family"] for r in runs}),
        "events": sum(r["events"] for r in runs), "accounts": sum(r["accounts"] for r in runs),
        "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, positives),
        "false_positive_rate": _ratio(fp, legitimate),
        "fpr_by_archetype": dict(sorted(archetypes.items())),
        "worst_fpr": worst[1]["fpr"], "worst_fpr_archetype": worst[0],
        "recall_by_tactic": {name: {**e, "recall": _ratio(e["flagged"], e["accounts"])}
                             for name, e in sorted(tactics.items())},
        "campaigns_found": sum(r["campaigns_found"] for r in runs),
        "campaigns_total": sum(r["campaigns_total"] for r in runs),
        "adjusted_rand_index": sum(aris) / len(aris) if aris else None,
        "metadata_only_precision": _ratio(meta_tp, meta_flagged) if meta else None,
        "metadata_only_recall": _ratio(meta_tp, meta_positives) if meta else None,
        "scan_seconds": round(sum(r["scan_seconds"] for r in runs), 2),
        "simulation_seconds": round(sum(r["simulation_seconds"] for r in runs), 2),
    }


@dataclass
class FamilySuiteResult:
    settings: dict[str, Any]
    runs: list[dict[str, Any]] = field(default_factory=list)

    def pooled(self, role: str) -> dict[str, Any] | None:
        return pool([r for r in self.runs if r["role"] == role])

    def to_dict(self) -> dict[str, Any]:
        return {"settings": self.settings, "held_out": self.pooled(HELD_OUT),
                "tuning": self.pooled(TUNING), "runs": self.runs}

    def to_markdown(self) -> str:
        return family_markdown(self)


def run_family_suite(
    out_dir: str | Path,
    *,
    families: Sequence[str] | None = None,
    seeds: int = 2,
    first_seed: int = 9,
    held_out: Sequence[str] | None = None,
    metadata_only: bool = True,
    customers: bool = True,
    scale: float = 1.0,
    hours: float | None = None,
    corpus: Path | None = None,
    config: Config | None = None,
    progress: Callable[[str], None] | None = None,
    keep_workspaces: bool = False,
) -> FamilySuiteResult:
    """Simulate, scan and score each family for ``seeds`` seeds; write suite.md/json.

    ``hours`` fixes the window of the scenario families; an independent family keeps
    its own. Each run keeps its simulated traffic (``sim/``) and its scan's results
    (``accounts.parquet``, ``campaigns.json``, ``summary.json``); the scans' workspaces
    and the metadata-only copy of the events are removed once scored, unless
    ``keep_workspaces`` (they are about two thirds of the 3.5 GB that two seeds of all
    families write).
    """
    from distillguard import __version__

    config = config or default_config()
    chosen = list(families) if families is not None else list(ALL_FAMILIES)
    role_of = roles(held_out)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg: None)
    result = FamilySuiteResult(settings={
        "families": chosen, "seeds": [first_seed + k for k in range(seeds)], "scale": scale,
        "hours": hours, "metadata_only": metadata_only, "customers": customers,
        "corpus": str(corpus) if corpus else None, "version": __version__,
        "date": datetime.now(UTC).date().isoformat(),
        "tuning_families": [name for name in chosen if role_of[name] == TUNING],
        "held_out_families": [name for name in chosen if role_of[name] == HELD_OUT],
    })
    for name in chosen:
        for seed in result.settings["seeds"]:
            result.runs.append(_one_run(out / name / f"seed-{seed}", name, seed, role_of[name],
                                        scale=scale, hours=hours, corpus=corpus, config=config,
                                        metadata_only=metadata_only, customers=customers,
                                        say=say))
            if not keep_workspaces:
                remove_scratch(out / name / f"seed-{seed}")
    (out / "suite.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n")
    (out / "suite.md").write_text(result.to_markdown())
    return result


def _one_run(root: Path, name: str, seed: int, role: str, *, scale: float,
             hours: float | None, corpus: Path | None, config: Config, metadata_only: bool,
             customers: bool, say: Callable[[str], None]) -> dict[str, Any]:
    say(f"{name} seed {seed}: simulating")
    started = time.perf_counter()
    sim, parameters = simulate_family(name, seed, root / "sim", scale=scale,
                                      hours=None if name in INDEPENDENT else hours,
                                      corpus=corpus)
    sim_seconds = round(time.perf_counter() - started, 2)
    table = sim.customers_path if customers else None
    say(f"{name} seed {seed}: scanning")
    outcome = scan_events(sim.events_path, root / "scan", config=config, customers=table)
    run: dict[str, Any] = {
        "family": name, "role": role, "seed": seed, "events": sim.events,
        "accounts": sim.accounts, "simulation_seconds": sim_seconds,
        "scan_seconds": outcome.seconds, "customers": outcome.customers,
        "rows_quarantined": outcome.rows_quarantined,
        **_metrics(evaluate(sim.labels_path, root / "scan")),
        "metadata_only": None, "parameters": parameters,
    }
    if metadata_only:
        say(f"{name} seed {seed}: scanning metadata only")
        events = root / "sim" / "events_metadata_only.parquet"
        pq.write_table(pq.read_table(sim.events_path).drop_columns(list(TEXT_COLUMNS)), events)
        meta = scan_events(events, root / "scan_metadata_only", config=config, customers=table)
        scored = evaluate(sim.labels_path, root / "scan_metadata_only")
        run["metadata_only"] = {
            "precision": scored.precision, "recall": scored.recall,
            "true_positives": scored.true_positives, "flagged": scored.flagged,
            "positives": scored.positives, "scan_seconds": meta.seconds}
    return run


def remove_scratch(run_root: Path) -> list[Path]:
    """Remove a scored run's re-creatable bulk: each scan's workspace (the DuckDB file,
    its write-ahead log and its copy of the events) and the metadata-only events. What
    was removed is returned."""
    candidates = [run_root / "sim" / "events_metadata_only.parquet"]
    for scan_dir in (run_root / "scan", run_root / "scan_metadata_only"):
        workspace = scan_dir / "workspace.duckdb"
        candidates += [workspace, workspace.with_name(workspace.name + ".wal"),
                       segments_folder(workspace)]
    removed = [path for path in candidates if path.exists()]
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return removed


# ---- suite.md -------------------------------------------------------------------------------


def _f(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _p(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%"


def _pooled_lines(title: str, pooled: dict[str, Any] | None) -> list[str]:
    lines = [f"## {title}", ""]
    if pooled is None:
        return [*lines, "No run.", ""]
    lines += [
        f"{pooled['runs']} runs over {', '.join(pooled['families'])}: "
        f"{pooled['events']:,} events, {pooled['accounts']:,} accounts.", "",
        "| precision | recall | FPR | worst FPR (archetype) | campaigns found | ARI | "
        "metadata-only precision | metadata-only recall | scan s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| {_f(pooled['precision'])} | {_f(pooled['recall'])} | "
        f"{_p(pooled['false_positive_rate'])} | {_p(pooled['worst_fpr'])} "
        f"({pooled['worst_fpr_archetype']}) | {pooled['campaigns_found']}/"
        f"{pooled['campaigns_total']} | {_f(pooled['adjusted_rand_index'])} | "
        f"{_f(pooled['metadata_only_precision'])} | {_f(pooled['metadata_only_recall'])} | "
        f"{pooled['scan_seconds']:.1f} |", "",
        "| legitimate archetype | accounts | flagged | FPR |", "| --- | --- | --- | --- |",
    ]
    lines += [f"| {name} | {row['accounts']:,} | {row['flagged']:,} | {_p(row['fpr'])} |"
              for name, row in pooled["fpr_by_archetype"].items()]
    lines += ["", "| tactic | campaigns | found | accounts | recall |",
              "| --- | --- | --- | --- | --- |"]
    lines += [f"| {name} | {row['campaigns']} | {row['found']} | {row['accounts']:,} | "
              f"{_f(row['recall'])} |" for name, row in pooled["recall_by_tactic"].items()]
    return [*lines, ""]


def family_markdown(result: FamilySuiteResult) -> str:
    """The report: pooled held-out results first, then tuning, then every run."""
    s = result.settings
    states = sorted({r["customers"] for r in result.runs})
    table = ("withheld" if not s["customers"] else "given to the scan" if states == ["used"]
             else f"offered ({'; '.join(states)})")
    lines = [
        "# distillguard family suite", "",
        f"Families {', '.join(s['families'])}; seeds {', '.join(map(str, s['seeds']))}; scale "
        f"{s['scale']:g}; customer table {table}; distillguard {s['version']}, {s['date']}.", "",
        f"Tuning families (may be used to tune the detector): "
        f"{', '.join(s['tuning_families']) or 'none'}. Held-out families (never used for "
        f"tuning): {', '.join(s['held_out_families']) or 'none'}.", "",
        "A campaign is found when at least half of its accounts are flagged (review or block). "
        "Pooled precision and recall sum the counts of all runs; ARI is the mean over runs.", "",
    ]
    invalid = [r for r in result.runs if r.get("rows_quarantined")]
    if invalid:
        lines += ["**Invalid traffic**: the scan quarantined rows of "
                  + "; ".join(f"{r['family']} seed {r['seed']} ({r['rows_quarantined']:,} rows, "
                              f"{r['missing_from_scan']:,} labelled accounts missing from the "
                              "scan)" for r in invalid)
                  + ". Those accounts count as not flagged: check the generator "
                  "(`quarantine.parquet` in the run's scan folder says why).", ""]
    lines += _pooled_lines("Held-out families, pooled", result.pooled(HELD_OUT))
    lines += _pooled_lines("Tuning families, pooled", result.pooled(TUNING))
    lines += ["## Runs", "",
              "| family | role | seed | events | accounts | precision | recall | worst FPR "
              "(archetype) | campaigns found | ARI | metadata-only P / R | customers | sim s | "
              "scan s |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | "
              "--- | --- | --- |"]
    for r in result.runs:
        meta = r["metadata_only"]
        meta_text = "n/a" if meta is None else f"{_f(meta['precision'])} / {_f(meta['recall'])}"
        lines.append(
            f"| {r['family']} | {r['role']} | {r['seed']} | {r['events']:,} | "
            f"{r['accounts']:,} | {_f(r['precision'])} | {_f(r['recall'])} | "
            f"{_p(r['worst_fpr'])} ({r['worst_fpr_archetype']}) | {r['campaigns_found']}/"
            f"{r['campaigns_total']} | {_f(r['adjusted_rand_index'])} | {meta_text} | "
            f"{r['customers']} | {r['simulation_seconds']:.1f} | {r['scan_seconds']:.1f} |")
    lines += ["", "## Campaigns", "",
              "| family | seed | campaign | tactic | accounts | flagged | recall | found |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in result.runs:
        lines += [f"| {r['family']} | {r['seed']} | {c['campaign_id']} | {c['tactic']} | "
                  f"{c['accounts']:,} | {c['flagged']:,} | {_f(c['recall'])} | "
                  f"{'yes' if c['found'] else 'no'} |" for c in r["campaigns"]]
    return "\n".join(lines) + "\n"
