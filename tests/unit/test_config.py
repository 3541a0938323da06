import os
import stat

from synth_ai.settings.config import ensure_server_key, load_settings


def test_environment_overrides_the_config_file(synth_home):
    (synth_home / "config.toml").write_text(
        '[server]\nport = 9000\n[client]\nbase_url = "http://file"\n'
    )
    settings = load_settings(
        {
            "SYNTH_AI_HOME": str(synth_home),
            "SYNTH_BACKEND_URL": "http://env",
            "SYNTH_AI_PORT": "9100",
        }
    )
    assert settings.backend_url == "http://env"
    assert settings.port == 9100


def test_first_start_generates_a_key_and_stores_it_privately(synth_home):
    settings = load_settings()
    assert settings.api_keys == []
    settings, key = ensure_server_key(settings)
    assert key and key.startswith("sk-synth-")
    mode = stat.S_IMODE(os.stat(synth_home / "config.toml").st_mode)
    assert mode == 0o600
    assert settings.api_key == key
    again, second = ensure_server_key(load_settings())
    assert second is None and again.api_key == key


def test_invalid_toml_is_reported_with_the_file_line_and_column(synth_home):
    (synth_home / "config.toml").write_text("[server\nport=")
    import pytest
    from synth_ai.domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match=r"config.toml:1:7: not valid TOML"):
        load_settings()


def test_the_upstream_output_cap_field_is_configurable_and_checked(synth_home):
    import pytest
    from synth_ai.domain.errors import InvalidInput

    assert load_settings().upstream_max_tokens_field == "max_completion_tokens"
    (synth_home / "config.toml").write_text('[upstream]\nmax_tokens_field = "max_tokens"\n')
    assert load_settings().upstream_max_tokens_field == "max_tokens"
    (synth_home / "config.toml").write_text('[upstream]\nmax_tokens_field = "n_predict"\n')
    with pytest.raises(InvalidInput, match="'n_predict'"):
        load_settings()
