"""cloudflared-config: the committed tunnel config passes the rules cloudflared enforces."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate.rules import cloudflared_config
from kit import assert_findings, line_with, mutate

CONFIG = "config/cloudflared/config.yaml"


def test_the_rendered_configs_pass(rendered: dict[str, RenderedTree]) -> None:
    assert_findings(cloudflared_config, rendered["prd"], [])
    assert CONFIG not in rendered["dev"].files
    assert_findings(cloudflared_config, rendered["dev"], [])


def _break_last_rule(docs: list[Any]) -> None:
    docs[0]["ingress"][-1]["hostname"] = "fallback.example.com"


def test_a_broken_rendered_config_is_reported_at_its_file_and_line(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CONFIG, _break_last_rule)
    # the last rule now has a hostname, so it is no catch-all
    found = assert_findings(cloudflared_config, tree, [(CONFIG, line_with(tree, CONFIG, "- service: http_status:404"))])
    assert "must match all URLs" in found[0].message


def test_a_missing_metrics_address_is_reported_at_the_top_of_the_config(rendered: dict[str, RenderedTree]) -> None:
    tree = mutate(rendered["prd"], CONFIG, lambda d: d[0].pop("metrics"))
    found = assert_findings(cloudflared_config, tree, [(CONFIG, 1)])
    assert "metrics" in found[0].message
