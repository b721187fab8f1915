"""distillguard: detect, stop, prove and share LLM distillation campaigns in API traffic."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
