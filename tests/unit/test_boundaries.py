"""Imports point inward: the domain and the matcher know nothing of Flask or Kafka."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest


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


def _imported_modules(source: str) -> set[str]:
    """Every module a source file imports, at its top or inside a function (`from a import b` gives a and a.b)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _importers_of(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    root = Path(__file__).resolve().parents[2]
    files = sorted((root / folder).rglob("*.py")) if (root / folder).is_dir() else [root / folder]
    assert files, f"nothing to check under {folder}"
    return [f"{p.relative_to(root)}: {m}" for p in files for m in sorted(_imported_modules(p.read_text(encoding="utf-8")))
            if any(m == f or m.startswith(f + ".") for f in forbidden)]


def test_the_import_scanner_sees_lazy_and_from_imports():
    source = "from linkage import api\ndef f():\n    import flask.json\n    from linkage.web.i18n import t\n"
    assert {"linkage.api", "flask.json", "linkage.web.i18n"} <= _imported_modules(source)


@pytest.mark.parametrize("folder", ["linkage/web", "linkage/observability", "linkage/http"])
def test_the_pages_observability_and_the_http_layer_never_import_the_api(folder):
    assert _importers_of(folder, ("linkage.api",)) == []


def test_the_http_layer_imports_neither_the_api_nor_the_pages():
    assert _importers_of("linkage/http", ("linkage.api", "linkage.web")) == []


def test_services_import_no_flask():
    assert _importers_of("linkage/services", ("flask", "flask_smorest", "flask_limiter", "flask_talisman",
                                              "werkzeug")) == []
