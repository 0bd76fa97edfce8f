"""Weights live in one TOML file; the worker hands its environment in, domain code never reads it."""
import pathlib
import re

import pytest

from matching import PROVIDER_KINDS, load_weights
from matching.weights import FACTORS


def test_every_kind_has_weights_that_sum_to_one():
    w = load_weights()
    for kind in PROVIDER_KINDS:
        assert set(w.of(kind)) == set(FACTORS[kind])
        assert sum(w.of(kind).values()) == pytest.approx(1.0)


def test_environment_style_override_changes_one_weight():
    base = load_weights().of("volunteer")
    w = load_weights(overrides={"LINKAGE_WEIGHT_VOLUNTEER_SKILL": "0.7", "PATH": "/usr/bin"}).of("volunteer")
    assert w["skill"] > base["skill"] and w["distance"] < base["distance"]


def test_two_word_kinds_are_parsed_from_override_names():
    w = load_weights(overrides={"LINKAGE_WEIGHT_SOCIAL_WORKER_PROFESSIONAL": "0"}).of("social_worker")
    assert w["professional"] == 0.0


def test_param_override_is_read():
    assert load_weights(overrides={"LINKAGE_MATCHING_SPREAD_HALF": "8"}).params["spread_half"] == 8.0


@pytest.mark.parametrize("key,value", [("LINKAGE_WEIGHT_VOLUNTEER_CHARM", "1"), ("LINKAGE_WEIGHT_ROBOT_SKILL", "1"),
                                       ("LINKAGE_WEIGHT_VOLUNTEER_SKILL", "lots"), ("LINKAGE_WEIGHT_VOLUNTEER_SKILL", "-1"),
                                       ("LINKAGE_MATCHING_SPREAD_HALF", "soon")])
def test_a_typo_in_an_override_fails_loudly(key, value):
    with pytest.raises(ValueError):
        load_weights(overrides={key: value})


def test_other_settings_under_the_matching_prefix_are_left_alone():
    assert load_weights(overrides={"LINKAGE_MATCHING_WORKERS": "2"}).params == load_weights().params


def test_a_weights_file_can_be_passed_explicitly(tmp_path):
    text = pathlib.Path(load_weights.__globals__["DEFAULT_PATH"]).read_text(encoding="utf-8")
    path = tmp_path / "w.toml"
    path.write_text(text.replace("skill = 0.35", "skill = 0.0", 1), encoding="utf-8")
    assert load_weights(path).of("volunteer")["skill"] == 0.0


def test_matching_code_never_reads_the_environment():
    src = pathlib.Path(load_weights.__globals__["__file__"]).parent
    for module in src.glob("*.py"):
        assert not re.search(r"environ\s*[\[.]|getenv|import os\b", module.read_text(encoding="utf-8")), module.name
