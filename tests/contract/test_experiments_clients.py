"""One contract for the CLI's two ways to the experiments: the local store and a backend.

The local client is the use cases over SQLite; the backend client talks to a real
``synth-ai serve`` app on Waitress. Both have a recording queue instead of a broker.
"""

from __future__ import annotations

import json

import pytest
from dependency_injector import providers
from synth_ai.adapters.wire.experiments import parse_request
from synth_ai.domain.errors import InvalidInput, NotFound

from tests.fakes.experiments import RecordingJobQueue
from tests.support.queue import write_experiment


class ExperimentsClientContract:
    """``make_client()`` returns (client, queue) for an empty store."""

    def make_client(self):
        raise NotImplementedError

    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path):
        self.folder = tmp_path / "exp"
        self.path = write_experiment(self.folder, jobs=3, parallelism=2)

    def submit(self, client, document: dict | None = None):
        data = document or json.loads(self.path.read_text())
        request = parse_request(data, source=str(self.path))
        return client.submit(request, base_dir=self.folder, source=str(self.path))

    def test_submit_returns_the_experiment_with_its_queued_jobs_and_dispatches_two(self):
        client, queue = self.make_client()
        view = self.submit(client)
        assert view.experiment.experiment_id.startswith("exp_")
        assert (view.experiment.name, view.experiment.parallelism) == ("ledger", 2)
        assert [j.status for j in view.jobs] == ["queued"] * 3
        assert view.jobs[0].config_path == str(self.folder / "job.toml")
        assert len(queue.published) == 2

    def test_a_submitted_experiment_is_listed_and_shown(self):
        client, _ = self.make_client()
        view = self.submit(client)
        eid = view.experiment.experiment_id
        assert [e.experiment_id for e in client.list()] == [eid]
        assert client.list(status="completed") == []
        shown = client.status(eid)
        assert [j.job_id for j in shown.jobs] == [j.job_id for j in view.jobs]
        assert client.job(view.jobs[0].job_id).experiment_id == eid
        assert client.logs(view.jobs[0].job_id) == ([], 0)

    def test_an_invalid_override_is_refused_naming_field_and_file_and_nothing_is_stored(self):
        client, queue = self.make_client()
        document = json.loads(self.path.read_text())
        document["jobs"][1]["config_overrides"] = {"command.nope": 1}
        with pytest.raises(InvalidInput) as caught:
            self.submit(client, document)
        assert "jobs[1].config_overrides: 'command.nope' is not a key of" in caught.value.message
        assert str(self.folder / "job.toml") in caught.value.message
        assert client.list() == [] and queue.published == []

    def test_a_missing_config_file_is_refused_with_its_path(self):
        client, _ = self.make_client()
        document = json.loads(self.path.read_text())
        document["jobs"][2]["config_path"] = "missing.toml"
        with pytest.raises(
            InvalidInput, match=r"jobs\[2\].config_path: config file .*missing.toml"
        ):
            self.submit(client, document)

    def test_unknown_ids_are_not_found(self):
        client, _ = self.make_client()
        with pytest.raises(NotFound):
            client.status("exp_nope")
        with pytest.raises(NotFound):
            client.logs("job_nope")
        with pytest.raises(NotFound):
            client.cancel("exp_nope")

    def test_cancel_drops_every_queued_job(self):
        client, _ = self.make_client()
        view = self.submit(client)
        canceled = client.cancel(view.experiment.experiment_id)
        assert canceled.experiment.status == "canceled"
        assert [j.status for j in canceled.jobs] == ["canceled"] * 3


class TestLocalExperiments(ExperimentsClientContract):
    @pytest.fixture(autouse=True)
    def _container(self, container):
        self.container = container

    def make_client(self):
        from synth_ai.domain.experiments.service import ScopedExperiments

        queue = RecordingJobQueue()
        self.container.job_queue.override(providers.Object(queue))
        return ScopedExperiments(self.container.experiments(), "org_test"), queue


class TestBackendExperiments(ExperimentsClientContract):
    @pytest.fixture(autouse=True)
    def _backend(self, container):
        from synth_ai.adapters.waitress_host import BackgroundServer
        from synth_ai.http.app import build_app

        from tests.conftest import TEST_KEY

        self.queue = RecordingJobQueue()
        container.job_queue.override(providers.Object(self.queue))
        app, _ = build_app(container)
        self.server = BackgroundServer.start(app, "127.0.0.1", 0, threads=4)
        self.key = TEST_KEY
        yield
        self.server.close()

    def make_client(self):
        from synth_ai.adapters.backend_http import BackendClient
        from synth_ai.adapters.backend_http.experiments import BackendExperiments

        return BackendExperiments(BackendClient(self.server.url, self.key)), self.queue
