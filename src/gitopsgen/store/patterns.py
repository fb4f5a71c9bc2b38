"""CRD `pattern`s in Go's RE2 syntax, rewritten where ECMA 262 and Python read them differently.

The API server compiles a CRD's `pattern` with Go's RE2, which takes an inline flag group
anywhere: prometheus-operator v0.93.0 writes `^(?i)(abort|warn)?$` for a PrometheusRule group's
`partial_response_strategy`. ECMA 262 (jsonschema-rs's `regex` format) has no inline flags, and
Python refuses a global flag after the start ("global flags not at the start of the
expression"). A case-insensitive `(?i)` is rewritten as character classes holding both cases
(`abort` -> `[aA][bB][oO][rR][tT]`), which every engine reads alike and which matches what RE2
matches. Other flags are left as they are.
"""

from __future__ import annotations


def _both_cases(char: str) -> str:
    return f"[{char.lower()}{char.upper()}]" if char.isascii() and char.isalpha() else char


def _class_both_cases(body: str) -> str:
    """A character class body with the other case of each letter added (ranges of letters too)."""
    extra = []
    i = 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            i += 2
            continue
        if i + 2 < len(body) and body[i + 1] == "-" and body[i].isascii() and body[i].isalpha():
            low, high = body[i], body[i + 2]
            extra.append(f"{low.swapcase()}-{high.swapcase()}")
            i += 3
            continue
        if body[i].isascii() and body[i].isalpha():
            extra.append(body[i].swapcase())
        i += 1
    return body + "".join(extra)


def portable(pattern: str) -> str:
    """`pattern` without `(?i)`: the letters after it match either case through character classes."""
    start = pattern.find("(?i)")
    if start < 0:
        return pattern
    head, tail = pattern[:start], pattern[start + len("(?i)"):]
    out, i = [head], 0
    while i < len(tail):
        char = tail[i]
        if char == "\\" and i + 1 < len(tail):
            out.append(tail[i:i + 2])
            i += 2
        elif char == "[":
            end = tail.find("]", i + 2 if tail[i + 1:i + 2] in ("]", "^") else i + 1)
            if end < 0:
                return pattern  # not a pattern we understand: leave it to the validators
            negated = tail[i + 1:i + 2] == "^"
            body = tail[i + 1 + negated:end]
            out.append("[" + ("^" if negated else "") + _class_both_cases(body) + "]")
            i = end + 1
        elif char == "(" and tail[i + 1:i + 2] == "?":
            out.append(char)
            i += 1
            while i < len(tail) and tail[i] not in ":)":  # a group's own flags or name stay as written
                out.append(tail[i])
                i += 1
        elif char == "{":
            end = tail.find("}", i)
            out.append(tail[i:end + 1] if end >= 0 else char)
            i = end + 1 if end >= 0 else i + 1
        else:
            out.append(_both_cases(char))
            i += 1
    return "".join(out)
