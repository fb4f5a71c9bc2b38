"""cloudflared-wiring: the cloudflared Deployment runs the committed config, with its credentials.

Facts: docs/components.md §5.

For every Deployment running `cloudflared tunnel --config <dir>/<file> run` (docs/components.md §5,
upstream named-tunnel-k8s example):

* a ConfigMap volume is mounted at `<dir>` and puts the ConfigMap key at `<file>`; that ConfigMap
  exists and its content is byte for byte `config/cloudflared/config.yaml` (the file reviewers
  read is the one that runs);
* `credentials-file` lies in the mount of a Secret volume and names a file that volume provides
  (`credentials.json`); "tunnel credentials file not found" otherwise;
* liveness and readiness probes hit the config's fixed `metrics` port (`/ready`), so a tunnel
  without edge connections is restarted;
* `tunnel ... run` reads its config only once, so the pod template carries `checksum/config` =
  sha256 of the config: a config change must roll the pods.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterator
from typing import Any

from gitopsgen.facts import layout
from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import Document, Manifest, RenderedFile, RenderedTree
from gitopsgen.validate.cloudflared import metrics_port
from gitopsgen.validate.toolkit import Finding, containers, dig, es_keys, es_target

ID = "cloudflared-wiring"
POD = ("spec", "template", "spec")


def _config_arg(container: dict[str, Any]) -> str | None:
    args = [str(a) for a in (container.get("command") or []) + (container.get("args") or [])]
    if "tunnel" not in args or "--config" not in args:
        return None
    i = args.index("--config")
    return args[i + 1] if i + 1 < len(args) else ""


def _mounted(doc: Document, container: dict[str, Any], directory: str) -> tuple[dict[str, Any], int] | None:
    """The volume mounted at `directory` and its index in the pod's volumes."""
    for mount in container.get("volumeMounts") or []:
        if isinstance(mount, dict) and mount.get("mountPath", "").rstrip("/") == directory:
            for j, volume in enumerate(dig(doc.data, *POD, "volumes", default=[]) or []):
                if isinstance(volume, dict) and volume.get("name") == mount.get("name"):
                    return volume, j
    return None


def _files(source: dict[str, Any], keys: list[str]) -> dict[str, str]:
    """file name in the mount -> key, for a configMap/secret volume source."""
    items = source.get("items")
    if items:
        return {str(i.get("path")): str(i.get("key")) for i in items if isinstance(i, dict)}
    return {k: k for k in keys}


def check(tree: RenderedTree) -> Iterator[Finding]:
    committed = tree.files.get(layout.CLOUDFLARED_CONFIG)
    for doc in tree.manifests("Deployment"):
        for cpath, container in containers(doc):
            arg = _config_arg(container)
            if arg is not None:
                yield from _check_one(tree, doc, cpath, container, arg, committed)


def _parse(text: str, committed: RenderedFile | None) -> Any:
    """The config in the ConfigMap, parsed; the committed file's document when the text is the same."""
    if committed is not None and text == committed.text and committed.first is not None:
        return committed.first.data
    return (yamlio.load_all(text) or [{}])[0]


def _check_one(tree: RenderedTree, doc: Manifest, cpath: tuple[str | int, ...], container: dict[str, Any],
               arg: str, committed_file: RenderedFile | None) -> Iterator[Finding]:
    committed = committed_file.text if committed_file is not None else None
    ns = doc.ident.namespace
    directory, file = posixpath.split(arg)
    found = _mounted(doc, container, directory)
    if found is None or not isinstance(found[0].get("configMap"), dict):
        yield Finding((*cpath, "args"), f"no ConfigMap volume is mounted at {directory!r}", doc=doc)
        return
    volume, j = found
    cm_name = volume["configMap"].get("name")
    configmap = tree.get("ConfigMap", cm_name, ns)
    data = dig(configmap.data, "data", default={}) if configmap else {}
    files = _files(volume["configMap"], list(data or {}))
    text = (data or {}).get(files.get(file, ""))
    if configmap is None or not isinstance(text, str):
        yield Finding((*POD, "volumes", j), f"ConfigMap {cm_name!r} does not provide {file!r} in "
                      f"namespace {ns!r}", doc=doc)
        return
    if committed is not None and text != committed:
        yield Finding(("data", files[file]), f"differs from the committed {layout.CLOUDFLARED_CONFIG}",
                      hint=f'embed output("{layout.CLOUDFLARED_CONFIG}") unchanged', doc=configmap)
    config = _parse(text, committed_file)
    annotation = dig(doc.data, "spec", "template", "metadata", "annotations", "checksum/config")
    if annotation != hashlib.sha256(text.encode("utf-8")).hexdigest():
        yield Finding(("spec", "template", "metadata"), "checksum/config is not the sha256 of the "
                      "config: a config change would not roll the pods", doc=doc)
    yield from _credentials(tree, doc, container, config)
    port = metrics_port(config)
    for probe in ("livenessProbe", "readinessProbe"):
        probe_port = dig(container, probe, "httpGet", "port")
        if isinstance(probe_port, str):
            probe_port = next((p.get("containerPort") for p in container.get("ports") or []
                               if isinstance(p, dict) and p.get("name") == probe_port), probe_port)
        if port is None or probe_port != port:
            yield Finding((*cpath, probe), f"{probe} must GET /ready on the metrics port {port}, "
                          f"got {probe_port!r}", doc=doc)


def _credentials(tree: RenderedTree, doc: Document, container: dict[str, Any],
                 config: Any) -> Iterator[Finding]:
    creds = config.get("credentials-file") if isinstance(config, dict) else None
    if not isinstance(creds, str):
        return  # cloudflared-config reports it
    directory, file = posixpath.split(creds)
    found = _mounted(doc, container, directory)
    if found is None or not isinstance(found[0].get("secret"), dict):
        yield Finding((*POD, "volumes"), f"credentials-file {creds!r}: no Secret volume is mounted at "
                      f"{directory!r}", doc=doc)
        return
    volume, j = found
    secret_name = volume["secret"].get("secretName")
    keys = [k for es in tree.manifests("ExternalSecret") if es_target(es) == secret_name for k in es_keys(es)]
    if file not in _files(volume["secret"], keys):
        yield Finding((*POD, "volumes", j), f"credentials-file {creds!r}: Secret volume "
                      f"{secret_name!r} has no file {file!r}", doc=doc)
