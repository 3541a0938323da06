"""The hexagon's dependency rule, checked on every run as an allow-list per layer.

Every module under ``domain/``, ``ports/``, ``adapters/`` and ``entrypoints/`` is read with
``ast`` (imports inside functions and ``TYPE_CHECKING`` blocks included; import-linter cannot
follow the setuptools ``package-dir`` remap). A layer may import only what its rule allows:

- ``domain``: the standard-library modules in ``DOMAIN_STDLIB``, ``attrs``, the domain and the
  ports. No I/O, no clock, no id source: those arrive through ports.
- ``ports``: the few typing-level modules in ``PORTS_STDLIB``, ``attrs``, the domain and the ports.
- ``adapters``: anything but the entrypoints (``synth_ai.cli``, ``synth_ai.http``, …).
- ``entrypoints``: anything.

Every ``synth_ai.*`` name imported anywhere must also be a module or package that exists.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {  # folder -> import name
    "domain": "synth_ai.domain",
    "ports": "synth_ai.ports",
    "adapters": "synth_ai.adapters",
    "entrypoints": "synth_ai",
}
DOMAIN_STDLIB = {
    "__future__", "abc", "base64", "bisect", "collections", "concurrent", "contextlib", "copy",
    "dataclasses", "datetime", "decimal", "difflib", "enum", "fnmatch", "fractions", "functools",
    "hashlib", "heapq", "ipaddress", "itertools", "json", "logging", "math", "operator", "pathlib",
    "random", "re", "statistics", "string", "textwrap", "threading", "traceback", "types", "typing",
    "builtins",
    "unicodedata", "urllib", "warnings",
}  # fmt: skip
PORTS_STDLIB = {
    "__future__", "abc", "builtins", "collections", "contextlib", "datetime", "enum", "pathlib",
    "types", "typing",
}  # fmt: skip
INNER = ("synth_ai.domain", "synth_ai.ports")
# Third-party libraries that belong to one adapter package: only that package may import them
# (the rest of the code reaches them through it).
OWNED = {"prometheus_client": "adapters/prometheus"}


def _is(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def allowed(layer: str, name: str) -> bool:
    top = name.split(".")[0]
    if layer == "entrypoints":
        return True
    if layer == "adapters":
        return top != "synth_ai" or any(_is(name, p) for p in (*INNER, "synth_ai.adapters"))
    stdlib = DOMAIN_STDLIB if layer == "domain" else PORTS_STDLIB
    return top in stdlib or top == "attrs" or any(_is(name, p) for p in INNER)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module.startswith("synth_ai"):  # `from synth_ai.x import module`
                names.update(
                    f"{node.module}.{a.name}"
                    for a in node.names
                    if _module_file(f"{node.module}.{a.name}") is not None
                )
    return names


def _module_file(name: str) -> Path | None:
    """Where ``synth_ai.…`` lives in the tree, or None when no such module or package exists."""
    for folder, prefix in sorted(LAYERS.items(), key=lambda kv: -len(kv[1])):
        if _is(name, prefix):
            rest = name[len(prefix) :].lstrip(".").split(".") if name != prefix else []
            base = ROOT.joinpath(folder, *rest)
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if rest and candidate.is_file() or not rest and candidate.name == "__init__.py":
                    return candidate if candidate.is_file() else None
            return None
    return None


def modules(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def violations(folder: str) -> list[str]:
    found = []
    for path in modules(folder):
        for name in sorted(imports_of(path)):
            if not allowed(folder, name):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("folder", sorted(LAYERS))
def test_every_module_of_a_layer_imports_only_what_its_allow_list_names(folder):
    assert modules(folder), f"no modules found under {folder}/"
    assert violations(folder) == []


@pytest.mark.parametrize("library", sorted(OWNED))
def test_a_library_owned_by_one_adapter_is_imported_only_there(library):
    home = ROOT / OWNED[library]
    strays = [
        str(path.relative_to(ROOT))
        for folder in LAYERS
        for path in modules(folder)
        if home not in path.parents
        and any(name.split(".")[0] == library for name in imports_of(path))
    ]
    assert strays == []
    assert any(library in {n.split(".")[0] for n in imports_of(p)} for p in home.rglob("*.py"))


@pytest.mark.parametrize("folder", sorted(LAYERS))
def test_every_synth_ai_module_a_layer_imports_exists(folder):
    missing = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(folder)
        for name in sorted(imports_of(path))
        if name.startswith("synth_ai") and _module_file(name) is None
    ]
    assert missing == []


def test_the_allow_lists_name_only_real_standard_library_modules():
    assert (DOMAIN_STDLIB | PORTS_STDLIB) - set(sys.stdlib_module_names) == set()


def test_the_layering_check_catches_a_forbidden_import(tmp_path, monkeypatch):
    (tmp_path / "domain").mkdir()
    (tmp_path / "domain" / "bad.py").write_text(
        "import secrets\n\ndef f():\n    import httpx\n    from synth_ai.adapters import x\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert violations("domain") == [
        "domain/bad.py imports httpx",
        "domain/bad.py imports secrets",
        "domain/bad.py imports synth_ai.adapters",
    ]


def test_the_layering_check_keeps_adapters_out_of_the_entrypoints(tmp_path, monkeypatch):
    (tmp_path / "adapters").mkdir()
    (tmp_path / "adapters" / "bad.py").write_text("from synth_ai.settings import config\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert violations("adapters") == ["adapters/bad.py imports synth_ai.settings"]


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
        "heavy=[m for m in ('falcon','kombu','huggingface_hub','redis','waitress','httpx','rich','dependency_injector','llama_cpp','prometheus_client') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ}, timeout=60
    )
    assert "HEAVY []" in result.stdout, result.stdout + result.stderr
