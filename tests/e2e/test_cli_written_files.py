"""Files we write: ``-o`` never replaces a symlink, FIFO or device; regular files are written
atomically; a name a backend returned never sends a write outside the chosen folder."""

import json
import os
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

JOB = '{"job_id": "pl_abc123", "snapshots": [{"snapshot_id": "snap_1", "payload": {"messages": [{"role": "system", "content": "Be brief."}]}, "score": 0.5}]}'


@pytest.fixture
def job(cli, tmp_path):
    path = tmp_path / "job.json"
    path.write_text(JOB)
    assert cli("artifacts", "register-prompt", str(path)).returncode == 0


def download(cli, *args, cwd=None):
    return cli("artifacts", "download", "pl_abc123", *args, cwd=cwd, timeout=30)


def test_a_symlink_given_to_o_is_written_through_and_stays_a_symlink(cli, job, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    real = folder / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = folder / "link.json"
    link.symlink_to(real)
    result = download(cli, "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["snapshot_id"] == "snap_1"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the old file's mode is kept
    assert sorted(p.name for p in folder.iterdir()) == ["link.json", "real.json"]


def test_a_fifo_given_to_o_is_written_through_and_stays_a_fifo(cli, job, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = download(cli, "-o", str(fifo))
    reader.join(10)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(received[0])["job_id"] == "pl_abc123"


def test_dev_null_is_written_through_and_stays_a_device(cli, job):
    result = download(cli, "-o", "/dev/null")
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_full_device_is_one_line_exit_1_and_the_device_survives(cli, job):
    result = download(cli, "-o", "/dev/full")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: cannot write /dev/full: No space left on device — choose another path with -o "
        "(or '-o -' for stdout)"
    ]
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_regular_file_is_replaced_atomically_with_no_temporary_file_left(cli, job, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert download(cli, "-o", str(out / "p.json")).returncode == 0
    assert download(cli, "--format", "yaml", "-o", str(out / "p.json")).returncode == 0
    assert [p.name for p in out.iterdir()] == ["p.json"]
    assert "snapshot_id: snap_1" in (out / "p.json").read_text()


def test_a_snapshot_id_that_is_a_path_never_writes_outside_the_folder(cli, job, tmp_path):
    result = download(cli, "--snapshot-id", "../../escape", cwd=tmp_path)
    assert result.returncode == 1
    assert not (tmp_path.parent / "escape.json").exists()
    assert "Traceback" not in result.stderr


class EvilBackend(BaseHTTPRequestHandler):
    """Answers every prompt-job lookup with a job id that is a path."""

    job = {
        "job_id": "../../escape",
        "status": "succeeded",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "best_snapshot_id": "snap_1",
        "best_score": 0.5,
    }
    snapshot = {
        "snapshot_id": "snap_1",
        "job_id": "../../escape",
        "payload": {"messages": []},
        "created_at": "2026-01-01T00:00:00Z",
        "score": 0.5,
    }

    def do_GET(self):  # noqa: N802
        body = self.snapshot if "/snapshots/" in self.path else self.job
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_a_job_id_from_a_backend_that_is_a_path_never_becomes_one(cli, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), EvilBackend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    try:
        result = cli(
            "--base-url",
            f"http://127.0.0.1:{server.server_address[1]}",
            "artifacts",
            "download",
            "pl_abc123",
            cwd=work,
        )
    finally:
        server.shutdown()
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(
        "Error: the job id '../../escape' is not a plain file name — refusing to write outside prompts"
    )
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "b", "synth-home", "user-home"]
