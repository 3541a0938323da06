"""README and docs snippets run as written.

Every ```python block in README.md and docs/ runs in a subprocess from the repository root,
with only the environment the same page exports in its ```bash blocks (``export NAME=value``);
a block preceded by ``<!-- snippet: fragment … -->`` is an illustration and is skipped. Every
``synth-ai …`` line of a ```bash block must name commands and options that exist, with values
the options accept (checked with ``--help`` added, so nothing is started)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"(?P<before>[^\n]*)\n```(?P<lang>\w+)[^\n]*\n(?P<body>.*?)\n```", re.S)
FRAGMENT = "<!-- snippet: fragment"


def blocks(page: Path, lang: str) -> list[tuple[int, str, bool]]:
    """(line, body, is_fragment) of each ```lang block of ``page``."""
    text = "\n" + page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        if match.group("lang") == lang:
            line = text.count("\n", 0, match.start("body"))
            found.append((line, match.group("body"), FRAGMENT in match.group("before")))
    return found


def exported(page: Path) -> dict[str, str]:
    env = {}
    for _, body, _ in blocks(page, "bash"):
        for name, value in re.findall(r"^export (\w+)=(\S+)", body, re.M):
            env[name] = value
    return env


PYTHON = [
    pytest.param(page, line, body, id=f"{page.relative_to(ROOT)}:{line}")
    for page in PAGES
    for line, body, fragment in blocks(page, "python")
    if not fragment
]


@pytest.mark.parametrize(("page", "line", "body"), PYTHON)
def test_a_python_snippet_runs_as_written(page, line, body, synth_home):
    env = {
        **{k: v for k, v in os.environ.items() if k != "ENVIRONMENT_API_KEY"},
        **exported(page),
    }
    done = subprocess.run(
        [sys.executable, "-c", body],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, f"{page.name}:{line} failed:\n{done.stderr}"


def command_lines(page: Path) -> list[tuple[int, list[str]]]:
    """``synth-ai`` command lines of the page's bash blocks, synopsis brackets resolved to the
    first alternative (``[--type models|prompts]`` → ``--type models``)."""
    found = []
    for line, body, fragment in blocks(page, "bash"):
        if fragment:
            continue
        for offset, raw in enumerate(body.replace("\\\n", " ").splitlines()):
            text = re.sub(r"^(\S*/)?synth-ai\b", "synth-ai", raw.strip())
            if not text.startswith("synth-ai "):
                continue
            text = re.sub(r"\s#.*$", "", text).rstrip(" &")
            text = re.sub(r"(\S+)\|\S+", r"\1", text.replace("[", " ").replace("]", " "))
            text = re.sub(r"(--[\w-]+)/--[\w-]+", r"\1", text)  # --private/--public
            found.append((line + offset, shlex.split(text)[1:]))
    return found


COMMANDS = [
    pytest.param(args, id=f"{page.relative_to(ROOT)}:{line}")
    for page in PAGES
    for line, args in command_lines(page)
]


@pytest.mark.parametrize("args", COMMANDS)
def test_a_documented_command_line_names_real_commands_and_options(args):
    from synth_ai.cli.main import cli

    cut = args.index("--") if "--" in args else len(args)
    result = CliRunner().invoke(cli, [*args[:cut], "--help", *args[cut:]], prog_name="synth-ai")
    assert result.exit_code == 0, f"synth-ai {shlex.join(args)}:\n{result.output}"
    assert "Usage: synth-ai" in result.output


def test_the_snippets_were_found():
    assert len(PYTHON) >= 2 and len(COMMANDS) >= 20
