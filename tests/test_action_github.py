"""The action's shell steps run as GitHub runs them (`bash --noprofile --norc -eo pipefail`, the
step's `env:` with its expressions resolved, the GITHUB_* variables and an event file) against a
real git repository, with a local HTTP server standing in for the GitHub API: a stale tree still
gets its annotations and its diff comment and then fails; an earlier comment is updated, not
duplicated; a pull request from a fork gets the diff in the job summary; annotations name files
from the repository root when gitopsgen's root is a folder of it. And zizmor (the GitHub Actions
security linter, offline) finds nothing above informational in the action or in init's workflow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from git_support import commit, edit, git, init_repo
from kit import REPO_ROOT, cli

BIN = Path(sys.executable).parent
MARKER = "<!-- gitopsgen-diff -->"


class FakeGitHub(ThreadingHTTPServer):
    """The three issue-comment endpoints the action calls; every request is recorded."""

    def __init__(self, comments: list[dict[str, Any]]) -> None:
        self.comments = comments
        self.requests: list[tuple[str, str, dict[str, Any] | None]] = []
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(BaseHTTPRequestHandler):
    server: FakeGitHub

    def _reply(self, payload: object, status: int = 200) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _record(self) -> dict[str, Any] | None:
        assert self.headers["Authorization"] == "Bearer token-from-input"
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.server.requests.append((self.command, self.path, body))
        return body

    def do_GET(self) -> None:
        self._record()
        self._reply(self.server.comments if "page=1" in self.path else [])

    def do_POST(self) -> None:
        self._record()
        self._reply({"id": 99}, 201)

    def do_PATCH(self) -> None:
        self._record()
        self._reply({"id": 7})

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    server = FakeGitHub([{"id": 5, "body": "looks good"}, {"id": 7, "body": f"{MARKER}\nan older diff"}])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _step(name: str) -> dict[str, Any]:
    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
    [step] = [s for s in action["runs"]["steps"] if s.get("name") == name]
    return dict(step)


def run_step(name: str, repo: Path, tmp: Path, *, event: dict[str, Any], inputs: dict[str, str],
             api: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run one of the action's steps as a runner does; returns the process and the files it wrote
    (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY)."""
    step = _step(name)
    expressions = {f"${{{{ inputs.{k} }}}}": v for k, v in inputs.items()}
    expressions["${{ github.action_path }}"] = str(REPO_ROOT)
    env_of_step = {key: expressions[value] for key, value in step.get("env", {}).items()}  # unknown: KeyError
    (tmp / "event.json").write_text(json.dumps(event))
    files = {"GITHUB_OUTPUT": tmp / "output", "GITHUB_STEP_SUMMARY": tmp / "summary"}
    for path in files.values():
        path.write_text("")
    (tmp / "runner").mkdir(exist_ok=True)
    env = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp), "GITHUB_ACTIONS": "true",
           "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(tmp / "event.json"),
           "GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "change", "GITHUB_REPOSITORY": "acme/platform",
           "GITHUB_WORKSPACE": str(repo), "GITHUB_API_URL": api, "RUNNER_TEMP": str(tmp / "runner"),
           **{k: str(v) for k, v in files.items()}, **env_of_step}
    assert step["shell"] == "bash"
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    return done, {k: v.read_text() for k, v in files.items()}


def pull_request(number: int, head_repo: str) -> dict[str, Any]:
    return {"pull_request": {"number": number, "head": {"repo": {"full_name": head_repo}},
                             "base": {"repo": {"full_name": "acme/platform"}}}}


def _platform(tmp_path: Path, subdir: str = "") -> tuple[Path, Path]:
    """A repository whose main holds a rendered platform (as `origin/main`, as a checkout has it),
    and a pull-request branch checked out."""
    repo = tmp_path / "repo"
    root = init_repo(repo, subdir=subdir)
    assert cli("render", "--all", "--root", root).returncode == 0
    commit(repo, "rendered")
    git(repo, "update-ref", "refs/remotes/origin/main", "main")
    git(repo, "checkout", "-q", "-b", "change")
    return repo, root


CHECKS = "Render check, validation, diff and comment"
INPUTS = {"working-directory": ".", "base": "", "comment": "true", "github-token": "token-from-input"}


def test_a_stale_tree_still_gets_its_diff_comment_and_then_fails(tmp_path: Path, github: FakeGitHub) -> None:
    repo, root = _platform(tmp_path)
    edit(root / "environments" / "prd.yaml", "  replicas: 2\n", "  replicas: 3\n")  # rendered/ not updated
    commit(repo, "more replicas, not rendered")
    done, files = run_step(CHECKS, repo, tmp_path, event=pull_request(12, "acme/platform"), inputs=INPUTS,
                           api=f"http://127.0.0.1:{github.server_port}")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "::error title=gitopsgen render --check::rendered/ is not what" in done.stdout
    assert "rendered/ is stale" in done.stdout
    methods = [(method, path.split("?")[0]) for method, path, _ in github.requests]
    assert methods == [("GET", "/repos/acme/platform/issues/12/comments"),
                       ("PATCH", "/repos/acme/platform/issues/comments/7")]  # the earlier comment, updated
    body = github.requests[-1][2]
    assert body is not None and body["body"].startswith(MARKER) and "replicas" in body["body"]
    assert "differences=true" in files["GITHUB_OUTPUT"]


def test_a_first_comment_is_posted(tmp_path: Path, github: FakeGitHub) -> None:
    github.comments = [{"id": 5, "body": "looks good"}]
    repo, root = _platform(tmp_path)
    edit(root / "environments" / "prd.yaml", "  replicas: 2\n", "  replicas: 3\n")
    assert cli("render", "--all", "--root", root).returncode == 0
    commit(repo, "more replicas")
    done, _ = run_step(CHECKS, repo, tmp_path, event=pull_request(3, "acme/platform"), inputs=INPUTS,
                       api=f"http://127.0.0.1:{github.server_port}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [m for m, _, _ in github.requests] == ["GET", "POST"]
    assert github.requests[-1][1] == "/repos/acme/platform/issues/3/comments"


def test_a_fork_pull_request_gets_the_diff_in_the_job_summary(tmp_path: Path, github: FakeGitHub) -> None:
    repo, root = _platform(tmp_path)
    edit(root / "environments" / "prd.yaml", "  replicas: 2\n", "  replicas: 3\n")
    assert cli("render", "--all", "--root", root).returncode == 0
    commit(repo, "more replicas")
    done, files = run_step(CHECKS, repo, tmp_path, event=pull_request(4, "someone/platform"), inputs=INPUTS,
                           api=f"http://127.0.0.1:{github.server_port}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert github.requests == []  # a fork's token cannot comment: not even tried
    assert "::notice title=gitopsgen diff::a pull request from a fork" in done.stdout
    assert MARKER in files["GITHUB_STEP_SUMMARY"] and "replicas" in files["GITHUB_STEP_SUMMARY"]


def test_a_refused_comment_falls_back_to_the_job_summary(tmp_path: Path) -> None:
    repo, _ = _platform(tmp_path)
    done, files = run_step(CHECKS, repo, tmp_path, event=pull_request(4, "acme/platform"), inputs=INPUTS,
                           api="http://127.0.0.1:9")  # nothing listens there
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::warning title=gitopsgen diff::could not post the pull-request comment" in done.stdout
    assert MARKER in files["GITHUB_STEP_SUMMARY"]


def test_annotations_name_files_from_the_repository_root(tmp_path: Path, github: FakeGitHub) -> None:
    repo, root = _platform(tmp_path, subdir="platform")
    edit(root / "environments" / "dev.yaml", "replicas: 1", "replicas: 0")
    commit(repo, "no replicas")
    done, _ = run_step(CHECKS, repo, tmp_path, event=pull_request(5, "acme/platform"),
                       inputs={**INPUTS, "working-directory": "platform"},
                       api=f"http://127.0.0.1:{github.server_port}")
    assert done.returncode == 1
    assert "::error file=platform/environments/dev.yaml,line=" in done.stdout, done.stdout


@pytest.mark.slow
def test_the_install_step_installs_the_action_checkout_with_the_helm_extra(tmp_path: Path) -> None:
    """The action's install step, run with a fresh virtualenv's python first on PATH (as
    setup-python leaves it): gitopsgen comes from the action's own folder, with Helm's engine."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {**{k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")},
           "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "PACKAGE": "", "ACTION_PATH": str(REPO_ROOT)}
    step = _step("Install gitopsgen")
    assert step["env"] == {"PACKAGE": "${{ inputs.package }}", "ACTION_PATH": "${{ github.action_path }}"}
    subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], env=env, check=True,
                   timeout=900, cwd=tmp_path)
    version = subprocess.run([str(venv / "bin" / "gitopsgen"), "--version"], capture_output=True, text=True,
                             check=True).stdout
    from gitopsgen import __version__

    assert version.strip() == f"gitopsgen {__version__}"
    subprocess.run([str(venv / "bin" / "python"), "-c", "import helm_python"], check=True)


def _zizmor(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "zizmor"), "--offline", "--min-severity", "low", "--format", "json",
                           *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def test_zizmor_finds_nothing_above_informational_in_the_action_and_the_init_workflow(tmp_path: Path) -> None:
    action = _zizmor("--no-config", "action.yml", cwd=REPO_ROOT)
    assert action.returncode == 0 and json.loads(action.stdout) == [], action.stdout + action.stderr
    assert cli("init", tmp_path / "platform").returncode == 0
    workflow = _zizmor(".github/workflows/gitopsgen.yml", cwd=tmp_path / "platform")  # with init's zizmor.yml
    assert workflow.returncode == 0 and json.loads(workflow.stdout) == [], workflow.stdout + workflow.stderr


def test_zizmor_catches_what_the_action_avoids(tmp_path: Path) -> None:
    """The audit is not vacuous: an input expanded inside `run:` and an action pinned by tag are high."""
    (tmp_path / "action.yml").write_text(
        "name: x\ndescription: x\ninputs:\n  package: {description: x, default: x}\nruns:\n  using: composite\n"
        "  steps:\n    - uses: actions/setup-python@v7\n    - shell: bash\n"
        "      run: pip install \"${{ inputs.package }}\"\n")
    found = _zizmor("--no-config", "action.yml", cwd=tmp_path)
    assert {f["ident"] for f in json.loads(found.stdout)} >= {"template-injection", "unpinned-uses"}, found.stdout


def test_the_action_and_the_init_workflow_match_githubs_schemas(tmp_path: Path) -> None:
    """check-jsonschema's vendored schemas of action.yml and workflow files (SchemaStore's)."""
    assert cli("init", tmp_path / "platform").returncode == 0
    workflow = tmp_path / "platform" / ".github" / "workflows" / "gitopsgen.yml"
    for schema, path in (("vendor.github-actions", REPO_ROOT / "action.yml"), ("vendor.github-workflows", workflow)):
        done = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(path)],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    wrong = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                            str(REPO_ROOT / "action.yml")], capture_output=True, text=True, timeout=120, check=False)
    assert wrong.returncode == 1  # the schemas do check: an action is not a workflow
