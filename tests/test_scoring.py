"""Account signals, own risk, decisions and reasons on hand-made accounts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from distillguard.config import default_config
from distillguard.detect.profiles import build_profiles
from distillguard.detect.scoring import SIGNALS, account_reasons, decide, score_accounts
from distillguard.schema import EVENT_COLUMNS
from tests.helpers import T0, connection_with_events

CFG = default_config()


def account(name: str, count: int, *, every_s: float, prompt: str, **extra: Any
            ) -> list[dict[str, Any]]:
    return [
        {"account_id": name, "prompt": prompt.format(i=i), "turn": 0,
         "timestamp": T0 + timedelta(seconds=every_s * i), **extra}
        for i in range(count)
    ]


def scored(
    rows: list[dict[str, Any]], available: set[str] | None = None
) -> dict[str, dict[str, float]]:
    con = connection_with_events(rows)
    profile = build_profiles(con, CFG)
    scores = score_accounts(profile, CFG.scoring, available or set(EVENT_COLUMNS))
    ids = profile.column("account_id").to_pylist()
    out: dict[str, dict[str, float]] = {}
    for i, acc in enumerate(ids):
        out[acc] = {name: float(s[i]) for name, s in scores.strengths.items()}
        out[acc]["own_risk"] = float(scores.own_risk[i])
    return out


def test_when_every_prompt_elicits_reasoning_then_cot_signal_is_full() -> None:
    rows = account("harvester", 60, every_s=60, prompt="Problem {i}: show your complete reasoning")
    rows += account("person", 60, every_s=60, prompt="Tell me about city number {i}")
    s = scored(rows)
    assert s["harvester"]["cot_elicitation"] == pytest.approx(1.0)
    assert s["person"]["cot_elicitation"] == 0.0
    assert s["harvester"]["own_risk"] > s["person"]["own_risk"]


def test_when_account_has_few_prompts_then_text_signals_are_damped() -> None:
    rows = account("tiny", 2, every_s=60, prompt="step by step please, case {i}")
    s = scored(rows)
    assert 0 < s["tiny"]["cot_elicitation"] <= 2 / CFG.scoring.signal_params["min_events"]


def test_when_activity_covers_all_hours_then_machine_timing_fires() -> None:
    rows = account("bot", 480, every_s=180, prompt="item {i}")  # 24 h, evenly
    rows += account("human", 480, every_s=20, prompt="item {i}")  # 2.7 h burst
    s = scored(rows)
    assert s["bot"]["machine_timing"] > 0.9
    assert s["human"]["machine_timing"] == 0.0


def test_when_requests_ask_for_long_outputs_and_many_samples_then_harvest_fires() -> None:
    rows = account("h", 30, every_s=60, prompt="q {i}", max_tokens=16000, n=4)
    rows += account("p", 30, every_s=60, prompt="q {i}", max_tokens=512, n=1)
    s = scored(rows)
    assert s["h"]["harvest_parameters"] == pytest.approx(1.0)
    assert s["p"]["harvest_parameters"] == 0.0


def test_harvest_parameters_name_only_the_parameters_the_log_carries() -> None:
    # One account logs max_tokens only (n, logprobs and temperature absent, as in most
    # gateways' logs); the other logs all four. Nothing unknown is printed as "nan%".
    rows = account("bare", 30, every_s=60, prompt="q {i}", max_tokens=16000)
    rows += account("full", 30, every_s=60, prompt="q {i}", max_tokens=16000, n=4,
                    logprobs=True, temperature=0.7)
    con = connection_with_events(rows)
    profile = build_profiles(con, CFG)
    scores = score_accounts(profile, CFG.scoring, set(EVENT_COLUMNS))
    ids = profile.column("account_id").to_pylist()
    reasons = account_reasons(profile, scores)
    text = {ids[i]: next(r.text for r in reasons[i] if r.signal == "harvest_parameters")
            for i in range(len(ids))}
    assert text["bare"].startswith(
        "harvest_parameters: harvesting parameters: long max_tokens 100% (very long 100%) (+")
    assert "nan" not in text["bare"]
    assert text["full"].startswith(
        "harvest_parameters: harvesting parameters: long max_tokens 100% (very long 100%), "
        "n>1 100%, logprobs 100%, 1 temperature (+")


def test_when_one_template_asks_for_reasoning_then_template_reasoning_fires_not_for_batch() -> None:
    rows = account("farm", 40, every_s=60,
                   prompt="Analyse sales table {i} with complete and transparent reasoning")
    rows += account("batch", 40, every_s=60, prompt="Classify the sentiment of review {i}.")
    s = scored(rows)
    assert s["farm"]["template_reasoning"] == pytest.approx(1.0)
    assert s["batch"]["template_reasoning"] == 0.0


def test_when_prompt_column_is_absent_then_text_signals_are_unavailable() -> None:
    rows = account("a", 30, every_s=60, prompt="step by step {i}")
    con = connection_with_events(rows)
    profile = build_profiles(con, CFG)
    scores = score_accounts(profile, CFG.scoring, set(EVENT_COLUMNS) - {"prompt"})
    assert "cot_elicitation" in scores.unavailable
    assert scores.strengths["cot_elicitation"][0] == 0.0
    expected = {n for n, s in SIGNALS.items() if "prompt" in s.needs} | {"shared_intel"}
    assert set(scores.unavailable) == expected


def test_every_signal_is_deterministic_bounded_and_finite() -> None:
    rows = account("a", 50, every_s=30, prompt="step by step {i}", max_tokens=9000)
    rows += account("b", 5, every_s=3000, prompt="hello {i}")
    first, second = scored(rows), scored(rows)
    assert first == second
    for values in first.values():
        assert all(np.isfinite(v) and 0.0 <= v <= 1.0 for v in values.values())


@pytest.mark.parametrize(
    ("risk", "decision"),
    [(0.0, "allow"), (0.29, "allow"), (0.3, "monitor"), (0.6, "review"), (0.85, "block"),
     (1.0, "block")],
)
def test_when_risk_crosses_a_threshold_then_decision_changes(risk: float, decision: str) -> None:
    assert decide(np.array([risk]), CFG.scoring.thresholds)[0] == decision


def test_reasons_are_ordered_by_contribution_and_quote_the_numbers() -> None:
    rows = account("h", 60, every_s=60, prompt="Problem {i}: think step by step",
                   max_tokens=16000)
    con = connection_with_events(rows)
    profile = build_profiles(con, CFG)
    scores = score_accounts(profile, CFG.scoring, set(EVENT_COLUMNS))
    explained = account_reasons(profile, scores)[0]
    reasons = [r.text for r in explained]
    assert reasons[0].startswith("cot_elicitation: chain-of-thought elicitation in 100% of 60")
    contributions = [float(r.rsplit("(+", 1)[1].rstrip(")")) for r in reasons]
    assert contributions == sorted(contributions, reverse=True)
    # The typed record carries what the sentence quotes.
    assert explained[0].signal == "cot_elicitation"
    assert [round(r.contribution or 0.0, 2) for r in explained] == contributions
    assert explained[0].value == pytest.approx(scores.strengths["cot_elicitation"][0])


def test_when_outputs_are_long_request_after_request_then_long_outputs_fires() -> None:
    rows = account("harvester", 40, every_s=60, prompt="q {i}", completion_tokens=2000)
    rows += account("chatter", 40, every_s=60, prompt="q {i}", completion_tokens=300)
    s = scored(rows)
    assert s["harvester"]["long_outputs"] == pytest.approx(1.0)
    assert s["chatter"]["long_outputs"] == 0.0


def test_when_every_request_comes_from_a_new_ip_then_ip_rotation_fires() -> None:
    # A residential proxy pool: a new address in another network for every request.
    rows = [{**r, "ip": f"{60 + i}.51.{i % 200}.{i % 250}"}
            for i, r in enumerate(account("proxy", 30, every_s=60, prompt="q {i}"))]
    rows += [{**r, "ip": "203.0.113.7"} for r in account("home", 30, every_s=60, prompt="q {i}")]
    # A CI or cloud pool: a new address per job, inside two of the provider's networks.
    rows += [{**r, "ip": f"198.51.{i % 2}.{i}"}
             for i, r in enumerate(account("ci", 30, every_s=60, prompt="q {i}"))]
    s = scored(rows)
    assert s["proxy"]["ip_rotation"] == pytest.approx(1.0)
    assert s["home"]["ip_rotation"] == 0.0
    assert s["ci"]["ip_rotation"] == 0.0


def test_when_the_same_questions_come_again_then_repeated_questions_mitigates() -> None:
    # Two evaluation runs of one bounded question set, asking for reasoning each time.
    rows = account("evals", 60, every_s=30, prompt="Q{i} think step by step")
    rows += [{**r, "request_id": f"again{i}", "prompt": f"Q{i} think step by step"}
             for i, r in enumerate(account("evals", 60, every_s=30, prompt="x"))]
    rows += account("harvester", 120, every_s=30, prompt="Q{i} think step by step")
    s = scored(rows)
    assert s["evals"]["repeated_questions"] > 0.6  # half the prompts are repeats
    assert s["harvester"]["repeated_questions"] == 0.0
    assert s["evals"]["own_risk"] < s["harvester"]["own_risk"]


def test_when_one_template_gets_short_answers_then_narrow_batch_mitigates() -> None:
    rows = account("batch", 60, every_s=60, completion_tokens=20,
                   prompt="Classify this ticket into billing or shipping: order {i}")
    words = ["".join(chr(97 + (i // 26**k) % 26) for k in range(3)) for i in range(60)]
    rows += [{**r, "prompt": f"tell me something new about {w}"}
             for w, r in zip(words, account("person", 60, every_s=60, completion_tokens=20,
                                            prompt="x"), strict=True)]
    s = scored(rows)
    assert s["batch"]["narrow_batch"] == pytest.approx(1.0)
    assert s["person"]["narrow_batch"] < 0.5


def test_when_mitigating_evidence_outweighs_then_risk_is_zero_not_negative() -> None:
    rows = account("batch", 60, every_s=60, completion_tokens=10, prompt="Label item: {i}")
    s = scored(rows)
    assert s["batch"]["own_risk"] >= 0.0


def test_when_an_account_jumps_to_a_new_model_within_hours_then_model_pivot_fires() -> None:
    old = account("early", 50, every_s=60, prompt="q {i}", model="m-1")
    rows = [{**r, "request_id": f"o{i}"} for i, r in enumerate(old)]
    rows += [{**r, "request_id": f"n{i}", "timestamp": r["timestamp"] + timedelta(hours=1)}
             for i, r in enumerate(account("early", 50, every_s=60, prompt="q {i}",
                                           model="m-2"))]
    rows += [{**r, "request_id": f"s{i}", "timestamp": r["timestamp"] + timedelta(hours=30)}
             for i, r in enumerate(account("slow", 100, every_s=60, prompt="q {i}",
                                           model="m-2"))]
    s = scored(rows)
    assert s["early"]["model_pivot"] == pytest.approx(1.0)
    assert s["slow"]["model_pivot"] == 0.0


def test_when_requests_come_like_clockwork_then_regular_timing_fires() -> None:
    rows = account("cron", 200, every_s=30, prompt="q {i}")
    rng = np.random.default_rng(3)
    gaps = np.cumsum(rng.exponential(30.0, 200) * rng.choice([0.1, 10.0], 200))
    rows += [{**r, "request_id": f"p{i}", "timestamp": T0 + timedelta(seconds=float(g))}
             for i, (r, g) in enumerate(zip(account("person", 200, every_s=1, prompt="q {i}"),
                                            gaps, strict=True))]
    s = scored(rows)
    assert s["cron"]["regular_timing"] == pytest.approx(1.0)
    assert s["person"]["regular_timing"] == 0.0


def test_when_an_account_sends_a_burst_then_burst_rate_fires() -> None:
    rows = account("burst", 100, every_s=0.5, prompt="q {i}")  # 120 per minute
    rows += account("calm", 100, every_s=30, prompt="q {i}")
    s = scored(rows)
    assert s["burst"]["burst_rate"] == pytest.approx(1.0)
    assert s["calm"]["burst_rate"] == 0.0


def test_when_a_proxy_pool_is_used_every_few_requests_then_ip_rotation_still_fires() -> None:
    # 120 requests, a new address every fourth one (churn 0.25, under ip_churn_min), each
    # in another network: 30 networks in the window, which no person or office reaches.
    rows = [{**r, "ip": f"{60 + i // 4}.51.{i // 4}.9"}
            for i, r in enumerate(account("sticky_proxy", 120, every_s=60, prompt="q {i}"))]
    # A phone user moving between home, office and a carrier: four networks.
    rows += [{**r, "ip": f"100.64.{i % 4}.{i % 7}"}
             for i, r in enumerate(account("roaming", 120, every_s=60, prompt="q {i}"))]
    # Coding-agent CI: a fresh runner address in another /24 each job (30 networks too),
    # inside one cloud provider's two /8 blocks, between sessions from home.
    rows += [{**r, "ip": "203.0.113.7" if i % 2 else f"{20 if i % 4 else 52}.42.{i // 8}.9"}
             for i, r in enumerate(account("ci_runner", 120, every_s=60, prompt="q {i}"))]
    # An operator sending a third of its requests through residential proxies (each in
    # another ISP's block) and the rest from its own server.
    rows += [{**r, "ip": f"{60 + i}.7.{i}.9" if i % 3 == 0 else "45.1.2.3"}
             for i, r in enumerate(account("part_proxy", 120, every_s=60, prompt="q {i}"))]
    s = scored(rows)
    assert s["sticky_proxy"]["ip_rotation"] == pytest.approx(1.0)
    assert s["roaming"]["ip_rotation"] == 0.0
    assert s["ci_runner"]["ip_rotation"] == 0.0
    assert s["part_proxy"]["ip_rotation"] == pytest.approx(1.0)
