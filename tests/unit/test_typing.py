"""matching/, events/ and linkage/services/ stay clean under mypy --strict (the [tool.mypy] section of pyproject.toml)."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_strict_packages_pass_mypy_strict():
    pytest.importorskip("mypy", reason="mypy is in the dev extra")
    done = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
