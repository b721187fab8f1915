"""Which organisation an account openly belongs to (``detect.context.org_keys``)."""

from __future__ import annotations

import pyarrow as pa

from distillguard.detect.context import org_keys

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
