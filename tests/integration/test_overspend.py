"""No overspend, whatever the prompt's script and whether the upstream honours the output cap:
many concurrent requests on one session settle at or under its hard limit (the bench
``bench/bench_overspend.py`` runs the same measurement at 200 requests)."""

import pytest

from bench.bench_overspend import LIMIT_USD, SCRIPTS, UPSTREAMS, measure


@pytest.mark.parametrize("behaviour", UPSTREAMS)
@pytest.mark.parametrize("script", list(SCRIPTS))
def test_concurrent_requests_never_settle_past_the_limit_on_sqlite(script, behaviour):
    result = measure(script=script, behaviour=behaviour, store="sqlite", requests=30)
    assert result["other_status"] == 0 and result["granted"] > 0 and result["refused_429"] > 0
    assert result["settled_usd"] <= LIMIT_USD + 1e-9 and result["overspend_usd"] == 0
    assert result["reserved_after_usd"] == 0 and result["overrun_tokens_recorded"] == 0


def test_concurrent_cjk_requests_to_a_cap_ignoring_upstream_never_overspend_on_redis(redis_url):
    result = measure(
        script="cjk", behaviour="ignores_cap", store="redis", requests=30, redis_url=redis_url
    )
    assert result["other_status"] == 0 and result["granted"] > 0
    assert result["settled_usd"] <= LIMIT_USD + 1e-9 and result["reserved_after_usd"] == 0


def test_concurrent_cjk_requests_to_a_cap_ignoring_upstream_never_overspend_on_postgres(
    postgres_url,
):
    result = measure(
        script="cjk",
        behaviour="ignores_cap",
        store="postgres",
        requests=30,
        postgres_url=postgres_url,
    )
    assert result["other_status"] == 0 and result["granted"] > 0 and result["refused_429"] > 0
    assert result["settled_usd"] <= LIMIT_USD + 1e-9 and result["reserved_after_usd"] == 0
