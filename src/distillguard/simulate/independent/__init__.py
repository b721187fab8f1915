"""Independent test scenarios for distillguard.

Written without knowledge of how the detector decides.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

#: A family's generator: ``generate(out_dir, seed=, scale=, corpus=)`` returning its counts.
Generate = Callable[..., Any]


def command_line(generate: Generate, module: str, argv: Sequence[str] | None = None) -> int:
    """``python -m distillguard.simulate.independent.<module> OUT [SEED] [SCALE] [CORPUS]``:
    run one family's generator and print its counts (2 and the usage on bad arguments)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or len(args) > 4:
        print(f"usage: python -m distillguard.simulate.independent.{module} OUT [SEED] "
              "[SCALE] [CORPUS]", file=sys.stderr)
        return 2
    print(generate(Path(args[0]), seed=int(args[1]) if len(args) > 1 else 0,
                   scale=float(args[2]) if len(args) > 2 else 1.0,
                   corpus=Path(args[3]) if len(args) > 3 else None))
    return 0
