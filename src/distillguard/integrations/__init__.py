"""Integrations with tools that already carry a provider's traffic (LiteLLM, ...).

Each lives in its own subpackage and needs its own extra; importing this package
imports none of them.
"""
