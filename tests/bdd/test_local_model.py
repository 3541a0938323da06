"""``features/local_model.feature``: the real ``synth-ai serve`` subprocess on the packaged Gemma,
the real ``openai`` SDK."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import openai
import pytest
from pytest_bdd import given, scenarios, then, when
from synth_ai.adapters.llama_cpp.turns import gemma_prompt

from tests.support.local_model import local_model_path  # noqa: F401  (the fixture)
from tests.support.serve_process import ServeProcess, free_port

scenarios("local_model.feature")
KEY = "sk-synth-bdd-local-key"
SENTIMENT = [
    {"role": "user", "content": "I loved it."},
    {"role": "assistant", "content": "positive"},
    {"role": "user", "content": "I hated it."},
    {"role": "assistant", "content": "negative"},
    {"role": "user", "content": "What a wonderful day."},
]


@pytest.fixture
def world(tmp_path):
    state = {"home": tmp_path / "serve-home", "env": {}}
    state["home"].mkdir()
    yield state
    if "server" in state:
        state["server"].stop()


@given('a config.toml that sets [upstream] provider "local"')
def local_config(world, local_model_path):
    (world["home"] / "config.toml").write_text(
        f'[upstream]\nprovider = "local"\nmodel_path = "{local_model_path}"\nthreads = 1\n',
        encoding="utf-8",
    )


@given("llama-cpp-python cannot be imported")
def hide_llama_cpp(world, tmp_path):
    shadow = tmp_path / "shadow" / "llama_cpp"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("hidden by the test")\n')
    world["env"]["PYTHONPATH"] = str(shadow.parent)


@when('I start "synth-ai serve"')
def start_serve(world):
    world["server"] = ServeProcess(world["home"], "", KEY, extra_env=world["env"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@when('I run "synth-ai serve"')
def run_serve(world):
    env = {**os.environ, "SYNTH_AI_HOME": str(world["home"]), "SYNTH_API_KEY": KEY}
    world["result"] = subprocess.run(
        [sys.executable, "-m", "synth_ai", "serve", "--port", str(free_port())],
        env={**env, **world["env"]},
        capture_output=True,
        text=True,
        timeout=60,
    )


@then("it prints the local model it loaded")
def prints_model(world):
    log = world["server"].log.read_text()
    assert "upstream: local model" in log and "gemma-3-270m-q4_k_m.gguf" in log, log


def sdk(world) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=world["server"].url + "/api/synth-research/v1", api_key=KEY, max_retries=0
    )


@then(
    'the OpenAI SDK gets a chat completion of "local" with at most 8 tokens, counted by the model\'s tokenizer'
)
def completion(world, local_model_path):
    import llama_cpp

    answer = sdk(world).chat.completions.create(
        model="local", messages=SENTIMENT, max_tokens=8, temperature=0
    )
    assert answer.choices[0].message.content == "positive"
    assert 1 <= answer.usage.completion_tokens <= 8
    vocab = llama_cpp.Llama(model_path=local_model_path, vocab_only=True, verbose=False)
    prompt = gemma_prompt(SENTIMENT).encode()
    assert answer.usage.prompt_tokens == len(vocab.tokenize(prompt, add_bos=True, special=False))
    world["answer"] = answer.choices[0].message.content


@then("a streamed completion of the same request has the same text")
def streamed(world):
    stream = sdk(world).chat.completions.create(
        model="local", messages=SENTIMENT, max_tokens=8, temperature=0, stream=True
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == world["answer"]


@then("it exits 1 with one line that says \"pip install 'synth-ai[local]'\"")
def one_line(world):
    result = world["result"]
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'synth-ai[local]'" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


@given("no llama-cpp-python wheel has been built on this machine")
def empty_wheelhouse(world, tmp_path):
    world["env"]["SYNTH_AI_WHEELHOUSE"] = str(tmp_path / "empty-wheelhouse")
    world["env"]["HOME"] = str(tmp_path)


@given("no C compiler is on the PATH")
def no_compiler(world, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "bash"):
        (bin_dir / tool).symlink_to(subprocess.check_output(["which", tool], text=True).strip())
    (bin_dir / "python3").symlink_to(sys.executable)
    world["env"]["PATH"] = str(bin_dir)
    world["bash"] = str(bin_dir / "bash")


@when('I run "scripts/demo"')
def run_demo(world):
    script = Path(__file__).resolve().parents[2] / "scripts" / "demo"
    world["result"] = subprocess.run(
        [world["bash"], str(script)], env=world["env"], capture_output=True, text=True, timeout=30
    )


@then("it exits 1 with one line that names a C compiler and SYNTH_AI_UPSTREAM_URL")
def demo_one_line(world):
    result = world["result"]
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "needs a C compiler" in lines[0] and "SYNTH_AI_UPSTREAM_URL" in lines[0]
