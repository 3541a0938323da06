"""``CloudflareApi``: the HTTP adapter against a stand-in Cloudflare API, and the fake."""

import abc

import pytest
from synth_ai.adapters.cloudflare_api import HttpCloudflareApi
from synth_ai.domain.errors import Unauthorized, UpstreamError
from synth_ai.ports.tunnels import CloudflareApi

from tests.fakes.tunnels import InMemoryCloudflareApi
from tests.support.ports import port_mismatches
from tests.support.tunnels import cloudflare_api  # noqa: F401


class CloudflareApiContract(abc.ABC):
    @abc.abstractmethod
    def make_api(self, request: pytest.FixtureRequest) -> CloudflareApi:
        """An API client on an account with no tunnels of this test."""

    @pytest.fixture
    def api(self, request):
        return self.make_api(request)

    def test_it_offers_every_method_of_the_port(self, api):
        assert port_mismatches(api, CloudflareApi) == []

    def test_a_created_tunnel_gets_ingress_dns_and_a_token(self, api):
        tunnel_id = api.create_tunnel("synth-ai-demo")
        api.configure_ingress(tunnel_id, "demo.example.test", "http://127.0.0.1:8114")
        api.route_dns(tunnel_id, "demo.example.test")
        token = api.tunnel_token(tunnel_id)
        assert isinstance(token, str) and token

    def test_a_deleted_tunnel_is_gone(self, api):
        tunnel_id = api.create_tunnel("synth-ai-gone")
        api.delete_tunnel(tunnel_id)
        with pytest.raises(Exception):  # noqa: B017 - each implementation names its own
            api.delete_tunnel(tunnel_id)


class TestHttpCloudflareApi(CloudflareApiContract):
    def make_api(self, request):
        cloudflare_api = request.getfixturevalue("cloudflare_api")
        client = HttpCloudflareApi(
            account_id=cloudflare_api.account_id,
            api_token=cloudflare_api.api_token,
            zone_id=cloudflare_api.zone_id,
            base_url=cloudflare_api.url,
        )
        request.addfinalizer(client.close)
        return client

    def test_requests_use_cloudflares_documented_paths(self, api, cloudflare_api):
        tunnel_id = api.create_tunnel("x")
        api.configure_ingress(tunnel_id, "x.example.test", "http://127.0.0.1:1")
        api.route_dns(tunnel_id, "x.example.test")
        api.tunnel_token(tunnel_id)
        acct = f"/accounts/{cloudflare_api.account_id}/cfd_tunnel"
        assert cloudflare_api.calls == [
            ("POST", acct),
            ("PUT", f"{acct}/{tunnel_id}/configurations"),
            ("POST", f"/zones/{cloudflare_api.zone_id}/dns_records"),
            ("GET", f"{acct}/{tunnel_id}/token"),
        ]
        assert cloudflare_api.dns[0]["content"] == f"{tunnel_id}.cfargotunnel.com"
        assert cloudflare_api.dns[0]["proxied"] is True

    def test_a_wrong_api_token_says_which_setting_to_fix(self, cloudflare_api):
        client = HttpCloudflareApi(
            account_id=cloudflare_api.account_id,
            api_token="wrong",
            zone_id=cloudflare_api.zone_id,
            base_url=cloudflare_api.url,
        )
        with pytest.raises(Unauthorized, match="cloudflare_api_token"):
            client.create_tunnel("x")

    def test_cloudflare_error_messages_are_passed_on(self, api):
        with pytest.raises(UpstreamError, match="1003: Tunnel not found"):
            api.tunnel_token("no-such-tunnel")


class TestInMemoryCloudflareApi(CloudflareApiContract):
    def make_api(self, request):
        return InMemoryCloudflareApi()
