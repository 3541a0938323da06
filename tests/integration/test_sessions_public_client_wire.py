"""Ids the public synth-ai client parses with ``UUID()`` must be UUIDs on the wire.

Its ``AgentSessionClient`` reads ``/api/v1/me`` ``org_id``, and in sessions ``org_id``,
``user_id``, ``api_key_id``, every ``limits[].limit_id`` and every usage record's ``id``,
``org_id`` and ``user_id`` through ``UUID(...)``; ``session_id`` stays a plain string.
"""

import uuid

from synth_ai.settings.config import DEFAULT_ORG, DEFAULT_USER, ensure_server_key, load_settings


def is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def test_session_documents_carry_uuids_where_the_public_client_parses_them(upstream, backend):
    client = backend.client()
    created = client.post(
        "/api/v1/sessions",
        json={"limits": [{"metric_type": "cost_usd", "limit_value": 5, "limit_type": "hard"}]},
    ).json()
    session_id = created["session_id"]
    client.post(
        "/api/synth-research/chat/completions",
        json={"model": "synth-small", "messages": [{"role": "user", "content": "hi"}]},
        headers={"X-Session-ID": session_id},
    )
    session = client.get(f"/api/v1/sessions/{session_id}").json()
    assert is_uuid(session["api_key_id"])
    assert all(is_uuid(limit["limit_id"]) for limit in session["limits"])
    listed_limits = client.get(f"/api/v1/sessions/{session_id}/limits").json()
    assert listed_limits and all(is_uuid(limit["limit_id"]) for limit in listed_limits)
    increased = client.post(
        f"/api/v1/sessions/{session_id}/limits/increase",
        json={"metric_type": "cost_usd", "increase_by": 1},
    ).json()
    assert is_uuid(increased["limit_id"])
    records = client.get(f"/api/v1/sessions/{session_id}/usage").json()
    records = records if isinstance(records, list) else records.get("data") or records.get("usage")
    assert records and all(is_uuid(record["id"]) for record in records)


def test_a_generated_server_key_and_the_defaults_name_their_org_and_user_by_uuid(synth_home):
    settings, key = ensure_server_key(load_settings())
    entry = settings.api_keys[0]
    assert is_uuid(entry.org_id) and is_uuid(entry.user_id)
    assert is_uuid(DEFAULT_ORG) and is_uuid(DEFAULT_USER)


def test_me_names_the_org_and_user_by_uuid_for_a_generated_key(synth_home, cli):
    import httpx
    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.container import create_container
    from synth_ai.http import create_app

    settings, key = ensure_server_key(load_settings())
    server = BackgroundServer.start(create_app(create_container(settings)), "127.0.0.1", 0)
    try:
        me = httpx.get(f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {key}"}).json()
    finally:
        server.close()
    assert is_uuid(me["org_id"]) and is_uuid(me["user_id"]) and is_uuid(me["key_id"])
