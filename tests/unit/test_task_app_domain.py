import pytest
from synth_ai.domain.errors import ValidationFailed
from synth_ai.domain.task_apps.errors import InvalidTaskApp
from synth_ai.domain.task_apps.model import (
    Dataset,
    DatasetSplit,
    RolloutEnv,
    RolloutPolicy,
    RolloutRequest,
    RolloutResponse,
    TaskDescriptor,
)
from synth_ai.domain.tunnels.errors import InvalidTunnel
from synth_ai.domain.tunnels.model import (
    EdgeOverrides,
    TunnelMode,
    find_quick_url,
    is_rate_limited,
    validate_port,
    validate_subdomain,
)


def test_a_dataset_lists_its_seeds_by_split_and_names_the_splits_when_one_is_unknown():
    dataset = Dataset("d", (DatasetSplit("train", (0, 1)), DatasetSplit("test", (2,))))
    assert dataset.seeds() == (0, 1, 2)
    assert dataset.seeds("test") == (2,)
    with pytest.raises(InvalidTaskApp, match="unknown split 'dev' — this dataset has: train, test"):
        dataset.seeds("dev")


def test_a_dataset_without_seeds_is_refused():
    with pytest.raises(InvalidTaskApp, match="has no seeds"):
        Dataset("empty", (DatasetSplit("train", ()),))


def test_a_task_id_with_spaces_is_refused_with_the_rule():
    with pytest.raises(InvalidTaskApp, match="'my app' is invalid"):
        TaskDescriptor("my app", "My app")


def test_the_rollout_seed_comes_from_env_seed_or_env_config():
    policy = RolloutPolicy()
    assert RolloutRequest("r", RolloutEnv(seed=4), policy).seed == 4
    assert RolloutRequest("r", RolloutEnv(config={"seed": 7}), policy).seed == 7
    with pytest.raises(ValidationFailed, match="env.config.seed must be an integer") as caught:
        RolloutRequest("r", RolloutEnv(config={"seed": "x"}), policy).seed  # noqa: B018
    assert caught.value.param == "$.env.config.seed"


def test_a_single_step_response_carries_the_reward_in_the_trajectory_and_the_metrics():
    request = RolloutRequest(
        "run-1", RolloutEnv(env_name="math", seed=3), RolloutPolicy(policy_id="p")
    )
    response = RolloutResponse.single_step(
        request, obs={"q": 1}, action={"content": "2"}, reward=1.0, info={"correct": True}
    )
    assert response.trajectories[0].env_id == "math:3"
    assert response.trajectories[0].steps[0].reward == 1.0
    assert response.metrics.mean_return == 1.0 and response.metrics.outcome_score == 1.0


def test_quick_tunnel_urls_are_found_in_cloudflared_banner_lines():
    line = "2024-05-01T12:00:01Z INF |  https://amber-fjord-jade-1a2b3c.trycloudflare.com        |"
    assert find_quick_url(line) == "https://amber-fjord-jade-1a2b3c.trycloudflare.com"
    assert find_quick_url("INF Requesting new quick Tunnel on trycloudflare.com...") is None
    assert find_quick_url("https://api.trycloudflare.com/tunnel") is None


def test_cloudflare_rate_limit_lines_are_recognised():
    assert is_rate_limited('ERR failed: error code: 1015 status_code="429 Too Many Requests"')
    assert not is_rate_limited("INF Registered tunnel connection connIndex=0")


@pytest.mark.parametrize("bad", ["", "-abc", "abc-", "UPPER_case", "a.b", "x" * 64])
def test_bad_subdomains_are_refused_with_the_value(bad):
    with pytest.raises(InvalidTunnel, match="subdomain"):
        validate_subdomain(bad)


def test_a_good_subdomain_is_normalised_to_lowercase():
    assert validate_subdomain("My-App1") == "my-app1"


def test_ports_outside_the_valid_range_are_refused():
    for bad in (0, 70000, "80", True):
        with pytest.raises(InvalidTunnel, match="local_port"):
            validate_port(bad)


def test_tunnel_modes_parse_and_unknown_modes_list_the_choices():
    assert TunnelMode.parse("QUICK") is TunnelMode.QUICK
    assert TunnelMode.parse(None) is TunnelMode.NONE
    with pytest.raises(InvalidTunnel, match="use none, quick or managed"):
        TunnelMode.parse("fast")


def test_edge_overrides_send_matching_hosts_to_the_edge_with_the_original_host_header():
    overrides = EdgeOverrides.parse("*.trycloudflare.com=http://127.0.0.1:9000/")
    url, headers = overrides.route("https://abc.trycloudflare.com/task_info?seed=1")
    assert url == "http://127.0.0.1:9000/task_info?seed=1"
    assert headers == {"Host": "abc.trycloudflare.com"}
    assert overrides.route("https://example.com/x") == ("https://example.com/x", {})


def test_edge_override_rules_must_be_pattern_equals_url():
    with pytest.raises(InvalidTunnel, match="PATTERN=URL"):
        EdgeOverrides.parse("*.trycloudflare.com")
    with pytest.raises(InvalidTunnel, match="must be an http"):
        EdgeOverrides.parse({"*.x": "ftp://nope"})


def test_a_task_app_config_checks_its_rollout_is_callable_and_its_id_is_valid():
    from synth_ai.task_app.config import TaskAppConfig

    dataset = Dataset.from_seeds("d", [0, 1])
    with pytest.raises(TypeError, match="rollout must be callable, got str"):
        TaskAppConfig("ok", "Ok", dataset, "not a function")
    with pytest.raises(InvalidTaskApp, match="'bad id' is invalid"):
        TaskAppConfig("bad id", "Bad", dataset, lambda request: {})
