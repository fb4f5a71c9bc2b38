"""A small Helm chart the chart-aware diff tests build: files written by the test, packed with tarfile.

It stands in for Stakater Reloader (same chart name and repository as the real pin, so the real
`apps/reloader.yaml` Application and `values/reloader.yaml` values file drive it): a Deployment with
`--auto-reload-all=<reloader.autoReloadAll>` among its arguments, a Secret holding
`reloader.webhook.token`, NOTES.txt, and a CRD in `crds/`. Version 1.1.0 also deploys a
ServiceAccount and adds a field to the CRD.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from gitopsgen.core import cache

REPO_URL = "https://stakater.github.io/stakater-charts"
CHART = "reloader"

VALUES = """\
reloader:
  autoReloadAll: false
  reloadStrategy: default
  webhook:
    token: ""
  deployment:
    replicas: 1
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-reloader
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
spec:
  replicas: {{ .Values.reloader.deployment.replicas }}
  template:
    spec:
      containers:
        - name: reloader
          image: "ghcr.io/stakater/reloader:v{{ .Chart.AppVersion }}"
          args:
            - --reload-strategy={{ .Values.reloader.reloadStrategy }}
            - --auto-reload-all={{ .Values.reloader.autoReloadAll }}
"""

SECRET = """\
{{- if .Values.reloader.webhook.token }}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-webhook
  namespace: {{ .Release.Namespace }}
type: Opaque
stringData:
  token: {{ .Values.reloader.webhook.token | quote }}
{{- end }}
"""

SERVICE_ACCOUNT = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .Release.Name }}-reloader
  namespace: {{ .Release.Namespace }}
"""

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.org
spec:
  group: example.org
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            size: {type: integer}
"""


def chart_files(version: str) -> dict[str, str]:
    """The chart's files by path inside the chart folder."""
    files = {
        "Chart.yaml": f"apiVersion: v2\nname: {CHART}\nversion: {version}\nappVersion: \"{version}\"\n",
        "values.yaml": VALUES,
        "templates/deployment.yaml": DEPLOYMENT,
        "templates/secret.yaml": SECRET,
        "templates/NOTES.txt": "Reloader {{ .Chart.AppVersion }} is watching {{ .Release.Namespace }}.\n",
        "crds/widgets.yaml": CRD,
    }
    if version != "1.0.0":
        files["templates/serviceaccount.yaml"] = SERVICE_ACCOUNT
        files["crds/widgets.yaml"] = CRD + "            color: {type: string}\n"
    return files


def build_chart(folder: Path, version: str, files: dict[str, str] | None = None) -> bytes:
    """Write the chart's files under `folder/<chart>/`, then pack them as `helm package` would."""
    top = folder / CHART
    for rel, text in (files or chart_files(version)).items():
        path = top / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for path in sorted(p for p in top.rglob("*") if p.is_file()):
            info = tar.gettarinfo(str(path), arcname=f"{CHART}/{path.relative_to(top).as_posix()}")
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
            with path.open("rb") as handle:
                tar.addfile(info, handle)
    return raw.getvalue()


def cache_chart(folder: Path, version: str, files: dict[str, str] | None = None) -> Path:
    """Build the chart and put it where `gitopsgen schemas sync` would (`cache.chart_path`)."""
    target = cache.chart_path(REPO_URL, CHART, version)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build_chart(folder / version, version, files))
    return target
