"""The HTML report of a scan: one self-contained page a trust-and-safety analyst reads.

>>> from distillguard.report import render_report
>>> render_report("scan-out")  # doctest: +SKIP
PosixPath('scan-out/report.html')
"""

from __future__ import annotations

from distillguard.report.loading import ScanOutputs, load_scan_outputs
from distillguard.report.render import build_context, content_security_policy, render_report

__all__ = [
    "ScanOutputs",
    "build_context",
    "content_security_policy",
    "load_scan_outputs",
    "render_report",
]
