"""With ``[store] backend = "redis"`` the bridge keeps its responses in Redis, so any replica
can continue a conversation."""

import openai
import pytest
import redis

from tests.conftest import TEST_KEY
from tests.support.scripted_upstream import Reply


@pytest.fixture
def redis_settings(settings, redis_url, redis_prefix):
    settings.store = "redis"
    settings.redis_url = redis_url
    settings.document = {"store": {"redis_prefix": redis_prefix}}
    yield settings
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{redis_prefix}*"):
        client.delete(key)


def test_previous_response_id_works_across_two_backends_sharing_redis(
    redis_settings, upstream, backend, redis_url, redis_prefix
):
    upstream.push(Reply(text="stored in redis"), Reply(text="continued"))
    client = openai.OpenAI(
        base_url=backend.url + "/api/v1",
        api_key=TEST_KEY,
        max_retries=0,
        default_headers={"X-No-Session": "true"},
    )
    first = client.responses.create(model="m", input="remember this")
    assert redis.Redis.from_url(redis_url).exists(f"{redis_prefix}response:org_test:{first.id}")

    from synth_ai.adapters.waitress_host import BackgroundServer
    from synth_ai.container import create_container
    from synth_ai.http.app import build_app

    other = create_container(redis_settings)
    server = BackgroundServer.start(build_app(other)[0], "127.0.0.1", 0, threads=4)
    try:
        replica = openai.OpenAI(
            base_url=server.url + "/api/v1",
            api_key=TEST_KEY,
            max_retries=0,
            default_headers={"X-No-Session": "true"},
        )
        second = replica.responses.create(
            model="m", input="and now?", previous_response_id=first.id
        )
    finally:
        server.close()
        other.shutdown_resources()
    assert second.output_text == "continued"
    assert [m["content"] for m in upstream.requests[-1]["messages"]] == [
        "remember this",
        "stored in redis",
        "and now?",
    ]
