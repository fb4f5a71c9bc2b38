"""Schema messages in YAML's words: values spelled as YAML (`null`, `true`, `{a: 1}`, never
Python's `None`, `True`), long values shortened in their middle so that what failed (the
keyword's words after the value: "has too many properties", "is not of type ...") is never cut
away, and a value YAML 1.1 read as a boolean or number where a string belongs named as written,
with a quoting hint."""

from __future__ import annotations

from typing import Any

from gitopsgen.tree import yamlio

QUANTITY_PATTERN = (r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+"
                    r"(\.[0-9]*)?)|(\.[0-9]+))))?$")
"""The pattern controller-gen writes into CRDs for a `resource.Quantity` field."""
VALUE_LIMIT = 120
MESSAGE_LIMIT = 600


def spelled(value: Any) -> str:
    """`value` in YAML flow style (strings single-quoted, as schema messages quote them)."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {spelled(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(spelled(v) for v in value) + "]"
    if isinstance(value, (bytes, bytearray)):
        return repr(value.decode("utf-8", "replace"))
    try:
        return yamlio.scalar(value)
    except TypeError:
        return str(value)


def _key(key: Any) -> str:
    return key if isinstance(key, str) and not yamlio.needs_quotes(key) else spelled(key)


def shortened(text: str, limit: int = VALUE_LIMIT) -> str:
    """`text` cut in its middle (start and end kept) when longer than `limit`."""
    if len(text) <= limit:
        return text
    keep = (limit - 5) // 2
    return f"{text[:keep]} ... {text[-keep:]}"


def schema_message(error: Any, written: str | None = None) -> tuple[str, str | None]:
    """(message, hint) of a jsonschema error, in YAML's words. `written`: the scalar's text as the
    file has it, when known."""
    instance = error.instance
    message = str(error.message)
    types = error.validator_value if error.validator == "type" else None
    wants_string = types == "string" or (isinstance(types, list) and "string" in types)
    if wants_string and isinstance(instance, (bool, int, float)):
        what = "a boolean" if isinstance(instance, bool) else "a number"
        shown = written or spelled(instance)
        read = "" if shown == spelled(instance) else f" ({spelled(instance)})"
        return (f"{shown} is read as {what}{read} by YAML 1.1, as kubectl and Argo CD read it, "
                f"and is not of type 'string'",
                f"quote it: \"{shown}\" (YAML 1.1 reads y/n, yes/no, on/off, true/false and number-like "
                "text as booleans and numbers)")
    if error.validator == "pattern" and error.validator_value == QUANTITY_PATTERN:
        from gitopsgen.validate.semantic.quantity import FORMAT_WRONG

        return (f"{spelled(instance)} is not a quantity: {FORMAT_WRONG}",
                "a quantity is a number with an optional suffix and no space: 500m, 0.5, 128Mi, 1G")
    python = repr(instance)
    if message.startswith(python):
        message = shortened(spelled(instance)) + message[len(python):]
    elif len(message) > MESSAGE_LIMIT:
        message = shortened(message, MESSAGE_LIMIT)
    return message, None
