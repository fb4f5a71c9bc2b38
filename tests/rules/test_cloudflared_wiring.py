"""cloudflared-wiring: the cloudflared Deployment runs the committed config, with its credentials (DOMAIN X20, X25)."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cloudflared_wiring
from kit import assert_findings, findings, line_with, mutate, places

CM = "manifests/cloudflared/configmap.yaml"


CF = "manifests/cloudflared/deployment.yaml"


def _pod(docs: list[Any]) -> dict[str, Any]:
    return docs[0]["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def test_configmap_must_hold_the_committed_config(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CM, lambda d: d[0]["data"].update({"config.yaml": "tunnel: other\n"}))
    found = findings(cloudflared_wiring, tree)
    assert (CM, line_with(tree, CM, "config.yaml:")) in places(found)


def test_checksum_annotation_must_follow_the_config(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CF, lambda d: d[0]["spec"]["template"]["metadata"]["annotations"]
                  .update({"checksum/config": "0" * 64}))
    found = assert_findings(cloudflared_wiring, tree, [(CF, line_with(tree, CF, "    metadata:"))])
    assert "would not roll the pods" in found[0].message


def test_probes_must_use_the_metrics_port(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CF, lambda d: _pod(d)["containers"][0]["livenessProbe"]["httpGet"]
                  .update(port=2001))
    assert_findings(cloudflared_wiring, tree, [(CF, line_with(tree, CF, "livenessProbe:"))])
    named = mutate(rendered["prd"], CF, lambda d: _pod(d)["containers"][0]["readinessProbe"]["httpGet"]
                   .update(port="metrics"))
    assert_findings(cloudflared_wiring, named, [])


def test_config_directory_must_be_a_configmap_mount(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CF, lambda d: _pod(d)["containers"][0]["volumeMounts"][0]
                  .update(mountPath="/etc/cloudflared"))
    assert_findings(cloudflared_wiring, tree, [(CF, line_with(tree, CF, "args:"))])


def test_credentials_file_must_be_in_the_secret_mount(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CF, lambda d: _pod(d)["volumes"][1]["secret"]["items"][0]
                  .update(path="tunnel.json"))
    found = assert_findings(cloudflared_wiring, tree, [(CF, line_with(tree, CF, "- name: creds", 2))])
    assert "has no file 'credentials.json'" in found[0].message
