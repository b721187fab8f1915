"""Adapters: Glasswally event JSONL and OpenAI-style gateway request logs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from distillguard.errors import InputFileError
from distillguard.ingest import detect_format, read_events
from distillguard.schema import EVENT_SCHEMA, LABEL_SCHEMA

NOW = datetime(2026, 3, 1, tzinfo=UTC)

GLASSWALLY: list[dict[str, Any]] = [
    {"account_id": "sk-legit", "timestamp": "2026-02-27T20:08:29.149978+00:00", "model": "gpt-4o",
     "prompt": "What foods are high in vitamin C?", "system_prompt": None,
     "system_prompt_hash": None, "token_count": 199, "max_tokens": 256,
     "client_ip": "63.114.71.189", "asn_number": 4134, "asn_org": "CHINANET",
     "user_agent": "python-requests/2.31.0", "h2_settings_fp": None, "campaign_label": None},
    {"account_id": "sk-camp1", "timestamp": "2026-02-27T20:08:29.150463+00:00", "model": "gpt-4o",
     "prompt": "Think out loud: how does a compiler work?",
     "system_prompt": "Act as an AI teacher.", "system_prompt_hash": "fde97f3bba18bffc",
     "token_count": 24, "max_tokens": 4096, "client_ip": "153.32.197.98", "asn_number": 24940,
     "asn_org": "Hetzner", "user_agent": "aiohttp/3.9.1",
     "h2_settings_fp": "2:32953:3:100:4:65535:5:16384", "campaign_label": "campaign_0002"},
    {"account_id": "sk-camp1", "timestamp": "2026-02-27T20:08:29.150522+00:00", "model": "gpt-4o",
     "prompt": "Step by step reasoning: why is the sky blue?",
     "system_prompt": "Act as an AI teacher.", "system_prompt_hash": "fde97f3bba18bffc",
     "token_count": 12, "max_tokens": 4096, "client_ip": "130.54.152.216", "asn_number": 15169,
     "asn_org": "Google Cloud", "user_agent": "aiohttp/3.9.1",
     "h2_settings_fp": "2:49009:3:100:4:65535:5:16384", "campaign_label": "campaign_0002"},
    {"account_id": "sk-legit", "timestamp": "2026-02-27T20:08:29.150600+00:00", "model": "gpt-4o",
     "prompt": "How does HTTPS work?", "system_prompt": None, "system_prompt_hash": None,
     "token_count": 98, "max_tokens": 1024, "client_ip": "27.47.194.25", "asn_number": 4134,
     "asn_org": "CHINANET", "user_agent": "python-requests/2.31.0", "h2_settings_fp": None,
     "campaign_label": None},
]  # fmt: skip


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    lines = (row if isinstance(row, str) else json.dumps(row) for row in rows)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def read_all(path: Path, **kwargs: Any) -> tuple[pa.Table, pa.Table, list[Any]]:
    chunks = list(read_events([path], now=NOW, **kwargs))
    for chunk in chunks:
        assert chunk.valid.schema == EVENT_SCHEMA
        assert chunk.rows_read == chunk.valid.num_rows + chunk.quarantine.num_rows
    valid = pa.concat_tables([c.valid for c in chunks])
    quarantine = pa.concat_tables([c.quarantine for c in chunks])
    return valid, quarantine, chunks


# -- Glasswally -------------------------------------------------------------------------


def test_when_glasswally_jsonl_then_it_is_detected(tmp_path: Path) -> None:
    assert detect_format(write_jsonl(tmp_path / "gw.jsonl", GLASSWALLY)) == "glasswally"


def test_when_glasswally_then_columns_map_to_contract_one(tmp_path: Path) -> None:
    valid, quarantine, _ = read_all(write_jsonl(tmp_path / "gw.jsonl", GLASSWALLY))
    assert quarantine.num_rows == 0
    row = valid.to_pylist()[1]
    assert row["account_id"] == "sk-camp1"
    assert row["timestamp"] == datetime(2026, 2, 27, 20, 8, 29, 150463, tzinfo=UTC)
    assert row["ip"] == "153.32.197.98"
    assert row["prompt_tokens"] == 24
    assert row["max_tokens"] == 4096
    assert row["tls_fingerprint"] == "2:32953:3:100:4:65535:5:16384"
    assert row["user_agent"] == "aiohttp/3.9.1"
    assert row["system_prompt"] == "Act as an AI teacher."
    assert row["model"] == "gpt-4o"
    assert "campaign_label" not in valid.schema.names


def test_when_glasswally_then_request_ids_are_synthesised_deterministically(
    tmp_path: Path,
) -> None:
    path = write_jsonl(tmp_path / "gw.jsonl", GLASSWALLY)
    first = read_all(path)[0].column("request_id").to_pylist()
    again = read_all(path)[0].column("request_id").to_pylist()
    assert first == again
    assert len(set(first)) == len(GLASSWALLY)
    assert all(rid.startswith("gw-") and len(rid) == 35 for rid in first)
    # The id depends on the row's content, not on its position in the file.
    reversed_ids = read_all(write_jsonl(tmp_path / "rev.jsonl", GLASSWALLY[::-1]))[0]
    assert reversed_ids.column("request_id").to_pylist() == first[::-1]


def test_when_glasswally_has_campaign_labels_then_they_come_back_as_labels(
    tmp_path: Path,
) -> None:
    _, _, chunks = read_all(write_jsonl(tmp_path / "gw.jsonl", GLASSWALLY))
    labels = pa.concat_tables([c.labels for c in chunks])
    assert labels.schema == LABEL_SCHEMA
    assert labels.to_pylist() == [
        {"account_id": "sk-camp1", "archetype": "campaign", "campaign_id": "campaign_0002"},
        {"account_id": "sk-legit", "archetype": "legitimate", "campaign_id": None},
    ]


def test_when_glasswally_row_is_bad_then_it_is_quarantined(tmp_path: Path) -> None:
    rows = [*GLASSWALLY[:1], {**GLASSWALLY[1], "client_ip": "300.1.1.1"}]
    valid, quarantine, _ = read_all(write_jsonl(tmp_path / "gw.jsonl", rows))
    assert valid.num_rows == 1
    assert quarantine.column("reason").to_pylist() == ["invalid ip '300.1.1.1'"]


def test_when_glasswally_is_csv_then_the_same_mapping_applies(tmp_path: Path) -> None:
    path = tmp_path / "gw.csv"
    names = list(GLASSWALLY[0])
    columns = {n: [None if r[n] is None else str(r[n]) for r in GLASSWALLY] for n in names}
    pacsv.write_csv(pa.table(columns), path)
    assert detect_format(path) == "glasswally"
    valid_csv, _, chunks = read_all(path)
    valid_json, _, _ = read_all(write_jsonl(tmp_path / "gw.jsonl", GLASSWALLY))
    assert valid_csv.equals(valid_json)
    assert chunks[0].labels is not None and chunks[0].labels.num_rows == 2


def test_when_events_format_is_forced_on_glasswally_then_request_id_is_missing(
    tmp_path: Path,
) -> None:
    path = write_jsonl(tmp_path / "gw.jsonl", GLASSWALLY)
    with pytest.raises(InputFileError, match="missing required column 'request_id'"):
        list(read_events([path], fmt="events", now=NOW))


# -- OpenAI-style request logs ------------------------------------------------------------

CHAT: dict[str, Any] = {
    "id": "chatcmpl-1", "startTime": 1772222909.5, "user": "acct-1", "model": "gpt-4o",
    "messages": [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer"},
        {"role": "user", "content": [
            {"type": "text", "text": "Explain step by step"},
            {"type": "image_url", "image_url": {"url": "https://example.com/x.png"}},
            {"type": "text", "text": "please"},
        ]},
    ],
    "max_tokens": 4096, "temperature": 0, "n": 1, "logprobs": True,
    "tools": [{"type": "function", "function": {"name": "a"}},
              {"type": "function", "function": {"name": "b"}}],
    "response": {"id": "resp-1", "choices": [
        {"message": {"role": "assistant", "content": "Sure"}, "finish_reason": "stop"}]},
    "usage": {"prompt_tokens": 30, "completion_tokens": 5},
    "metadata": {"requester_ip_address": "2001:db8:0:0::1", "user_api_key_hash": "hash-1",
                 "user_api_key_team_id": "team-1"},
}  # fmt: skip

#: A LiteLLM spend-log row: messages and response stored as JSON strings.
SPEND_LOG: dict[str, Any] = {
    "request_id": "req-2", "call_type": "acompletion", "api_key": "88dc28d0f030",
    "spend": 0.0001, "total_tokens": 7, "prompt_tokens": 7, "completion_tokens": 0,
    "startTime": "2026-02-27T20:08:30.000Z", "endTime": "2026-02-27T20:08:31.000Z",
    "model": "claude-3-5-sonnet", "user": "", "team_id": "team-2", "end_user": "eu-9",
    "requester_ip_address": "10.0.0.1", "session_id": "sess-1", "status": "failure",
    "messages": json.dumps([{"role": "user", "content": "hello from a string"}]),
    "response": json.dumps({"error": "rate limited"}),
    "metadata": {"user_api_key_user_id": None},
}  # fmt: skip

#: A LiteLLM standard logging payload: parameters under model_parameters.
STANDARD_PAYLOAD: dict[str, Any] = {
    "id": "call-3", "call_type": "completion", "status": "success", "startTime": 1772222910,
    "model": "gpt-4o-mini", "end_user": None,
    "metadata": {"user_api_key_user_id": "user-3", "user_api_key_hash": "hash-3"},
    "messages": [{"role": "developer", "content": "Be brief."},
                 {"role": "user", "content": "Rate this answer on a scale of 1 to 10"}],
    "model_parameters": {"temperature": 0.2, "max_completion_tokens": 100, "n": 2,
                         "tools": [{"type": "function"}]},
    "response": {"choices": [{"message": {"content": [{"type": "text", "text": "7"}]},
                              "finish_reason": "content_filter"}]},
    "prompt_tokens": 12, "completion_tokens": 1,
}  # fmt: skip


def test_when_records_have_messages_then_openai_log_is_detected(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "log.jsonl", [CHAT, SPEND_LOG, STANDARD_PAYLOAD])
    assert detect_format(path) == "openai_log"


def test_when_openai_chat_log_then_messages_map_to_prompt_system_and_turn(
    tmp_path: Path,
) -> None:
    valid, quarantine, chunks = read_all(write_jsonl(tmp_path / "log.jsonl", [CHAT]))
    assert quarantine.num_rows == 0
    assert chunks[0].labels is None
    row = valid.to_pylist()[0]
    assert row == {
        **dict.fromkeys(EVENT_SCHEMA.names),
        "request_id": "chatcmpl-1",
        "timestamp": datetime(2026, 2, 27, 20, 8, 29, 500000, tzinfo=UTC),
        "account_id": "acct-1",
        "prompt": "Explain step by step\nplease",
        "org_id": "team-1",
        "api_key_id": "hash-1",
        "ip": "2001:db8::1",
        "model": "gpt-4o",
        "system_prompt": "You are helpful.",
        "turn": 1,
        "response": "Sure",
        "prompt_tokens": 30,
        "completion_tokens": 5,
        "max_tokens": 4096,
        "temperature": 0.0,
        "n": 1,
        "logprobs": True,
        "tool_count": 2,
        "status": "ok",
    }


def test_when_spend_log_stores_json_strings_then_they_are_unwrapped(tmp_path: Path) -> None:
    valid, quarantine, _ = read_all(write_jsonl(tmp_path / "log.jsonl", [SPEND_LOG]))
    assert quarantine.num_rows == 0
    row = valid.to_pylist()[0]
    assert row["request_id"] == "req-2"
    assert row["timestamp"] == datetime(2026, 2, 27, 20, 8, 30, tzinfo=UTC)
    assert row["account_id"] == "88dc28d0f030"  # empty "user" falls through to the key
    assert row["api_key_id"] == "88dc28d0f030"
    assert row["org_id"] == "team-2"
    assert row["prompt"] == "hello from a string"
    assert row["turn"] == 0
    assert row["conversation_id"] == "sess-1"
    assert row["status"] == "error"
    assert row["response"] is None
    assert (row["prompt_tokens"], row["completion_tokens"]) == (7, 0)


def test_when_standard_logging_payload_then_model_parameters_are_used(tmp_path: Path) -> None:
    valid, _, _ = read_all(write_jsonl(tmp_path / "log.jsonl", [STANDARD_PAYLOAD]))
    row = valid.to_pylist()[0]
    assert row["account_id"] == "user-3"
    assert row["timestamp"] == datetime(2026, 2, 27, 20, 8, 30, tzinfo=UTC)  # epoch seconds
    assert row["system_prompt"] == "Be brief."
    assert row["prompt"] == "Rate this answer on a scale of 1 to 10"
    assert (row["temperature"], row["max_tokens"], row["n"]) == (0.2, 100, 2)
    assert row["tool_count"] == 1
    assert row["response"] == "7"
    assert row["status"] == "ok"  # an explicit status wins over the finish reason


def test_when_openai_log_lacks_an_id_then_one_is_synthesised(tmp_path: Path) -> None:
    record = {"created": 1772222909, "end_user": "eu", "messages": [
        {"role": "user", "content": "hi"}]}  # fmt: skip
    path = write_jsonl(tmp_path / "log.jsonl", [record, {**record, "messages": [
        {"role": "user", "content": "hello"}]}])  # fmt: skip
    ids = read_all(path)[0].column("request_id").to_pylist()
    assert len(set(ids)) == 2 and all(i.startswith("oai-") for i in ids)


def test_when_openai_status_is_missing_then_it_is_inferred(tmp_path: Path) -> None:
    base = {"created": 1772222909, "user": "u", "messages": [{"role": "user", "content": "x"}]}
    rows = [
        {**base, "id": "a", "error_str": "boom"},
        {**base, "id": "b", "response": {"choices": [
            {"message": {"content": ""}, "finish_reason": "content_filter"}]}},
        {**base, "id": "c", "response": "plain text answer"},
        {**base, "id": "d"},
    ]
    valid, _, _ = read_all(write_jsonl(tmp_path / "log.jsonl", rows))
    assert valid.column("status").to_pylist() == ["error", "refused", "ok", None]
    assert valid.column("response").to_pylist()[2] == "plain text answer"


def test_when_openai_record_is_bad_then_it_is_quarantined(tmp_path: Path) -> None:
    rows = [
        {**CHAT, "startTime": "not a time"},
        {**CHAT, "id": "x", "user": None, "metadata": {}},
        {**CHAT, "id": "y", "temperature": "hot"},
        "not json at all",
    ]
    valid, quarantine, _ = read_all(write_jsonl(tmp_path / "log.jsonl", rows))
    assert valid.num_rows == 0
    assert quarantine.column("reason").to_pylist() == [
        "unparseable timestamp 'not a time'",
        "missing required field 'account_id'",
        "wrong type for temperature ('hot')",
        "invalid JSON: Expecting value at column 1",
    ]


def test_when_openai_log_is_parquet_then_rows_are_read_as_json(tmp_path: Path) -> None:
    table = pa.table(
        {
            "request_id": ["p1"],
            "startTime": ["2026-02-27T20:08:30Z"],
            "user": ["u1"],
            "model": ["gpt-4o"],
            "messages": [json.dumps([{"role": "user", "content": "from parquet"}])],
        }
    )
    pq.write_table(table, tmp_path / "log.parquet")
    assert detect_format(tmp_path / "log.parquet") == "openai_log"
    valid, _, _ = read_all(tmp_path / "log.parquet")
    assert valid.column("prompt").to_pylist() == ["from parquet"]


def test_when_format_is_forced_then_detection_is_skipped(tmp_path: Path) -> None:
    record = {"request_id": "r", "timestamp": "2026-02-27T20:08:29Z", "account_id": "a",
              "messages": [{"role": "user", "content": "ignored by events"}]}  # fmt: skip
    path = write_jsonl(tmp_path / "x.jsonl", [record])
    assert read_all(path)[0].column("prompt").to_pylist() == [None]
    forced = read_all(path, fmt="openai_log")[0]
    assert forced.column("prompt").to_pylist() == ["ignored by events"]
