"""Account signals, risk and decisions.

Each signal is a small, named function from the account profile to a strength in 0..1
plus a sentence that explains it with the account's own numbers (the Presidio idea: a
result carries its explanation). Signals register in :data:`SIGNALS`; weights live in
``scoring.weights``.

What distillation is decides how they combine: an account takes value away (harvest:
long answers to new prompts, reasoning elicited, the model used as a grader), and
automation or concealment only make that harvest more suspicious. Own risk is
``1 - exp(-(H × (1 + A + C) + E))`` (:func:`score_accounts`): a cron job is automated
and a VPN user concealed, and neither harvests; a heavy open user harvests, and is
capped until something is hidden (:func:`final_risk`). Each signal's contribution in
``reasons`` is its share of that sum.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa

from distillguard.config import ScoringConfig
from distillguard.detect.rules import TARGET_CAPABILITIES
from distillguard.schema import DECISIONS, Reason

Columns = Mapping[str, np.ndarray]
#: A profile: the batch's Arrow table, or its columns as float64 arrays (the online guard
#: scores a few accounts at a time and skips building a table).
Profile: TypeAlias = "pa.Table | Columns"


def _col(profile: pa.Table, name: str) -> np.ndarray:
    """A profile column as float64 with NaN for nulls."""
    column = profile.column(name)
    if pa.types.is_timestamp(column.type):
        raise TypeError(f"{name} is a timestamp")
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


def _zero_nan(x: np.ndarray) -> np.ndarray:
    """``x`` with NaN as 0 (and ±inf as the largest floats), as ``np.nan_to_num``, which
    costs more than the signal itself on the online guard's few-account batches."""
    if np.isfinite(x).all():
        return x
    return np.nan_to_num(x)


def _ramp(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """0 below ``lo``, 1 above ``hi``, linear between; NaN gives 0."""
    ramped = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    ramped[np.isnan(ramped)] = 0.0
    return ramped


#: What a signal says about distillation (see the module docstring and docs/signals.md):
#: ``harvest`` what the account collects (mitigating ones, with negative weights, what it
#: does not), ``automation`` how operated rather than personal the use looks (scripts,
#: schedules, fresh accounts at volume), ``concealment`` what it hides (addresses rotated
#: per request), ``evidence`` evidence from outside the traffic that stands on its own.
ROLES: tuple[str, ...] = ("harvest", "automation", "concealment", "evidence")


@dataclass(frozen=True)
class Signal:
    """One account signal: what it needs, how strong it is, how to say why."""

    name: str
    needs: tuple[str, ...]  # event columns that must be present somewhere in the input
    reads: tuple[str, ...]  # profile columns ``strength`` and ``explain`` read
    strength: Callable[[Columns, Mapping[str, float]], np.ndarray]
    explain: Callable[[Mapping[str, float]], str]
    description: str
    role: str = "harvest"
    #: Harvest signals: ``volume`` for what was collected (long answers), ``intent`` for
    #: how it was asked (reasoning elicited, grading, parameters). A mitigating signal's
    #: ``part`` is what it takes away from: repeated prompts add no new answers
    #: (``volume``), but do not unsay a request for the chain of thought.
    part: str = "intent"


def _text_confidence(c: Columns, p: Mapping[str, float]) -> np.ndarray:
    return np.clip(_zero_nan(c["prompts"]) / p["min_events"], 0.0, 1.0)


def _event_confidence(c: Columns, p: Mapping[str, float]) -> np.ndarray:
    return np.clip(c["events"] / p["min_events"], 0.0, 1.0)


def novel_harvest_tokens(c: Columns) -> np.ndarray:
    """Tokens of long answers to prompts the account had not sent before (all of them
    where prompts are not logged): the value it took away."""
    repeated = np.nan_to_num(np.asarray(c["repeated_prompt_share"], dtype=np.float64))
    return np.nan_to_num(np.asarray(c["harvest_tokens"], dtype=np.float64)) * (1.0 - repeated)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _harvest_parameters_words(r: Mapping[str, float]) -> str:
    """The request parameters an account set, leaving out those its log does not carry
    (a share is NaN where no request of the account logged that field)."""
    parts = []
    if r["long_max_tokens_share"] == r["long_max_tokens_share"]:
        parts.append(f"long max_tokens {_pct(r['long_max_tokens_share'])} "
                     f"(very long {_pct(r['very_long_max_tokens_share'])})")
    for column, words in (("multi_n_share", "n>1"), ("logprobs_share", "logprobs")):
        if r[column] == r[column]:
            parts.append(f"{words} {_pct(r[column])}")
    temperatures = r["distinct_temperatures"]
    if temperatures == temperatures and temperatures > 0:
        parts.append(f"{temperatures:.0f} temperature{'' if temperatures == 1 else 's'}")
    return "harvesting parameters: " + ", ".join(parts)


SIGNALS: dict[str, Signal] = {}
_TARGETS_IN_WORDS = ", ".join(name.replace("_", " ") for name in TARGET_CAPABILITIES)


def register(signal: Signal) -> Signal:
    SIGNALS[signal.name] = signal
    return signal


register(Signal(
    name="cot_elicitation",
    needs=("prompt",),
    reads=("cot_share", "prompts"),
    strength=lambda c, p: _ramp(c["cot_share"], 0.15, 0.7) * _text_confidence(c, p),
    explain=lambda r: (
        f"chain-of-thought elicitation in {_pct(r['cot_share'])} of {r['prompts']:.0f} prompts"
    ),
    description="Share of prompts asking the model to expose its reasoning (multilingual).",
))
register(Signal(
    name="rubric_grading",
    needs=("prompt",),
    reads=("rubric_share", "prompts"),
    strength=lambda c, p: _ramp(c["rubric_share"], 0.02, 0.2) * _text_confidence(c, p),
    explain=lambda r: f"grading/rubric prompts (model as judge) in {_pct(r['rubric_share'])}",
    description="Share of prompts using the model as a grader or reward model.",
))
register(Signal(
    name="harvest_parameters",
    needs=("max_tokens",),
    reads=("long_max_tokens_share", "very_long_max_tokens_share", "multi_n_share",
           "logprobs_share", "distinct_temperatures", "events"),
    strength=lambda c, p: np.maximum.reduce([
        # Coding tools ask for long outputs too: on its own this is weak evidence.
        p["long_max_tokens_strength"] * _ramp(c["long_max_tokens_share"], 0.2, 0.8),
        p["very_long_max_tokens_strength"] * _ramp(c["very_long_max_tokens_share"], 0.1, 0.4),
        _ramp(c["multi_n_share"], 0.1, 0.5),
        _ramp(c["logprobs_share"], 0.1, 0.5),
        _ramp(c["distinct_temperatures"], 1.0, 4.0),
    ]) * _event_confidence(c, p),
    explain=_harvest_parameters_words,
    description="Requests shaped for collecting training data: long outputs, n>1, "
    "log-probabilities, temperature sweeps.",
))
register(Signal(
    name="long_outputs",
    part="volume",
    needs=("completion_tokens",),
    reads=("long_output_share", "mean_completion_tokens", "events"),
    strength=lambda c, p: _ramp(
        c["long_output_share"], p["long_output_share_min"], p["long_output_share_full"]
    ) * _event_confidence(c, p),
    explain=lambda r: (
        f"long outputs collected: {_pct(r['long_output_share'])} of {r['events']:.0f} "
        f"answers are long, {r['mean_completion_tokens']:.0f} completion tokens on average"
    ),
    description="Long completions, request after request: what a distiller harvests "
    "(reasoning traces, full solutions, agent traces), unlike chat, batch labelling or "
    "evaluation runs.",
))
register(Signal(
    name="harvest_volume",
    part="volume",
    needs=("completion_tokens",),
    reads=("harvest_tokens", "repeated_prompt_share"),
    strength=lambda c, p: _ramp(
        np.log10(np.maximum(novel_harvest_tokens(c), 1.0)),
        np.log10(p["harvest_tokens_min"]), np.log10(p["harvest_tokens_full"]),
    ),
    explain=lambda r: (
        f"harvested {r['harvest_tokens']:,.0f} tokens of long answers"
        + (f" ({_pct(1 - r['repeated_prompt_share'])} to new prompts)"
           if r["repeated_prompt_share"] == r["repeated_prompt_share"] else "")
    ),
    description="How much long-form output the account collected for new prompts: the "
    "value a distiller takes away (repeated prompts add nothing new).",
))
register(Signal(
    name="ip_rotation",
    role="concealment",
    needs=("ip",),
    reads=("ip_churn", "distinct_ips", "distinct_networks", "distinct_blocks", "block_spread",
           "events"),
    # Rotating per request, or over more networks and address blocks in the window than
    # people and servers ever reach (a proxy pool used every few requests, or for some of
    # them beside the operator's servers: CI runners reach dozens of networks too, but in
    # a few of their provider's blocks and unevenly); either way spread over networks.
    strength=lambda c, p: _ramp(c["distinct_networks"] / np.maximum(c["distinct_ips"], 1.0),
                                p["network_spread_min"], p["network_spread_full"])
    * np.maximum(
        _ramp(c["ip_churn"], p["ip_churn_min"], 0.9)
        * _ramp(c["distinct_networks"], 3.0, p["ip_rotation_min_ips"]),
        np.minimum(_ramp(c["distinct_networks"], p["ip_rotation_networks_min"],
                         p["ip_rotation_networks_full"]),
                   np.maximum(_ramp(c["distinct_blocks"], p["ip_rotation_blocks_min"],
                                    p["ip_rotation_blocks_full"]),
                              _ramp(c["block_spread"], p["ip_rotation_block_spread_min"],
                                    p["ip_rotation_block_spread_full"])))),
    explain=lambda r: (
        f"rotating addresses: {r['distinct_ips']:.0f} IPs in {r['distinct_networks']:.0f} "
        f"networks, {r['distinct_blocks']:.0f} address blocks ({r['block_spread']:.1f} "
        f"effective) for {r['events']:.0f} requests ({r['ip_churn']:.2f} per request)"
    ),
    description="A new IP address for almost every request, or dozens of networks in many "
    "address blocks in the window, each address in another network, as rotating residential "
    "proxies give; people and servers keep their addresses for hours, and a CI or cloud pool "
    "rotates within a few of its provider's blocks.",
))
register(Signal(
    name="paced_harvest",
    role="concealment",
    # Without turns anywhere in the log, a conversation cannot be told from a sweep.
    needs=("completion_tokens", "turn"),
    reads=("gap_median", "events", "followup_share", "long_output_share"),
    # Low and slow: long answers collected one question at a time, hours apart, never a
    # conversation, to stay under the volume and rate a harvest would show. People ask in
    # sessions (follow-ups, minutes apart); tools, benchmarks and agents work in runs.
    strength=lambda c, p: _ramp(c["gap_median"], p["paced_gap_min_seconds"],
                                p["paced_gap_full_seconds"])
    * _ramp(c["events"], p["paced_min_events"], 2.0 * p["paced_min_events"])
    * _ramp(1.0 - _zero_nan(c["followup_share"]), 0.8, 0.95)
    * _ramp(c["long_output_share"], p["long_output_share_min"], p["long_output_share_full"]),
    explain=lambda r: (
        f"paced harvest: {_pct(r['long_output_share'])} of {r['events']:.0f} answers are "
        f"long, requests a median {r['gap_median'] / 3600:.1f} h apart, "
        f"{_pct(1.0 - float(np.nan_to_num(r['followup_share'])))} first turns"
    ),
    description="Long answers collected one question at a time, hours apart, never in a "
    "conversation: a harvest spread thin over many accounts to stay under volume and rate "
    "limits (low and slow). People ask in sessions; tools and benchmarks work in runs.",
))
register(Signal(
    name="repeated_questions",
    part="volume",
    needs=("prompt",),
    reads=("repeated_prompt_share", "prompts"),
    strength=lambda c, p: _ramp(c["repeated_prompt_share"], 0.3, 0.6) * _text_confidence(c, p),
    explain=lambda r: (
        f"repeats itself: {_pct(r['repeated_prompt_share'])} of prompts were sent before "
        "(a distiller wants new questions)"
    ),
    description="Mitigating: the same prompts sent again and again (benchmark runs across "
    "models or seeds, retries, regenerations) yield no new training data.",
))
register(Signal(
    name="narrow_batch",
    needs=("prompt", "completion_tokens"),
    reads=("template_reuse", "mean_completion_tokens"),
    strength=lambda c, p: _ramp(c["template_reuse"], 0.5, 0.8)
    * _ramp(-c["mean_completion_tokens"], -2.0 * p["batch_output_tokens_max"],
            -p["batch_output_tokens_max"]),
    explain=lambda r: (
        f"looks like a batch job: {_pct(r['template_reuse'])} of prompts reuse a few "
        f"templates and outputs are short ({r['mean_completion_tokens']:.0f} tokens)"
    ),
    description="Mitigating: a few templates filled from the customer's own data with short "
    "answers (classification, extraction) harvest no broad capability.",
))

register(Signal(
    name="template_reasoning",
    needs=("prompt",),
    reads=("top_template_share", "cot_share", "prompts"),
    strength=lambda c, p: _ramp(c["top_template_share"], 0.2, 0.6)
    * _ramp(c["cot_share"], 0.1, 0.5) * _text_confidence(c, p),
    explain=lambda r: (
        f"one template is {_pct(r['top_template_share'])} of prompts and asks for reasoning"
    ),
    description="A repeated prompt template that asks for reasoning traces (batch jobs repeat "
    "templates too, but do not ask for reasoning).",
))
register(Signal(
    name="machine_timing",
    role="automation",
    needs=(),
    reads=("hour_entropy", "events"),
    strength=lambda c, p: _ramp(c["hour_entropy"], p["hour_entropy_min"], 0.97)
    * _ramp(c["events"], 48.0, 200.0),
    explain=lambda r: (
        f"round-the-clock activity (hour-of-day entropy {r['hour_entropy']:.2f}) "
        f"over {r['events']:.0f} requests"
    ),
    description="Activity spread evenly over all 24 hours, as a script runs; people sleep.",
))
register(Signal(
    name="high_volume",
    role="automation",
    needs=(),
    reads=("events",),
    strength=lambda c, p: _ramp(
        np.log(np.maximum(c["events"], 1.0) / max(float(np.nanmedian(c["events"])), 1.0)),
        np.log(2.0), np.log(p["volume_ratio_full"] * 4),
    ),
    explain=lambda r: f"high volume: {r['events']:.0f} requests",
    description="Requests far above the population's median account.",
))
register(Signal(
    name="capability_focus",
    needs=("prompt",),
    reads=("target_capability_share", "prompts"),
    strength=lambda c, p: _ramp(c["target_capability_share"], p["focus_share_min"], 0.95)
    * _text_confidence(c, p),
    explain=lambda r: (
        f"{_pct(r['target_capability_share'])} of prompts in targeted capabilities "
        f"({_TARGETS_IN_WORDS})"
    ),
    description="Traffic concentrated on the capabilities distillers target.",
))
register(Signal(
    name="fresh_account",
    role="automation",
    needs=("account_created_at",),
    reads=("account_age_hours", "events"),
    strength=lambda c, p: _ramp(-c["account_age_hours"], -p["fresh_account_hours"], 0.0)
    * _event_confidence(c, p),
    explain=lambda r: f"account first used {r['account_age_hours']:.0f} h after creation",
    description="Heavy use starting right after the account was created.",
))
register(Signal(
    name="single_shot",
    role="automation",
    needs=("turn",),
    reads=("followup_share", "events"),
    strength=lambda c, p: _ramp(1.0 - c["followup_share"], 0.9, 1.0)
    * _ramp(c["events"], 20.0, 100.0),
    explain=lambda r: (
        f"no conversations: {_pct(1.0 - r['followup_share'])} of requests are first turns"
    ),
    description="Only single-shot requests, no follow-ups, at volume.",
))

register(Signal(
    name="regular_timing",
    role="automation",
    needs=(),
    reads=("gap_cv", "events"),
    strength=lambda c, p: _ramp(-c["gap_cv"], -p["regular_cv_max"], -0.2)
    * _ramp(c["events"], 50.0, 200.0),
    explain=lambda r: (
        f"clockwork timing: inter-arrival coefficient of variation {r['gap_cv']:.2f} over "
        f"{r['events']:.0f} requests (people are bursty, well above 1)"
    ),
    description="Requests at near-constant intervals, as a scheduler sends them.",
))
register(Signal(
    name="burst_rate",
    role="automation",
    needs=(),
    reads=("max_per_minute",),
    strength=lambda c, p: _ramp(c["max_per_minute"], p["burst_per_minute"],
                                4.0 * p["burst_per_minute"]),
    explain=lambda r: f"bursts of up to {r['max_per_minute']:.0f} requests in one minute",
    description="Peaks no person types at; weak on its own (batch jobs and evaluation "
    "runs burst too), so its weight is small.",
))
register(Signal(
    name="model_pivot",
    role="automation",
    needs=("model",),
    reads=("new_model_hours", "events"),
    strength=lambda c, p: _ramp(-c["new_model_hours"], -p["pivot_hours"], -1.0)
    * _ramp(c["events"], 20.0, 100.0),
    explain=lambda r: (
        f"moved to the newest model {r['new_model_hours']:.1f} h after its release"
    ),
    description="Switching to a newly released model within hours, at volume: harvesters "
    "want the newest capabilities first (evaluation runs do too, hence a small weight).",
))
register(Signal(
    name="shared_intel",
    role="evidence",
    needs=("shared_intel",),
    reads=("intel_strength", "intel_matches"),
    strength=lambda c, p: np.clip(c["intel_strength"], 0.0, 1.0),
    explain=lambda r: (
        f"matches {r['intel_matches']:.0f} indicators other providers shared "
        "(STIX intel import; sources in the evidence)"
    ),
    description="The account uses infrastructure, payment or templates that another provider "
    "reported in a shared campaign (confidence-weighted).",
))

#: Profile columns the signals read (each signal declares its own).
#: Business-context columns the combination reads (``score_accounts``), not a signal.
CONTEXT_READS: tuple[str, ...] = ("declared", "contracted")
PROFILE_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys([*(column for signal in SIGNALS.values() for column in signal.reads),
                   *CONTEXT_READS])
)
#: Columns joined from outside the traffic; zero when a profile lacks them: shared intel,
#: and the business context of a customer table (1 where a verified customer declared
#: its automated use, or a contract covers it).
OUTSIDE_COLUMNS: tuple[str, ...] = ("intel_strength", "intel_matches", *CONTEXT_READS)


def _rows(profile: Profile) -> int:
    if isinstance(profile, pa.Table):
        return profile.num_rows
    return len(profile["events"])


def _profile_columns(profile: Profile) -> dict[str, np.ndarray]:
    if not isinstance(profile, pa.Table):
        rows = _rows(profile)
        return {name: np.asarray(profile[name], dtype=np.float64)
                if name in profile or name not in OUTSIDE_COLUMNS else np.zeros(rows)
                for name in PROFILE_COLUMNS}
    present = set(profile.column_names)
    return {
        name: _col(profile, name) if name in present or name not in OUTSIDE_COLUMNS
        else np.zeros(profile.num_rows)
        for name in PROFILE_COLUMNS
    }


@dataclass(frozen=True)
class AccountScores:
    """Signal strengths, contributions and own risk for every account of a profile.

    ``harvest`` is the summed harvest evidence (mitigations subtracted, not below 0),
    ``amplifier`` the factor automation and concealment multiply it by (1 = none),
    ``concealment`` the strongest concealment signal, ``evidence`` the strongest
    evidence from outside the traffic (shared intel), both strengths in 0..1.
    """

    strengths: dict[str, np.ndarray]
    contributions: dict[str, np.ndarray]
    own_risk: np.ndarray
    unavailable: tuple[str, ...]
    harvest: np.ndarray
    amplifier: np.ndarray
    concealment: np.ndarray
    evidence: np.ndarray


def score_accounts(
    profile: Profile, config: ScoringConfig, available_columns: set[str]
) -> AccountScores:
    """Strength of every signal for every account, and the account's own risk.

    Own risk is ``1 - exp(-(H × (1 + A + C) + E))``: the harvest evidence ``H`` (what
    the account collects, minus what says it collects nothing new), multiplied by how
    automated (``A``) and how concealed (``C``) the collecting is, plus evidence from
    outside the traffic (``E``). Automation and concealment alone add nothing: a cron job
    is automated, a VPN user concealed, and neither harvests. Business context
    (``declared``/``contracted`` columns, from a customer table) takes out the automation
    a verified customer declared, and most of the harvest a contract covers.

    Parameters
    ----------
    profile:
        One row per account (:func:`distillguard.detect.profiles.build_profiles`), or its
        columns as float64 arrays (NaN for null).
    config:
        The ``scoring`` section (weights and signal parameters).
    available_columns:
        Event columns with at least one non-null value; signals that need a missing
        column are reported unavailable and contribute nothing.
    """
    columns = _profile_columns(profile)
    rows = _rows(profile)
    strengths: dict[str, np.ndarray] = {}
    raw: dict[str, np.ndarray] = {}
    unavailable: list[str] = []
    by_role = {role: np.zeros(rows) for role in ROLES}
    concealment = np.zeros(rows)
    declared = np.clip(_zero_nan(columns["declared"]), 0.0, 1.0)
    contracted = np.clip(_zero_nan(columns["contracted"]), 0.0, 1.0)
    covered = 1.0 - contracted * (1.0 - float(config.signal_params["contract_harvest_factor"]))
    volume = np.zeros(rows)
    outside = np.zeros(rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, signal in SIGNALS.items():
            if any(col not in available_columns for col in signal.needs):
                unavailable.append(name)
                strength = np.zeros(rows)
            else:
                strength = _zero_nan(signal.strength(columns, config.signal_params))
            strengths[name] = strength
            weighted = config.weights.get(name, 0.0) * strength
            if signal.role == "automation":
                weighted = weighted * (1.0 - declared)
            elif signal.role == "harvest" and weighted.any():
                weighted = np.where(weighted > 0, weighted * covered, weighted)
            raw[name] = weighted
            if signal.role == "harvest" and signal.part == "volume":
                volume += weighted
            else:
                by_role[signal.role] += weighted
            if signal.role == "concealment":
                concealment = np.maximum(concealment, strength)
            elif signal.role == "evidence":
                outside = np.maximum(outside, strength)
    # What the volume mitigations take away stops at the volume itself.
    by_role["harvest"] += np.maximum(volume, 0.0)
    harvest = np.maximum(by_role["harvest"], 0.0)
    amplifier = 1.0 + np.maximum(by_role["automation"] + by_role["concealment"], 0.0)
    evidence = np.maximum(by_role["evidence"], 0.0)
    contributions = {
        name: raw[name] * (amplifier if SIGNALS[name].role == "harvest" else
                           harvest if SIGNALS[name].role in ("automation", "concealment")
                           else 1.0)
        for name in SIGNALS
    }
    own_risk = 1.0 - np.exp(-(harvest * amplifier + evidence))
    return AccountScores(strengths, contributions, own_risk, tuple(unavailable),
                         harvest, amplifier, concealment, outside)


def decide(risk: np.ndarray | float, thresholds: Mapping[str, float]) -> Any:
    """Map risk to ``allow``/``monitor``/``review``/``block`` by the configured thresholds.

    An array of risks gives an object array of decisions; one risk (the online guard's)
    gives one decision.
    """
    bins = np.array([thresholds["monitor"], thresholds["review"], thresholds["block"]])
    return np.asarray(DECISIONS, dtype=object)[np.searchsorted(bins, risk, side="right")]


def final_risk(
    own: np.ndarray | float, campaign_risk: np.ndarray | float, member: np.ndarray | bool,
    config: ScoringConfig, *, open_lone: np.ndarray | bool = False,
) -> np.ndarray:
    """An account's risk from its own and its campaign's.

    An account that conceals nothing (``open_lone``: no concealment signal, no outside
    evidence) keeps at most ``lone_open_max_risk`` of its own: one account harvesting
    openly under its own name (a coding agent, a data vendor, an evaluation run) is a
    customer to talk to before it is a campaign. Campaign members then move
    ``campaign_blend`` of the way up to their campaign's risk (a campaign is decided as
    one); accounts outside any campaign keep ``lone_account_factor`` of theirs. Arrays
    (the batch scan) or one account's numbers (the online guard) alike.
    """
    own = np.where(open_lone, np.minimum(own, config.lone_open_max_risk), own)
    lift = np.maximum(np.subtract(campaign_risk, own), 0.0)
    risk = np.where(member, np.add(own, config.campaign_blend * lift),
                    np.multiply(own, config.lone_account_factor))
    return np.clip(risk, 0.0, 1.0)


def open_lone_accounts(
    scores: AccountScores, config: ScoringConfig, declared_use: np.ndarray | None = None
) -> np.ndarray:
    """Accounts that hide nothing: no concealment signal and no outside evidence at
    ``lone_concealment_min`` (a weak intel match on a common client does not count). A
    customer whose record states a use under which harvesting means someone else is
    (``scoring.harvest_review_uses``: a reseller's traffic is its customers'), verified
    or not, is not capped: that is for its account manager to review."""
    floor = config.lone_concealment_min
    hidden_nothing = (scores.concealment < floor) & (scores.evidence < floor)
    if declared_use is None:
        return hidden_nothing
    passed_on = np.isin(declared_use.astype(str), list(config.harvest_review_uses))
    return hidden_nothing & ~passed_on


def campaign_reason(
    campaign_id: str, risk: float, accounts: int | None = None, head: str | None = None
) -> Reason:
    """The reason an account gives for its campaign: which, how large, how risky, and
    (when known) the campaign's strongest reason."""
    size = "linked accounts" if accounts is None else f"{accounts} linked accounts"
    text = f"campaign {campaign_id}: {size}, campaign risk {risk:.2f}"
    return Reason("campaign", text if head is None else f"{text}; {head}", value=risk)


#: A signal contributing less than this (either way) is left out of an account's reasons.
REASON_MIN_CONTRIBUTION = 0.05


def account_reasons(
    profile: Profile, scores: AccountScores, *,
    min_contribution: float = REASON_MIN_CONTRIBUTION,
) -> list[list[Reason]]:
    """Per account, the signals that fired, strongest first, with the account's numbers.

    Each is a :class:`~distillguard.schema.Reason`: the signal, its strength, its
    contribution to own risk, and the sentence (``name: words (+0.42)``).
    """
    names = list(SIGNALS)
    strengths = [scores.strengths[n] for n in names]
    matrix = np.column_stack([scores.contributions[n] for n in names])
    order = np.argsort(-matrix, axis=1, kind="stable")
    rows = _profile_columns(profile)
    reasons: list[list[Reason]] = []
    for i in range(_rows(profile)):  # per account, not per event
        fired = [j for j in order[i] if matrix[i, j] >= min_contribution]
        # Mitigating evidence is shown only where there was something to mitigate.
        mitigating = [j for j in order[i][::-1] if matrix[i, j] <= -min_contribution]
        if not fired:
            reasons.append([])
            continue
        values = {k: float(v[i]) for k, v in rows.items()}
        reasons.append([
            Reason(names[j], f"{names[j]}: {SIGNALS[names[j]].explain(values)} "
                   f"({matrix[i, j]:+.2f})",
                   value=float(strengths[j][i]), contribution=float(matrix[i, j]))
            for j in fired + mitigating
        ])
    return reasons
