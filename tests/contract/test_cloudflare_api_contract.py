"""``CloudflareApi`` and ``TunnelRecords``: real adapters (stand-in API, SQLite) and the fakes."""

import pytest
from synth_ai.adapters.cloudflare_api import HttpCloudflareApi
from synth_ai.adapters.sqlite import Database
from synth_ai.adapters.sqlite.tunnels import SqliteTunnelRecords
from synth_ai.domain.errors import Unauthorized, UpstreamError
from synth_ai.domain.tunnels.model import TunnelRecord

from tests.fakes import InMemoryCloudflareApi, InMemoryTunnelRecords
from tests.support.tunnels import cloudflare_api  # noqa: F401


class CloudflareApiContract:
    @pytest.fixture
    def api(self):
        raise NotImplementedError

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
    @pytest.fixture
    def api(self, cloudflare_api):
        client = HttpCloudflareApi(
            account_id=cloudflare_api.account_id,
            api_token=cloudflare_api.api_token,
            zone_id=cloudflare_api.zone_id,
            base_url=cloudflare_api.url,
        )
        yield client
        client.close()

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
    @pytest.fixture
    def api(self):
        return InMemoryCloudflareApi()


def tunnel(record_id: str, subdomain: str, created_at: float = 1.0) -> TunnelRecord:
    return TunnelRecord(
        record_id,
        subdomain,
        f"{subdomain}.example.test",
        "127.0.0.1",
        8114,
        "tok",
        "active",
        created_at,
        "cf-1",
    )


class TunnelRecordsContract:
    @pytest.fixture
    def records(self):
        raise NotImplementedError

    def test_records_are_listed_per_org_in_creation_order(self, records):
        records.add("org_a", tunnel("t2", "b", 2.0))
        records.add("org_a", tunnel("t1", "a", 1.0))
        records.add("org_b", tunnel("t3", "c"))
        assert [r.id for r in records.list("org_a")] == ["t1", "t2"]

    def test_a_subdomain_is_found_with_its_owner(self, records):
        records.add("org_a", tunnel("t1", "demo"))
        owner, found = records.find_subdomain("demo")
        assert owner == "org_a" and found == tunnel("t1", "demo")
        assert records.find_subdomain("other") is None


class TestSqliteTunnelRecords(TunnelRecordsContract):
    @pytest.fixture
    def records(self, tmp_path):
        return SqliteTunnelRecords(Database(tmp_path / "synth.db"))


class TestInMemoryTunnelRecords(TunnelRecordsContract):
    @pytest.fixture
    def records(self):
        return InMemoryTunnelRecords()
