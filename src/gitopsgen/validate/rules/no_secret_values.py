"""no-secret-values: nothing in `rendered/` may carry a secret value (DOMAIN X5, DESIGN conventions).

Secrets reach the cluster through ExternalSecrets from Doppler. So a rendered tree must not
contain:

* a `Secret` with `data` or `stringData` (it would also fight the ExternalSecret that owns the
  same name: ESO docs, "two owners");
* a container `env` entry whose name says it is a secret (PASSWORD, TOKEN, ...) with a literal
  `value` instead of `valueFrom.secretKeyRef`;
* any string that has the shape of a known credential (Doppler/GitHub/Slack tokens, private keys,
  JWTs, credentials in URLs, a tunnel secret), unless the spec marked that value
  `# gitopsgen: not-a-secret` (`RenderedTree.not_secrets`).

`secret_values` lists what this rule recognises, so that no other finding echoes it.
"""

from __future__ import annotations

from collections.abc import Iterator

from gitopsgen.manifests import RenderedTree
from gitopsgen.secret_shapes import SECRET_NAME, find_secret
from gitopsgen.validate.toolkit import Finding, dig
from gitopsgen.yamlio import iter_paths

ID = "no-secret-values"


def check(tree: RenderedTree) -> Iterator[Finding]:
    allowed = tree.not_secrets
    for doc in tree.documents():
        ident = doc.identity
        if ident is not None and ident.kind == "Secret" and ident.api_version == "v1":
            for key in ("data", "stringData"):
                if doc.data.get(key):
                    yield Finding(doc, (key,), "a Secret with literal values is rendered",
                                  hint="declare an ExternalSecret that fetches the value from Doppler")
        for path, value in iter_paths(doc.data):
            if not isinstance(value, str):
                continue
            if value in allowed:
                continue
            if (what := find_secret(value)) is not None:
                yield Finding(doc, path, f"looks like {what}",
                              hint="secret values never go into rendered/; reference them from Doppler")
            elif (len(path) >= 3 and path[-1] == "value" and isinstance(path[-2], int)
                  and path[-3] == "env"):
                name = _env_name(doc.data, path)
                if name and SECRET_NAME.search(name):
                    yield Finding(doc, path, f"env {name} has a literal value",
                                  hint="use valueFrom.secretKeyRef")


def _env_name(data: object, path: tuple[str | int, ...]) -> str | None:
    name = dig(data, *path[:-1], "name")
    return name if isinstance(name, str) else None


def secret_values(tree: RenderedTree) -> set[str]:
    """The values this rule recognises as secrets in `tree` (to redact from every message)."""
    found: set[str] = set()
    for doc in tree.documents():
        ident = doc.identity
        if ident is not None and ident.kind == "Secret" and ident.api_version == "v1":
            for key in ("data", "stringData"):
                found.update(v for _, v in iter_paths(doc.data.get(key)) if isinstance(v, str))
        for path, value in iter_paths(doc.data):
            if not isinstance(value, str) or value in tree.not_secrets:
                continue
            if find_secret(value) is not None:
                found.add(value)
            elif len(path) >= 3 and path[-1] == "value" and path[-3] == "env":
                name = _env_name(doc.data, path)
                if name and SECRET_NAME.search(name):
                    found.add(value)
    return found
