import pytest
from synth_ai.domain.errors import Conflict, ServiceUnavailable
from synth_ai.domain.tunnels.service import ManagedTunnelService

from tests.fakes import FakeClock, SequentialIds
from tests.fakes.tunnels import InMemoryCloudflareApi, InMemoryTunnelRecords


@pytest.fixture
def api():
    return InMemoryCloudflareApi()


@pytest.fixture
def tunnels(api):
    return ManagedTunnelService(
        api, InMemoryTunnelRecords(), FakeClock(), SequentialIds(), "tunnels.example.test"
    )


def test_issuing_a_tunnel_creates_it_routes_dns_and_points_ingress_at_the_local_port(tunnels, api):
    record = tunnels.issue("org_a", subdomain="demo", local_host="127.0.0.1", local_port=8114)
    assert record.hostname == "demo.tunnels.example.test"
    assert record.tunnel_token == f"token-for-{record.cloudflare_tunnel_id}"
    assert api.dns["demo.tunnels.example.test"] == f"{record.cloudflare_tunnel_id}.cfargotunnel.com"
    assert api.tunnels[record.cloudflare_tunnel_id]["ingress"] == {
        "demo.tunnels.example.test": "http://127.0.0.1:8114"
    }
    assert tunnels.list("org_a") == [record]
    assert tunnels.list("org_b") == []


def test_the_owner_reusing_a_subdomain_keeps_the_tunnel_and_moves_its_port(tunnels, api):
    first = tunnels.issue("org_a", subdomain="demo", local_host="127.0.0.1", local_port=8114)
    again = tunnels.issue("org_a", subdomain="demo", local_host="127.0.0.1", local_port=9000)
    assert again.cloudflare_tunnel_id == first.cloudflare_tunnel_id and again.id == first.id
    assert len(api.tunnels) == 1
    assert api.tunnels[first.cloudflare_tunnel_id]["ingress"]["demo.tunnels.example.test"].endswith(
        ":9000"
    )


def test_another_org_cannot_take_a_subdomain(tunnels):
    tunnels.issue("org_a", subdomain="demo", local_host="127.0.0.1", local_port=8114)
    with pytest.raises(Conflict, match="'demo' belongs to another organisation"):
        tunnels.issue("org_b", subdomain="demo", local_host="127.0.0.1", local_port=8114)


def test_without_a_subdomain_a_random_one_is_chosen(tunnels):
    record = tunnels.issue("org_a", subdomain=None, local_host="127.0.0.1", local_port=8114)
    assert record.subdomain.startswith("task-") and record.hostname.endswith(
        ".tunnels.example.test"
    )


def test_without_a_configured_domain_the_error_says_what_to_set(api):
    tunnels = ManagedTunnelService(api, InMemoryTunnelRecords(), FakeClock(), SequentialIds(), None)
    with pytest.raises(ServiceUnavailable, match=r"set \[tunnels\] domain"):
        tunnels.issue("org_a", subdomain="demo", local_host="127.0.0.1", local_port=8114)


def test_an_ipv6_local_host_is_bracketed_in_the_ingress_service(tunnels, api):
    record = tunnels.issue("org_a", subdomain="six", local_host="::1", local_port=8114)
    assert api.tunnels[record.cloudflare_tunnel_id]["ingress"] == {
        "six.tunnels.example.test": "http://[::1]:8114"
    }
