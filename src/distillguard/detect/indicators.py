"""The indicator kinds: one catalogue for linkage, campaigns, the online guard, intel and the UI.

An indicator is a value accounts can share: a payment fingerprint, an address or its
network, a client fingerprint, an e-mail or its shape, a system prompt, a prompt
template, a sign-up half hour. Each kind is declared once here, with everything any
stage needs to know about it; each stage reads the view it needs:

- linkage (:mod:`~distillguard.detect.linkage`): the kinds it links on, the SQL reading
  each value, which kinds are read in one pass, which weigh as if unique when held by
  suspicious accounts only, which an organisation may share;
- campaigns (:mod:`~distillguard.detect.campaigns`): the group signal each kind evidences;
- the online guard (:mod:`distillguard.online.linking`): how each kind is read from one
  event, and which kinds and group signals it cannot compute;
- intel (:mod:`distillguard.intel.kinds`): the kinds exchanged, the stored column they are
  read from, their evidence families;
- the UI (:mod:`distillguard.ui.data`): the SQL of every kind's value.
"""

from __future__ import annotations

from dataclasses import dataclass

from distillguard.detect.rules import MIN_TEMPLATE_CHARS


@dataclass(frozen=True)
class IndicatorKind:
    """One kind of shared value, and how each stage reads it."""

    name: str
    #: The stored events column holding the value (an event or feature column).
    column: str
    #: SQL over events giving the value linkage compares (and the UI shows).
    sql: str
    #: How the online guard reads it from one event: ``event`` (the field), ``feature``
    #: (the derived feature), ``md5`` (an MD5 of the field), ``template`` (a skeleton the
    #: account sent often enough), or None (not computed online).
    online: str | None
    #: The group signal of campaigns that a link of this kind evidences, if any.
    group_signal: str | None = None
    #: Linkage reads it from the distinct values of this group of columns (one pass per
    #: group); None: not read that way (a template has its own query, e-mails do not link).
    read_group: str | None = None
    #: Whether linkage may link accounts on it (``linkage.indicators`` weighs it).
    linked: bool = True
    #: Whether intel exchanges it (``intel export`` / ``import``).
    shared: bool = True
    #: Intel's evidence family: kinds describing one thing count once, by the strongest.
    family: str | None = None
    #: Held (nearly) only by suspicious accounts, a value weighs as if unique.
    seed_exclusive: bool = False
    #: Accounts of one declared organisation may share it legitimately.
    org_shared: bool = False
    #: A further SQL condition a value must meet (on ``column``).
    condition: str | None = None
    #: Whether its cohort can make a core hub (:mod:`~distillguard.detect.cohorts`). An
    #: e-mail shape can at its own domain (a hydra's ``a.a9999@`` at its catch-all
    #: domain), never at a public provider (``linkage.link_accounts``).
    cohort: bool = True
    #: Whether its holders having registered together counts as concealment when they are
    #: spread over many networks (:mod:`~distillguard.detect.cohorts`): one uncommon piece
    #: of software registering hundreds of accounts and driving them from everywhere is an
    #: operator's bot; people registering together at one place (a class, a hackathon)
    #: share that place's network.
    burst_conceals: bool = False
    #: Whether it does so for the share of its holders strongly suspicious on their own:
    #: an operator's configuration (a system prompt, a template) is also a hackathon's
    #: starter kit, whose people registered together and harvest nothing one by one.
    harvest_burst_conceals: bool = False
    #: Whether its holders count as concealing when nearly all of them harvest strongly
    #: and each sits alone on its own address in it (:mod:`~distillguard.detect.cohorts`):
    #: strangers' accounts on one rented block, a machine each, is one operator's rack;
    #: a class, an office or a venue shares one address behind NAT.
    rack: bool = False
    #: Whether its holders count as concealing when they are in two or more countries
    #: and not one organisation (:mod:`~distillguard.detect.cohorts`): a payment card is
    #: issued to one customer in one country; strangers paying with it from several
    #: countries are one payer's accounts presented as unrelated customers. A household
    #: or a freelancer's clients share a card in one country; a company's staff abroad
    #: belong to its organisation.
    border: bool = False
    #: Whether a value shared by more accounts weighs less (``log(N/k) / log(N)``): a
    #: payment instrument shared across accounts that are not one organisation says the
    #: same at 3 accounts as at 300.
    rarity: bool = True


#: Every kind, in the order linkage, intel and the UI list them.
INDICATOR_KINDS: tuple[IndicatorKind, ...] = (
    IndicatorKind("payment_fingerprint", "payment_fingerprint", "payment_fingerprint",
                  "event", "shared_payment", "account_values", family="payment",
                  org_shared=True, rarity=False, border=True),
    IndicatorKind("ip", "ip", "ip", "event", "shared_network", "network_values",
                  family="network", org_shared=True),
    IndicatorKind("ip_prefix", "ip_prefix", "ip_prefix", "feature", "shared_network",
                  "network_values", family="network", org_shared=True, rack=True),
    IndicatorKind("tls_fingerprint", "tls_fingerprint", "tls_fingerprint", "event",
                  "shared_network", "account_values", family="client", burst_conceals=True),
    IndicatorKind("user_agent", "user_agent", "user_agent", "event", None, "account_values",
                  family="client", seed_exclusive=True, burst_conceals=True),
    IndicatorKind("email", "email", "email", None, linked=False, family="email"),
    IndicatorKind("email_pattern", "email_pattern", "email_pattern", "feature", None,
                  "account_values", family="email", org_shared=True),
    IndicatorKind("system_prompt", "system_prompt", "md5(system_prompt)", "md5",
                  "shared_template", "account_values", family="system_prompt",
                  seed_exclusive=True, harvest_burst_conceals=True),
    # The half hour the account was registered in, readable in evidence ("... 10:30:00").
    IndicatorKind(
        "signup_window", "account_created_at",
        "CAST(to_timestamp(floor(epoch(account_created_at) / 1800) * 1800) AS TIMESTAMP)",
        None, "signup_burst", "account_values", shared=False,
    ),
    IndicatorKind("template", "skeleton", "skeleton", "template", "shared_template",
                  family="template", seed_exclusive=True, harvest_burst_conceals=True,
                  condition=f"length(skeleton) >= {MIN_TEMPLATE_CHARS}"),
)
KIND: dict[str, IndicatorKind] = {kind.name: kind for kind in INDICATOR_KINDS}

#: The link kind of lockstep timing: accounts active together, not a shared value.
LOCKSTEP = "lockstep"
#: Group signals of a campaign, in the order its records list them, with the words its
#: reasons use ("12 of 40 accounts share payment fingerprints").
GROUP_SIGNALS: dict[str, str] = {
    "shared_payment": "share payment fingerprints",
    "shared_network": "share rare IPs, networks or TLS fingerprints",
    LOCKSTEP: "move in lockstep (synchronised timing)",
    "shared_template": "send the same prompt templates or system prompts",
    "signup_burst": "were registered in the same half hour as another member",
}


def group_signal_kinds() -> dict[str, tuple[str, ...]]:
    """Each group signal and the link kinds that evidence it."""
    return {
        signal: (LOCKSTEP,) if signal == LOCKSTEP else tuple(
            kind.name for kind in INDICATOR_KINDS if kind.group_signal == signal
        )
        for signal in GROUP_SIGNALS
    }


def kinds_where(**wanted: object) -> tuple[str, ...]:
    """Names of the kinds whose fields have the given values, in catalogue order."""
    return tuple(
        kind.name for kind in INDICATOR_KINDS
        if all(getattr(kind, field) == value for field, value in wanted.items())
    )


#: Kinds whose values, when held almost only by suspicious accounts, weigh as if unique.
SEED_EXCLUSIVE_KINDS: tuple[str, ...] = kinds_where(seed_exclusive=True)
#: Kinds whose weight does not fall with the number of accounts sharing a value.
FLAT_KINDS: tuple[str, ...] = kinds_where(rarity=False)
#: Kinds whose cohorts can make core hubs.
COHORT_KINDS: tuple[str, ...] = kinds_where(cohort=True)
#: Kinds whose cohorts conceal when registered together and spread over networks.
BURST_CONCEALS_KINDS: tuple[str, ...] = kinds_where(burst_conceals=True)
#: Kinds whose cohorts conceal so for the share of their holders that harvest strongly.
HARVEST_BURST_KINDS: tuple[str, ...] = kinds_where(harvest_burst_conceals=True)
#: Kinds whose cohorts conceal when their holders are a rack of lone harvesting machines.
RACK_KINDS: tuple[str, ...] = kinds_where(rack=True)
#: Kinds whose cohorts conceal when their holders are strangers in several countries.
BORDER_KINDS: tuple[str, ...] = kinds_where(border=True)
#: Kinds a declared organisation legitimately shares among its accounts.
ORG_SHARED_KINDS: tuple[str, ...] = kinds_where(org_shared=True)
#: Kinds that are where an account connects from (an address, its network): an account
#: rotating through residential proxies shares them with strangers.
ADDRESS_KINDS: tuple[str, ...] = kinds_where(family="network")
