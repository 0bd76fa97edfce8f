"""Imports point inward: the domain and the matcher know nothing of Flask or Kafka."""
import ast
import subprocess
import sys

import pytest
from pathlib import Path


@pytest.mark.parametrize("module", ["linkage.services.needs", "linkage.services.providers", "linkage.services.funding",
                                    "linkage.services.matches", "linkage.services.accounts",
                                    "linkage.uow", "linkage.models", "matching"])
def test_domain_modules_import_neither_flask_nor_kafka(module):
    code = (f"import sys, {module}; bad = [m for m in ('flask', 'kafka', 'flask_smorest') if m in sys.modules];"
            "print(','.join(bad)); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"{module} pulled in {result.stdout.strip()} {result.stderr[-500:]}"


def _reads_environment(source: str) -> bool:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            return True
    return False


def test_domain_code_never_reads_the_environment():
    root = Path(__file__).resolve().parents[2]
    offenders = [str(p) for folder in ("linkage/services", "linkage/models", "matching")
                 for p in (root / folder).rglob("*.py") if _reads_environment(p.read_text(encoding="utf-8"))]
    assert offenders == []
