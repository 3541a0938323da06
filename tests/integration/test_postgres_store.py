"""``[store] backend = "postgres"``: every stateful port on PostgreSQL, through the real app."""

from __future__ import annotations

import pytest
from synth_ai.adapters.postgres.artifacts import PostgresArtifactCatalog
from synth_ai.adapters.postgres.experiments import PostgresExperimentStore
from synth_ai.adapters.postgres.responses import PostgresResponseStore
from synth_ai.adapters.postgres.sessions import PostgresSessionStore
from synth_ai.adapters.postgres.trials import PostgresTrialStore
from synth_ai.adapters.postgres.tunnels import PostgresTunnelRecords
from synth_ai.domain.errors import ServiceUnavailable
from synth_ai.domain.sessions.errors import SessionNotFound
from synth_ai.settings.config import load_settings

from tests.support.postgres import schema_url


@pytest.fixture
def settings(settings, postgres_url, postgres_schema):
    settings.store = "postgres"
    settings.postgres_url = schema_url(postgres_url, postgres_schema)
    return settings


def test_every_stateful_port_is_served_by_postgres(container):
    assert isinstance(container.session_store(), PostgresSessionStore)
    assert isinstance(container.response_store(), PostgresResponseStore)
    assert isinstance(container.artifact_catalog(org_id="org_test"), PostgresArtifactCatalog)
    assert isinstance(container.tunnel_records(), PostgresTunnelRecords)
    assert isinstance(container.experiment_store(), PostgresExperimentStore)
    assert isinstance(container.interceptor_trials(), PostgresTrialStore)


def test_a_session_made_over_http_is_kept_in_postgres(backend, postgres_url, postgres_schema):
    import psycopg

    with backend.client() as client:
        made = client.post(
            "/api/v1/sessions",
            json={"limits": [{"metric_type": "cost_usd", "limit_value": 3, "limit_type": "hard"}]},
        )
        assert made.status_code == 201, made.text
        session_id = made.json()["session_id"]
        assert client.get(f"/api/v1/sessions/{session_id}").json() == made.json()
    with psycopg.connect(postgres_url) as conn:
        [(count,)] = conn.execute(
            f"SELECT COUNT(*) FROM {postgres_schema}.org_sessions WHERE id = %s", (session_id,)
        ).fetchall()
    assert count == 1


def test_the_store_and_its_url_are_read_from_config_and_the_environment(synth_home):
    (synth_home / "config.toml").write_text(
        '[store]\nbackend = "postgres"\npostgres_url = "postgresql://db.example/synth"\n'
    )
    assert (load_settings().store, load_settings().postgres_url) == (
        "postgres",
        "postgresql://db.example/synth",
    )
    env = {"SYNTH_AI_HOME": str(synth_home), "SYNTH_AI_POSTGRES_URL": "postgresql://x/y"}
    assert load_settings(env).postgres_url == "postgresql://x/y"


def test_an_unreachable_postgres_is_one_line_naming_the_setting(container, settings):
    settings.postgres_url = "postgresql://nobody@127.0.0.1:1/synth"
    with pytest.raises(ServiceUnavailable) as failed:
        container.session_store().get("org_test", "sess_1")
    message = str(failed.value)
    assert "\n" not in message and "127.0.0.1:1" in message and "SYNTH_AI_POSTGRES_URL" in message


def test_a_settlement_that_fails_at_commit_changes_nothing_and_the_connection_serves_on(
    postgres_url, postgres_schema
):
    """Reserve and settle send their writes pipelined, so an error surfaces at the COMMIT:
    the whole step is rolled back and the pool's one connection is clean for the next."""
    import psycopg
    from synth_ai.adapters.postgres import Database
    from synth_ai.domain.sessions.model import Amounts, LedgerEntry, Limit, Reservation, Session

    database = Database(postgres_url, schema=postgres_schema, max_size=1)
    store = PostgresSessionStore(database)
    try:
        store.create(Session("sess_1", "org_a", "user_a", 1.0, limits=(Limit("cost_usd", 5.0),)))
        held = Reservation("res_1", "sess_1", "org_a", "user_a", Amounts(cost_usd=1.0), 1.0)
        store.reserve(held, 1.0, stale_before=1.0)
        taken = LedgerEntry("led_1", "org_a", "user_a", Amounts(cost_usd=0.1), 1.0)
        store.record(taken)  # the id the settlement below reuses
        spent = Amounts(cost_usd=0.5)
        entry = LedgerEntry("led_1", "org_a", "user_a", spent, 2.0, session_id="sess_1")
        with pytest.raises(psycopg.errors.UniqueViolation):
            store.settle("res_1", spent, entry, 2.0)
        assert store.get_reservation("res_1") == held  # still held: nothing was settled
        assert store.get("org_a", "sess_1").reserved == Amounts(cost_usd=1.0)
        with pytest.raises(SessionNotFound):  # an error raised in the block rolls back too
            store.reserve(Reservation("res_2", "nope", "org_a", "user_a", spent, 2.0), 2.0)
        fresh = LedgerEntry("led_2", "org_a", "user_a", spent, 2.0, session_id="sess_1")
        assert store.settle("res_1", spent, fresh, 2.0) is True
        assert store.settle("res_1", spent, fresh, 2.0) is False  # exactly once
        assert store.get("org_a", "sess_1").used == spent
        assert [e.id for e in store.ledger("org_a")] == ["led_2", "led_1"]
    finally:
        database.close()
