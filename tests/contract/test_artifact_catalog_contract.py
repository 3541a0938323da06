"""One contract for every ArtifactCatalog: the fake, SQLite, PostgreSQL, and the backend over
HTTP."""

from __future__ import annotations

import abc

import pytest
from synth_ai.domain.artifacts.model import ModelArtifact, PromptJob, PromptSnapshot
from synth_ai.domain.errors import NotFound
from synth_ai.ports.artifacts import ArtifactCatalog

from tests.fakes.artifacts import FakeArtifactCatalog
from tests.support.ports import port_mismatches


def model(model_id: str, at: float, status: str = "succeeded", **kw) -> ModelArtifact:
    return ModelArtifact.new(model_id, status=status, created_at=at, **kw)


def job(job_id: str, at: float, status: str = "running", **kw) -> PromptJob:
    return PromptJob.new(job_id, status=status, now=at, **kw)


def snap(
    job_id: str, snapshot_id: str, score: float | None, at: float, **payload
) -> PromptSnapshot:
    return PromptSnapshot(
        snapshot_id,
        job_id,
        payload or {"messages": [{"role": "system", "content": snapshot_id}]},
        at,
        score,
        None if score is None else score - 0.1,
    )


class ArtifactCatalogContract(abc.ABC):
    @abc.abstractmethod
    def make_catalog(self, request: pytest.FixtureRequest) -> ArtifactCatalog:
        """An empty catalog of one org (fixtures and finalizers through ``request``)."""

    @pytest.fixture
    def catalog(self, request):
        return self.make_catalog(request)

    def test_it_offers_every_method_of_the_port(self, catalog):
        assert port_mismatches(catalog, ArtifactCatalog) == []

    def test_a_registered_model_reads_back_unchanged(self, catalog):
        stored = model("ft:Qwen/Qwen3-0.6B:job_1", 10.0, weights_path="/w", metadata={"epochs": 3})
        catalog.register_model(stored)
        assert catalog.get_model("ft:Qwen/Qwen3-0.6B:job_1") == stored

    def test_registering_a_model_again_replaces_it(self, catalog):
        catalog.register_model(model("rl:base:job_2", 10.0, status="running"))
        catalog.register_model(model("rl:base:job_2", 10.0, status="succeeded"))
        assert catalog.get_model("rl:base:job_2").status == "succeeded"

    def test_an_unknown_model_raises_not_found(self, catalog):
        with pytest.raises(NotFound):
            catalog.get_model("ft:base:job_missing")

    def test_a_job_reregistered_keeps_its_creation_time_and_best_score(self, catalog):
        catalog.register_prompt_job(job("pl_a1", 5.0, algorithm="gepa"))
        catalog.add_snapshot(snap("pl_a1", "s1", 0.7, 6.0))
        again = catalog.register_prompt_job(
            job("pl_a1", 9.0, status="succeeded", metadata={"k": 1})
        )
        assert (again.created_at, again.status, again.algorithm) == (5.0, "succeeded", "gepa")
        assert (again.best_snapshot_id, again.best_score, again.metadata) == ("s1", 0.7, {"k": 1})

    def test_reregistering_a_job_merges_its_metadata(self, catalog):
        catalog.register_prompt_job(job("pl_a2", 1.0, metadata={"task": "banking77", "round": 1}))
        again = catalog.register_prompt_job(
            job("pl_a2", 2.0, status="succeeded", metadata={"round": 2})
        )
        assert again.metadata == {"task": "banking77", "round": 2}
        assert catalog.get_prompt_job("pl_a2").metadata == {"task": "banking77", "round": 2}

    def test_the_highest_scoring_snapshot_becomes_the_best(self, catalog):
        catalog.register_prompt_job(job("pl_b2", 1.0))
        catalog.add_snapshot(snap("pl_b2", "s1", 0.5, 2.0))
        catalog.add_snapshot(snap("pl_b2", "s2", 0.9, 3.0))
        after = catalog.add_snapshot(snap("pl_b2", "s3", 0.6, 4.0))
        assert (after.best_snapshot_id, after.best_score) == ("s2", 0.9)
        assert after.best_validation_score == pytest.approx(0.8)
        assert catalog.get_prompt_job("pl_b2") == after
        assert after.updated_at == 4.0

    def test_an_unscored_snapshot_never_becomes_the_best(self, catalog):
        catalog.register_prompt_job(job("pl_c3", 1.0))
        after = catalog.add_snapshot(snap("pl_c3", "s1", None, 2.0))
        assert after.best_snapshot_id is None and after.best_score is None

    def test_snapshots_read_back_one_by_one_and_in_order(self, catalog):
        catalog.register_prompt_job(job("pl_d4", 1.0))
        first = snap("pl_d4", "s1", 0.1, 2.0, object={"text_replacements": [{"new_text": "x"}]})
        second = snap("pl_d4", "s2", 0.2, 3.0)
        catalog.add_snapshot(first)
        catalog.add_snapshot(second)
        assert catalog.get_snapshot("pl_d4", "s1") == first
        assert catalog.list_snapshots("pl_d4") == [first, second]

    def test_a_snapshot_of_an_unknown_job_or_an_unknown_snapshot_raises_not_found(self, catalog):
        with pytest.raises(NotFound):
            catalog.add_snapshot(snap("pl_e5", "s1", 0.1, 1.0))
        catalog.register_prompt_job(job("pl_e5", 1.0))
        with pytest.raises(NotFound):
            catalog.get_snapshot("pl_e5", "nope")
        with pytest.raises(NotFound):
            catalog.get_prompt_job("pl_ffff")

    def test_listing_is_newest_first_filtered_and_limited_with_the_full_count(self, catalog):
        catalog.register_model(model("ft:m:j1", 1.0))
        catalog.register_model(model("rl:m:j2", 3.0, status="failed"))
        catalog.register_model(model("peft:m:j3", 5.0))
        catalog.register_prompt_job(job("pl_01", 2.0, status="succeeded"))
        catalog.register_prompt_job(job("pl_02", 4.0, status="failed"))
        everything = catalog.list_artifacts()
        assert [m.id for m in everything.models] == ["peft:m:j3", "rl:m:j2", "ft:m:j1"]
        assert [p.job_id for p in everything.prompts] == ["pl_02", "pl_01"]
        assert everything.total_count == 5
        newest = catalog.list_artifacts(limit=2)
        assert ([m.id for m in newest.models], [p.job_id for p in newest.prompts]) == (
            ["peft:m:j3"],
            ["pl_02"],
        )
        assert newest.total_count == 5
        failed = catalog.list_artifacts(status="failed")
        assert (
            [m.id for m in failed.models],
            [p.job_id for p in failed.prompts],
            failed.total_count,
        ) == (["rl:m:j2"], ["pl_02"], 2)
        prompts = catalog.list_artifacts(kind="prompts")
        assert (prompts.models, prompts.total_count) == ([], 2)
        models = catalog.list_artifacts(kind="models", status="succeeded")
        assert ([m.id for m in models.models], models.prompts) == (["peft:m:j3", "ft:m:j1"], [])


class TestFakeArtifactCatalog(ArtifactCatalogContract):
    def make_catalog(self, request):
        return FakeArtifactCatalog()


class TestSqliteArtifactCatalog(ArtifactCatalogContract):
    def make_catalog(self, request):
        from synth_ai.adapters.sqlite import Database
        from synth_ai.adapters.sqlite.artifacts import SqliteArtifactCatalog

        database = Database(request.getfixturevalue("tmp_path") / "synth.db")
        request.addfinalizer(database.close)
        return SqliteArtifactCatalog(database, "org_contract")

    def test_catalogs_of_two_orgs_never_see_each_others_artifacts(self, tmp_path):
        from synth_ai.adapters.sqlite import Database
        from synth_ai.adapters.sqlite.artifacts import SqliteArtifactCatalog

        database = Database(tmp_path / "orgs.db")
        mine, theirs = (
            SqliteArtifactCatalog(database, "org_a"),
            SqliteArtifactCatalog(database, "org_b"),
        )
        mine.register_model(model("ft:m:j1", 1.0))
        assert theirs.list_artifacts().total_count == 0
        with pytest.raises(NotFound):
            theirs.get_model("ft:m:j1")


class TestPostgresArtifactCatalog(ArtifactCatalogContract):
    def make_catalog(self, request):
        from synth_ai.adapters.postgres import Database
        from synth_ai.adapters.postgres.artifacts import PostgresArtifactCatalog

        url = request.getfixturevalue("postgres_url")
        database = Database(url, schema=request.getfixturevalue("postgres_schema"), max_size=2)
        request.addfinalizer(database.close)
        return PostgresArtifactCatalog(database, "org_contract")

    def test_catalogs_of_two_orgs_never_see_each_others_artifacts(
        self, postgres_url, postgres_schema
    ):
        from synth_ai.adapters.postgres import Database
        from synth_ai.adapters.postgres.artifacts import PostgresArtifactCatalog

        database = Database(postgres_url, schema=postgres_schema, max_size=2)
        try:
            mine, theirs = (
                PostgresArtifactCatalog(database, "org_a"),
                PostgresArtifactCatalog(database, "org_b"),
            )
            mine.register_model(model("ft:m:j1", 1.0))
            assert theirs.list_artifacts().total_count == 0
            with pytest.raises(NotFound):
                theirs.get_model("ft:m:j1")
        finally:
            database.close()

    def test_snapshots_stored_from_many_threads_keep_the_best_and_every_one(self, catalog):
        from concurrent.futures import ThreadPoolExecutor

        catalog.register_prompt_job(job("pl_ab12", 1.0))
        with ThreadPoolExecutor(8) as pool:
            list(
                pool.map(
                    lambda n: catalog.add_snapshot(snap("pl_ab12", f"s{n}", n / 100, 2.0)),
                    range(40),
                )
            )
        stored = catalog.list_snapshots("pl_ab12")
        assert sorted(s.snapshot_id for s in stored) == sorted(f"s{n}" for n in range(40))
        assert catalog.get_prompt_job("pl_ab12").best_snapshot_id == "s39"


class TestHttpArtifactCatalog(ArtifactCatalogContract):
    def make_catalog(self, request):
        from synth_ai.adapters.backend_http import BackendClient
        from synth_ai.adapters.backend_http.artifacts import HttpArtifactCatalog

        backend = request.getfixturevalue("backend")
        # The contract registers weights at made-up paths such as /w: let this backend take any.
        backend.container.settings().document["artifacts"] = {"export_roots": ["/"]}
        client = BackendClient(backend.url, backend.api_key)
        request.addfinalizer(client.close)
        return HttpArtifactCatalog(client)
