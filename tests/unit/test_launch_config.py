"""The launchers' pure parts: ``[session]`` limits and the client configuration they build."""

import click
import pytest
from synth_ai.cli.codex import codex_argv
from synth_ai.cli.launch import read_session_table, session_limits
from synth_ai.cli.opencode import opencode_config


def test_the_default_session_limit_is_twenty_dollars(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert session_limits(read_session_table(None)) == [
        {"metric_type": "cost_usd", "limit_type": "hard", "limit_value": 20.0}
    ]


def test_codex_toml_is_preferred_to_synth_toml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "synth.toml").write_text("[session]\nlimit_cost_usd = 9\n")
    (tmp_path / "codex.toml").write_text("[session]\nlimit_cost_usd = 3\nsoft_limit_tokens = 500\n")
    limits = session_limits(read_session_table(None))
    assert limits == [
        {"metric_type": "cost_usd", "limit_type": "hard", "limit_value": 3},
        {"metric_type": "tokens", "limit_type": "soft", "limit_value": 500},
    ]


def test_an_explicit_config_is_preferred_to_codex_toml_and_synth_toml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "synth.toml").write_text("[session]\nlimit_cost_usd = 9\n")
    (tmp_path / "codex.toml").write_text("[session]\nlimit_cost_usd = 3\n")
    chosen = tmp_path / "team.toml"
    chosen.write_text("[session]\nlimit_api_calls = 40\n")
    assert session_limits(read_session_table(chosen)) == [
        {"metric_type": "cost_usd", "limit_type": "hard", "limit_value": 20.0},
        {"metric_type": "api_calls", "limit_type": "hard", "limit_value": 40},
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[session]\nlimit_cost_usd = -1\n", "finite number > 0"),
        ("[session]\nlimit_cost_usd = nan\n", "finite number > 0, got nan"),
        ("[session]\nbudget = 3\n", "unknown [session] keys"),
        ("[session\n", "not valid TOML"),
    ],
)
def test_a_bad_session_table_says_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(click.UsageError, match=message.replace("[", r"\[")):
        session_limits(read_session_table(path))


def test_a_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(click.UsageError, match="does not exist"):
        read_session_table(tmp_path / "nope.toml")


def test_codex_overrides_go_after_a_subcommand_and_name_the_responses_wire_api():
    argv = codex_argv(
        "codex", "http://127.0.0.1:9", "sess_1", "synth-small", ("exec", "--json", "do it")
    )
    assert argv[:2] == ["codex", "exec"] and argv[-2:] == ["--json", "do it"]
    provider = argv[argv.index("-c") + 1]
    assert provider.startswith("model_providers.synth={")
    assert 'wire_api="responses"' in provider and '"X-Session-ID"="sess_1"' in provider
    assert (
        'base_url="http://127.0.0.1:9/api/v1"' in provider and 'env_key="SYNTH_API_KEY"' in provider
    )
    assert 'model_provider="synth"' in argv
    interactive = codex_argv("codex", "http://h", "s", "m", ())
    assert interactive[0] == "codex" and interactive[-2:] == ["-m", "m"]


def test_the_opencode_config_keeps_the_key_in_the_environment():
    config = opencode_config("http://127.0.0.1:9", "sess_2", "synth-small")
    options = config["provider"]["synth"]["options"]
    assert options == {
        "baseURL": "http://127.0.0.1:9/api/v1",
        "apiKey": "{env:SYNTH_API_KEY}",
        "headers": {"X-Synth-Session-ID": "sess_2"},
    }
    assert config["model"] == "synth/synth-small"
