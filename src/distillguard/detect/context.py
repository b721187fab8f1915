"""Business context: what the provider knows about its customers, joined at scan time.

A customer table (Parquet, CSV or JSON Lines; one row per account, see
docs/formats.md) says who an account belongs to and what it declared: ``org_id``,
``tier``, ``verified``, ``declared_use``, ``contract``. Traffic alone cannot tell a
contracted data vendor from a distiller, or a declared nightly batch from a script
farm; the provider can. The table changes the evidence, never the traffic:

- an account's declared organisation is its ``org_id`` (accounts that openly belong to
  one organisation are a company, not a hidden operator);
- a *verified* customer that *declared* an automated use has its automation signals
  discounted (``declared``), and is never blocked outright: at most ``review``, with a
  reason that says why;
- a verified customer whose use a *contract* covers has most of its harvest discounted
  (``contracted``; ``scoring.signal_params.contract_harvest_factor`` is kept).

Unverified declarations change nothing: a programme entry obtained with a throwaway
identity is what a campaign would claim.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from distillguard.errors import InputFileError

#: Columns of the customer table, with their types; only ``account_id`` is required.
CUSTOMER_COLUMNS: dict[str, pa.DataType] = {
    "account_id": pa.string(),
    "org_id": pa.string(),
    "tier": pa.string(),
    "verified": pa.bool_(),
    "declared_use": pa.string(),
    "contract": pa.bool_(),
}
#: Profile columns the context adds (``declared`` and ``contracted`` are 0/1 floats the
#: signals read; the rest are shown in accounts.parquet).
CONTEXT_COLUMNS: tuple[str, ...] = ("tier", "verified", "declared_use", "contract",
                                    "declared", "contracted")


def read_customers(path: str | Path) -> pa.Table:
    """The customer table at ``path`` with :data:`CUSTOMER_COLUMNS` (missing optional
    ones null), one row per account (the first row of a repeated account wins)."""
    file = Path(path)
    if not file.is_file():
        raise InputFileError(str(file), "no such file")
    reader = {".parquet": "read_parquet", ".csv": "read_csv_auto",
              ".jsonl": "read_json_auto", ".json": "read_json_auto"}.get(file.suffix.lower())
    if reader is None:
        raise InputFileError(str(file), "a customer table is .parquet, .csv or .jsonl")
    con = duckdb.connect()
    try:
        table = con.execute(f"SELECT * FROM {reader}(?)", [str(file)]).to_arrow_table()
    except duckdb.Error as exc:
        raise InputFileError(str(file), f"cannot read the customer table ({exc})") from None
    finally:
        con.close()
    if "account_id" not in table.column_names:
        raise InputFileError(str(file), "the customer table has no account_id column")
    columns = {}
    for name, typ in CUSTOMER_COLUMNS.items():
        if name not in table.column_names:
            columns[name] = pa.nulls(table.num_rows, typ)
            continue
        try:
            columns[name] = pc.cast(table.column(name), typ)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise InputFileError(str(file), f"customer column {name} must be {typ}") from None
    customers = pa.table(columns).filter(pc.is_valid(columns["account_id"]))
    ids = customers.column("account_id").combine_chunks()
    _, first = np.unique(ids.to_numpy(zero_copy_only=False).astype(object), return_index=True)
    return customers.take(pa.array(np.sort(first)))


def with_business_context(profile: pa.Table, customers: pa.Table | None) -> pa.Table:
    """``profile`` with :data:`CONTEXT_COLUMNS` (zeros and nulls without a table); a
    declared ``org_id`` fills the profile's where the traffic had none."""
    n = profile.num_rows
    if customers is None:
        empty = {"tier": pa.nulls(n, pa.string()), "verified": pa.nulls(n, pa.bool_()),
                 "declared_use": pa.nulls(n, pa.string()), "contract": pa.nulls(n, pa.bool_()),
                 "declared": pa.array(np.zeros(n)), "contracted": pa.array(np.zeros(n))}
        for name in CONTEXT_COLUMNS:
            profile = profile.append_column(name, empty[name])
        return profile
    rows = pc.index_in(profile.column("account_id"), value_set=customers.column("account_id"))
    known = pc.is_valid(rows)

    def joined(name: str) -> pa.Array:
        return pc.take(customers.column(name), rows)

    verified = pc.fill_null(joined("verified"), False)
    declared = pc.and_(verified, pc.is_valid(joined("declared_use")))
    contracted = pc.and_(verified, pc.fill_null(joined("contract"), False))
    if "org_id" in profile.column_names:
        org = pc.coalesce(profile.column("org_id"), joined("org_id"))
        profile = profile.set_column(profile.column_names.index("org_id"), "org_id", org)
    for name in ("tier", "verified", "declared_use", "contract"):
        profile = profile.append_column(name, pc.if_else(known, joined(name),
                                                         pa.scalar(None, joined(name).type)))
    as_float = lambda flag: pc.cast(pc.fill_null(flag, False), pa.float64())  # noqa: E731
    profile = profile.append_column("declared", as_float(declared))
    return profile.append_column("contracted", as_float(contracted))


#: Mean address churn (``ip_churn``) of a non-public e-mail domain's accounts from which
#: the domain is bulk mail, not an organisation.
ROTATING_DOMAIN_CHURN = 0.5


def org_keys(profile: pa.Table, public_domains: list[str]) -> pa.Array:
    """The organisation each account openly belongs to: its org id, else its e-mail
    domain when that is not a public mail provider (a company's or a university's own
    domain) and its accounts do not mostly rotate their addresses
    (:data:`ROTATING_DOMAIN_CHURN`); null for none. Keys are prefixed so an org id and a
    domain never meet."""
    n = profile.num_rows
    org = (profile.column("org_id") if "org_id" in profile.column_names
           else pa.nulls(n, pa.string()))
    domain = (profile.column("email_domain") if "email_domain" in profile.column_names
              else pa.nulls(n, pa.string()))
    public = pc.is_in(domain, value_set=pa.array(public_domains, pa.string()))
    if "ip_churn" in profile.column_names:
        # A company's people keep their addresses; a domain whose accounts mostly send
        # every request from a new one is bulk mail bought for a proxy network.
        churn = pa.table({"domain": domain, "churn": pc.fill_null(
            pc.cast(profile.column("ip_churn"), pa.float64()), 0.0)})
        by_domain = churn.group_by("domain").aggregate([("churn", "mean")])
        rotating = by_domain.filter(pc.greater_equal(by_domain.column("churn_mean"),
                                                     ROTATING_DOMAIN_CHURN))
        public = pc.or_(pc.fill_null(public, True),
                        pc.is_in(domain, value_set=rotating.column("domain")))
    corporate = pc.if_else(pc.fill_null(public, True), pa.scalar(None, pa.string()), domain)
    return pc.coalesce(pc.binary_join_element_wise("org:", org, ""),
                       pc.binary_join_element_wise("domain:", corporate, ""))


def anonymous_accounts(profile: pa.Table, places: pa.Table | None,
                       young_hours: float) -> np.ndarray:
    """Accounts nobody can put a name to: first used within ``young_hours`` of their
    registration, not verified, in no organisation of several accounts nor at a corporate
    e-mail domain (:func:`org_keys`), and at no place they share with another account (a
    class's campus, a hackathon's venue, an office: ``places``, the networks of the
    accounts seen on a few). One account that harvests under its own name is a customer
    to talk to; a new, unnamed one on an address of its own is what a low-and-slow
    operator's hundreds of accounts each look like, and is not capped as "open"
    (:func:`~distillguard.detect.scoring.final_risk`). An account whose age is unknown is
    not anonymous."""
    n = profile.num_rows
    age = np.asarray(pc.fill_null(pc.cast(profile.column("account_age_hours"), pa.float64()),
                                  np.inf).to_numpy(zero_copy_only=False))
    young = age < young_hours
    verified = (np.asarray(pc.fill_null(profile.column("verified"), False).to_numpy(
        zero_copy_only=False), dtype=bool) if "verified" in profile.column_names
        else np.zeros(n, dtype=bool))
    named = np.zeros(n, dtype=bool)
    if "org_key" in profile.column_names:
        # A corporate e-mail domain names its holder; an org id does when the organisation
        # has other accounts (providers give every sign-up an organisation of its own).
        key = profile.column("org_key")
        sizes = pc.value_counts(key)
        several = pc.filter(sizes.field("values"),
                            pc.greater_equal(sizes.field("counts"), 2))
        named = np.asarray(pc.fill_null(pc.or_(
            pc.starts_with(key, "domain:"), pc.is_in(key, value_set=several)), False
        ).to_numpy(zero_copy_only=False), dtype=bool)
    placed = np.zeros(n, dtype=bool)
    if places is not None and places.num_rows:
        mates = places.group_by("network").aggregate([("account_id", "count_distinct")])
        shared = mates.filter(pc.greater_equal(mates.column("account_id_count_distinct"), 2))
        at_shared = pc.filter(places.column("account_id"),
                              pc.is_in(places.column("network"),
                                       value_set=shared.column("network")))
        placed = np.asarray(pc.is_in(profile.column("account_id"),
                                     value_set=pc.unique(at_shared)).to_numpy(
                                         zero_copy_only=False), dtype=bool)
    return young & ~verified & ~named & ~placed
