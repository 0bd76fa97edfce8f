"""matching/ is pure domain: no web framework, no broker, no platform imports (the event catalogue and the
one home of formats aside)."""
import pathlib
import subprocess
import sys


def test_importing_matching_loads_neither_flask_nor_kafka():
    code = ("import sys, matching; from matching import ProviderIndex, load_weights; "
            "ProviderIndex(load_weights()); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'kafka', 'linkage', 'events', 'sqlalchemy') "
            "and m not in ('linkage', 'linkage.catalogue', 'linkage.formats')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    root = pathlib.Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_event_catalogue_and_formats_matching_shares_are_plain_python():
    """matching takes PROVIDER_KINDS from linkage.catalogue and how a distance reads from linkage.formats,
    so these may load nothing but the stdlib."""
    code = ("import sys; before = set(sys.modules); import linkage.catalogue, linkage.formats; "
            "bad = sorted(m for m in set(sys.modules) - before if m.split('.')[0] not in sys.stdlib_module_names "
            "and m not in ('linkage', 'linkage.catalogue', 'linkage.formats')); "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=pathlib.Path(__file__).resolve().parents[3],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
