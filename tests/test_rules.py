"""Rules declared once: each engine's compiled form agrees with the declaration.

The batch scan works on arrays, the online guard on one account at a time; both call the
same rule functions (:func:`final_risk`, :func:`decide`, :func:`campaign_reason`) and read
the same catalogues (:mod:`distillguard.detect.indicators`, :mod:`distillguard.detect.rules`).
"""

from __future__ import annotations

import numpy as np
import pytest

from distillguard.config import default_config
from distillguard.detect.campaigns import KIND_SIGNALS
from distillguard.detect.indicators import (
    GROUP_SIGNALS,
    INDICATOR_KINDS,
    KIND,
    ORG_SHARED_KINDS,
    SEED_EXCLUSIVE_KINDS,
)
from distillguard.detect.linkage import INDICATOR_COLUMN_GROUPS, INDICATOR_SOURCES
from distillguard.detect.rules import MIN_TEMPLATE_CHARS, TARGET_CAPABILITIES
from distillguard.detect.scoring import campaign_reason, decide, final_risk
from distillguard.intel.kinds import EVIDENCE_FAMILIES, WORKSPACE_VALUES
from distillguard.online.linking import EVENT_INDICATORS, ONLINE_GROUP_SIGNALS
from distillguard.privacy import PERSONAL_KINDS
from distillguard.schema import DECISIONS


def test_when_risks_are_blended_one_at_a_time_then_they_equal_the_batch_arrays() -> None:
    config = default_config().scoring
    rng = np.random.default_rng(0)
    own, campaign = rng.random(500), rng.random(500)
    member = rng.random(500) < 0.4
    batch = final_risk(own, campaign, member, config)
    one_by_one = [float(final_risk(o, c, m, config))
                  for o, c, m in zip(own.tolist(), campaign.tolist(), member.tolist(),
                                     strict=True)]
    assert batch.tolist() == one_by_one
    # Members move towards their campaign's risk, lone accounts keep a share of theirs.
    assert (batch[member] >= own[member]).all()
    assert np.allclose(batch[~member], own[~member] * config.lone_account_factor)


@pytest.mark.parametrize("risk", [0.0, 0.29, 0.3, 0.59, 0.6, 0.84, 0.85, 1.0])
def test_when_one_risk_is_decided_then_it_is_the_batch_decision(risk: float) -> None:
    thresholds = default_config().scoring.thresholds
    assert decide(risk, thresholds) == decide(np.array([risk]), thresholds)[0]
    assert decide(risk, thresholds) in DECISIONS


def test_campaign_reasons_read_the_same_in_batch_and_online_words() -> None:
    batch = campaign_reason("C0001", 0.912, 12, "4 of 12 accounts share payment fingerprints")
    assert batch.text == ("campaign C0001: 12 linked accounts, campaign risk 0.91; "
                          "4 of 12 accounts share payment fingerprints")
    assert (batch.signal, batch.value) == ("campaign", 0.912)
    online = campaign_reason("OC0003", 0.5)
    assert str(online) == "campaign OC0003: linked accounts, campaign risk 0.50"


def test_every_configured_indicator_kind_is_in_the_catalogue() -> None:
    config = default_config()
    assert set(config.linkage.indicators) <= set(KIND)
    assert set(config.intel.match_weights) <= set(KIND)
    assert set(config.intel.hashed_kinds) <= set(WORKSPACE_VALUES)
    assert set(KIND) >= PERSONAL_KINDS
    # Every group signal of the catalogue is weighed; the rest are the group's own
    # (concealing cohorts, harvest organisations, automation), not link kinds.
    own = {"concealment", "harvest_org", "automation"}
    assert set(config.scoring.campaign_coordination_weights) - own == set(GROUP_SIGNALS)


def test_each_stage_reads_its_view_of_the_catalogue() -> None:
    assert list(INDICATOR_SOURCES) == [
        "payment_fingerprint", "ip", "ip_prefix", "tls_fingerprint", "user_agent",
        "email_pattern", "system_prompt", "signup_window"]
    assert INDICATOR_SOURCES["system_prompt"] == "md5(system_prompt)"
    assert INDICATOR_COLUMN_GROUPS == {
        "network_values": ("ip", "ip_prefix"),
        "account_values": ("payment_fingerprint", "tls_fingerprint", "user_agent",
                           "email_pattern", "system_prompt", "signup_window")}
    assert WORKSPACE_VALUES["system_prompt"] == "system_prompt"
    assert WORKSPACE_VALUES["template"] == "skeleton"
    assert "signup_window" not in WORKSPACE_VALUES
    assert set(EVIDENCE_FAMILIES) == set(WORKSPACE_VALUES)
    assert EVENT_INDICATORS == {
        "payment_fingerprint": "event", "ip": "event", "ip_prefix": "feature",
        "tls_fingerprint": "event", "user_agent": "event", "email_pattern": "feature",
        "system_prompt": "md5"}
    assert ONLINE_GROUP_SIGNALS == ("shared_payment", "shared_network", "shared_template")
    assert list(KIND_SIGNALS) == list(GROUP_SIGNALS)
    assert KIND_SIGNALS["shared_template"] == ("system_prompt", "template")
    assert set(SEED_EXCLUSIVE_KINDS) == {"system_prompt", "template", "user_agent"}
    assert ORG_SHARED_KINDS == ("payment_fingerprint", "ip", "ip_prefix", "email_pattern")
    assert KIND["template"].condition == f"length(skeleton) >= {MIN_TEMPLATE_CHARS}"
    assert all(kind.family or not kind.shared for kind in INDICATOR_KINDS)


def test_targeted_capabilities_are_configured_capability_areas() -> None:
    assert set(TARGET_CAPABILITIES) <= set(default_config().features.capabilities)
