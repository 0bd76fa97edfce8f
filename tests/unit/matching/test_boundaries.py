"""matching/ is pure domain: no web framework, no broker, no platform imports."""
import pathlib
import subprocess
import sys


def test_importing_matching_loads_neither_flask_nor_kafka():
    code = ("import sys, matching; from matching import ProviderIndex, load_weights; "
            "ProviderIndex(load_weights()); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'kafka', 'linkage', 'events')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    root = pathlib.Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
