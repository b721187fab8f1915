"""Traffic simulator: labelled API traffic with legitimate users and distillation campaigns.

>>> from distillguard.simulate import Scenario, simulate
>>> result = simulate(Scenario(accounts=300, hours=6), "out/")  # doctest: +SKIP

See ``docs/simulator.md`` for the archetypes, their knobs and the determinism guarantee.
"""

from __future__ import annotations

# Importing the archetype modules registers them.
from distillguard.simulate import (  # noqa: F401
    automated,
    campaigns,
    legitimate,
    lookalikes,
    services,
    tactics,
)
from distillguard.simulate.base import ARCHETYPES, Archetype, register
from distillguard.simulate.engine import SimulationResult, plan, simulate
from distillguard.simulate.scenario import (
    DEFAULT_ARCHETYPE_SHARES,
    DEFAULT_CAMPAIGNS,
    EVASION_LEVELS,
    CampaignSpec,
    Evasion,
    Scenario,
    load_scenario,
    with_evasion_switches,
)

__all__ = [
    "ARCHETYPES",
    "DEFAULT_ARCHETYPE_SHARES",
    "DEFAULT_CAMPAIGNS",
    "EVASION_LEVELS",
    "Archetype",
    "CampaignSpec",
    "Evasion",
    "Scenario",
    "SimulationResult",
    "load_scenario",
    "plan",
    "register",
    "simulate",
    "with_evasion_switches",
]
