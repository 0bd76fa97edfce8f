"""matching/ is pure domain: no web framework, no broker, no platform imports (the event catalogue and the
formats of units and dates aside, both plain Python)."""
import pathlib
import subprocess
import sys

import pytest

# What matching/ takes from linkage/: the provider kinds, how money, dates and materials read (one home),
# and the qualifications' names (the taxonomy).
SHARED = ("linkage", "linkage.catalogue", "linkage.formats", "linkage.clock", "linkage.taxonomy")


def test_importing_matching_loads_neither_flask_nor_kafka():
    code = ("import sys, matching; from matching import ProviderIndex, load_weights; "
            "ProviderIndex(load_weights()); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'kafka', 'linkage', 'events', 'sqlalchemy') "
            "and m not in SHARED]; "
            "print(bad); sys.exit(1 if bad else 0)").replace("SHARED", repr(SHARED))
    root = pathlib.Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("module", ["linkage.catalogue", "linkage.formats", "linkage.taxonomy"])
def test_what_matching_shares_with_the_platform_is_plain_python(module):
    """matching takes PROVIDER_KINDS from linkage.catalogue and the formats from linkage.formats, so these
    may load nothing but the stdlib."""
    code = (f"import sys; before = set(sys.modules); import {module}; "
            "bad = sorted(m for m in set(sys.modules) - before if m.split('.')[0] not in sys.stdlib_module_names "
            "and not m.startswith('_sysconfigdata') "
            f"and m not in {SHARED!r}); "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=pathlib.Path(__file__).resolve().parents[3],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
