"""How many Codex turns a small session pays for, against the scripted upstream.

A real ``synth-ai serve`` subprocess, the real Codex CLI through ``synth-ai codex`` with a
``codex.toml`` of ``limit_cost_usd = --limit`` (``--model``, default synth-small priced as
gpt-4.1-mini; synth-experimental is priced as gpt-5), and a
scripted upstream that answers every turn with one more shell command, so Codex keeps going
until the budget refuses a turn. Prints one JSON line: turns (model calls), what the session
spent and left unused, its status, and Codex's exit code.

    .venv/bin/python -m bench.bench_codex_turns [--limit 0.07] [--model synth-small]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from tests.e2e.clients import CODEX_EXEC, client_bin
from tests.support.scripted_upstream import Reply, ScriptedUpstream, ToolCall
from tests.support.serve_process import ServeProcess

KEY = "sk-synth-bench-codex"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=0.07)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--model", default="synth-small")
    args = parser.parse_args()

    upstream = ScriptedUpstream.start()
    turns = {"n": 0}

    def respond(body: dict) -> Reply:
        if not body.get("tools"):
            return Reply(text="a title")
        turns["n"] += 1
        return Reply(tool_calls=[ToolCall("exec_command", {"cmd": f"echo turn {turns['n']}"})])

    upstream.responder = respond
    root = Path(tempfile.mkdtemp(prefix="synth-bench-codex-"))
    (root / "home").mkdir()
    (root / "work").mkdir()
    (root / "codex-home").mkdir()
    (root / "work" / "codex.toml").write_text(f"[session]\nlimit_cost_usd = {args.limit}\n")
    server = ServeProcess(root / "home", upstream.base_url, KEY)
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "synth_ai",
                "--base-url",
                server.url,
                "--api-key",
                KEY,
                "codex",
                "--model",
                args.model,
                "--",
                *CODEX_EXEC,
                "Run the shell commands you are given, one after the other.",
            ],
            cwd=root / "work",
            env={
                **os.environ,
                "CODEX_HOME": str(root / "codex-home"),
                "SYNTH_AI_CODEX_BIN": client_bin("SYNTH_AI_CODEX_BIN", "codex"),
            },
            capture_output=True,
            text=True,
            timeout=args.timeout,
        )
        sessions = httpx.get(
            f"{server.url}/api/v1/sessions", headers={"Authorization": f"Bearer {KEY}"}
        ).json()
        (session,) = [s for s in sessions if (s.get("metadata") or {}).get("client") == "codex"]
    finally:
        server.stop()
        upstream.close()
        shutil.rmtree(root, ignore_errors=True)
    spent = session["current_usage"]["cost_usd"]
    print(
        json.dumps(
            {
                "bench": "codex_turns",
                "model": args.model,
                "limit_usd": args.limit,
                "turns": turns["n"],
                "spent_usd": round(spent, 6),
                "unused_usd": round(args.limit - spent, 6),
                "status": session["status"],
                "codex_exit": result.returncode,
                "launcher_line": next(
                    (line for line in result.stderr.splitlines() if " spent " in line), None
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
