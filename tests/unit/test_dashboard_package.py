"""The dashboard's files ship in the package: setup.py's package data takes every one of them into
a build (what ``build_py`` copies is what the wheel holds), and the installed package has them."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "entrypoints" / "http" / "ui"

BUILD_FILES = """
import json, setuptools
from distutils.core import run_setup
dist = run_setup("setup.py", stop_after="init")
build_py = dist.get_command_obj("build_py")
build_py.ensure_finalized()
print(json.dumps({package: sorted(names) for package, _, _, names in build_py.data_files}))
"""


def test_every_dashboard_file_is_package_data_of_a_build():
    done = subprocess.run(
        [sys.executable, "-c", BUILD_FILES], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    built = set(json.loads(done.stdout.strip().splitlines()[-1])["synth_ai.http"])
    on_disk = {str(p.relative_to(UI.parent)) for p in UI.rglob("*") if p.is_file()}
    assert {"ui/index.html", "ui/app.js", "ui/vendor/uplot/LICENSE"} <= on_disk
    assert on_disk - built == set()


def test_the_installed_package_has_the_shell_the_pages_and_each_vendored_licence():
    ui = files("synth_ai.http") / "ui"
    for name in ("index.html", "app.js", "api.js", "style.css", "pages/experiment.js"):
        assert (ui / name).is_file(), name
    for library in ("uplot", "diff"):
        assert (ui / "vendor" / library / "LICENSE").is_file(), library
    assert "uplot" in (ui / "vendor" / "README.md").read_text(encoding="utf-8")
