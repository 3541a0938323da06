"""``synth-ai ui`` as a real subprocess against a real ``synth-ai serve`` subprocess."""

from __future__ import annotations

import json

import httpx


def test_ui_prints_a_url_whose_token_reads_this_orgs_data(served, cli):
    done = cli("ui", env=served.env)
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert url.startswith(f"{served.url}/ui/#token=sui1.")
    assert "Valid until" in done.stderr and "synth-ai ui" in done.stderr
    token = url.split("#token=", 1)[1]
    me = httpx.get(f"{served.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert (
        httpx.get(
            f"{served.url}/api/v1/me", headers={"Authorization": "Bearer sui1.x.y"}
        ).status_code
        == 401
    )


def test_ui_json_carries_the_token_its_expiry_and_the_url(served, cli):
    done = cli("ui", "--json", "--ttl", "60", "--no-open", env=served.env)
    assert done.returncode == 0, done.stderr
    minted = json.loads(done.stdout)
    assert minted["url"] == f"{served.url}/ui/#token={minted['token']}"
    assert 0 < minted["expires_in_s"] <= 60 and minted["expires_at"].endswith("Z")


def test_ui_with_a_wrong_key_fails_in_one_line(served, cli):
    done = cli("ui", env={**served.env, "SYNTH_API_KEY": "sk-wrong"})
    assert done.returncode == 1
    assert "invalid API key" in done.stderr and "Traceback" not in done.stderr


def test_ui_with_no_backend_running_says_how_to_start_one(cli, tmp_path):
    done = cli("ui", env={"SYNTH_BACKEND_URL": "http://127.0.0.1:9", "SYNTH_API_KEY": "sk-x"})
    assert done.returncode == 1
    assert "synth-ai serve" in done.stderr and "Traceback" not in done.stderr


def test_a_bad_ttl_is_a_usage_error(cli):
    done = cli("ui", "--ttl", "0")
    assert done.returncode == 2 and "--ttl" in done.stderr
