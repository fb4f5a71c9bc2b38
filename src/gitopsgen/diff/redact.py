"""Replace values that may be credentials by `Redacted` fingerprints before anything is compared.

What is redacted, in any document of either side:
* every value under `data` and `stringData` of a core `Secret`;
* a scalar under a key that names a credential (`password`, `clientSecret`, `apiToken`,
  `DB_PASSWORD`, `tls.key`, ...). A *mapping* under such a key is a reference (`redisSecret:
  {name, key}`), not a value, and is walked normally; keys that name something else end
  differently (`passwordKey`, `secretName`, `tokenSecretRef`) and are left alone;
* the `value` of an environment-variable-like entry whose `name` names a secret
  (`{name: DB_PASSWORD, value: ...}`, the same pattern the spec check uses);
* any string that looks like a token, a private key or credentials in a URL
  (`gitopsgen.facts.secret_shapes.find_secret`, as the spec check and rule `no-secret-values`);
* a file of `rendered/` that is no longer YAML is compared as text: its lines `key: value` with a
  credential key, and lines that look like tokens, are replaced; if it mentions a Secret or a
  secret-named env entry, the whole text is.

The fingerprint is a SHA-256 of the value: the same value gives the same fingerprint on both
sides, so a reviewer sees *that* it changed, never *what* it is. It is not a protection against
guessing a weak value; no secret value belongs in `rendered/` anyway (rule `no-secret-values`).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from gitopsgen.diff.model import Key, Redacted
from gitopsgen.facts.secret_shapes import SECRET_NAME, find_secret

_CREDENTIAL_KEY = re.compile(
    r"(password|passwd|passphrase|secret|token|api[_-]?key|private[_-]?key|credentials?|"
    r"\.key|\.pem|\.p12|\.pfx|\.jks|privatekey|id_rsa|id_ecdsa|id_ed25519)$",
    re.IGNORECASE,
)
_NOT_A_VALUE = re.compile(r"^existing", re.IGNORECASE)  # `existingSecret: name` names a Secret
SECRET_FIELDS = ("data", "stringData")
_TEXT_LINE = re.compile(r"""^(\s*(?:-\s+)?["']?)([^\s:"'#]+)(["']?\s*:\s+)(\S.*)$""")
_TEXT_OPAQUE = re.compile(r"""^\s*(?:-\s+)?(kind:\s*["']?Secret["']?\s*|name:\s*["']?(?P<name>[^"'\s]+)["']?\s*)$""",
                          re.MULTILINE)


def fingerprint(value: Any) -> Redacted:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return Redacted(hashlib.sha256(f"gitopsgen-redacted:{text}".encode()).hexdigest())


def credential_key(key: Any) -> bool:
    return isinstance(key, str) and bool(_CREDENTIAL_KEY.search(key)) and not _NOT_A_VALUE.match(key)


def _scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list, bool)) and value is not None


def redact(key: Key, data: Any) -> Any:
    """`data` with every value that may be a credential replaced by its fingerprint."""
    if key.is_object and key.group == "" and key.kind == "Secret" and isinstance(data, dict):
        out = {}
        for name, value in data.items():
            out[name] = _all_leaves(value) if name in SECRET_FIELDS else _walk(value)
        return out
    if isinstance(data, str):
        return redact_text(data)
    return _walk(data)


def redact_text(text: str) -> str | Redacted:
    """A document that is plain text (a file that is not YAML any more), redacted line by line."""
    for match in _TEXT_OPAQUE.finditer(text):
        if match.group("name") is None or SECRET_NAME.search(match.group("name")):
            return fingerprint(text)
    return "\n".join(_redact_line(line) for line in text.split("\n"))


def _redact_line(line: str) -> str:
    match = _TEXT_LINE.match(line)
    if match and credential_key(match.group(2)):
        return f"{match.group(1)}{match.group(2)}{match.group(3)}{fingerprint(match.group(4))}"
    return str(fingerprint(line)) if find_secret(line) else line


def _all_leaves(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _all_leaves(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_all_leaves(v) for v in value]
    return fingerprint(value) if value is not None else None


def _walk(value: Any) -> Any:
    if isinstance(value, dict):
        name = value.get("name")
        env_like = isinstance(name, str) and bool(SECRET_NAME.search(name))
        out = {}
        for k, v in value.items():
            if _scalar(v) and (credential_key(k) or (env_like and k == "value")):
                out[k] = fingerprint(v)
            else:
                out[k] = _walk(v)
        return out
    if isinstance(value, list):
        return [_walk(v) for v in value]
    if isinstance(value, str) and find_secret(value):
        return fingerprint(value)
    return value


def plain(value: Any) -> Any:
    """`value` with fingerprints as text (`<redacted sha256:...>`), ready for YAML or JSON."""
    if isinstance(value, Redacted):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
