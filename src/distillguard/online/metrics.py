"""The gateway's Prometheus metrics, right with one worker process or several.

With one worker the metrics live in the process (plus the standard ``process_*`` and
``python_info`` collectors). With several (``distillguard gateway --workers N``) each
worker would otherwise answer ``/metrics`` with its own counters, so successive scrapes
seemed to go back and forth: :func:`prepare_multiprocess` (called by the parent before
the workers start) points ``PROMETHEUS_MULTIPROC_DIR`` at an empty folder, every worker
writes its values there (prometheus_client's multiprocess mode), and any worker's
``/metrics`` reports the sums over all workers. Process figures are then per worker,
``distillguard_worker_*{pid="…"}``, sampled every few seconds.

No account ids, IPs or prompts are ever labels.
"""

from __future__ import annotations

import os
import platform
import shutil
import tempfile
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from distillguard import __version__
from distillguard.online.guard import ACTIONS

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_LATENCY_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                    0.1, 0.25, 0.5, 1.0, 2.5)
#: A model's answer takes from milliseconds to minutes.
_UPSTREAM_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
                     60.0, 120.0, 300.0)
#: The standard process metrics, and the per-worker gauges they become with workers.
_PROCESS_FIGURES = {
    "process_cpu_seconds": "CPU time of the worker (user and system), seconds.",
    "process_resident_memory_bytes": "Resident memory of the worker, bytes.",
    "process_open_fds": "Open file descriptors of the worker.",
}


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def prepare_multiprocess() -> str | None:
    """Before starting several workers: an empty metrics folder in the environment.

    A folder already named by ``PROMETHEUS_MULTIPROC_DIR`` is emptied of its metric
    files (values of an earlier run would be added in); otherwise a temporary folder is
    made and returned, for :func:`remove_multiprocess_dir` once the workers are gone.
    """
    existing = multiprocess_dir()
    if existing:
        Path(existing).mkdir(parents=True, exist_ok=True)
        for stale in Path(existing).glob("*.db"):
            stale.unlink()
        return None
    made = tempfile.mkdtemp(prefix="distillguard-metrics-")
    os.environ[MULTIPROC_ENV] = made
    return made


def remove_multiprocess_dir(made: str | None) -> None:
    if made:
        shutil.rmtree(made, ignore_errors=True)
        os.environ.pop(MULTIPROC_ENV, None)


class Metrics:
    """The gateway's metrics (see the module doc)."""

    def __init__(self) -> None:
        self.multiprocess = multiprocess_dir() is not None
        self.registry = CollectorRegistry()
        reg = self.registry
        self.requests = Counter(
            "distillguard_requests", "Requests by the guard's action (and auth failures).",
            ["action"], registry=reg)
        self.guard_seconds = Histogram(
            "distillguard_guard_seconds", "Time the guard took to decide one request.",
            buckets=_LATENCY_BUCKETS, registry=reg)
        self.overhead_seconds = Histogram(
            "distillguard_overhead_seconds",
            "Time the gateway added to a request (all but waiting for the upstream).",
            buckets=_LATENCY_BUCKETS, registry=reg)
        self.upstream_seconds = Histogram(
            "distillguard_upstream_seconds",
            "Time the upstream took to start answering (its status and headers).",
            buckets=_UPSTREAM_BUCKETS, registry=reg)
        self.rescore_seconds = Histogram(
            "distillguard_rescore_seconds",
            "Time one re-scoring step took (run after a request has been answered).",
            buckets=_LATENCY_BUCKETS, registry=reg)
        self.upstream_errors = Counter(
            "distillguard_upstream_errors", "Upstream failures by kind.", ["kind"],
            registry=reg)
        self.state_errors = Counter(
            "distillguard_state_errors", "Requests decided without shared state.",
            registry=reg)
        # Shared state (Redis) gives every worker the same figure: the largest is it.
        self.tracked_accounts = Gauge(
            "distillguard_tracked_accounts", "Accounts the guard holds state for.",
            registry=reg, multiprocess_mode="max")
        self.campaigns = Gauge(
            "distillguard_campaigns",
            "Campaigns numbered so far (one that later merged into another still counts).",
            registry=reg, multiprocess_mode="max")
        self.build_info = Gauge(
            "distillguard_build_info", "The distillguard version serving (always 1).",
            ["version", "python"], registry=reg, multiprocess_mode="max")
        self.build_info.labels(version=__version__,
                               python=platform.python_version()).set(1)
        for action in (*ACTIONS, "unauthorized"):
            self.requests.labels(action=action)
        self._process = ProcessCollector(registry=None)
        self._workers: dict[str, Gauge] = {}
        if self.multiprocess:
            self._workers = {
                name: Gauge(name.replace("process_", "distillguard_worker_"), text,
                            registry=reg, multiprocess_mode="all")
                for name, text in _PROCESS_FIGURES.items()}
        else:
            reg.register(self._process)
            PlatformCollector(registry=reg)

    def sample_process(self) -> None:
        """With several workers: record this worker's CPU, memory and open files."""
        if not self._workers:
            return
        for family in self._process.collect():
            gauge = self._workers.get(family.name)
            if gauge is not None and family.samples:
                gauge.set(family.samples[0].value)

    def exposition(self) -> bytes:
        """The Prometheus text: this process's metrics, or every worker's summed."""
        if not self.multiprocess:
            return generate_latest(self.registry)
        self.sample_process()
        merged = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(merged)
        return generate_latest(merged)
