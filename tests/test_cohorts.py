"""Cohorts: who holds a shared value, against the population (detect/cohorts.py)."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from distillguard.detect.cohorts import CohortSettings, cohort_anomalies


def _population() -> tuple[pa.Table, list[tuple[str, str, str]]]:
    """300 ordinary accounts (own network, a common browser stack, registered apart), a
    60-account bot registered in three bursts on one uncommon client stack from 60
    networks, and a 60-student class registered in three bursts on its school's client
    stack from the school's one network."""
    rows: list[dict[str, object]] = []
    indicators: list[tuple[str, str, str]] = []

    def add(account: str, window: int, network: str, client: str) -> None:
        rows.append({"account_id": account, "created_window": window, "fresh": False,
                     "churn": 0.05, "harvest": 0.1, "org_key": None})
        indicators.extend([(account, "ip_prefix", network), (account, "tls_fingerprint", client)])

    for i in range(300):
        add(f"user-{i:03d}", 1000 + i, f"home-{i}", "browser")
    for i in range(60):
        add(f"bot-{i:02d}", 5000 + i % 3, f"residential-{i}", "odd-stack")
    for i in range(60):
        add(f"student-{i:02d}", 6000 + i % 3, "school", "school-stack")
    return pa.Table.from_pylist(rows), indicators


@pytest.fixture(scope="module")
def cohorts() -> dict[str, dict[str, float]]:
    accounts, indicators = _population()
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE account_indicators (account_id VARCHAR, kind VARCHAR, "
                "value VARCHAR)")
    con.executemany("INSERT INTO account_indicators VALUES (?, ?, ?)", indicators)
    table = cohort_anomalies(con, accounts, CohortSettings())
    return {f"{row['kind']}:{row['value']}": row for row in table.to_pylist()}


def test_the_bot_registered_in_bursts_is_anomalous_the_class_and_common_client_are_not(
        cohorts: dict[str, dict[str, float]]) -> None:
    assert cohorts["tls_fingerprint:odd-stack"]["anomaly"] >= 0.5
    # Both registered in bursts, but the class did so at one place: an event, and its
    # burst counts only for the share of members not there together.
    school = cohorts["tls_fingerprint:school-stack"]
    assert school["burst"] == 1.0 and school["anomaly"] == 0.0
    assert cohorts["tls_fingerprint:browser"]["anomaly"] == 0.0


def test_a_client_stack_registered_together_from_everywhere_conceals(
        cohorts: dict[str, dict[str, float]]) -> None:
    bot = cohorts["tls_fingerprint:odd-stack"]
    assert bot["colocated"] == 0.0  # each alone on its network: no place of the cohort's
    assert bot["concealment"] >= 0.9


def test_a_class_registered_together_at_one_place_hides_nothing(
        cohorts: dict[str, dict[str, float]]) -> None:
    school = cohorts["tls_fingerprint:school-stack"]
    assert school["colocated"] == pytest.approx(1.0)
    assert school["concealment"] == pytest.approx(0.0)
    # The school's network is a place, not a client: registering together there is not
    # concealment either.
    assert cohorts["ip_prefix:school"]["concealment"] == pytest.approx(0.0)


# ---- spoofed clients ---------------------------------------------------------------------

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/133.0 Safari/537.36"
RARE_BROWSER = "Mozilla/5.0 (X11; Linux) Gecko/20100101 Rarefox/1.0"


def _spoofing_population() -> tuple[pa.Table, list[tuple[str, str, str]]]:
    """280 people on Chrome with Chrome's TLS handshake; 50 developers whose Python client
    sends its own user agent; 20 aged accounts, registered apart, each on its own home
    network, sending Chrome's user agent over the Python client's handshake with one
    system prompt; a developer who also uses Chrome; 5 users of a rare browser whose
    handshake nobody else shows."""
    rows: list[dict[str, object]] = []
    indicators: list[tuple[str, str, str]] = []

    def add(account: str, window: int, values: list[tuple[str, str]]) -> None:
        rows.append({"account_id": account, "created_window": window, "fresh": False,
                     "churn": 0.02, "harvest": 0.1, "org_key": None})
        indicators.extend((account, kind, value) for kind, value in values)

    for i in range(280):
        add(f"person-{i:03d}", 1000 + i, [("user_agent", CHROME), ("tls_fingerprint", "chrome"),
                                          ("ip_prefix", f"home-{i}")])
    for i in range(50):
        add(f"dev-{i:02d}", 2000 + i, [("user_agent", "python-httpx/0.27"),
                                       ("tls_fingerprint", "python"), ("ip_prefix", f"office-{i}")])
    for i in range(20):
        add(f"aged-{i:02d}", 3000 + 7 * i, [("user_agent", CHROME), ("tls_fingerprint", "python"),
                                            ("ip_prefix", f"flat-{i}"), ("system_prompt", "sp")])
    add("dev-browser", 4000, [("user_agent", CHROME), ("user_agent", "python-httpx/0.27"),
                              ("tls_fingerprint", "chrome"), ("tls_fingerprint", "python"),
                              ("ip_prefix", "office-x")])
    for i in range(5):
        add(f"rare-{i}", 5000 + i, [("user_agent", RARE_BROWSER), ("tls_fingerprint", "rare"),
                                    ("ip_prefix", f"rare-{i}")])
    return pa.Table.from_pylist(rows), indicators


@pytest.fixture(scope="module")
def spoofing() -> tuple[dict[str, bool], dict[str, dict[str, float]]]:
    accounts, indicators = _spoofing_population()
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE account_indicators (account_id VARCHAR, kind VARCHAR, "
                "value VARCHAR)")
    con.executemany("INSERT INTO account_indicators VALUES (?, ?, ?)", indicators)
    table = cohort_anomalies(con, accounts, CohortSettings())
    spoofed = dict(con.execute("SELECT account_id, spoofed FROM client_spoofing").fetchall())
    return spoofed, {f"{row['kind']}:{row['value']}": row for row in table.to_pylist()}


def test_a_browser_user_agent_over_another_clients_handshake_is_spoofed(
        spoofing: tuple[dict[str, bool], dict[str, dict[str, float]]]) -> None:
    spoofed, _ = spoofing
    assert all(spoofed[f"aged-{i:02d}"] for i in range(20))
    assert not any(spoofed[f"person-{i:03d}"] for i in range(280))
    # Scripts that say what they are are not checked; an account with a real browser
    # beside its script has its true pair; a browser too rare to know is left alone.
    assert not any(spoofed.get(f"dev-{i:02d}", False) for i in range(50))
    assert spoofed["dev-browser"] is False
    assert not any(spoofed[f"rare-{i}"] for i in range(5))


def test_aged_strangers_sharing_a_spoofed_client_conceal(
        spoofing: tuple[dict[str, bool], dict[str, dict[str, float]]]) -> None:
    _, cohorts = spoofing
    prompt = cohorts["system_prompt:sp"]
    # Nothing else sets them apart: registered apart, not fresh, not rotating.
    assert prompt["burst_excess"] == 0.0 and prompt["churn_excess"] == 0.0
    assert prompt["spoof"] == 1.0 and prompt["purity"] == 1.0
    assert prompt["concealment"] >= 0.9 and prompt["anomaly"] >= 0.5
    # The Python client's cohort is mostly honest developers: not pure enough for a hub,
    # and the Chrome user agent's cohort is mostly people.
    assert cohorts["tls_fingerprint:python"]["purity"] < 0.95
    assert cohorts["user_agent:" + CHROME]["anomaly"] < 0.5


# ---- borrowed stacks ----------------------------------------------------------------------


def _borrowed_population() -> tuple[pa.Table, list[tuple[str, str, str]]]:
    """Honest clients, each over its runtime's stack: people on Chrome, an editor
    (Electron) over Chrome's stack, a Python SDK and ``python-requests`` over Python's, a
    Node CLI and ``axios`` over Node's; Windows developers whose Python has another
    OpenSSL (a second stack for two Python clients). And a hydra of 300 aged accounts,
    registered apart, each at its own home, whose one client sends the SDK's, the CLI's
    and the editor's user agents (more of the editor's senders than its real users) over
    a stack it took from Go, whose two honest users send Go's own user agent."""
    rows: list[dict[str, object]] = []
    indicators: list[tuple[str, str, str]] = []

    def add(account: str, values: list[tuple[str, str]]) -> None:
        rows.append({"account_id": account, "created_window": 1000 + len(rows), "fresh": False,
                     "churn": 0.02, "harvest": 0.1, "org_key": None})
        indicators.extend((account, kind, value) for kind, value in values)
        indicators.append((account, "ip_prefix", f"home-{len(rows)}"))

    clients = [("person", CHROME, "chrome", 200), ("editor", "Cursor/0.46.8", "chrome", 30),
               ("sdk", "acme-python/1.8.2", "python", 100),
               ("requests", "python-requests/2.32", "python", 50),
               ("cli", "acme-code/2.1 (node/22)", "node", 60), ("axios", "axios/1.7.9", "node", 40),
               ("windows-sdk", "acme-python/1.8.2", "python-windows", 30),
               ("windows-requests", "python-requests/2.32", "python-windows", 40),
               ("hydra-sdk", "acme-python/1.8.2", "odd", 100),
               ("hydra-cli", "acme-code/2.1 (node/22)", "odd", 80),
               ("hydra-editor", "Cursor/0.46.8", "odd", 120),
               ("gopher", "Go-http-client/2.0", "odd", 2)]
    for name, agent, stack, count in clients:
        for i in range(count):
            add(f"{name}-{i:03d}", [("user_agent", agent), ("tls_fingerprint", stack)])
    return pa.Table.from_pylist(rows), indicators


def _spoofed(indicators: list[tuple[str, str, str]], clients: list[tuple[str, str, str]],
             accounts: pa.Table) -> dict[str, bool]:
    con = duckdb.connect()
    for table, values in (("account_indicators", indicators), ("account_clients", clients)):
        con.execute(f"CREATE TEMP TABLE {table} (account_id VARCHAR, kind VARCHAR, "
                    "value VARCHAR)")
        con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", values)
    cohort_anomalies(con, accounts, CohortSettings(), clients="account_clients")
    return dict(con.execute("SELECT account_id, spoofed FROM client_spoofing").fetchall())


def test_a_stack_that_is_no_clients_own_is_borrowed_however_large_the_operator() -> None:
    accounts, indicators = _borrowed_population()
    spoofed = _spoofed(indicators, indicators, accounts)
    hydra = [a for a in spoofed if a.startswith("hydra-")]
    assert len(hydra) == 300 and all(spoofed[a] for a in hydra)
    # Every honest client has its runtime's stack; a second stack carrying one runtime's
    # clients only (Python with another OpenSSL) is a real one; Go's own user agent is at
    # home on the stack the hydra borrowed.
    assert not any(spoofed[a] for a in spoofed if not a.startswith("hydra-"))


def test_a_library_left_out_as_boilerplate_still_shows_its_stack_is_real() -> None:
    accounts, indicators = _borrowed_population()
    # Linkage leaves common libraries out of the indicators; the clients table keeps them.
    common = {"python-requests/2.32", "axios/1.7.9"}
    linked = [row for row in indicators if row[2] not in common]
    spoofed = _spoofed(linked, indicators, accounts)
    assert all(spoofed[a] for a in spoofed if a.startswith("hydra-"))
    assert not any(spoofed[a] for a in spoofed if not a.startswith("hydra-"))
    # Without them no client is sent over Python's or Node's stack alone: the SDK and the
    # CLI have no home, and the hydra's stack shows one runtime's (the editor's) only.
    blind = _spoofed(linked, linked, accounts)
    assert not any(blind.values())


# ---- who a concealing value brings into a group ---------------------------------------------


def _account(account: str, window: int, fresh: bool, churn: float,
             harvest: float) -> dict[str, object]:
    return {"account_id": account, "created_window": window, "fresh": fresh, "churn": churn,
            "harvest": harvest, "org_key": None}


def _ordinary(count: int = 300) -> list[dict[str, object]]:
    """People registered apart, keeping their addresses, harvesting little."""
    return [_account(f"user-{i:03d}", 1000 + i, False, 0.05, 0.1) for i in range(count)]


def _connection(indicators: list[tuple[str, str, str]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE account_indicators (account_id VARCHAR, kind VARCHAR, "
                "value VARCHAR)")
    con.executemany("INSERT INTO account_indicators VALUES (?, ?, ?)", indicators)
    return con


def test_a_hydras_client_brings_in_its_rotating_accounts_not_new_customers_on_it() -> None:
    # 60 hydra accounts, registered in bursts and first used at once, rotate their address
    # per request through one SDK's user agent; 4 people who also just signed up (each on
    # their own, from home) use that SDK too.
    from distillguard.config import default_config
    from distillguard.detect.linkage import _cohort_hubs

    rows = (_ordinary()
            + [_account(f"hydra-{i:02d}", 5000 + i % 3, True, 0.98, 0.8) for i in range(60)]
            + [_account(f"new-{i}", 7000 + 5 * i, True, 0.0, 0.1) for i in range(4)])
    con = _connection([(str(r["account_id"]), "user_agent", "sdk/2.4.1") for r in rows[300:]])
    config = default_config().linkage
    cohorts = cohort_anomalies(con, pa.Table.from_pylist(rows),
                               CohortSettings(min_z=float(config.cohorts["min_z"])))
    sdk = cohorts.filter(pa.compute.equal(cohorts.column("value"), "sdk/2.4.1")).to_pylist()[0]
    assert sdk["purity"] == 1.0 and sdk["anomaly"] >= config.cohorts["min_anomaly"]
    members = set(_cohort_hubs(con, cohorts, config).column("account_id").to_pylist())
    assert members == {f"hydra-{i:02d}" for i in range(60)}


def test_a_hydras_bulk_mail_shape_conceals_and_a_common_webmail_shape_does_not() -> None:
    # One hydra registered 60 accounts as first.last+digits at its catch-all domain, in
    # bursts, rotating addresses; 300 people and 20 of them new this week share one common
    # webmail shape.
    from distillguard.detect.indicators import COHORT_KINDS

    assert "email_pattern" in COHORT_KINDS
    people = [_account(f"user-{i:03d}", 1000 + i, i < 20, 0.05, 0.1) for i in range(300)]
    hydra = [_account(f"hydra-{i:02d}", 5000 + i % 3, True, 0.9, 0.8) for i in range(60)]
    rows = people + hydra
    con = _connection([(str(r["account_id"]), "email_pattern", "a.a99@gmail.com") for r in people]
                      + [(str(r["account_id"]), "email_pattern", "a.a9999@inboxharbor.net")
                         for r in hydra])
    table = cohort_anomalies(con, pa.Table.from_pylist(rows), CohortSettings())
    cohorts = {row["value"]: row for row in table.to_pylist()}
    bulk, webmail = cohorts["a.a9999@inboxharbor.net"], cohorts["a.a99@gmail.com"]
    assert bulk["anomaly"] >= 0.5 and bulk["concealment"] >= 0.8 and bulk["purity"] == 1.0
    assert webmail["concealment"] == 0.0 and webmail["purity"] < 0.95


def test_an_e_mail_shape_at_a_public_provider_makes_no_core_hub() -> None:
    # Two operators' accounts, all new and rotating, share one webmail shape; the same
    # accounts at a catch-all domain would be one operator's.
    from distillguard.config import default_config
    from distillguard.detect.linkage import _cohort_hubs

    operators = [_account(f"op-{i:02d}", 5000 + i % 2, True, 0.95, 0.8) for i in range(40)]
    rows = _ordinary() + operators
    con = _connection([(str(r["account_id"]), "email_pattern", shape) for r in operators
                       for shape in ("a9999@gmail.com", "a.a9999@inboxharbor.net")])
    config = default_config().linkage
    cohorts = cohort_anomalies(con, pa.Table.from_pylist(rows), CohortSettings())
    hubs = set(_cohort_hubs(con, cohorts, config, ["gmail.com"]).column("hub").to_pylist())
    assert hubs == {"email_pattern:a.a9999@inboxharbor.net"}
    everyone = set(_cohort_hubs(con, cohorts, config).column("hub").to_pylist())
    assert "email_pattern:a9999@gmail.com" in everyone


def test_members_of_one_organisation_make_a_cohort_open() -> None:
    rows = (_ordinary()
            + [{**_account(f"team-{i:02d}", 5000 + i % 3, True, 0.98, 0.8), "org_key": "acme"}
               for i in range(30)])
    con = _connection([(f"team-{i:02d}", "user_agent", "acme-bot/1.0") for i in range(30)])
    table = cohort_anomalies(con, pa.Table.from_pylist(rows), CohortSettings())
    row = table.to_pylist()[0]
    assert row["open"] == 1.0 and row["anomaly"] == 0.0 and row["concealment"] == 0.0


# ---- racks: strangers' harvesting accounts on one rented block, a machine each ------------


def _rack_population() -> tuple[pa.Table, list[tuple[str, str, str]]]:
    """300 people at home (an address and a network each); 40 coding-agent users at home,
    strongly suspicious on their own, on one editor's user agent; a rack of 30 aged
    accounts, registered apart, strongly suspicious, each on its own address in one
    hosting /24; a university lab's 12 such accounts in the university's /24; a company's
    20 behind one office address; a block of 6 such accounts and 20 people; and six
    companies' developers, strongly suspicious, each on a server of its own in one cloud
    block."""
    rows: list[dict[str, object]] = []
    indicators: list[tuple[str, str, str]] = []

    def add(account: str, window: int, strong: bool, network: str, address: str,
            org: str | None = None, extra: tuple[tuple[str, str], ...] = ()) -> None:
        rows.append({**_account(account, window, False, 0.0, 0.9 if strong else 0.1),
                     "org_key": org, "strong": strong})
        indicators.extend([(account, "ip_prefix", network), (account, "ip", address),
                           *((account, kind, value) for kind, value in extra)])

    for i in range(300):
        add(f"user-{i:03d}", 1000 + i, False, f"home-{i}", f"home-{i}.1")
    for i in range(40):
        add(f"agent-{i:02d}", 2000 + i, True, f"flat-{i}", f"flat-{i}.1",
            extra=(("user_agent", "editor-agent/2.3"),))
    for i in range(30):
        add(f"rack-{i:02d}", 3000 + 11 * i, True, "hosting", f"hosting.{i}")
    for i in range(12):
        add(f"lab-{i:02d}", 4000 + 11 * i, True, "campus", f"campus.{i}", org="uni.example")
    for i in range(20):
        add(f"staff-{i:02d}", 5000 + 11 * i, True, "office", "office.1")
    for i in range(26):
        add(f"isp-{i:02d}", 6000 + 11 * i, i < 6, "isp", f"isp.{i}")
    for i in range(6):
        add(f"dev-{i}", 7000 + 11 * i, True, "cloud", f"cloud.{i}", org=f"company-{i}")
    return pa.Table.from_pylist(rows), indicators


@pytest.fixture(scope="module")
def racks() -> tuple[dict[str, dict[str, float]], set[str]]:
    from distillguard.config import default_config
    from distillguard.detect.linkage import _cohort_hubs

    accounts, indicators = _rack_population()
    con = _connection(indicators)
    config = default_config().linkage
    table = cohort_anomalies(con, accounts, CohortSettings())
    hubs = _cohort_hubs(con, table, config)
    return ({f"{row['kind']}:{row['value']}": row for row in table.to_pylist()},
            {f"{row['hub']} {row['account_id']}" for row in hubs.to_pylist()})


def test_harvesting_strangers_each_on_a_machine_of_one_block_are_a_rack(
        racks: tuple[dict[str, dict[str, float]], set[str]]) -> None:
    cohorts, hubs = racks
    rack = cohorts["ip_prefix:hosting"]
    assert rack["rack"] == 1.0 and rack["purity"] == 1.0
    assert rack["anomaly"] >= 0.5 and rack["concealment"] >= 0.8
    assert {h for h in hubs if h.startswith("ip_prefix:hosting ")} == {
        f"ip_prefix:hosting rack-{i:02d}" for i in range(30)}


def test_a_lab_an_office_a_shared_isp_block_a_small_block_and_a_client_are_no_rack(
        racks: tuple[dict[str, dict[str, float]], set[str]]) -> None:
    cohorts, hubs = racks
    # One organisation's lab in its own block: open.
    assert cohorts["ip_prefix:campus"]["rack"] == 1.0
    assert cohorts["ip_prefix:campus"]["concealment"] == 0.0
    # A company behind one NAT address: nobody alone on an address of its own.
    assert cohorts["ip_prefix:office"]["rack"] == 0.0
    # Six heavy users among twenty people of an ISP's block, and six companies' developers
    # in a cloud block: strangers share a provider's block by chance.
    for network in ("isp", "cloud"):
        assert cohorts[f"ip_prefix:{network}"]["rack_excess"] == 0.0
        assert cohorts[f"ip_prefix:{network}"]["concealment"] == 0.0
    # Heavy users of one editor, each at home: a client is not a place.
    agents = cohorts["user_agent:editor-agent/2.3"]
    assert agents["rack"] == 1.0 and agents["rack_excess"] == 0.0 and agents["anomaly"] == 0.0
    assert {h.split(" ")[0] for h in hubs} == {"ip_prefix:hosting"}


def test_an_operators_system_prompt_registered_together_conceals_a_starter_kit_does_not(
) -> None:
    # 40 aged accounts of one operator, registered in two bursts from homes everywhere,
    # each in an organisation of its own (a personal workspace) and strongly suspicious on
    # its own, on one analyst system prompt; 60 people of a remote hackathon, registered
    # in three bursts from homes everywhere, on the starter kit's system prompt,
    # harvesting nothing one by one, 6 of them heavily.
    from distillguard.config import default_config
    from distillguard.detect.linkage import _cohort_hubs

    rows = ([{**r, "strong": False} for r in _ordinary()]
            + [{**_account(f"ledger-{i:02d}", 5000 + i % 2, False, 0.0, 0.9), "strong": True,
                "org_key": f"own-{i}"} for i in range(40)]
            + [{**_account(f"hacker-{i:02d}", 6000 + i % 3, True, 0.0, 0.1), "strong": i < 6}
               for i in range(60)])
    con = _connection(
        [(f"ledger-{i:02d}", "system_prompt", "analyst") for i in range(40)]
        + [(f"hacker-{i:02d}", "system_prompt", "kit") for i in range(60)]
        + [(str(r["account_id"]), "ip_prefix", f"home-{r['account_id']}") for r in rows])
    config = default_config().linkage
    table = cohort_anomalies(con, pa.Table.from_pylist(rows), CohortSettings())
    cohorts = {row["value"]: row for row in table.to_pylist() if row["kind"] == "system_prompt"}
    ledger, kit = cohorts["analyst"], cohorts["kit"]
    assert ledger["burst"] == 1.0 and kit["burst"] == 1.0
    assert ledger["colocated"] == 0.0 and kit["colocated"] == 0.0
    # Organisations of one are no one's company: the ledger is not open, and registered
    # together while looking like strangers it is anomalous and conceals.
    assert ledger["open"] == 0.0
    assert ledger["anomaly"] >= config.cohorts["min_anomaly"]
    assert ledger["concealment"] >= 0.9
    assert kit["concealment"] == pytest.approx(0.1 * kit["burst_excess"])
    hubs = _cohort_hubs(con, table, config).to_pylist()
    assert {row["account_id"] for row in hubs if row["hub"] == "system_prompt:analyst"} == {
        f"ledger-{i:02d}" for i in range(40)}


# ---- border: one card paying for strangers in several countries ---------------------------


def test_strangers_paying_with_one_card_from_several_countries_conceal() -> None:
    # Four aged accounts, keeping their addresses and harvesting little, pay with one
    # stipend card from three countries; a household's three accounts share a card at
    # home; a company's four staff in two countries pay with the company's card.
    from distillguard.config import default_config
    from distillguard.detect.linkage import _cohort_hubs

    def person(name: str, country: str, org: str | None = None) -> dict[str, object]:
        # Registered apart (a window each): nothing but the card in common.
        return {**_account(name, 9000 + 10 * len(rows), False, 0.05, 0.1),
                "country": country, "org_key": org}

    rows: list[dict[str, object]] = [{**r, "country": "US"} for r in _ordinary()]
    for i, country in enumerate(["PH", "KE", "NG", "PH"]):
        rows.append(person(f"worker-{i}", country))
    for i in range(3):
        rows.append(person(f"home-{i}", "US"))
    for i, country in enumerate(["US", "GB", "US", "GB"]):
        rows.append(person(f"staff-{i}", country, "acme"))
    con = _connection([(f"worker-{i}", "payment_fingerprint", "stipend") for i in range(4)]
                      + [(f"home-{i}", "payment_fingerprint", "household") for i in range(3)]
                      + [(f"staff-{i}", "payment_fingerprint", "acme-card") for i in range(4)])
    config = default_config().linkage
    table = cohort_anomalies(con, pa.Table.from_pylist(rows), CohortSettings())
    by_value = {row["value"]: row for row in table.to_pylist()}
    stipend = by_value["stipend"]
    assert stipend["border"] == 1.0 and stipend["concealment"] == 1.0
    assert stipend["anomaly"] >= config.cohorts["min_anomaly"] and stipend["purity"] == 1.0
    assert by_value["household"]["border"] == 0.0
    assert by_value["household"]["concealment"] == 0.0
    acme = by_value["acme-card"]
    assert acme["border"] == 1.0 and acme["open"] == 1.0 and acme["concealment"] == 0.0
    members = set(_cohort_hubs(con, table, config).column("account_id").to_pylist())
    assert members == {f"worker-{i}" for i in range(4)}
    # Without countries in the log, nobody is abroad.
    blind = cohort_anomalies(con, pa.Table.from_pylist(
        [{k: v for k, v in r.items() if k != "country"} for r in rows]), CohortSettings())
    assert max(blind.column("border").to_pylist()) == 0.0
