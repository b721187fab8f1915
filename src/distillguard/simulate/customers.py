"""The business-context table: what a provider's customer records say about each account.

``customers.parquet`` (``schema.CUSTOMER_SCHEMA``) has one row per account: organisation,
tier, identity/business verification, declared use and contract. A real provider knows
these from sign-up, billing and sales, not from traffic; the simulator draws them per
archetype from a ``CustomerProfile`` so that some legitimate look-alikes are known
(contracted vendors, enterprise batch jobs, declared resellers, universities'
education programmes) and others are not (most cron and coding-agent users are plain
pay-as-you-go), while campaigns look like free or pay-as-you-go customers, sometimes
with a programme entry obtained with weak or no verification.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.schema import CUSTOMER_SCHEMA, CUSTOMER_TIERS

#: Access paths that are programmes a customer applies to; the programme is recorded as
#: the account's declared use when the profile declares nothing else.
PROGRAMME_PATHS: Mapping[str, str] = MappingProxyType({
    "education": "education", "research": "research", "startup": "startup"})


@dataclass(frozen=True)
class CustomerProfile:
    """How an archetype's accounts appear in the provider's customer records.

    Draws are made per organisation (accounts sharing an ``org_id`` share tier,
    verification, declared use and contract) or per account when there is no org.

    ``tiers``: tier weights. An account drawn as ``free`` or ``pay_as_you_go`` is
    ``free`` when it has no payment fingerprint and ``pay_as_you_go`` when it has one;
    ``enterprise`` is invoiced and kept (``free_without_card=False``: every tier is kept,
    for accounts billed through someone else, e.g. a reseller). ``verified_share``: share
    that passed identity or business verification. ``declared_use`` /
    ``declared_share``: what the share of them declared. ``contract_share``: share of
    the declared ones under a signed contract. ``programme_verified_share``: accounts on
    a programme access path (education, research, startup) without another declared use
    get the programme as declared use, verified with this probability.
    """

    tiers: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"pay_as_you_go": 1.0}))
    free_without_card: bool = True
    verified_share: float = 0.0
    declared_use: str | None = None
    declared_share: float = 0.0
    contract_share: float = 0.0
    programme_verified_share: float = 0.9


def customer_table(profile: CustomerProfile, ids: pa.Array, columns: Mapping[str, pa.Array],
                   rng: np.random.Generator) -> pa.Table:
    """One row per account (``ids``), from the profile and the account columns."""
    n = len(ids)
    if n == 0:
        return CUSTOMER_SCHEMA.empty_table()
    org = columns.get("org_id", pa.nulls(n, pa.string()))
    unit_key = pc.coalesce(org, ids)
    unit = pc.dictionary_encode(unit_key).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    units = int(unit.max()) + 1
    names = list(profile.tiers)
    unknown = sorted(set(names) - set(CUSTOMER_TIERS))
    if unknown:
        raise ValueError(f"unknown customer tier '{unknown[0]}'")
    weights = np.asarray(list(profile.tiers.values()), dtype=np.float64)
    tier_code = rng.choice(len(names), size=units, p=weights / weights.sum())[unit]
    verified = (rng.random(units) < profile.verified_share)[unit]
    declared = (rng.random(units) < profile.declared_share)[unit]
    contract = (rng.random(units) < profile.contract_share)[unit] & declared
    programme_ok = rng.random(n) < profile.programme_verified_share

    tier = np.asarray(names, dtype=object)[tier_code]
    card = columns.get("payment_fingerprint")
    has_card = (pc.is_valid(card).to_numpy(zero_copy_only=False) if card is not None
                else np.zeros(n, bool))
    if profile.free_without_card:
        paying = tier != "enterprise"
        tier = np.where(paying & has_card, "pay_as_you_go", np.where(paying, "free", tier))

    use = np.full(n, None, dtype=object)
    if profile.declared_use is not None:
        use[declared] = profile.declared_use
    path = columns.get("access_path")
    if path is not None:
        path_values = np.asarray(path.to_pylist(), dtype=object)
        for access, programme in PROGRAMME_PATHS.items():
            on_path = (path_values == access) & (use == None)  # noqa: E711 (object array)
            use[on_path] = programme
            verified = np.where(on_path, programme_ok, verified)
    return pa.Table.from_arrays(
        [ids, org, pa.array(tier.tolist(), pa.string()), pa.array(verified, pa.bool_()),
         pa.array(use.tolist(), pa.string()), pa.array(contract, pa.bool_())],
        schema=CUSTOMER_SCHEMA)
