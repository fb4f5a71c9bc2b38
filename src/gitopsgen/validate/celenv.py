"""The CEL environment for `x-kubernetes-validations`, and the compile cache.

Library: `cel-expr-python`, the Python bindings of the CEL C++ runtime (cel-expr/cel-python).
Chosen over `cel-python` (pure Python, module `celpy`) and `common-expression-language` (Rust):
all three gave Kubernetes' answers on every rule of the CRDs we pin, and this one was the fastest
(about 3 us per evaluation against 5 us for the Rust bindings and 325 us for celpy; 15 us against
107 us on a CNPG Cluster spec, where the Rust bindings pay for converting the whole dict), starts
in 2 ms, has no Python dependencies, and reports unknown functions at compile time, which is how
a rule gets "not evaluated" instead of a false failure.

What Kubernetes offers a rule (apiserver `pkg/cel/environment/base.go`) and what we have:

* standard CEL, macros (has, all, exists, exists_one, filter, map), `matches`: yes;
* extended strings (`lowerAscii`, `split`, `replace`, `format`, ...), math (`math.greatest`),
  encoders (`base64`), optional values (`?.`, `orValue`), `cel.bind`: yes (the runtime's
  extensions);
* Kubernetes lists (`isSorted`, `sum`, `min`, `max`) and regex (`find`, `findAll`)
  (apiserver `pkg/cel/library/lists.go`, `regex.go`): yes, implemented here;
* IP and CIDR (apiserver `pkg/cel/library/ip.go`, `cidr.go`): yes, in `celnet` (values are
  their canonical text, as our runtime has no opaque types);
* url, quantity, format, semver, sets, authz: no. A rule using them compiles with
  "undeclared reference" and is reported as not evaluated (info), never as a failure.

`self` (and `oldSelf`) are declared `dyn`: the value's types come from `celvalues.to_cel`, so the
compiled program does not depend on the node's schema, and one compilation serves every node and
document carrying the same rule text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

UNDECLARED = re.compile(r"undeclared reference to '([^']+)'")


@dataclass(frozen=True, slots=True)
class Compiled:
    program: Any | None
    """The compiled expression, or None when it could not be compiled."""
    uses_old_self: bool = False
    unsupported: str | None = None
    """Why the expression is not evaluated (unknown function, syntax error)."""


def _list_sum(values: list[Any]) -> Any:
    return sum(values)


def _list_min(values: list[Any]) -> Any:
    if not values:
        raise ValueError("min called on empty list")
    return min(values)


def _list_max(values: list[Any]) -> Any:
    if not values:
        raise ValueError("max called on empty list")
    return max(values)


def _is_sorted(values: list[Any]) -> bool:
    return all(values[i] <= values[i + 1] for i in range(len(values) - 1))


def _find(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    return match.group(0) if match else ""


def _find_all(text: str, pattern: str) -> list[str]:
    return [m.group(0) for m in re.finditer(pattern, text)]


@cache
def environment() -> Any:
    from cel_expr_python import cel
    from cel_expr_python.ext import ext_bindings, ext_encoders, ext_math, ext_optional, ext_strings

    from gitopsgen.validate import celnet

    t = cel.Type
    dyn_list = t.List(t.DYN)

    def member(name: str, overload: str, result: Any, params: list[Any], impl: Any) -> Any:
        return cel.FunctionDecl(name, [cel.Overload(overload, result, params, is_member=True, impl=impl)])

    functions = [
        member("isSorted", "list_is_sorted", t.BOOL, [dyn_list], _is_sorted),
        member("sum", "list_sum", t.DYN, [dyn_list], _list_sum),
        member("min", "list_min", t.DYN, [dyn_list], _list_min),
        member("max", "list_max", t.DYN, [dyn_list], _list_max),
        member("find", "string_find", t.STRING, [t.STRING, t.STRING], _find),
        member("findAll", "string_find_all", t.List(t.STRING), [t.STRING, t.STRING], _find_all),
        *celnet.declarations(cel),
    ]
    extensions = [ext_strings.ExtStrings(), ext_math.ExtMath(), ext_encoders.ExtEncoders(),
                  ext_optional.ExtOptional(), ext_bindings.ExtBindings()]
    return cel.NewEnv(variables={"self": t.DYN}, extensions=extensions, functions=functions)


_CACHE: dict[tuple[str, str, bool], Compiled] = {}


def compile_rule(expression: str, node_type: str = "", optional_old_self: bool = False) -> Compiled:
    """Compile once per (expression, schema node type, optionalOldSelf); see the module docstring."""
    key = (expression, node_type, optional_old_self)
    compiled = _CACHE.get(key)
    if compiled is None:
        compiled = _CACHE[key] = _compile(expression, optional_old_self)
    return compiled


def _compile(expression: str, optional_old_self: bool) -> Compiled:
    env = environment()
    try:
        return Compiled(env.compile(expression))
    except RuntimeError as error:
        text = str(error)
    names = _undeclared(text)
    if "oldSelf" in names:
        if optional_old_self:
            # On create a rule with optionalOldSelf runs with oldSelf = optional.none()
            # (apiextensions-apiserver pkg/apiserver/schema/cel/validation.go, validateExpressions).
            try:
                return Compiled(env.compile(f"cel.bind(oldSelf, optional.none(), {expression})"))
            except RuntimeError as error:
                text = str(error)
                names = _undeclared(text) - {"oldSelf"}
        else:
            return Compiled(None, uses_old_self=True)
    names.discard("oldSelf")
    if names:
        return Compiled(None, unsupported=f"unsupported function {', '.join(sorted(names))}")
    first = text.splitlines()[0] if text else "compile error"
    return Compiled(None, unsupported=f"does not compile: {first.removeprefix('INVALID_ARGUMENT: ')}")


def _undeclared(text: str) -> set[str]:
    # the checker names a qualified reference whole: `oldSelf.name` for `self.name == oldSelf.name`
    return {"oldSelf" if name.split(".")[0] == "oldSelf" else name for name in UNDECLARED.findall(text)}


def error_text(raw: str) -> str:
    """A runtime error in cel-go's words (the ones Kubernetes users see)."""
    text = raw.removeprefix("NOT_FOUND: ").removeprefix("INVALID_ARGUMENT: ").removeprefix("UNKNOWN: ")
    text = text.removeprefix("OUT_OF_RANGE: ")
    match = re.fullmatch(r'Key not found in map : "?(.*?)"?', text)
    if match:
        return f"no such key: {match.group(1)}"
    if text.startswith("No matching overloads found"):
        return f"no such overload: {text.partition(' : ')[2] or text}"
    return text
