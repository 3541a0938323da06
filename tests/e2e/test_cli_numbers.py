"""Numbers and ranges: every numeric option, environment variable and config value is checked
where it is read, and refused with one line naming it, the value and the accepted range."""

import pytest

NUMERIC_OPTIONS = [
    (("serve", "--port", "99999"), "'--port'", "1–65535"),
    (("serve", "--port", "0"), "'--port'", "1–65535"),
    (("serve", "--threads", "0"), "'--threads'", ">= 1"),
    (("serve", "--threads", "2.5"), "'--threads'", "whole number"),
    (("--timeout", "-1", "artifacts", "list"), "'--timeout'", "> 0"),
    (("--timeout", "nan", "artifacts", "list"), "'--timeout'", "not finite"),
    (("--timeout", "inf", "artifacts", "list"), "'--timeout'", "not finite"),
    (("--timeout", "0", "artifacts", "list"), "'--timeout'", "> 0"),
    (
        ("deploy", "--runtime", "local", "--task-app", "a.py", "--port", "70000"),
        "'--port'",
        "0–65535",
    ),
    (("deploy", "--runtime", "local", "--task-app", "a.py", "--wait", "NaN"), "'--wait'", "finite"),
    (("deploy", "--runtime", "local", "--task-app", "a.py", "--wait", "0"), "'--wait'", "> 0"),
    (("deploy", "stop", "--all", "--timeout", "-1"), "'--timeout'", ">= 0"),
    (("session", "start", "--limit-cost", "inf"), "'--limit-cost'", "finite"),
    (("artifacts", "list", "--limit", "0"), "'--limit'", "1<=x<=1000"),
    (("session", "start", "--expires-in", "0m"), "--expires-in", "a duration > 0"),
]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


@pytest.mark.parametrize(("args", "names", "says"), NUMERIC_OPTIONS)
def test_a_bad_number_for_an_option_is_one_usage_error_naming_the_option_and_range(
    cli, args, names, says
):
    result = cli(*args, timeout=30)
    assert result.returncode == 2, result.stderr
    [line] = error_lines(result.stderr)
    assert names in line and says in line and str(args[-1 if args[-1] != "list" else -3]) in line
    assert "Traceback" not in result.stderr


BAD_ENVIRONMENT = [
    ({"SYNTH_AI_PORT": "99999"}, "SYNTH_AI_PORT=99999 is outside 1–65535"),
    ({"SYNTH_AI_THREADS": "0"}, "SYNTH_AI_THREADS=0 is outside >= 1"),
    ({"SYNTH_AI_TIMEOUT": "nan"}, "SYNTH_AI_TIMEOUT=nan is not a number > 0"),
    ({"SYNTH_AI_UPSTREAM_TIMEOUT": "-5"}, "SYNTH_AI_UPSTREAM_TIMEOUT=-5 is outside > 0"),
    (
        {"SYNTH_AI_SESSION_LIMIT_COST_USD": "nan"},
        "SYNTH_AI_SESSION_LIMIT_COST_USD=nan is not a number >= 0",
    ),
]


@pytest.mark.parametrize(("env", "says"), BAD_ENVIRONMENT)
def test_a_bad_number_in_the_environment_is_one_line_naming_the_variable(cli, env, says):
    result = cli("serve", env=env, timeout=30)
    assert result.returncode == 1, result.stderr
    assert error_lines(result.stderr) == [f"Error: {says} — fix the environment variable"]


BAD_CONFIG = [
    ("[server]\nport = 99999\n", "[server] port = 99999 in {file} is outside 1–65535"),
    ("[server]\nthreads = nan\n", "[server] threads = nan in {file} is not a whole number >= 1"),
    ("[client]\ntimeout = inf\n", "[client] timeout = inf in {file} is not a number > 0"),
    ("[client]\ntimeout = 0\n", "[client] timeout = 0 in {file} is outside > 0"),
    ('[upstream]\ntimeout = "soon"\n', "[upstream] timeout = 'soon' in {file} is not a number > 0"),
    ("[tunnels]\nurl_timeout = -1\n", "[tunnels] url_timeout = -1 in {file} is outside > 0"),
    (
        "[session]\nlimit_tokens = 1.5\n",
        "[session] limit_tokens = 1.5 in {file} is not a whole number >= 0",
    ),
]


@pytest.mark.parametrize(("toml", "says"), BAD_CONFIG)
def test_a_bad_number_in_config_toml_is_one_line_naming_the_key_and_the_file(
    cli, synth_home, toml, says
):
    config = synth_home / "config.toml"
    config.write_text(toml)
    command = (
        ("deploy", "--runtime", "tunnel", "--task-app", __file__)
        if "tunnels" in toml
        else ("serve",)
    )
    result = cli(*command, env={"ENVIRONMENT_API_KEY": "k"}, timeout=30)
    assert result.returncode == 1, result.stderr
    assert error_lines(result.stderr) == [f"Error: {says.format(file=config)} — fix config.toml"]


def test_a_nan_session_limit_in_codex_toml_is_refused_before_anything_starts(cli, tmp_path):
    (tmp_path / "codex.toml").write_text("[session]\nlimit_cost_usd = nan\n")
    result = cli(
        "codex",
        "--",
        "--version",
        cwd=tmp_path,
        env={"SYNTH_AI_CODEX_BIN": "/bin/true"},
        timeout=30,
    )
    assert result.returncode == 2, result.stderr
    assert "limit_cost_usd must be a finite number > 0, got nan" in result.stderr


def test_a_bad_ui_scan_ports_in_config_toml_stops_serve_with_one_line(cli, synth_home):
    config = synth_home / "config.toml"
    config.write_text('[ui]\nscan_ports = "9:1"\n')
    result = cli("serve", timeout=30)
    assert result.returncode == 1, result.stderr
    assert error_lines(result.stderr) == [
        f"Error: [ui] scan_ports = '9:1' in {config} is invalid — use ports 1-65535 with "
        "START <= END, e.g. 8000:8100"
    ]
