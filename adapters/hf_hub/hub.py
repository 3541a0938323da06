"""The ``ModelHub`` port on the Hugging Face Hub (``huggingface_hub.HfApi``).

The endpoint is whatever the caller configured (``HF_ENDPOINT`` or ``[hub] endpoint``); a
private or self-hosted Hub, or the test stand-in, work the same way. huggingface_hub is
imported on first upload only. Files go up in one commit (``create_repo`` with
``exist_ok``, ``preupload_lfs_files`` in batches of about ``batch_bytes``, then one
``create_commit``: LFS/Xet for large files, small ones inline in the NDJSON commit). The repo
is created first, so a Hub that is unreachable or refuses the token fails before ``progress``
hears about any file; it then hears about the files of each batch once the Hub holds their
large files, and once more when the commit lands.
"""

from __future__ import annotations

from pathlib import Path

from synth_ai.domain.artifacts.errors import ExportFailed
from synth_ai.domain.errors import UpstreamUnavailable
from synth_ai.ports.artifacts import HubUpload, Progress

DEFAULT_ENDPOINT = "https://huggingface.co"
BATCH_BYTES = 64 * 2**20  # small files share a preupload round trip; large ones go alone


class HfModelHub:
    def __init__(
        self, endpoint: str | None = None, token: str | None = None, batch_bytes: int = BATCH_BYTES
    ):
        self.endpoint = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
        self._token = token
        self._batch_bytes = batch_bytes

    def upload_folder(
        self,
        folder: Path,
        *,
        repo_id: str,
        private: bool,
        model_card: str,
        token: str | None = None,
        progress: Progress | None = None,
    ) -> HubUpload:
        from huggingface_hub import CommitOperationAdd, HfApi
        from huggingface_hub import errors as hub_errors
        from huggingface_hub.errors import HfHubHTTPError
        from huggingface_hub.utils import disable_progress_bars

        disable_progress_bars()  # the caller shows one progress bar of its own
        # The HTTP library's base error (httpx or requests, by huggingface_hub version):
        # connection refused, DNS and TLS failures arrive as it, not as HfHubHTTPError.
        transport_error = getattr(hub_errors, "HTTPError", OSError)

        api = HfApi(endpoint=self.endpoint, token=token or self._token)
        files = sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.name != "README.md")
        total = sum(p.stat().st_size for p in files) + len(model_card.encode())
        try:
            repo = api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
            done = 0
            operations = []
            for batch in _batches(files, self._batch_bytes):
                added = [
                    CommitOperationAdd(
                        path_in_repo=path.relative_to(folder).as_posix(), path_or_fileobj=str(path)
                    )
                    for path in batch
                ]
                api.preupload_lfs_files(repo_id, additions=added, repo_type="model")
                operations += added
                for path, op in zip(batch, added, strict=True):
                    done += path.stat().st_size
                    if progress:
                        progress(done, total, op.path_in_repo)
            operations.append(
                CommitOperationAdd(path_in_repo="README.md", path_or_fileobj=model_card.encode())
            )
            commit = api.create_commit(
                repo_id,
                operations,
                repo_type="model",
                commit_message=f"Upload {len(files)} files with synth-ai",
            )
        except HfHubHTTPError as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status in (401, 403):
                # An upstream refusal (502 from the backend), not a bad key for synth-ai itself.
                raise ExportFailed(
                    f"the Hub at {self.endpoint} refused the token ({status}) — pass "
                    "--hf-token or set HF_TOKEN to a token with write access",
                    code="hub_unauthorized",
                ) from exc
            raise ExportFailed(
                f"upload of {repo_id} to {self.endpoint} failed: {_first_line(exc)}"
            ) from exc
        except transport_error as exc:
            raise UpstreamUnavailable(
                f"the Hub at {self.endpoint} is not reachable ({_root_cause(exc)}) — check "
                "HF_ENDPOINT (or [hub] endpoint) and the network",
                code="hub_unreachable",
            ) from exc
        except (
            OSError,
            RuntimeError,
            ValueError,
        ) as exc:  # huggingface_hub wraps transfer failures
            raise ExportFailed(
                f"upload of {repo_id} to {self.endpoint} failed: {_root_cause(exc)}"
            ) from exc
        if progress:
            progress(total, total, "README.md")
        return HubUpload(
            repo_id,
            str(getattr(repo, "url", f"{self.endpoint}/{repo_id}")),
            [op.path_in_repo for op in operations],
            getattr(commit, "oid", None),
        )


def _batches(files: list[Path], batch_bytes: int) -> list[list[Path]]:
    """Consecutive groups of files, each closed once it holds ``batch_bytes`` or more."""
    batches: list[list[Path]] = [[]]
    size = 0
    for path in files:
        batches[-1].append(path)
        size += path.stat().st_size
        if size >= batch_bytes:
            batches.append([])
            size = 0
    return [batch for batch in batches if batch]


def _root_cause(exc: BaseException) -> str:
    messages: list[str] = []
    while exc is not None:
        if _first_line(exc) not in messages:  # httpx repeats its transport error's text
            messages.append(_first_line(exc))
        exc = exc.__cause__
    return " ← ".join(messages)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
