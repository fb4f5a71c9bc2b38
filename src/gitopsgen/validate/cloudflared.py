"""Our own checker for a locally-managed cloudflared `config.yaml` (docs/components.md §5).

It applies the rules cloudflared itself enforces when it loads the file (cloudflare/cloudflared @
2026.8.2, ingress/ingress.go `validateIngress`, `validateAccessConfiguration`), so a broken tunnel
config fails `gitopsgen render` instead of a crash-looping Deployment. Quoted messages are
cloudflared's own. On top of them, two stricter lints of ours (docs/components.md §5):

* a wildcard must be a leading `*.`: cloudflared accepts `*foo.example.com` (star at index 0) but
  matching only understands `*.` suffixes, so such a rule can never match;
* `tunnel`, `credentials-file` and a fixed `metrics` host:port must be set: the Deployment's probes
  need a stable port (without `metrics` cloudflared binds the first free of 20241-20245).

`path` regexes are compiled with Python's `re`, which agrees with Go's RE2 on the syntax a path
filter normally uses; RE2-only or Python-only constructs may be judged differently.

`check_config(data)` yields located findings on parsed data (the `cloudflared-config` rule runs it
on the rendered tree); `check_text()` turns them into `Problem`s at the lines of a hand-written file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from gitopsgen.core.problems import Finding, Problem, Severity, YamlPath

RULE = "cloudflared-config"

# Service forms that are not URLs (ingress.go parseIngress / origin_service.go).
_SPECIAL_SERVICES = frozenset({"hello_world", "hello-world", "bastion", "socks-proxy"})
_HTTP_STATUS = "http_status:"
_HOST_PORT = re.compile(r"^(?P<host>[^:\s]*|\[[0-9a-fA-F:.]+\]):(?P<port>[0-9]{1,5})$")


def _finding(path: YamlPath, message: str, severity: Severity = Severity.ERROR,
            hint: str | None = None) -> Finding:
    """A finding of this checker: the shared `Finding` with the rule id `cloudflared-config`."""
    return Finding(path, message, RULE, severity, hint)


def is_catch_all(rule: dict[str, Any]) -> bool:
    """cloudflared `Rule.isCatchAllRule`: no hostname (or `*`) and no path."""
    hostname = rule.get("hostname") or ""
    return hostname in ("", "*") and not rule.get("path")


def host_matches(pattern: str, host: str) -> bool:
    """cloudflared `matchHost`: exact, or a leading `*.` matching any deeper subdomain."""
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return pattern == host


def metrics_port(data: Any) -> int | None:
    """The port of a fixed `metrics: host:port` setting, or None."""
    value = data.get("metrics") if isinstance(data, dict) else None
    match = _HOST_PORT.match(value) if isinstance(value, str) else None
    return int(match.group("port")) if match else None


def check_config(data: Any) -> Iterator[Finding]:
    """Every rule violation in a parsed config, depth first in file order."""
    if not isinstance(data, dict):
        yield _finding((), "the config file must be a mapping")
        return
    yield from _check_top_level(data)
    rules = data.get("ingress")
    if not isinstance(rules, list) or not rules:
        yield _finding(("ingress",) if "ingress" in data else (),
                      "The config file doesn't contain any ingress rules")
        return
    if isinstance(data.get("originRequest"), dict):
        yield from _check_access(data["originRequest"], ("originRequest",))
    for i, rule in enumerate(rules):
        path: YamlPath = ("ingress", i)
        if not isinstance(rule, dict):
            yield _finding(path, f"Rule #{i + 1} must be a mapping")
            continue
        yield from _check_rule(rule, i, path, last=i == len(rules) - 1)


def _check_top_level(data: dict[str, Any]) -> Iterator[Finding]:
    tunnel = data.get("tunnel")
    if not isinstance(tunnel, str) or not tunnel:
        yield _finding(("tunnel",) if "tunnel" in data else (), "tunnel (name or UUID) is not set",
                      hint="a locally-managed tunnel needs `tunnel: <TunnelID>`")
    if not data.get("credentials-file") and not data.get("credentials-contents"):
        yield _finding((), "credentials-file is not set",
                      hint="point it at the mounted credentials Secret, e.g. /etc/cloudflared/creds/credentials.json")
    if metrics_port(data) is None:
        yield _finding(("metrics",) if "metrics" in data else (),
                      f"metrics must be a fixed host:port, got {data.get('metrics')!r}",
                      hint="without it cloudflared binds the first free port of 20241-20245 and probes miss it; "
                           "use metrics: 0.0.0.0:2000")


def _check_rule(rule: dict[str, Any], i: int, path: YamlPath, *, last: bool) -> Iterator[Finding]:
    number = i + 1
    hostname = rule.get("hostname") or ""
    if not isinstance(hostname, str):
        yield _finding((*path, "hostname"), f"Rule #{number} hostname must be a string")
        hostname = ""
    if ":" in hostname:
        yield _finding((*path, "hostname"), "Hostname cannot contain a port")
    if hostname.rfind("*") > 0:
        yield _finding((*path, "hostname"),
                      'Hostname patterns can have at most one wildcard character ("*") and it can only be used '
                      'for subdomains, e.g. "*.example.com"')
    elif hostname.startswith("*") and hostname != "*" and not hostname.startswith("*."):
        yield _finding((*path, "hostname"),
                      f"wildcard {hostname!r} never matches: cloudflared only matches a leading '*.'",
                      hint=f"write *.{hostname[1:].lstrip('.')}")
    regex = rule.get("path")
    if regex:
        try:
            re.compile(str(regex))
        except re.error:
            yield _finding((*path, "path"), f"Rule #{number} has an invalid regex")
    if last and not is_catch_all(rule):
        yield _finding(path, "The last ingress rule must match all URLs (i.e. it should not have a hostname or "
                            "path filter)", hint="end the list with `- service: http_status:404`")
    if not last and is_catch_all(rule):
        yield _finding(path, f"Rule #{number} is matching the hostname '{hostname}', but this will match every "
                            "hostname, meaning the rules which follow it will never be triggered.")
    yield from _check_service(rule.get("service"), (*path, "service"), number)
    if isinstance(rule.get("originRequest"), dict):
        yield from _check_access(rule["originRequest"], (*path, "originRequest"))


def _check_service(service: Any, path: YamlPath, number: int) -> Iterator[Finding]:
    if not isinstance(service, str) or not service:
        yield _finding(path if service is not None else path[:-1], f"Rule #{number} has no service")
        return
    if service.startswith(_HTTP_STATUS):
        code = service[len(_HTTP_STATUS):]
        if not code.isdigit() or not 100 <= int(code) <= 999:
            yield _finding(path, f"invalid HTTP status code: {code}")
        return
    if service in _SPECIAL_SERVICES or service.startswith(("unix:", "unix+tls:")):
        return
    url = urlsplit(service)
    if not url.scheme or not url.hostname:
        yield _finding(path, f"{service} is an invalid address, please make sure it has a scheme and a hostname")
    elif url.path:
        yield _finding(path, f"{service} is an invalid address, ingress rules don't support proxying to a "
                            "different path on the origin service. The path will be the same as the eyeball "
                            "request's path", hint=f"drop the path: {url.scheme}://{url.netloc}")


def _check_access(origin: dict[str, Any], path: YamlPath) -> Iterator[Finding]:
    access = origin.get("access")
    if isinstance(access, dict) and access.get("required") and access.get("audTag") and not access.get("teamName"):
        yield _finding((*path, "access", "teamName") if "teamName" in access else (*path, "access"),
                      "access.TeamName cannot be blank when access.audTags are present")


# --- locating findings -----------------------------------------------------------------------


def _problems(found: Iterator[Finding], file: str, locate: Callable[[YamlPath], int | None]) -> list[Problem]:
    return [f.at(file, locate(f.path), rule=RULE) for f in found]


def check_text(text: str, file: str) -> list[Problem]:
    """Problems of a config file as written by hand, at the lines of `text`."""
    from ruamel.yaml import YAML

    data = YAML(typ="rt").load(text)

    def locate(path: YamlPath) -> int | None:
        node, line = data, 1 if data is not None else None
        for part in path:
            lc = getattr(node, "lc", None)
            try:
                if lc is not None:
                    line = (lc.key(part) if isinstance(part, str) else lc.item(part))[0] + 1
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        return line

    return _problems(check_config(data), file, locate)
