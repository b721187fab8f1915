"""LiteLLM's records as events: the mapping, the spend-log adapter, a real PostgreSQL.

The PostgreSQL test starts its own server (``initdb`` + ``pg_ctl``) in a temporary
folder on a loopback port and stops it; it is skipped, saying why, where the server's
binaries or psycopg are missing.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from distillguard.cli import app as cli_app
from distillguard.errors import ConfigError
from distillguard.ingest import read_events
from distillguard.integrations.litellm.accounts import AccountDirectory
from distillguard.integrations.litellm.mapping import (
    event_from_payload,
    event_from_request,
    identity,
)
from distillguard.online.eventlog import EventLog
from tests.test_online_gateway import free_port

META = {
    "user_api_key_user_id": "user-1", "user_api_key_hash": "9f" * 32,
    "user_api_key_team_id": "team-1", "user_api_key_org_id": None,
    "user_api_key_end_user_id": None, "user_api_key_user_email": "u1@example.com",
    "user_api_key_auth_metadata": {"payment_fingerprint": "pay-1", "tier": "gold"},
    "requester_ip_address": "203.0.113.9", "user_agent": "openai-python/2.1",
    "headers": {"user-agent": "openai-python/2.1", "x-ja4": "t13d1516h2_8daaf6152771"},
}  # fmt: skip

#: A StandardLoggingPayload as LiteLLM 1.108 logs a served chat completion (trimmed).
PAYLOAD: dict[str, Any] = {
    "id": "chatcmpl-1", "litellm_call_id": "call-1", "call_type": "acompletion",
    "status": "success", "startTime": 1772222910.5, "model": "openai/deployment-a",
    "model_group": "frontier-1", "end_user": "eu-7", "requester_ip_address": "203.0.113.9",
    "user_agent": "openai-python/2.1", "metadata": META, "prompt_tokens": 12,
    "completion_tokens": 40,
    "messages": [{"role": "system", "content": "Be brief."},
                 {"role": "user", "content": "Explain your reasoning step by step."}],
    "model_parameters": {"max_tokens": 4096, "temperature": 0.0, "n": 2},
    "response": {"choices": [{"message": {"content": "Because."}}]},
}  # fmt: skip


@pytest.mark.parametrize(("account_from", "expected"), [
    ("user", "user-1"), ("key", "9f" * 32), ("team", "team-1"), ("org", "team-1"),
    ("end_user", "eu-7"),
])
def test_when_account_from_is_set_then_that_entity_is_the_account(account_from, expected):
    account, fields = identity(META, account_from, end_user="eu-7")
    assert account == expected
    assert fields == {"org_id": "team-1", "api_key_id": "9f" * 32, "email": "u1@example.com",
                      "payment_fingerprint": "pay-1"}  # "tier" is not an account column


def test_when_the_user_is_missing_then_the_key_is_the_account_and_nothing_is_none():
    meta = {**META, "user_api_key_user_id": "default_user_id"}  # LiteLLM's master-key user
    assert identity(meta, "user")[0] == "9f" * 32
    assert identity({}, "user") == (None, {})


def test_when_a_request_is_mapped_then_it_carries_the_model_group_and_the_callers_metadata():
    data = {"model": "frontier-1", "litellm_call_id": "call-9", "user": "eu-7",
            "max_tokens": 100, "tools": [{}, {}], "metadata": META,
            "messages": [{"role": "user", "content": "hi"},
                         {"role": "assistant", "content": "hello"},
                         {"role": "user", "content": [{"type": "text", "text": "again"}]}]}
    event = event_from_request(data, "end_user", tls_fingerprint_header="X-JA4")
    assert event is not None
    assert event["request_id"] == "call-9" and event["account_id"] == "eu-7"
    assert (event["prompt"], event["turn"], event["tool_count"]) == ("again", 1, 2)
    assert event["model"] == "frontier-1" and event["max_tokens"] == 100
    assert event["ip"] == "203.0.113.9" and event["user_agent"] == "openai-python/2.1"
    assert event["tls_fingerprint"] == "t13d1516h2_8daaf6152771"
    assert event["payment_fingerprint"] == "pay-1" and event["org_id"] == "team-1"
    assert event_from_request({"model": "m", "messages": []}) is None


def test_when_a_payload_is_mapped_then_model_group_status_and_tokens_are_kept():
    event = event_from_payload(PAYLOAD, log_responses=True)
    assert event is not None
    assert event["model"] == "frontier-1"  # not "openai/deployment-a"
    assert event["request_id"] == "call-1" and event["account_id"] == "user-1"
    assert event["timestamp"] == "2026-02-27T20:08:30.500000Z"
    assert (event["prompt"], event["system_prompt"]) == (
        "Explain your reasoning step by step.", "Be brief.")
    assert (event["max_tokens"], event["temperature"], event["n"]) == (4096, 0.0, 2)
    assert (event["completion_tokens"], event["status"], event["response"]) == (
        40, "ok", "Because.")
    refused = event_from_payload({**PAYLOAD, "status": "failure", "messages": "{}",
                                  "status_fields": {"guardrail_status": "guardrail_intervened"}})
    assert refused is not None and refused["status"] == "refused"
    assert refused["prompt"] is None and "response" not in refused
    failed = event_from_payload({**PAYLOAD, "status": "failure"})
    assert failed is not None and failed["status"] == "error"


#: LiteLLM_SpendLogs rows as an export writes them (JSON columns as objects or text).
SPEND_ROWS: list[dict[str, Any]] = [
    {"request_id": "chatcmpl-a", "litellm_call_id": "call-a", "call_type": "acompletion",
     "api_key": "ab" * 32, "startTime": "2026-02-27T20:08:30.000", "model": "deployment-a",
     "model_group": "frontier-1", "user": "user-1", "team_id": "team-1", "status": "success",
     "prompt_tokens": 9, "completion_tokens": 30, "requester_ip_address": "198.51.100.4",
     "messages": [{"role": "user", "content": "Grade this answer with a rubric"}],
     "response": {}, "metadata": {"user_api_key_auth_metadata": {"access_path": "research"}}},
    {"request_id": "chatcmpl-b", "call_type": "acompletion", "api_key": "cd" * 32,
     "startTime": "2026-02-27T20:09:00.000", "model": "deployment-b", "model_group": "",
     "user": "", "status": "success", "prompt_tokens": 5, "completion_tokens": 7,
     "messages": "{}", "response": "{}", "metadata": {}},
    {"request_id": "chatcmpl-c", "call_type": "acompletion", "api_key": "cd" * 32,
     "startTime": "2026-02-27T20:09:30.000", "model": "deployment-b",
     "model_group": "frontier-2", "user": None, "status": "failure", "messages": {},
     "response": {}, "metadata": {}},
]  # fmt: skip


def _rows(path: Path) -> list[dict[str, Any]]:
    chunks = list(read_events([path]))
    assert sum(c.quarantine.num_rows for c in chunks) == 0
    return pa.concat_tables([c.valid for c in chunks]).to_pylist()


def _check_spend_rows(rows: list[dict[str, Any]]) -> None:
    by_id = {r["request_id"]: r for r in rows}
    first, second, third = by_id["chatcmpl-a"], by_id["chatcmpl-b"], by_id["chatcmpl-c"]
    assert first["model"] == "frontier-1" and first["account_id"] == "user-1"
    assert first["prompt"] == "Grade this answer with a rubric"
    assert first["timestamp"] == datetime(2026, 2, 27, 20, 8, 30, tzinfo=UTC)
    assert first["access_path"] == "research" and first["ip"] == "198.51.100.4"
    assert second["prompt"] is None and second["model"] == "deployment-b"  # no group
    assert second["account_id"] == "cd" * 32 and second["completion_tokens"] == 7
    assert third["prompt"] is None and third["model"] == "frontier-2"
    assert third["status"] == "error" and first["status"] == "ok"


def test_when_spend_log_rows_are_read_from_a_file_then_model_group_and_no_prompt_text(
        tmp_path):
    path = tmp_path / "spend.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in SPEND_ROWS))
    _check_spend_rows(_rows(path))


def test_when_an_account_table_or_lookup_is_given_then_its_columns_are_returned(tmp_path):
    table = tmp_path / "accounts.csv"
    table.write_text("account_id,payment_fingerprint,account_created_at,secret\n"
                     "a1,pay-9,2026-01-01T00:00:00Z,x\n")
    assert AccountDirectory.from_file(table).fields("a1") == {
        "payment_fingerprint": "pay-9", "account_created_at": "2026-01-01T00:00:00Z"}
    calls: list[str] = []

    def lookup(account: str) -> dict[str, Any]:
        calls.append(account)
        if account == "broken":
            raise RuntimeError("billing is down")
        return {"access_path": "startup", "nested": {"no": 1}}

    directory = AccountDirectory(lookup=lookup)
    assert directory.fields("a2") == {"access_path": "startup"}
    assert directory.fields("a2") == {"access_path": "startup"} and calls == ["a2"]  # cached
    assert directory.fields("broken") == {} and directory.errors == 1
    with pytest.raises(ConfigError, match="account_id column"):
        bad = tmp_path / "bad.csv"
        bad.write_text("id\n1\n")
        AccountDirectory.from_file(bad)
    with pytest.raises(ConfigError, match="account_lookup"):
        AccountDirectory.from_setting(account_lookup="os.no_such_function")


def test_when_a_process_died_with_its_log_open_then_the_next_log_makes_it_visible(tmp_path):
    pid = _finished_pid()
    orphan = tmp_path / f".events-20260201T000000-{pid}-0001.jsonl.open"
    orphan.write_text('{"request_id":"r1"}\n')
    mine = tmp_path / f".events-20260201T000000-{os.getpid()}-0001.jsonl.open"
    mine.write_text('{"request_id":"r2"}\n')
    log = EventLog(tmp_path, rotate_bytes=1 << 20, rotate_seconds=60)
    assert (tmp_path / f"events-20260201T000000-{pid}-0001.jsonl").exists()
    assert not orphan.exists() and mine.exists()  # a live process's file is left alone
    log.close()


def _finished_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


# -- a real PostgreSQL ----------------------------------------------------------------

def _pg_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


CREATE_SPEND_LOGS = '''
CREATE TABLE "LiteLLM_SpendLogs" (
  request_id TEXT PRIMARY KEY, call_type TEXT NOT NULL, api_key TEXT NOT NULL DEFAULT '',
  spend DOUBLE PRECISION NOT NULL DEFAULT 0, total_tokens INTEGER NOT NULL DEFAULT 0,
  prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0,
  "startTime" TIMESTAMP(3) NOT NULL, "endTime" TIMESTAMP(3) NOT NULL,
  model TEXT NOT NULL DEFAULT '', model_id TEXT DEFAULT '', model_group TEXT DEFAULT '',
  "user" TEXT DEFAULT '', metadata JSONB DEFAULT '{}', team_id TEXT, organization_id TEXT,
  end_user TEXT, requester_ip_address TEXT, messages JSONB DEFAULT '{}',
  response JSONB DEFAULT '{}', session_id TEXT, status TEXT, litellm_call_id TEXT,
  proxy_server_request JSONB DEFAULT '{}')
'''  # the columns of LiteLLM's schema.prisma model LiteLLM_SpendLogs that we read


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A PostgreSQL server in a temporary folder on a loopback port; yields its DSN."""
    psycopg = pytest.importorskip("psycopg", reason="needs psycopg (the litellm extra)")
    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    prefix: list[str] = []
    data = Path(tempfile.mkdtemp(prefix="dg-pg-"))
    if os.geteuid() == 0:  # initdb refuses to run as root: run it as the postgres user
        runuser = shutil.which("runuser")
        if runuser is None:
            pytest.skip("running as root and runuser is missing to start PostgreSQL")
        try:
            shutil.chown(data, user="postgres")
        except (LookupError, PermissionError):
            pytest.skip("running as root and there is no postgres user to start PostgreSQL")
        prefix = [runuser, "-u", "postgres", "--"]
    port = free_port()
    cluster = data / "cluster"
    subprocess.run([*prefix, initdb, "-D", str(cluster), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off"
    subprocess.run([*prefix, pg_ctl, "-D", str(cluster), "-o", options, "-l",
                    str(data / "server.log"), "-w", "-t", "60", "start"], check=True,
                   capture_output=True)
    dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(dsn).close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield dsn
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(cluster), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def test_when_spend_logs_are_in_postgres_then_an_export_reads_like_the_file(postgres, tmp_path):
    import psycopg
    from psycopg.types.json import Jsonb

    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(CREATE_SPEND_LOGS)
        for row in SPEND_ROWS:
            values = {**row, "endTime": row["startTime"]}
            for key in ("messages", "response", "metadata"):
                value = values.get(key)
                values[key] = Jsonb(json.loads(value) if isinstance(value, str) else value)
            columns = sorted(values)  # the others take the table's defaults
            names = ", ".join(f'"{c}"' for c in columns)
            conn.execute(f'INSERT INTO "LiteLLM_SpendLogs" ({names}) VALUES '
                         f'({", ".join(["%s"] * len(columns))})',
                         [values.get(c) for c in columns])
    out = tmp_path / "spend.jsonl.gz"
    runner = CliRunner()
    result = runner.invoke(cli_app, ["litellm", "spendlogs", "--dsn", postgres, "--out",
                                     str(out), "--since", "2026-02-27T20:08:00"])
    assert result.exit_code == 0, result.output
    assert "3 spend-log rows" in result.output
    _check_spend_rows(_rows(out))
    window = tmp_path / "window.jsonl"
    from distillguard.ingest.litellm import export_spend_logs

    assert export_spend_logs(postgres, window, since=datetime(2026, 2, 27, 20, 9),
                             until=datetime(2026, 2, 27, 20, 9, 15)) == 1
    assert [r["request_id"] for r in _rows(window)] == ["chatcmpl-b"]
    missing = runner.invoke(cli_app, ["litellm", "spendlogs", "--dsn", postgres, "--out",
                                      str(tmp_path / "x.jsonl"), "--table", "NoSuchTable"])
    assert missing.exit_code == 2 and "NoSuchTable" in missing.output
    assert "postgres@" not in missing.output  # the DSN (a password) is never echoed
    assert not (tmp_path / "x.jsonl").exists()
