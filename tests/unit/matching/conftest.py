"""Fixtures for the matching tests: an index on a fixed clock."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the builders in matchkit.py

from matchkit import NOW  # noqa: E402

from matching import ProviderIndex, load_weights  # noqa: E402


@pytest.fixture
def clock():
    return lambda: NOW


@pytest.fixture
def index(clock):
    return ProviderIndex(weights=load_weights(), now=clock)
