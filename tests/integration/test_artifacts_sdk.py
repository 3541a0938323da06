"""The trainer-facing SDK reports to the local store, or to a backend when given its URL."""

from synth_ai import Artifacts

SNAPSHOT = {"object": {"messages": [{"role": "system", "content": "Answer in one word."}]}}


def report(artifacts, weights: str = "/w"):
    artifacts.report_model(
        "rl:Qwen/Qwen3-0.6B:job_sdk", weights_path=weights, metadata={"steps": 10}
    )
    artifacts.report_prompt_job("pl_5d4", algorithm="mipro")
    artifacts.report_snapshot(
        "pl_5d4", {"messages": [{"role": "system", "content": "worse"}]}, score=0.2
    )
    return artifacts.report_snapshot("pl_5d4", SNAPSHOT, score=0.8, validation_score=0.7)


def test_a_trainer_reports_to_the_local_store_with_zero_configuration():
    job = report(Artifacts())
    assert (job.best_score, job.best_validation_score) == (0.8, 0.7)
    again = Artifacts()  # a fresh process-like object reads the same store
    assert again.best_prompt("pl_5d4") == [{"role": "system", "content": "Answer in one word."}]
    assert again.list().total_count == 2


def test_a_trainer_reports_to_a_backend_given_its_url(backend, tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTH_AI_HOME", str(tmp_path / "trainer-home"))
    weights = str(backend.container.settings().home / "models" / "job_sdk")  # where it exports from
    report(Artifacts(base_url=backend.url, api_key=backend.api_key), weights)
    listed = backend.client().get("/api/artifacts").json()
    assert [m["id"] for m in listed["rl_models"]] == ["rl:Qwen/Qwen3-0.6B:job_sdk"]
    assert listed["prompts"][0]["best_score"] == 0.8
    assert not (tmp_path / "trainer-home" / "synth.db").exists()
