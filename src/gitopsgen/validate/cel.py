"""cel: the `x-kubernetes-validations` rules of a custom resource's schema, evaluated as on create.

A CRD can carry CEL rules that JSON Schema cannot say, e.g. CloudNativePG's
`!(has(self.imageCatalogRef) && has(self.imageName))` on `Cluster.spec` ("imageName and
imageCatalogRef are mutually exclusive"). The API server evaluates them on every create and update
(apiextensions-apiserver `pkg/apiserver/schema/cel/validation.go`, `Validator.validate` and
`validateExpressions`); this module does the same offline, with the same outcomes:

* Where: schema and data are walked together (properties, additionalProperties, items, allOf);
  every node that exists in the data, or that the schema defaults into existence, and is not
  `null`, has its rules evaluated with `self` bound to the node, as Kubernetes types it
  (`celvalues.to_cel`: defaults applied, nulls absent, unknown fields hidden, names escaped).
* Pass or fail: a rule that returns `true` passes. `false` is an error at the node, or at
  `node + fieldPath` when the rule has a `fieldPath` (`.spec.foo`, `['x']`); its message is the
  evaluated `messageExpression` if that gives a non-empty one-line string, else `message`, else
  `failed rule: <rule>` (`ruleMessageOrDefault`).
* Runtime errors (no such key, no such overload, division by zero...) fail the rule at the node,
  with Kubernetes' message: `no such key: x evaluating rule: <message or rule>`.
* Transition rules (those that read `oldSelf`: immutability and the like) only run on update
  against the stored object; a GitOps tree is checked as on create, so they are skipped and
  returned in `CelResult.skipped` (shown under -v). A rule with `optionalOldSelf: true` does run
  on create, with `oldSelf` = `optional.none()`.
* A rule using a function our CEL environment lacks (see `celenv`) gives an info finding
  "not evaluated: ...", never an error.
* Values whose type contradicts the schema are left to the schema layer: Kubernetes runs no CEL
  rule on an object with such errors (`customresource/strategy.go`, `hasBlockingErr`), and we run
  none at that node.

Rule compilation is cached by rule text (`celenv.compile_rule`), the walk plan by schema node
identity (`plan_for`): a document whose schema has no rules costs one dictionary lookup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gitopsgen.core.problems import Finding, Severity, YamlPath
from gitopsgen.validate import celenv
from gitopsgen.validate.celvalues import is_nullable, schema_types, to_cel

RULE_ID = "cel"
_NO_DEFAULT = object()


@dataclass(frozen=True, slots=True)
class SkippedRule:
    path: YamlPath
    rule: str
    reason: str


@dataclass
class CelResult:
    findings: list[Finding] = field(default_factory=list)
    skipped: list[SkippedRule] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class _Rule:
    text: str
    message: str
    compiled: celenv.Compiled
    message_expression: celenv.Compiled | None
    field_path: YamlPath


@dataclass(eq=False)
class _Plan:
    type_schema: Mapping[str, Any]
    resource_root: bool
    type_check: frozenset[str]
    rules: tuple[_Rule, ...] = ()
    allof: tuple[_Plan, ...] = ()
    props: tuple[tuple[str, _Plan, Any, bool], ...] = ()
    """(key, plan, default or _NO_DEFAULT, nullable)"""
    additional: _Plan | None = None
    items: _Plan | None = None


_PLANS: dict[tuple[int, int, bool], tuple[Mapping[str, Any], _Plan | None]] = {}


def plan_for(schema: Mapping[str, Any]) -> _Plan | None:
    """The walk plan of a resource schema (None: no rules anywhere), built once per schema object."""
    return _plan(schema, schema, True)


def has_rules(schema: Mapping[str, Any]) -> bool:
    return plan_for(schema) is not None


def evaluate(data: Any, schema: Mapping[str, Any]) -> CelResult:
    """Evaluate every applicable rule of `schema` (a CRD version's openAPIV3Schema or our store's
    JSON Schema of it) on the document `data`."""
    result = CelResult()
    plan = plan_for(schema)
    if plan is not None:
        _walk(plan, data, (), result)
    return result


def _plan(schema: Mapping[str, Any], type_schema: Mapping[str, Any], root: bool) -> _Plan | None:
    key = (id(schema), id(type_schema), root)
    cached = _PLANS.get(key)
    if cached is not None and cached[0] is schema:
        return cached[1]
    _PLANS[key] = (schema, None)  # guards against self-referencing schemas
    plan = _build(schema, type_schema, root)
    _PLANS[key] = (schema, plan)
    return plan


def _build(schema: Mapping[str, Any], type_schema: Mapping[str, Any], root: bool) -> _Plan | None:
    types = schema_types(type_schema)
    int_or_string = bool(type_schema.get("x-kubernetes-int-or-string"))
    node_type = "int-or-string" if int_or_string else "|".join(sorted(types))
    rules = tuple(_rule(r, node_type) for r in schema.get("x-kubernetes-validations") or ()
                  if isinstance(r, Mapping) and isinstance(r.get("rule"), str))
    allof = tuple(p for sub in schema.get("allOf") or () if isinstance(sub, Mapping)
                  for p in (_plan(sub, type_schema, root),) if p is not None)
    props: list[tuple[str, _Plan, Any, bool]] = []
    type_props = type_schema.get("properties") or {}
    for name, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, Mapping):
            continue
        sub_type = type_props.get(name, sub) if isinstance(type_props, Mapping) else sub
        child = _plan(sub, sub_type, bool(sub_type.get("x-kubernetes-embedded-resource")))
        if child is not None:
            props.append((name, child, sub_type.get("default", _NO_DEFAULT), is_nullable(sub_type)))
    additional = items = None
    if isinstance(schema.get("additionalProperties"), Mapping):
        sub = schema["additionalProperties"]
        additional = _plan(sub, sub, bool(sub.get("x-kubernetes-embedded-resource")))
    if isinstance(schema.get("items"), Mapping):
        sub = schema["items"]
        items = _plan(sub, sub, bool(sub.get("x-kubernetes-embedded-resource")))
    if not (rules or allof or props or additional or items):
        return None
    check = frozenset(("integer", "string")) if int_or_string else types - {"null"}
    return _Plan(type_schema, root, check, rules, allof, tuple(props), additional, items)


def _rule(raw: Mapping[str, Any], node_type: str) -> _Rule:
    text = raw["rule"]
    compiled = celenv.compile_rule(text, node_type, bool(raw.get("optionalOldSelf")))
    message_expression = None
    if isinstance(raw.get("messageExpression"), str):
        message_expression = celenv.compile_rule(raw["messageExpression"], node_type)
    message = raw.get("message")
    field_path = parse_field_path(raw["fieldPath"]) if isinstance(raw.get("fieldPath"), str) else ()
    return _Rule(text, message.strip() if isinstance(message, str) else "", compiled, message_expression,
                 field_path or ())


_FIELD_PATH_TOKEN = re.compile(r"\.([^.\[\]']+)|\['((?:[^'\\]|\\.)*)'\]")


def parse_field_path(text: str) -> YamlPath | None:
    """`.spec.foo['a.b']` -> ("spec", "foo", "a.b"); None when it is not such a path
    (apiextensions-apiserver schema/cel/validation.go `ValidFieldPath`)."""
    parts: list[str | int] = []
    pos = 0
    while pos < len(text):
        match = _FIELD_PATH_TOKEN.match(text, pos)
        if match is None:
            return None
        name = match.group(1)
        if name is None:
            name = re.sub(r"\\(.)", r"\1", match.group(2))
        parts.append(name)
        pos = match.end()
    return tuple(parts)


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int,), "number": (int, float),
    "boolean": (bool,),
}


def _type_ok(plan: _Plan, value: Any) -> bool:
    if not plan.type_check:
        return True
    for name in plan.type_check:
        allowed = _PY_TYPES.get(name)
        if allowed is None or (isinstance(value, allowed) and (name == "boolean" or not isinstance(value, bool))):
            return True
    return False


def _walk(plan: _Plan, value: Any, path: YamlPath, result: CelResult) -> None:
    if value is None:
        return  # Kubernetes validates non-null values only
    if plan.rules and _type_ok(plan, value):
        self_value = to_cel(value, plan.type_schema, plan.resource_root)
        for rule in plan.rules:
            _run(rule, self_value, path, result)
    for sub in plan.allof:
        _walk(sub, value, path, result)
    if isinstance(value, dict):
        for key, child, default, nullable in plan.props:
            item = value.get(key)
            if item is None:
                if default is _NO_DEFAULT or (key in value and nullable):
                    continue
                item = default  # the API server defaults before it validates
            _walk(child, item, (*path, key), result)
        if plan.additional is not None:
            for key, item in value.items():
                _walk(plan.additional, item, (*path, key), result)
    elif isinstance(value, list) and plan.items is not None:
        for index, item in enumerate(value):
            _walk(plan.items, item, (*path, index), result)


def _run(rule: _Rule, self_value: Any, path: YamlPath, result: CelResult) -> None:
    compiled = rule.compiled
    if compiled.program is None:
        if compiled.uses_old_self:
            result.skipped.append(SkippedRule(path, rule.text, "transition rule (reads oldSelf): runs on update only"))
        else:
            result.findings.append(Finding(
                path, f"not evaluated: {compiled.unsupported}: {rule.text}", RULE_ID, Severity.INFO,
                hint="gitopsgen's CEL environment lacks this Kubernetes library; the API server still checks it"))
        return
    outcome, error = _eval(compiled.program, self_value)
    if outcome is True:
        return
    about = rule.message or rule.text
    if error is not None:
        if error.startswith("no such overload"):
            message = (f"'{error}': call arguments did not match a supported operator, function or macro "
                       f"signature for rule: {about}")
        else:
            message = f"{error} evaluating rule: {about}"
        result.findings.append(Finding(path, message, RULE_ID, Severity.ERROR, hint=f"rule: {rule.text}"))
        return
    detail = _message(rule, self_value) or rule.message or f"failed rule: {rule.text}"
    result.findings.append(Finding((*path, *rule.field_path), detail, RULE_ID, Severity.ERROR,
                                   hint=f"rule: {rule.text}" if rule.message else None))


def _eval(program: Any, self_value: Any) -> tuple[Any, str | None]:
    try:
        value = program.eval(data={"self": self_value})
        plain = value.value()
        if plain is True or plain is False:
            return plain, None
        from cel_expr_python import cel

        if value.type() == cel.Type.ERROR:
            return None, celenv.error_text(str(value.plain_value()))
        return None, f"rule returned {value.type().name().lower()}, not bool"
    except Exception as error:  # a library function raised (e.g. min of an empty list)
        return None, str(error) or type(error).__name__


def _message(rule: _Rule, self_value: Any) -> str | None:
    if rule.message_expression is None or rule.message_expression.program is None:
        return None
    try:
        value = rule.message_expression.program.eval(data={"self": self_value}).value()
    except Exception:
        return None
    if isinstance(value, str):
        value = value.strip()
        if value and "\n" not in value:
            return value
    return None
