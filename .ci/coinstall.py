"""Install distillguard beside LiteLLM's proxy in a fresh venv, as a user would.

1. In a new virtual environment, ask pip which ``litellm[proxy]`` it would install on
   its own (``--dry-run --report``: a resolution, nothing installed).
2. Install ``distillguard`` and ``litellm[proxy]`` together (``pip install . 'litellm[proxy]'``,
   no lock file: the ranges of pyproject.toml against the package index).
3. Check that both import (the guardrail too), print the versions pip chose and how long
   each step took, and fail if pip backtracked to an older LiteLLM than in step 1.

Run by ``make check-coinstall`` (CI calls it after the tests).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECK = """
import importlib.metadata as m
import distillguard, litellm
from distillguard.integrations.litellm import DistillguardGuardrail, EventLogCallback
names = ("distillguard", "litellm", "rich", "fastapi", "uvicorn", "pydantic", "numpy",
         "duckdb", "pyarrow", "typer")
print(" ".join(f"{n}=={m.version(n)}" for n in names))
"""


def run(args: list[str], **kwargs: object) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)
    return time.monotonic() - started, done.stdout


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split(".")[:3])


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="dg-coinstall-"))
    try:
        subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True)
        pip = [str(folder / "venv" / "bin" / "python"), "-m", "pip"]
        run([*pip, "install", "-q", "--upgrade", "pip"])
        report = folder / "alone.json"
        alone_s, _ = run([*pip, "install", "-q", "--dry-run", "--ignore-installed",
                          "--report", str(report), "litellm[proxy]"])
        chosen = {item["metadata"]["name"].lower(): item["metadata"]["version"]
                  for item in json.loads(report.read_text())["install"]}
        alone = chosen["litellm"]
        together_s, _ = run([*pip, "install", "-q", str(ROOT), "litellm[proxy]"])
        env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
        _, versions = run([str(folder / "venv" / "bin" / "python"), "-c", CHECK], env=env,
                          cwd=folder)
        installed = dict(part.split("==") for part in versions.split())
        print(f"litellm[proxy] alone resolves to litellm {alone} ({alone_s:.1f} s)")
        print(f"distillguard + litellm[proxy] installed in {together_s:.1f} s: "
              f"{versions.strip()}")
        if version_key(installed["litellm"]) < version_key(alone):
            print(f"error: beside distillguard pip chose litellm {installed['litellm']}, "
                  f"older than {alone} on its own (a dependency range conflicts)",
                  file=sys.stderr)
            return 1
        print("ok: both import, and LiteLLM is the release pip picks on its own")
        return 0
    except subprocess.CalledProcessError as exc:
        print(f"error: {' '.join(exc.cmd)} failed:\n{exc.stdout}\n{exc.stderr}",
              file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
