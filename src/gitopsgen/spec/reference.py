"""The spec reference in Markdown, generated from the models' JSON Schema (`gitopsgen spec-schema
--format markdown`; `make docs` writes docs/spec.md, which a test keeps current).

One section per mapping of the spec, in the order a reader meets them from the top level: every
key with its type (links to the section of a nested mapping), whether it is required once
defaults.yaml and the environment's file are merged, its default, and its description (the
field's docstring in `spec/models.py`, or what its type requires).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

INTRO = """\
# Environment spec reference

Generated from the spec models by `gitopsgen spec-schema --format markdown` (`make docs`); do not
edit by hand. `environments/defaults.yaml` (optional) is merged under every
`environments/<env>.yaml`: mappings merge key by key, other values (lists included) are replaced.
"Required" means required once both files are merged. Keys are camelCase; values are strict (a
quoted `"2"` is not an integer, `17.5` is not a string) and mappings are closed (an unknown key is
an error). Secret values never go into a spec: keys ending in `Key` name a Doppler secret.
"""


def _ref(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _anchor(name: str) -> str:
    return name.lower()


def type_text(node: dict[str, Any]) -> str:
    """A readable type: `integer (1-50)`, `string`, `[Storage](#storage)`, `list of string`, ..."""
    ref = _ref(node)
    if ref is not None:
        return f"[{ref}](#{_anchor(ref)})"
    for key in ("oneOf", "anyOf"):
        if key in node:
            parts = [type_text(n) for n in node[key] if n.get("type") != "null"]
            optional = any(n.get("type") == "null" for n in node[key])
            text = " or ".join(dict.fromkeys(parts))
            return f"{text} (or null)" if optional and text else text
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    kind = node.get("type")
    if kind == "array":
        return f"list of {type_text(node.get('items', {}))}"
    if kind == "object" and ("additionalProperties" in node or "patternProperties" in node):
        values: Any = node.get("additionalProperties") or next(iter(node.get("patternProperties", {}).values()), {})
        return f"map of {type_text(values) if isinstance(values, dict) else 'any'}"
    if kind in ("integer", "number"):
        low, high = node.get("minimum"), node.get("maximum")
        bounds = f" ({low}-{high})" if low is not None and high is not None else (
            f" (>= {low})" if low is not None else (f" (<= {high})" if high is not None else ""))
        return f"{kind}{bounds}"
    return str(kind or "any")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table(schema: dict[str, Any], definitions: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", ()))
    rows = ["| key | type | required | default | description |", "|:--|:--|:--|:--|:--|"]
    for key, node in schema.get("properties", {}).items():
        default = f"`{json.dumps(node['default'])}`" if "default" in node else ""
        described = node.get("description") or next(
            (definitions[r].get("description", "") for r in _refs_in(node) if r in definitions), "")
        rows.append(f"| `{key}` | {_cell(type_text(node))} | {'yes' if key in required else ''} | "
                    f"{_cell(default)} | {_cell(described.split(chr(10) + chr(10))[0])} |")
    return rows


def _refs_in(node: Any) -> Iterator[str]:
    """Definitions named under `node`, depth first, in the order they appear."""
    if isinstance(node, dict):
        ref = _ref(node)
        if ref is not None:
            yield ref
        for value in node.values():
            yield from _refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs_in(value)


def markdown(schema: dict[str, Any]) -> str:
    """The reference for the merged spec's JSON Schema (`gitopsgen.spec.json_schema()`)."""
    definitions: dict[str, Any] = schema.get("$defs", {})
    lines = [INTRO, "## Top level", ""]
    if schema.get("description"):
        lines += [schema["description"], ""]
    lines += [*_table(schema, definitions), ""]
    order: list[str] = []
    queue = list(_refs_in(schema.get("properties", {})))
    while queue:
        name = queue.pop(0)
        if name in order or name not in definitions:
            continue
        order.append(name)
        queue.extend(_refs_in(definitions[name].get("properties", {})))
    for name in order:
        node = definitions[name]
        lines += [f"## {name}", ""]
        if node.get("description"):
            lines += [" ".join(node["description"].split()), ""]
        lines += [*_table(node, definitions), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
