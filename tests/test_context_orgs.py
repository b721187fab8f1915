"""Which organisation an account openly belongs to (``detect.context.org_keys``), and
which accounts nobody can name (``anonymous_accounts``)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from distillguard.detect.context import anonymous_accounts, org_keys

PUBLIC = ["gmail.com", "outlook.com"]


def _profile(rows: list[tuple[str | None, str | None, float]]) -> pa.Table:
    return pa.table({
        "account_id": [f"a{i}" for i in range(len(rows))],
        "org_id": pa.array([r[0] for r in rows], pa.string()),
        "email_domain": pa.array([r[1] for r in rows], pa.string()),
        "ip_churn": pa.array([r[2] for r in rows], pa.float64()),
    })


def test_an_org_id_wins_then_a_company_domain_and_public_mail_is_no_organisation() -> None:
    keys = org_keys(_profile([("o1", "acme.com", 0.1), (None, "acme.com", 0.05),
                              (None, "gmail.com", 0.1), (None, None, 0.0)]), PUBLIC)
    assert keys.to_pylist() == ["org:o1", "domain:acme.com", None, None]


def test_a_domain_whose_accounts_rotate_their_addresses_is_bulk_mail_not_a_company() -> None:
    # A hydra's catch-all domain: every request from a new residential address. A
    # company's staff keep theirs, even with one colleague on a mobile network.
    rows = ([(None, "inboxharbor.net", 0.9)] * 5 + [(None, "inboxharbor.net", 0.2)]
            + [(None, "acme.com", 0.05)] * 5 + [(None, "acme.com", 0.95)])
    keys = org_keys(_profile(rows), PUBLIC).to_pylist()
    assert keys[:6] == [None] * 6
    assert keys[6:] == ["domain:acme.com"] * 6
    # A declared organisation stays one whatever its addresses do.
    assert org_keys(_profile([("o1", "inboxharbor.net", 0.9)] * 3), PUBLIC).to_pylist() == [
        "org:o1"] * 3


def test_without_address_churn_in_the_profile_domains_are_judged_by_name_only() -> None:
    table = _profile([(None, "acme.com", 0.9)]).drop_columns(["ip_churn"])
    assert org_keys(table, PUBLIC).to_pylist() == ["domain:acme.com"]


def test_a_new_unverified_account_alone_on_its_address_is_anonymous() -> None:
    # sweep: new, unverified, its own one-account organisation, its own VPS address.
    # old: the same, registered two years ago. verified: passed identity checks.
    # staff1/staff2: a company's two accounts. corp: one account at a corporate domain.
    # venue1/venue2: two new people at one hackathon network. unknown: no sign-up date.
    names = ["sweep", "old", "verified", "staff1", "staff2", "corp", "venue1", "venue2",
             "unknown"]
    profile = pa.table({
        "account_id": names,
        "account_age_hours": pa.array([200.0, 17000.0, 200.0, 200.0, 200.0, 200.0, 3.0, 3.0,
                                       None], pa.float64()),
        "verified": pa.array([False, False, True, None, None, None, None, None, None]),
        "org_key": pa.array(["org:o1", None, None, "org:acme", "org:acme",
                             "domain:acme.io", "org:o7", "org:o8", None], pa.string()),
    })
    places = pa.table({
        "account_id": ["sweep", "old", "venue1", "venue2", "staff1"],
        "network": ["203.0.113", "198.51.100", "192.0.2", "192.0.2", "100.64.1"],
    })
    anonymous = anonymous_accounts(profile, places, young_hours=720.0)
    assert dict(zip(names, anonymous.tolist(), strict=True)) == {
        "sweep": True, "old": False, "verified": False, "staff1": False, "staff2": False,
        "corp": False, "venue1": False, "venue2": False, "unknown": False}
    # Without places (no addresses logged) nobody is known to be at a shared place.
    assert anonymous_accounts(profile, None, young_hours=720.0).tolist()[6:8] == [True,
                                                                                   True]
    assert np.asarray(anonymous).dtype == bool

