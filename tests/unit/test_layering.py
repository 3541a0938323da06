"""The hexagon's dependency rule, checked on every run.

import-linter cannot follow setuptools ``package-dir`` remapping (it walks ``synth_ai/`` on
disk), so this reads every module's imports with ``ast`` instead, including imports inside
functions and ``TYPE_CHECKING`` blocks.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FRAMEWORKS = [
    "falcon",
    "waitress",
    "httpx",
    "redis",
    "kombu",
    "click",
    "rich",
    "huggingface_hub",
    "tomlkit",
    "dependency_injector",
    "yaml",
    "cattrs",
    "requests",
    "sqlite3",
]
ENTRYPOINTS = [
    "synth_ai.cli",
    "synth_ai.http",
    "synth_ai.container",
    "synth_ai.settings.config",
    "synth_ai.auth",
    "synth_ai.sdk",
    "synth_ai.worker",
]

RULES = {
    "domain": FRAMEWORKS + ["synth_ai.adapters"] + ENTRYPOINTS,
    "ports": FRAMEWORKS + ["synth_ai.adapters"] + ENTRYPOINTS,
    "adapters": ENTRYPOINTS,
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violations(folder: str) -> list[str]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in imports_of(path):
            for banned in RULES[folder]:
                if name == banned or name.startswith(banned + "."):
                    found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("folder", sorted(RULES))
def test_layer_imports_only_what_the_dependency_rule_allows(folder):
    assert violations(folder) == []


def test_the_layering_check_catches_a_forbidden_import(tmp_path, monkeypatch):
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "bad.py").write_text("def f():\n    import httpx\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert violations("domain") == ["domain/bad.py imports httpx"]


def test_no_bare_top_level_packages_are_importable_from_site_packages():
    code = (
        "import importlib.util,sys; sys.path=[p for p in sys.path if p not in ('', '.')]; "
        "print([m for m in ('domain','ports','adapters','entrypoints') if importlib.util.find_spec(m)])"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True)
    assert result.stdout.strip() == "[]"


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys\n"
        "sys.argv=['synth-ai','--help']\n"
        "from synth_ai.cli.main import cli\n"
        "try:\n    cli(prog_name='synth-ai')\nexcept SystemExit:\n    pass\n"
        "heavy=[m for m in ('falcon','kombu','huggingface_hub','redis','waitress','httpx','rich','dependency_injector','llama_cpp') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ}, timeout=60
    )
    assert "HEAVY []" in result.stdout, result.stdout + result.stderr
