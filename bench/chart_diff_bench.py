"""Wall time of the chart-aware diff, per chart: median of several runs. Not a test: nothing is asserted.

    .venv/bin/python bench/chart_diff_bench.py [--runs 5]

Needs the Helm extra (`pip install 'gitopsgen[helm]'`). For each case below, two in-memory trees
of one Application (a values change, or a chart version bump) are compared by a fresh
`ChartDiffer` per run (so nothing is cached between runs): load the archives from the chart cache
(a temporary GITOPSGEN_CACHE_DIR), render both sides with Helm, split and parse, compare, redact.
Importing the Helm engine (once per process) is timed apart. Charts:

* `tiny`: the test chart (tests/chart_support.py): 3 objects, one CRD in `crds/`;
* `operator`: a chart shaped like an operator's: 20 templated objects (RBAC, Deployment, Service,
  webhooks) with a `_helpers.tpl`, and, when ../shared is beside the checkout, CloudNativePG's 11
  CRDs (1.2 MB) inside `templates/` as its chart ships them (the heaviest chart the examples pin);
  its bump to 1.1.0 changes the appVersion label of every object and one CRD.

Then, end to end (`--e2e`): a git repository made like tests/test_diff_charts.py (the example
environments; the test chart as Reloader at 1.0.0, then a values change, then 1.1.0), and
`gitopsgen diff --all --base A --head B` as a process, median of `--runs`, beside the same diff
in process with and without the chart-aware part (`DiffOptions(charts=False)`).

The machine is shared and noisy: compare medians measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
REPO = "https://charts.example.org"
CNPG_CRDS = ROOT.parent / "shared" / "crds" / "cloudnative-pg-chart-0.29.0" / "crds.yaml"

HELPERS = """\
{{- define "op.fullname" -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end }}
{{- define "op.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}
"""

OBJECT = """\
apiVersion: {api}
kind: {kind}
metadata:
  name: {{{{ include "op.fullname" . }}}}-{n}
  namespace: {{{{ .Release.Namespace }}}}
  labels:
    {{{{- include "op.labels" . | nindent 4 }}}}
{body}
"""

DEPLOYMENT_BODY = """\
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Chart.Name }}
  template:
    metadata:
      labels:
        {{- include "op.labels" . | nindent 8 }}
    spec:
      containers:
        - name: manager
          image: "ghcr.io/example/operator:{{ .Chart.AppVersion }}"
          args:
            - --leader-elect
            - --log-level={{ .Values.logLevel }}
          resources: {{- toYaml .Values.resources | nindent 12 }}
"""

KINDS = [("v1", "ServiceAccount", ""), ("rbac.authorization.k8s.io/v1", "ClusterRole", "rules: []"),
         ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "roleRef: {apiGroup: rbac.authorization.k8s.io, "
          "kind: ClusterRole, name: x}"), ("v1", "ConfigMap", "data:\n  level: {{ .Values.logLevel | quote }}"),
         ("v1", "Service", "spec:\n  ports:\n    - port: 443\n      targetPort: 9443"),
         ("apps/v1", "Deployment", DEPLOYMENT_BODY)]


def operator_files() -> dict[str, str]:
    files = {"Chart.yaml": "apiVersion: v2\nname: operator\nversion: 1.0.0\nappVersion: \"1.0.0\"\n",
             "values.yaml": "replicas: 1\nlogLevel: info\ncrds:\n  create: true\nresources:\n"
                            "  limits: {cpu: 100m, memory: 128Mi}\n",
             "templates/_helpers.tpl": HELPERS}
    for n in range(20):
        api, kind, body = KINDS[n % len(KINDS)]
        files[f"templates/{kind.lower()}-{n}.yaml"] = OBJECT.format(api=api, kind=kind, n=n, body=body)
    if CNPG_CRDS.is_file():
        files["templates/crds/crds.yaml"] = CNPG_CRDS.read_text()
    return files


def application(chart: str, version: str) -> dict[str, Any]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": chart, "namespace": "argocd"},
            "spec": {"sources": [{"repoURL": REPO, "chart": chart, "targetRevision": version,
                                  "helm": {"valueFiles": ["$values/rendered/dev/values/chart.yaml"]}},
                                 {"repoURL": "https://git.example.org/gitops.git", "ref": "values"}],
                     "destination": {"server": "https://kubernetes.default.svc", "namespace": "ops"}}}


def bumped(files: dict[str, str]) -> dict[str, str]:
    """Version 1.1.0 of a chart: a new appVersion, and one CRD's printer column renamed."""
    out = dict(files)
    out["Chart.yaml"] = files["Chart.yaml"].replace("1.0.0", "1.1.0")
    for path, text in files.items():
        if "CustomResourceDefinition" in text:
            out[path] = text.replace("name: Age", "name: Created", 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--e2e", action="store_true", help="also time whole diffs between git refs")
    options = parser.parse_args()
    os.environ["GITOPSGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="gitopsgen-bench-cache-")

    from chart_support import build_chart, chart_files
    from gitopsgen.core import cache
    from gitopsgen.diff import compare_trees
    from gitopsgen.diff.charts import ChartDiffer
    from gitopsgen.tree import yamlio
    from gitopsgen.tree.manifests import RenderedFile, RenderedTree, make_document

    started = time.perf_counter()
    import helm_python

    print(f"import helm_python (once per process): {time.perf_counter() - started:.3f} s "
          f"(Helm SDK {helm_python.helm_sdk_version()})")

    def tree(chart: str, version: str, values: dict[str, Any]) -> RenderedTree:
        out = RenderedTree("dev")
        for path, doc in (("apps/app.yaml", application(chart, version)), ("values/chart.yaml", values)):
            out.add(RenderedFile(path, "", (make_document(path, 0, doc),), yamlio.dump([doc])))
        return out

    tiny = {**chart_files("1.0.0"), "Chart.yaml": "apiVersion: v2\nname: tiny\nversion: 1.0.0\nappVersion: \"1.0.0\"\n"}
    operator = operator_files()
    cases = [  # (label, chart, files by version, old (version, values), new (version, values))
        ("tiny, values", "tiny", {"1.0.0": tiny}, ("1.0.0", {"reloader": {"autoReloadAll": False}}),
         ("1.0.0", {"reloader": {"autoReloadAll": True}})),
        ("operator, values", "operator", {"1.0.0": operator}, ("1.0.0", {"logLevel": "info"}),
         ("1.0.0", {"logLevel": "debug"})),
        ("operator, bump", "operator", {"1.0.0": operator, "1.1.0": bumped(operator)}, ("1.0.0", {}), ("1.1.0", {})),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for label, name, versions, (old_version, before), (new_version, after) in cases:
            size = 0
            for version, files in versions.items():
                archive = build_chart(Path(tmp) / name / version, version, files)
                target = cache.chart_path(REPO, name, version)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive)
                size = len(archive)
            old, new = tree(name, old_version, before), tree(name, new_version, after)
            times = []
            for _ in range(options.runs):
                result = compare_trees("dev", old, new)
                begin = time.perf_counter()
                ChartDiffer().fill(result, old, new)
                times.append(time.perf_counter() - begin)
            chart = result.charts[0]
            assert chart.objects is not None, chart.reason
            crds = f"{len(chart.crds)} of {len(chart.crds) + chart.crds_unchanged} CRDs changed"
            print(f"{label:17s} {size / 1024:6.1f} KiB archive, {len(chart.objects):2d} objects differ, {crds}: "
                  f"median {statistics.median(times) * 1000:6.1f} ms of {options.runs} "
                  f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")


    if options.e2e:
        end_to_end(options.runs)


def end_to_end(runs: int) -> None:
    import subprocess

    import test_diff_charts as scenario
    from chart_support import cache_chart
    from git_support import commit, init_repo
    from gitopsgen.diff import DiffOptions, diff

    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        init_repo(repo)
        scenario._pin(repo, "1.0.0")
        scenario._values(repo, "false", "before")
        commit(repo, "pinned", tag="pinned")
        scenario._values(repo, "true", "after")
        commit(repo, "values", tag="values")
        scenario._pin(repo, "1.1.0")
        commit(repo, "bump", tag="bump")
        for version in ("1.0.0", "1.1.0"):
            cache_chart(Path(tmp) / "charts", version)
        gitopsgen = Path(sys.executable).with_name("gitopsgen")
        for base, head in (("pinned", "values"), ("values", "bump")):
            args = ["--all", "--base", base, "--head", head]
            process = []
            for _ in range(runs):
                begin = time.perf_counter()
                subprocess.run([str(gitopsgen), "diff", *args, "--root", str(repo)], capture_output=True, check=False)
                process.append(time.perf_counter() - begin)
            inside: dict[bool, list[float]] = {True: [], False: []}
            for _ in range(runs):
                for charts in (True, False):
                    begin = time.perf_counter()
                    diff(DiffOptions(root=repo, all_envs=True, base=base, head=head, charts=charts))
                    inside[charts].append(time.perf_counter() - begin)
            print(f"diff {' '.join(args)} (dev, prd; 1 chart change each): process median "
                  f"{statistics.median(process):.3f} s; in process {statistics.median(inside[True]):.3f} s with "
                  f"the chart-aware part, {statistics.median(inside[False]):.3f} s without")


if __name__ == "__main__":
    main()
