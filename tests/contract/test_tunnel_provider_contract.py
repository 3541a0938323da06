"""``TunnelProvider``: the cloudflared adapter (stand-in binary) and the loopback fake."""

import abc

import pytest
from synth_ai.adapters.cloudflared import CloudflaredTunnels
from synth_ai.adapters.waitress_host import find_free_port
from synth_ai.domain.tunnels.errors import TunnelFailed
from synth_ai.domain.tunnels.model import EdgeOverrides
from synth_ai.ports.tunnels import TunnelProvider
from synth_ai.task_app.client import TaskAppClient

from tests.fakes.tunnels import LoopbackTunnels
from tests.support.ports import port_mismatches
from tests.support.tunnels import FAKE_CLOUDFLARED, cloudflare_api, env_key, fake_cloudflare  # noqa: F401


@pytest.fixture
def running_app(env_key):
    from synth_ai.task_app.in_process import InProcessTaskApp
    from synth_ai.task_app.loading import load_task_app

    from tests.support.tunnels import EXAMPLE_APP

    with InProcessTaskApp(config=load_task_app(EXAMPLE_APP), port=0) as app:
        yield app


class TunnelProviderContract(abc.ABC):
    @abc.abstractmethod
    def make_provider(self, request: pytest.FixtureRequest) -> TunnelProvider:
        """A provider whose tunnels this test can reach (see ``edge``)."""

    def edge(self, request: pytest.FixtureRequest) -> EdgeOverrides:
        """How a client on this machine reaches a tunnel's public URL (none by default)."""
        return EdgeOverrides()

    @pytest.fixture
    def provider(self, request):
        provider = self.make_provider(request)
        yield provider
        provider.close()

    @pytest.fixture
    def overrides(self, request):
        return self.edge(request)

    def test_it_offers_every_method_of_the_port(self, provider):
        assert port_mismatches(provider, TunnelProvider) == []

    def test_an_opened_tunnel_reaches_the_app(self, provider, running_app, overrides):
        tunnel = provider.open("127.0.0.1", running_app.port, mode="quick")
        try:
            with TaskAppClient(tunnel.url, overrides=overrides) as client:
                assert client.info()["service"]["task"]["id"] == "arithmetic"
        finally:
            tunnel.close()

    def test_a_tunnel_to_a_port_nobody_serves_fails_to_open(self, provider):
        with pytest.raises(TunnelFailed):
            provider.open("127.0.0.1", find_free_port("127.0.0.1"), mode="quick")


class TestCloudflaredTunnels(TunnelProviderContract):
    def edge(self, request):
        fake_cloudflare = request.getfixturevalue("fake_cloudflare")
        return EdgeOverrides.parse(fake_cloudflare.env["SYNTH_AI_TUNNEL_RESOLVE"])

    def make_provider(self, request):
        return CloudflaredTunnels(
            home=request.getfixturevalue("tmp_path"),
            binary=str(FAKE_CLOUDFLARED),
            overrides=self.edge(request),
            url_timeout=10,
            health_timeout=1.5,
        )


class TestLoopbackTunnels(TunnelProviderContract):
    def make_provider(self, request):
        return LoopbackTunnels()
