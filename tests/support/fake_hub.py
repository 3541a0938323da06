"""A stand-in Hugging Face Hub on 127.0.0.1: just the endpoints ``HfApi`` uploads go through.

    hub = FakeHub.start(token="hf_test")
    ... HF_ENDPOINT=hub.url ...
    hub.repos["org/name"].files   # path -> bytes, as committed
    hub.close()

Speaks ``POST /api/repos/create`` (409 when the repo exists, which ``exist_ok`` accepts),
``POST /api/validate-yaml``, ``preupload`` (files above ``lfs_threshold`` bytes are "lfs"),
the NDJSON ``commit``, the LFS batch API with basic PUT uploads, and ``model_info`` /
``tree`` for reading back. Xet is not offered: a request for a Xet token is recorded in
``xet_requests`` and refused, so a test can assert it never happened.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading

import falcon
from attrs import define, field
from synth_ai.adapters.waitress_host import BackgroundServer


@define
class Repo:
    repo_id: str
    private: bool
    files: dict[str, bytes] = field(factory=dict)
    commits: list[str] = field(factory=list)


class FakeHub:
    def __init__(self, token: str, lfs_threshold: int):
        self.token = token
        self.lfs_threshold = lfs_threshold
        self.repos: dict[str, Repo] = {}
        self.lfs_objects: dict[str, bytes] = {}
        self.xet_requests: list[str] = []
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._server: BackgroundServer | None = None

    @classmethod
    def start(cls, token: str = "hf_test_token", lfs_threshold: int = 1_000_000) -> FakeHub:
        hub = cls(token, lfs_threshold)
        hub._server = BackgroundServer.start(hub.app(), "127.0.0.1", 0, threads=4, name="fake-hub")
        return hub

    @property
    def url(self) -> str:
        return self._server.url

    def close(self) -> None:
        self._server.close()

    # --- the app -------------------------------------------------------------------------

    def app(self) -> falcon.App:
        app = falcon.App(middleware=[self])
        app.add_route("/api/repos/create", _Create(self))
        app.add_route("/api/validate-yaml", _ValidateYaml())
        app.add_route("/api/models/{ns}/{name}", _Info(self))
        app.add_route("/api/models/{ns}/{name}/revision/{rev}", _Info(self))
        app.add_route("/api/models/{ns}/{name}/tree/{rev}", _Tree(self))
        app.add_route("/api/models/{ns}/{name}/preupload/{rev}", _Preupload(self))
        app.add_route("/api/models/{ns}/{name}/commit/{rev}", _Commit(self))
        app.add_route("/{ns}/{repo_git}/info/lfs/objects/batch", _LfsBatch(self))
        app.add_route("/lfs-upload/{oid}", _LfsUpload(self))
        app.add_sink(self._xet, "/api/models/.+/xet-")
        return app

    def process_request(self, req, resp) -> None:  # falcon middleware: record and authenticate
        self.requests.append(f"{req.method} {req.path}")
        if req.path.startswith("/lfs-upload/"):  # a presigned storage URL: no Hub token
            return
        if req.get_header("Authorization") != f"Bearer {self.token}":
            raise falcon.HTTPUnauthorized(title="Invalid credentials in Authorization header")

    def _xet(self, req, resp) -> None:
        self.xet_requests.append(req.path)
        raise falcon.HTTPNotFound(title="Xet is not offered by this stand-in Hub")

    def repo(self, ns: str, name: str) -> Repo:
        repo = self.repos.get(f"{ns}/{name}")
        if repo is None:
            raise falcon.HTTPNotFound(
                title="Repository not found", headers={"X-Error-Code": "RepoNotFound"}
            )
        return repo


class _Create:
    def __init__(self, hub: FakeHub):
        self.hub = hub

    def on_post(self, req, resp):
        body = req.get_media()
        repo_id = f"{body['organization']}/{body['name']}"
        with self.hub._lock:
            if repo_id in self.hub.repos:
                resp.status = falcon.HTTP_409
                resp.media = {
                    "error": "You already created this model repo",
                    "url": f"{self.hub.url}/{repo_id}",
                }
                return
            self.hub.repos[repo_id] = Repo(
                repo_id, body.get("visibility", "public") == "private" or bool(body.get("private"))
            )
        resp.media = {"url": f"{self.hub.url}/{repo_id}", "name": repo_id, "id": repo_id}


class _ValidateYaml:
    def on_post(self, req, resp):
        content = req.get_media().get("content", "")
        ok = content.startswith("---\n") and "\n---\n" in content[4:]
        resp.status = falcon.HTTP_200 if ok else falcon.HTTP_400
        resp.media = {"errors": [] if ok else [{"message": "no YAML front matter"}], "warnings": []}


class _Info:
    def __init__(self, hub: FakeHub):
        self.hub = hub

    def on_get(self, req, resp, ns, name, rev="main"):
        repo = self.hub.repo(ns, name)
        resp.media = {
            "id": repo.repo_id,
            "modelId": repo.repo_id,
            "private": repo.private,
            "sha": repo.commits[-1] if repo.commits else "0" * 40,
            "siblings": [{"rfilename": path} for path in sorted(repo.files)],
            "tags": [],
        }


class _Tree:
    def __init__(self, hub: FakeHub):
        self.hub = hub

    def on_get(self, req, resp, ns, name, rev):
        repo = self.hub.repo(ns, name)
        resp.media = [
            {"type": "file", "path": path, "size": len(data), "oid": hashlib.sha1(data).hexdigest()}
            for path, data in sorted(repo.files.items())
        ]


class _Preupload:
    def __init__(self, hub: FakeHub):
        self.hub = hub

    def on_post(self, req, resp, ns, name, rev):
        self.hub.repo(ns, name)
        files = req.get_media()["files"]
        resp.media = {
            "files": [
                {
                    "path": f["path"],
                    "shouldIgnore": False,
                    "oid": None,
                    "uploadMode": "lfs" if f["size"] > self.hub.lfs_threshold else "regular",
                }
                for f in files
            ]
        }


class _Commit:
    def __init__(self, hub: FakeHub):
        self.hub = hub

    def on_post(self, req, resp, ns, name, rev):
        repo = self.hub.repo(ns, name)
        staged: dict[str, bytes] = {}
        for line in req.bounded_stream.read().decode().splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            value = item["value"]
            if item["key"] == "file":
                staged[value["path"]] = base64.b64decode(value["content"])
            elif item["key"] == "lfsFile":
                data = self.hub.lfs_objects.get(value["oid"])
                if data is None:
                    raise falcon.HTTPBadRequest(
                        title=f"LFS object {value['oid']} was never uploaded"
                    )
                staged[value["path"]] = data
        oid = hashlib.sha1(
            json.dumps(sorted(staged)).encode() + str(len(repo.commits)).encode()
        ).hexdigest()
        with self.hub._lock:
            repo.files.update(staged)
            repo.commits.append(oid)
        resp.media = {
            "success": True,
            "commitOid": oid,
            "commitUrl": f"{self.hub.url}/{repo.repo_id}/commit/{oid}",
        }


class _LfsBatch:
    def __init__(self, hub: FakeHub):
        self.hub = hub

    def on_post(self, req, resp, ns, repo_git):
        self.hub.repo(ns, repo_git.removesuffix(".git"))
        objects = json.loads(req.bounded_stream.read())["objects"]  # application/vnd.git-lfs+json
        resp.media = {
            "transfer": "basic",
            "objects": [
                {
                    "oid": o["oid"],
                    "size": o["size"],
                    "actions": {"upload": {"href": f"{self.hub.url}/lfs-upload/{o['oid']}"}},
                }
                for o in objects
            ],
        }


class _LfsUpload:
    def __init__(self, hub: FakeHub):
        self.hub = hub

    def on_put(self, req, resp, oid):
        data = req.bounded_stream.read()
        if hashlib.sha256(data).hexdigest() != oid:
            raise falcon.HTTPBadRequest(title="sha256 mismatch")
        self.hub.lfs_objects[oid] = data
        resp.status = falcon.HTTP_200
