"""Preflight before side effects: a command checks what it needs before it starts anything."""

import pytest

from tests.support.tunnels import ENV_KEY, EXAMPLE_APP


@pytest.mark.parametrize("background", [True, False])
def test_a_tunnel_deploy_without_cloudflared_fails_in_one_line_before_starting_the_app(
    cli, tmp_path, synth_home, background
):
    result = cli(
        "deploy",
        "--runtime",
        "tunnel",
        "--task-app",
        str(EXAMPLE_APP),
        "--port",
        "0",
        *(["--background"] if background else []),
        env={"PATH": str(tmp_path), "SYNTH_AI_CLOUDFLARED": "", "ENVIRONMENT_API_KEY": ENV_KEY},
        timeout=30,
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: cloudflared is not installed (looked in ")
    assert result.stdout == ""
    assert not (synth_home / "logs").exists()  # no runner was started
    assert not (synth_home / "services.json").exists()  # no task app was recorded


def test_a_configured_cloudflared_path_that_does_not_exist_is_named_before_anything_starts(
    cli, tmp_path, synth_home
):
    missing = tmp_path / "bin" / "cloudflared"
    result = cli(
        "deploy",
        "--runtime",
        "tunnel",
        "--task-app",
        str(EXAMPLE_APP),
        "--background",
        env={"SYNTH_AI_CLOUDFLARED": str(missing), "ENVIRONMENT_API_KEY": ENV_KEY},
        timeout=30,
    )
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: cloudflared not found at {missing}")
    assert not (synth_home / "logs").exists()
