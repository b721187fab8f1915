"""Print pip constraints that pin every ``>=`` lower bound of pyproject.toml exactly.

``make test-lower-bounds`` installs the library with them and runs the tests, so the
lower bounds the package declares are ones that were tested. Usage:
``python .ci/lower_bounds.py EXTRA... > constraints.txt`` (the core dependencies and
the named extras).
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml")
                        .read_text())["project"]
requirements = list(project["dependencies"])
for extra in sys.argv[1:]:
    requirements += project["optional-dependencies"][extra]
pinned: dict[str, str] = {}
for requirement in requirements:
    match = re.match(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*>=\s*([^,;\s]+)", requirement)
    if match:
        name = match.group(1).lower().replace("_", "-")
        pinned[name] = match.group(3)
for name, version in sorted(pinned.items()):
    print(f"{name}=={version}")
