"""The investigation UI through FastAPI's TestClient: access control, pages, labels, search.

One small simulated scan per module (300 accounts, 24 h, fixed seed), with hostile text
injected into the events: a prompt with ``<script>`` and ``onerror=``, a model name with
markup, and an account whose id is markup. The real browser test is ``test_ui_browser.py``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from distillguard.cli import app as cli_app
from distillguard.evaluation.evaluate import evaluate
from distillguard.privacy import display_hash
from distillguard.scan import scan
from distillguard.simulate import Scenario, simulate
from distillguard.store.labels import account_labels, connect_workspace, label_history
from distillguard.ui import data
from distillguard.ui.app import UISettings, create_app
from distillguard.ui.security import SESSION_COOKIE
from distillguard.ui.static import plotly_css

READ = "read-token-0123456789abcdef"
LABEL = "label-token-0123456789abcdef"
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
HOSTILE_PROMPT = f"Summarise this: {SCRIPT} and {IMG} step by step"
HOSTILE_MODEL = "model<img src=x onerror=window.__pwned=1>"
HOSTILE_ACCOUNT = "acct\"'><svg onload=window.__pwned=1>"


def build_hostile_scan(root: Path) -> dict[str, Any]:
    """Simulate, inject hostile events, scan; return paths and the ids the tests use."""
    sim = root / "sim"
    simulate(Scenario(accounts=300, hours=24, seed=5), sim)
    events = pq.read_table(sim / "events.parquet")
    labels = pq.read_table(sim / "labels.parquet")
    target = sorted(labels.filter(pc.equal(labels["archetype"], "campaign_reasoning"))
                    ["account_id"].to_pylist())[0]
    template = events.filter(pc.equal(events["account_id"], target)).slice(0, 1).to_pylist()[0]
    latest = pc.max(events["timestamp"]).as_py()
    injected = [
        {**template, "request_id": "hostile-1", "timestamp": latest + timedelta(minutes=1),
         "prompt": HOSTILE_PROMPT, "model": HOSTILE_MODEL},
        *({**template, "request_id": f"hostile-acct-{i}", "account_id": HOSTILE_ACCOUNT,
           "timestamp": latest - timedelta(minutes=i), "payment_fingerprint": None}
          for i in range(3)),
    ]
    events = pa.concat_tables([events, pa.Table.from_pylist(injected, schema=events.schema)])
    pq.write_table(events, sim / "events_hostile.parquet")
    out = root / "scan"
    scan([sim / "events_hostile.parquet"], out, write_report=False)
    campaigns = json.loads((out / "campaigns.json").read_text())
    return {"scan": out, "workspace": out / "workspace.duckdb", "target": target,
            "campaigns": campaigns, "events": events}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return build_hostile_scan(tmp_path_factory.mktemp("ui"))


@pytest.fixture()
def fresh(built: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """A private copy of the scan, for tests that write labels."""
    copy = tmp_path / "scan"
    shutil.copytree(built["scan"], copy)
    return {**built, "scan": copy, "workspace": copy / "workspace.duckdb"}


def client(paths: dict[str, Any], show_pii: bool = False) -> TestClient:
    settings_ = UISettings(workspace=paths["workspace"], scan_dir=paths["scan"], read_token=READ,
                           label_token=LABEL, show_pii=show_pii)
    return TestClient(create_app(settings_))


def bearer(token: str = READ) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def campaign_of(paths: dict[str, Any], account: str) -> dict[str, Any]:
    return next(c for c in paths["campaigns"] if account in c["accounts"])


# --- access ----------------------------------------------------------------------------


def test_when_no_token_then_every_page_is_401_with_the_login_form(built) -> None:
    ui = client(built)
    for url in ("/", "/campaign?id=C0001", "/account?id=x", "/search?q=a", "/labels",
                "/api/labels"):
        response = ui.get(url)
        assert response.status_code == 401, url
        assert response.headers["www-authenticate"] == "Bearer"
        assert 'action="/login"' in response.text
        assert 'id="campaigns"' not in response.text and "acct_" not in response.text
    assert ui.post("/labels", data={"target_kind": "account", "target_id": "x",
                                    "verdict": "confirmed"}).status_code == 401
    assert ui.get("/", headers=bearer("wrong-token")).status_code == 401


def test_every_response_carries_the_security_headers(built) -> None:
    ui = client(built)
    for url, status in (("/", 401), ("/static/ui.js", 200), ("/static/nope", 404),
                        ("/healthz", 200), ("/", 200)):
        headers = bearer() if status == 200 and url == "/" else {}
        response = ui.get(url, headers=headers)
        assert response.status_code == status, url
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "'unsafe-eval'" not in csp and "http" not in csp
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                          "default-src 'none'"):
            assert directive in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


def test_when_a_query_token_is_given_then_a_strict_cookie_session_replaces_it(built) -> None:
    ui = client(built)
    response = ui.get("/accounts?token=" + READ + "&page=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/accounts?page=1"  # the token is gone
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(SESSION_COOKIE + "=") and READ not in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert ui.get("/accounts").status_code == 200  # the cookie now authenticates
    assert ui.get("/logout", follow_redirects=False).status_code == 303
    assert ui.get("/accounts").status_code == 401
    assert ui.get("/?token=nope").status_code == 401


def test_when_logging_in_with_the_form_then_the_name_is_remembered(built) -> None:
    ui = client(built)
    response = ui.post("/login", data={"token": LABEL, "analyst": "Dana"}, follow_redirects=False)
    assert response.status_code == 303
    page = ui.get("/").text
    assert "can label" in page and "Dana" in page
    assert ui.post("/login", data={"token": "bad"}).status_code == 401


# --- pages -----------------------------------------------------------------------------


def test_the_campaign_list_is_ranked_by_risk_with_size_and_capabilities(built) -> None:
    page = client(built).get("/", headers=bearer()).text
    shown = re.findall(r'href="/campaign\?id=(C\d{4})"', page)
    expected = [c["campaign_id"] for c in sorted(built["campaigns"], key=lambda c: -c["risk"])]
    assert shown == expected and shown
    first = built["campaigns"][0]
    assert f"{first['exchanges']:,}" in page
    assert "unlabelled" in page


def test_the_campaign_page_shows_members_hashed_indicators_graph_and_traffic(built) -> None:
    record = campaign_of(built, built["target"])
    page = client(built).get("/campaign", params={"id": record["campaign_id"]},
                             headers=bearer()).text
    for account in record["accounts"]:
        assert str(escape(account)) in page
    members = built["events"].filter(pc.is_in(built["events"]["account_id"],
                                              pa.array(record["accounts"])))
    raw_ips = set(members["ip"].drop_null().to_pylist())
    raw_cards = set(members["payment_fingerprint"].drop_null().to_pylist())
    assert raw_ips and not any(ip in page for ip in raw_ips)
    assert not any(card in page for card in raw_cards)
    assert "pay:" in page or "ip:" in page  # hashed values shown instead
    svg = page[page.index('<svg class="linkage"'):page.index("</svg>")]
    assert svg.count('<circle class="acct') == len(record["accounts"])
    figure = json.loads(re.search(r'<script type="application/json" id="fig-traffic">(.*?)'
                                  r"</script>", page, re.S).group(1))
    assert figure["layout"]["barmode"] == "stack"
    assert sum(sum(trace["y"]) for trace in figure["data"]) == record["exchanges"]
    # The hostile model (first used at the very end) is a pivot line, its name filtered.
    assert any("first used" in note["text"] for note in figure["layout"]["annotations"])
    assert "<img" not in json.dumps(figure)


def test_when_show_pii_then_raw_indicator_values_are_shown(built) -> None:
    record = campaign_of(built, built["target"])
    page = client(built, show_pii=True).get("/campaign", params={"id": record["campaign_id"]},
                                            headers=bearer()).text
    members = built["events"].filter(pc.is_in(built["events"]["account_id"],
                                              pa.array(record["accounts"])))
    assert any(ip in page for ip in set(members["ip"].drop_null().to_pylist()))


def test_the_account_page_escapes_hostile_prompts_and_model_names(built) -> None:
    response = client(built).get("/account", params={"id": built["target"]}, headers=bearer())
    page = response.text
    assert response.status_code == 200
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "<script>window.__pwned" not in page and "<img src=x" not in page
    assert "onerror=&#34;window.__pwned=1&#34;" in page  # the attribute, as text
    assert "model&lt;img src=x onerror=window.__pwned=1&gt;" in page  # the models table


def test_the_account_page_lists_neighbours_and_its_campaign(built) -> None:
    record = campaign_of(built, built["target"])
    page = client(built).get("/account", params={"id": built["target"]}, headers=bearer()).text
    neighbours = page[page.index('id="neighbours"'):]
    peers = [a for a in record["accounts"] if a != built["target"]]
    assert any(peer in neighbours for peer in peers)
    assert "Same campaign" in page


def test_a_hostile_account_id_is_escaped_in_pages_and_links(built) -> None:
    ui = client(built)
    response = ui.get("/account", params={"id": HOSTILE_ACCOUNT}, headers=bearer())
    assert response.status_code == 200
    assert "<svg onload" not in response.text
    assert "&lt;svg onload=window.__pwned=1&gt;" in response.text
    found = ui.get("/search", params={"q": "svg onload"}, headers=bearer()).text
    assert "/account?id=acct%22%27%3E%3Csvg%20onload%3Dwindow.__pwned%3D1%3E" in found


def test_unknown_ids_are_404_pages(built) -> None:
    ui = client(built)
    assert ui.get("/campaign?id=C9999", headers=bearer()).status_code == 404
    assert ui.get("/account?id=nobody", headers=bearer()).status_code == 404


# --- search ----------------------------------------------------------------------------


def test_search_jumps_to_campaigns_and_accounts(built) -> None:
    ui = client(built)
    response = ui.get("/search?q=C0001", headers=bearer(), follow_redirects=False)
    assert response.headers["location"] == "/campaign?id=C0001"
    response = ui.get("/search", params={"q": built["target"]}, headers=bearer(),
                      follow_redirects=False)
    assert response.headers["location"] == f"/account?id={built['target']}"


def test_search_by_hashed_indicator_finds_the_accounts_that_share_it(built) -> None:
    record = campaign_of(built, built["target"])
    members = built["events"].filter(pc.is_in(built["events"]["account_id"],
                                              pa.array(record["accounts"])))
    card = members["payment_fingerprint"].drop_null()[0].as_py()
    holders = set(built["events"].filter(pc.equal(built["events"]["payment_fingerprint"], card))
                  ["account_id"].to_pylist())
    ui = client(built)
    page = ui.get("/search", params={"q": display_hash("payment_fingerprint", card)},
                  headers=bearer()).text
    assert "hashed value" in page
    assert all(h in page for h in holders)
    # Raw personal values are not searchable without --show-pii ...
    raw = ui.get("/search", params={"q": card}, headers=bearer()).text
    assert not any(h in raw for h in holders)
    # ... and are with it.
    assert all(h in client(built, show_pii=True).get("/search", params={"q": card},
                                                     headers=bearer()).text for h in holders)


@settings(max_examples=25)
@given(value=st.text(min_size=0, max_size=40), kind=st.sampled_from(
    ["ip", "ip_prefix", "email", "payment_fingerprint"]))
def test_the_sql_display_hash_equals_the_python_one(value: str, kind: str) -> None:
    ipad, opad = data._hmac_pads()
    con = duckdb.connect()
    sql = f"SELECT {data.display_hash_sql('$value')}"
    digest = con.execute(sql, {"value": value, "ipad": ipad, "opad": opad,
                               "kind_prefix": f"{kind}\x00"}).fetchone()[0]
    assert display_hash(kind, value).split(":", 1)[1] == digest[:12]


def test_the_sql_display_hash_follows_the_configured_key(monkeypatch) -> None:
    monkeypatch.setenv("DISTILLGUARD_PII_KEY", "k" * 100)  # longer than a block: hashed first
    ipad, opad = data._hmac_pads()
    digest = duckdb.connect().execute(
        f"SELECT {data.display_hash_sql('$value')}",
        {"value": "10.0.0.1", "ipad": ipad, "opad": opad, "kind_prefix": "ip\x00"},
    ).fetchone()[0]
    assert display_hash("ip", "10.0.0.1") == f"ip:{digest[:12]}"


# --- labels ----------------------------------------------------------------------------


def label_form(kind: str, target: str, verdict: str, **extra: str) -> dict[str, str]:
    return {"target_kind": kind, "target_id": target, "verdict": verdict, "note": "checked",
            "analyst": "Dana", **extra}


def test_when_the_token_is_read_only_then_labelling_is_403(fresh) -> None:
    ui = client(fresh)
    response = ui.post("/labels", data=label_form("campaign", "C0001", "confirmed"),
                       headers=bearer(READ))
    assert response.status_code == 403
    with connect_workspace(fresh["workspace"], read_only=True) as con:
        assert label_history(con) == []


def test_a_session_needs_the_csrf_token_and_the_same_origin(fresh) -> None:
    ui = client(fresh)
    ui.get("/?token=" + LABEL)
    page = ui.get("/campaign?id=C0001").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    form = label_form("campaign", "C0001", "confirmed")
    assert ui.post("/labels", data=form).status_code == 403  # no CSRF token
    assert ui.post("/labels", data={**form, "csrf": "forged"}).status_code == 403
    assert ui.post("/labels", data={**form, "csrf": csrf},
                   headers={"Origin": "https://evil.example"}).status_code == 403
    response = ui.post("/labels", data={**form, "csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/campaign?id=C0001#label"


def test_when_a_campaign_is_confirmed_then_its_members_are_labelled_and_shown(fresh) -> None:
    ui = client(fresh)
    record = fresh["campaigns"][0]
    response = ui.post("/labels", data=label_form("campaign", record["campaign_id"], "confirm"),
                       headers=bearer(LABEL), follow_redirects=False)
    assert response.status_code == 303
    with connect_workspace(fresh["workspace"], read_only=True) as con:
        labels = account_labels(con, fresh["campaigns"])
    assert sorted(labels["account_id"].to_pylist()) == sorted(record["accounts"])
    assert set(labels["campaign_id"].to_pylist()) == {record["campaign_id"]}
    assert set(labels["analyst"].to_pylist()) == {"Dana"}
    listing = ui.get("/", headers=bearer()).text
    assert 'class="badge confirmed"' in listing and "Dana" in listing
    member = ui.get("/account", params={"id": record["accounts"][0]}, headers=bearer()).text
    assert "through campaign" in member
    assert ui.get("/api/labels", headers=bearer()).json()[0]["verdict"] == "confirmed"


def test_labels_on_unknown_targets_or_bad_verdicts_are_refused(fresh) -> None:
    ui = client(fresh)
    assert ui.post("/labels", data=label_form("campaign", "C9999", "confirmed"),
                   headers=bearer(LABEL)).status_code == 404
    assert ui.post("/labels", data=label_form("account", "nobody", "confirmed"),
                   headers=bearer(LABEL)).status_code == 404
    assert ui.post("/labels", data=label_form("account", fresh["target"], "maybe"),
                   headers=bearer(LABEL)).status_code == 400
    assert ui.post("/labels", data=label_form("org", "x", "confirmed"),
                   headers=bearer(LABEL)).status_code == 400


def test_when_a_scan_holds_the_workspace_then_pages_say_so_with_503(fresh) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('ready', flush=True); time.sleep(60)", str(fresh["workspace"])],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        response = client(fresh).get("/campaign?id=C0001", headers=bearer())
    finally:
        holder.kill()
        holder.wait()
    assert response.status_code == 503
    assert "in use by another process" in response.text


# --- CLI -------------------------------------------------------------------------------


def test_labels_export_feeds_eval_and_list_shows_them(fresh, tmp_path: Path) -> None:
    ui = client(fresh)
    record = fresh["campaigns"][0]
    ui.post("/labels", data=label_form("campaign", record["campaign_id"], "confirmed"),
            headers=bearer(LABEL))
    ui.post("/labels", data=label_form("account", fresh["target"], "dismissed",
                                       note="=HYPERLINK(\"evil\")"), headers=bearer(LABEL))
    runner = CliRunner()
    out = tmp_path / "analyst.parquet"
    result = runner.invoke(cli_app, ["labels", "export", "--workspace", str(fresh["workspace"]),
                                     "--out", str(out)])
    assert result.exit_code == 0, result.output
    result_eval = evaluate(out, fresh["scan"])
    assert result_eval.accounts == len(set(record["accounts"]) | {fresh["target"]})
    csv_out = tmp_path / "analyst.csv"
    assert runner.invoke(cli_app, ["labels", "export", "--workspace", str(fresh["workspace"]),
                                   "--out", str(csv_out)]).exit_code == 0
    assert "'=HYPERLINK" in csv_out.read_text()
    listed = runner.invoke(cli_app, ["labels", "list", "--workspace", str(fresh["workspace"]),
                                     "--json"])
    assert listed.exit_code == 0
    assert {row["target_id"] for row in json.loads(listed.output)} == {
        record["campaign_id"], fresh["target"]}


def test_ui_command_fails_cleanly_without_a_workspace(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["ui", "--workspace", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "no workspace" in result.output


def test_plotly_style_rules_are_served_as_a_file(built) -> None:
    css = plotly_css()
    assert ".js-plotly-plot .plotly .main-svg" in css and "position:absolute" in css
    response = client(built).get("/static/plotly.css")
    assert response.status_code == 200 and response.text == css
    assert client(built).get("/static/plotly.min.js").headers["content-type"].startswith(
        "text/javascript")


def test_a_dismissed_campaign_allowlists_its_members_from_the_ui(fresh) -> None:
    from datetime import UTC, datetime

    from distillguard.store.labels import allowlisted_accounts

    record = fresh["campaigns"][-1]
    client(fresh).post("/labels", data=label_form("campaign", record["campaign_id"], "dismissed"),
                       headers=bearer(LABEL))
    with connect_workspace(fresh["workspace"], read_only=True) as con:
        # No campaigns passed: the members stored with the label expand it.
        assert allowlisted_accounts(con, datetime.now(UTC)) == set(record["accounts"])


def test_a_label_made_on_another_scans_campaign_of_that_id_is_flagged_stale(fresh) -> None:
    from distillguard.store.labels import record_label

    with connect_workspace(fresh["workspace"], read_only=False) as con:
        record_label(con, target_kind="campaign", target_id="C0001", verdict="confirmed",
                     note="", analyst="Dana", members=["someone-else-1", "someone-else-2"])
    ui = client(fresh)
    assert "on an earlier scan's campaign" in ui.get("/", headers=bearer()).text
    assert "whose members differ" in ui.get("/campaign?id=C0001", headers=bearer()).text
