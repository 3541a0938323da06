"""Steps shared by features/task_apps.feature and features/tunnels.feature (imported with *).

They run the real thing: the example task app in a user's script (a real process), the real
CLI, real Waitress, the stand-in cloudflared and Cloudflare API from tests/support.
"""

from __future__ import annotations

import json

import httpx
import pytest
from pytest_bdd import given, parsers, then, when
from synth_ai.adapters.records_file import pid_alive
from synth_ai.adapters.waitress_host import port_is_free

from tests.support.scripted_upstream import Reply, ScriptedUpstream
from tests.support.tunnels import ENV_KEY, EXAMPLE_APP, rollout_body
from tests.support.user_script import start_user_script


class World:
    """What a scenario has seen so far."""

    def __init__(self):
        self.script = None
        self.response = None
        self.record = None
        self.upstream: ScriptedUpstream | None = None


@pytest.fixture
def world():
    state = World()
    yield state
    if state.script is not None and state.script.process.poll() is None:
        state.script.process.kill()
        state.script.process.wait(10)
    if state.upstream is not None:
        state.upstream.close()


@given("the example arithmetic task app with ENVIRONMENT_API_KEY set")
def example_app(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT_API_KEY", ENV_KEY)
    assert EXAMPLE_APP.is_file()


@given(parsers.parse('a policy endpoint that answers "{text}"'))
def policy_endpoint(world, text):
    world.upstream = ScriptedUpstream.start(threads=4)
    world.upstream.default = Reply(text=text)


@when("the user's script runs it with InProcessTaskApp")
def run_script(world, tmp_path):
    world.script = start_user_script(tmp_path, EXAMPLE_APP, "none")
    assert world.script.ready, world.script.first_line + world.script.process.stderr.read()


@when("the user's script runs it with InProcessTaskApp and a quick tunnel")
def run_script_with_tunnel(world, tmp_path):
    world.script = start_user_script(tmp_path, EXAMPLE_APP, "quick")


@when("the user presses Ctrl+C")
def press_ctrl_c(world):
    import signal

    world.script.process.send_signal(signal.SIGINT)


@then("the script ends with KeyboardInterrupt in the user's code")
def ends_with_keyboard_interrupt(world):
    out, err = world.script.finish()
    assert "KEYBOARD_INTERRUPT True True" in out, out + err
    assert world.script.process.returncode == 0


@then("nothing is left running")
@then("nothing is left running: the script, cloudflared and the port are all gone")
def nothing_left(world, request):
    script = world.script
    script.finish()
    assert not pid_alive(script.pid)
    if script.ready:
        assert port_is_free("127.0.0.1", script.port)
    if "fake_cloudflare" in request.fixturenames:
        # every cloudflared the scenario started, by the PID each one recorded
        started = request.getfixturevalue("fake_cloudflare").started_pids()
        assert started, "the scenario started no cloudflared"
        assert not script.ready or script.tunnel_pid in started
        assert [pid for pid in started if pid_alive(pid)] == []


def task_app_client(world, key: str = ENV_KEY):
    from synth_ai.task_app.client import TaskAppClient

    return TaskAppClient(world.script.url, key)


@then(
    parsers.parse(
        '/info describes the task "{app_id}" with {train:d} train and {test:d} test seeds'
    )
)
def info_describes(world, app_id, train, test):
    with task_app_client(world) as client:
        info = client.info()
    assert info["service"]["task"]["id"] == app_id
    assert info["dataset"]["seeds"] == {"train": train, "test": test}


@when(parsers.parse('the user calls /rollout for seed {seed:d} with the prompt "{prompt}"'))
def call_rollout(world, seed, prompt):
    with task_app_client(world) as client:
        world.response = client.rollout(
            rollout_body(world.upstream.base_url, seed=seed, prompt=prompt)
        )


@then(parsers.parse("the rollout reward is {reward:g} and the gold answer is {gold:d}"))
def rollout_reward(world, reward, gold):
    step = world.response["trajectories"][0]["steps"][0]
    assert step["reward"] == reward and world.response["metrics"]["mean_return"] == reward
    assert step["info"]["gold"] == gold


@then(
    parsers.parse(
        'the policy endpoint received the prompt "{prompt}" and the question "{question}"'
    )
)
def policy_received(world, prompt, question):
    messages = world.upstream.requests[-1]["messages"]
    assert messages == [
        {"role": "system", "content": prompt},
        {"role": "user", "content": question},
    ]


@then(parsers.parse('/info with the key "{key}" answers {status:d}'))
def info_with_key(world, key, status):
    with task_app_client(world, key) as client:
        assert client.request("GET", "/info").status_code == status


@then(parsers.parse('/rollout with an env seed "{seed}" answers {status:d} naming "{path}"'))
def rollout_with_bad_seed(world, seed, status, path):
    with task_app_client(world) as client:
        response = client.request(
            "POST", "/rollout", json={"run_id": "r", "env": {"seed": seed}, "policy": {}}
        )
    assert response.status_code == status
    assert response.json()["error"]["param"] == path


def deploy(cli, *args: str, env: dict | None = None):
    result = cli("deploy", *args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def listed(cli) -> list[dict]:
    return json.loads(deploy(cli, "list", "--format", "json").stdout)


@when("the user runs synth-ai deploy --runtime local --background on it")
def deploy_local_background(world, cli):
    deploy(cli, "--runtime", "local", "--task-app", str(EXAMPLE_APP), "--port", "0", "--background")
    [world.record] = listed(cli)


@then(parsers.parse('synth-ai deploy list shows the deployment of "{app_id}"'))
def list_shows(world, cli, app_id):
    [record] = listed(cli)
    assert record["app_id"] == app_id and record["id"] == world.record["id"]
    assert httpx.get(record["url"] + "/health").json()["healthy"] is True


@when("the user runs synth-ai deploy stop with its id")
def stop_by_id(world, cli):
    deploy(cli, "stop", world.record["id"])


@when("the user runs synth-ai deploy stop --all")
def stop_all(world, cli):
    deploy(cli, "stop", "--all")


@then("the deployment's process is gone and synth-ai deploy list is empty")
def deployment_gone(world, cli):
    assert not pid_alive(world.record["pid"])
    assert port_is_free("127.0.0.1", world.record["port"])
    assert listed(cli) == []


@when("the user runs synth-ai deploy --runtime local in the foreground on it")
def deploy_local_foreground(world, cli):
    import os
    import subprocess
    import sys
    import time

    world.foreground = subprocess.Popen(
        [sys.executable, "-m", "synth_ai", "deploy", "--runtime", "local"]
        + ["--task-app", str(EXAMPLE_APP), "--port", "0", "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    world.record = json.loads(_read_json_document(world.foreground.stdout))
    deadline = time.monotonic() + 30
    while not listed(cli) and time.monotonic() < deadline:
        time.sleep(0.1)


def _read_json_document(stream) -> str:
    """Lines of stdout up to the end of the first (indented) JSON document."""
    lines = []
    for line in stream:
        lines.append(line)
        if line.rstrip() == "}":
            break
    return "".join(lines)


@when("the user presses Ctrl+C in the terminal running deploy")
def ctrl_c_deploy(world):
    import signal

    world.foreground.send_signal(signal.SIGINT)
    world.foreground.wait(30)


@then(parsers.parse("deploy exits with code {code:d}"))
def deploy_exit_code(world, code):
    assert world.foreground.returncode == code, world.foreground.stderr.read()
