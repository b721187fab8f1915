"""Configuration: defaults load, overrides merge, mistakes fail loudly with the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from distillguard.config import default_config, load_config
from distillguard.detect.scoring import SIGNALS
from distillguard.errors import ConfigError


def test_defaults_load_and_cover_every_signal() -> None:
    config = default_config()
    assert set(config.scoring.weights) == set(SIGNALS)
    thresholds = config.scoring.thresholds
    assert 0 < thresholds["monitor"] < thresholds["review"] < thresholds["block"] < 1


def test_when_user_overrides_a_subset_then_the_rest_stays_default(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("scoring:\n  thresholds:\n    block: 0.9\n  weights:\n    high_volume: 0\n")
    config = load_config(path)
    assert config.scoring.thresholds["block"] == 0.9
    assert config.scoring.thresholds["review"] == default_config().scoring.thresholds["review"]
    assert config.scoring.weights["high_volume"] == 0.0
    assert config.source == str(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scoring:\n  thresholdz: {}\n", "unknown setting 'scoring.thresholdz'"),
        ("ingest:\n  max_prompt_chars: lots\n", "'ingest.max_prompt_chars' must be of type int"),
        ("scoring:\n  weights:\n    nonsense: 1\n", "unknown setting 'scoring.weights.nonsense'"),
        ("- a\n- b\n", "top level must be a mapping"),
        ("scoring: [1, 2\n", "not valid YAML"),
    ],
)
def test_when_config_is_wrong_then_error_names_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_when_config_file_is_missing_then_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No such file"):
        load_config(tmp_path / "missing.yaml")


def test_when_capabilities_are_replaced_then_new_names_are_allowed(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("features:\n  capabilities:\n    legal: '\\\\b(contract|lawsuit)\\\\b'\n")
    assert list(load_config(path).features.capabilities) == ["legal"]
