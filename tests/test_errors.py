"""One error tree: every error says where, a missing extra is named the same way everywhere."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from distillguard.config import load_config
from distillguard.errors import (
    ConfigError,
    DistillguardError,
    InputFileError,
    MissingExtraError,
    missing_extra,
    require_extra,
)


def test_when_an_error_has_a_place_then_its_message_starts_with_it() -> None:
    error = DistillguardError("something broke", where="logs/a.jsonl:12")
    assert str(error) == "logs/a.jsonl:12: something broke"
    assert (error.where, error.message) == ("logs/a.jsonl:12", "something broke")
    assert InputFileError("a.parquet", "not Parquet").where == "a.parquet"


def test_when_a_setting_is_unknown_then_the_error_names_the_file_and_the_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cfg.yaml"
    path.write_text("scoring:\n  weightz: {}\n")
    with pytest.raises(ConfigError, match=r"unknown setting 'scoring\.weightz'") as caught:
        load_config(path)
    assert caught.value.where == str(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_when_a_module_of_an_extra_is_missing_then_the_error_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "no_such_module_for_tests", None)  # import → ImportError
    with pytest.raises(MissingExtraError) as caught:
        require_extra("server", "the gateway", "json", "no_such_module_for_tests")
    assert str(caught.value) == (
        "the gateway needs the 'server' extra (no_such_module_for_tests is missing): "
        "pip install 'distillguard[server]'")
    assert isinstance(caught.value, ConfigError) and caught.value.extra == "server"
    require_extra("server", "the gateway", "json")  # present: nothing raised


def test_missing_extra_reads_the_module_from_the_import_error() -> None:
    try:
        import no_such_module_either  # noqa: F401
    except ImportError as exc:
        error = missing_extra("text", "the MMD baseline", exc)
    assert error.missing == "no_such_module_either"
    assert "pip install 'distillguard[text]'" in str(error)
