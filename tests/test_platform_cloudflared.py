"""Our cloudflared config checker (`gitopsgen.validate.cloudflared`): the real config passes and
each rule cloudflared enforces fails on an example at the right line. The rule that runs it on a
rendered tree is tested in tests/rules/test_cloudflared_config.py."""

from __future__ import annotations

import pytest

from gitopsgen.core.problems import Severity
from gitopsgen.tree.manifests import RenderedTree
from gitopsgen.validate import cloudflared

CONFIG = "config/cloudflared/config.yaml"
VALID = """\
tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef
credentials-file: /etc/cloudflared/creds/credentials.json
metrics: 0.0.0.0:2000
no-autoupdate: true
ingress:
  - hostname: api.example.com
    service: http://ingress-nginx-controller.ingress-nginx.svc.cluster.local:80
  - service: http_status:404
"""
API_SERVICE = "http://ingress-nginx-controller.ingress-nginx.svc.cluster.local:80"


def problems_of(text: str) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in cloudflared.check_text(text, "config.yaml")
            if p.severity >= Severity.ERROR]


def test_the_reference_config_passes() -> None:
    assert problems_of(VALID) == []


def test_the_rendered_prd_config_passes_the_checker(rendered: dict[str, RenderedTree]) -> None:
    assert problems_of(rendered["prd"].files[CONFIG].text) == []


@pytest.mark.parametrize(("old", "new", "line", "fragment"), [
    ("ingress:\n  - hostname: api.example.com\n    service: " + API_SERVICE + "\n  - service: http_status:404\n",
     "ingress: []\n", 5, "doesn't contain any ingress rules"),
    (API_SERVICE, "ingress-nginx-controller:80", 7, "please make sure it has a scheme and a hostname"),
    (API_SERVICE, API_SERVICE + "/api", 7, "don't support proxying to a different path"),
    (API_SERVICE, API_SERVICE + "/", 7, "don't support proxying to a different path"),
    ("hostname: api.example.com", "hostname: api.example.com:443", 6, "Hostname cannot contain a port"),
    ("hostname: api.example.com", "hostname: api.*.example.com", 6, "at most one wildcard"),
    ("hostname: api.example.com", "hostname: '**.example.com'", 6, "at most one wildcard"),
    ("hostname: api.example.com", "hostname: '*api.example.com'", 6, "only matches a leading '*.'"),
    ("  - service: http_status:404\n", "", 6, "The last ingress rule must match all URLs"),
    ("  - service: http_status:404\n", "  - service: http_status:404\n    path: ^/old\n", 8,
     "The last ingress rule must match all URLs"),
    ("  - hostname: api.example.com\n", "  - service: http_status:503\n  - hostname: api.example.com\n", 6,
     "Rule #1 is matching the hostname '', but this will match every hostname"),
    ("  - hostname: api.example.com\n", "  - hostname: '*'\n    service: http_status:503\n"
     "  - hostname: api.example.com\n", 6, "Rule #1 is matching the hostname '*'"),
    ("    service: " + API_SERVICE + "\n", "    path: '(unclosed'\n    service: " + API_SERVICE + "\n", 7,
     "Rule #1 has an invalid regex"),
    ("http_status:404", "http_status:1000", 8, "invalid HTTP status code: 1000"),
    ("http_status:404", "http_status:99", 8, "invalid HTTP status code: 99"),
    ("http_status:404", "http_status:abc", 8, "invalid HTTP status code: abc"),
    ("metrics: 0.0.0.0:2000", "metrics: localhost", 3, "metrics must be a fixed host:port"),
    ("tunnel: 6ff42ae2-765d-4adf-8112-31c55c1551ef", "tunnel: ''", 1, "tunnel (name or UUID) is not set"),
])
def test_each_cloudflared_rule_fails_at_its_line(old: str, new: str, line: int, fragment: str) -> None:
    assert old in VALID
    found = problems_of(VALID.replace(old, new))
    assert [ln for ln, message in found if fragment in message] == [line], found


def test_access_audience_tags_need_a_team_name_at_the_access_line() -> None:
    text = VALID.replace(
        "    service: " + API_SERVICE + "\n",
        "    service: " + API_SERVICE + "\n    originRequest:\n      access:\n        required: true\n"
        "        audTag: [abc123]\n")
    assert problems_of(text) == [(9, "access.TeamName cannot be blank when access.audTags are present")]
    fixed = text.replace("        audTag: [abc123]\n", "        audTag: [abc123]\n        teamName: example\n")
    assert problems_of(fixed) == []


def test_missing_credentials_file_is_reported() -> None:
    text = VALID.replace("credentials-file: /etc/cloudflared/creds/credentials.json\n", "")
    assert [m for _, m in problems_of(text)] == ["credentials-file is not set"]


@pytest.mark.parametrize("service", ["hello_world", "bastion", "socks-proxy", "unix:/run/app.sock",
                                     "unix+tls:/run/app.sock", "ssh://localhost:22", "tcp://db:5432",
                                     "https://origin.internal:8443"])
def test_other_service_forms_cloudflared_accepts_pass(service: str) -> None:
    assert problems_of(VALID.replace(API_SERVICE, service)) == []


@pytest.mark.parametrize(("pattern", "host", "matches"), [
    ("api.example.com", "api.example.com", True),
    ("*.example.com", "a.b.example.com", True),
    ("*.example.com", "example.com", False),
    ("api.example.com", "www.example.com", False),
])
def test_host_matching_follows_cloudflared(pattern: str, host: str, matches: bool) -> None:
    assert cloudflared.host_matches(pattern, host) is matches
