"""CEL rules of x-kubernetes-validations on small inline schemas: where they fire, with which rule id
and severity. Messages are only checked where the message source is the behaviour under test."""

from __future__ import annotations

from typing import Any

import pytest

from gitopsgen.core.problems import Severity
from gitopsgen.validate import cel, celenv
from gitopsgen.validate.celvalues import escape, to_cel


def obj(properties: dict[str, Any], rules: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if rules:
        schema["x-kubernetes-validations"] = rules
    return schema


def resource(spec: dict[str, Any]) -> dict[str, Any]:
    return obj({"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
                "spec": spec})


def doc(spec: Any) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "x"}, "spec": spec}


def where(result: cel.CelResult) -> list[tuple[tuple[str | int, ...], str, Severity]]:
    return [(f.path, f.rule, f.severity) for f in result.findings]


STR = {"type": "string"}
CNPG_RULE = {"rule": "!(has(self.imageCatalogRef) && has(self.imageName))",
             "message": "imageName and imageCatalogRef are mutually exclusive"}
CNPG = resource(obj({"imageName": STR, "imageCatalogRef": obj({"kind": STR, "name": STR})}, [CNPG_RULE]))


def test_cnpg_exclusive_image_rule_fails_at_spec_when_both_are_set() -> None:
    result = cel.evaluate(doc({"imageName": "pg:17", "imageCatalogRef": {"kind": "ImageCatalog", "name": "c"}}), CNPG)
    assert where(result) == [(("spec",), "cel", Severity.ERROR)]
    assert result.findings[0].message == "imageName and imageCatalogRef are mutually exclusive"


@pytest.mark.parametrize("spec", [{"imageName": "pg:17"}, {"imageCatalogRef": {"kind": "ImageCatalog"}}, {}])
def test_cnpg_exclusive_image_rule_passes_with_one_or_none(spec: dict[str, Any]) -> None:
    assert cel.evaluate(doc(spec), CNPG).findings == []


def test_rule_on_list_items_reports_the_failing_index() -> None:
    item = obj({"port": {"type": "integer"}}, [{"rule": "self.port > 0"}])
    schema = resource(obj({"ports": {"type": "array", "items": item}}))
    result = cel.evaluate(doc({"ports": [{"port": 80}, {"port": 0}, {"port": 443}]}), schema)
    assert where(result) == [(("spec", "ports", 1), "cel", Severity.ERROR)]
    assert result.findings[0].message == "failed rule: self.port > 0"


def test_rule_on_map_values_reports_the_key() -> None:
    value = {"type": "string", "x-kubernetes-validations": [{"rule": "self != ''", "message": "empty"}]}
    schema = resource(obj({"env": {"type": "object", "additionalProperties": value}}))
    result = cel.evaluate(doc({"env": {"A": "1", "B": ""}}), schema)
    assert where(result) == [(("spec", "env", "B"), "cel", Severity.ERROR)]


def test_in_on_a_map_sees_its_keys() -> None:
    rule = {"rule": "!('reserved' in self)"}
    tags = {"type": "object", "additionalProperties": STR, "x-kubernetes-validations": [rule]}
    schema = resource(obj({"tags": tags}))
    assert where(cel.evaluate(doc({"tags": {"reserved": "x"}}), schema)) == [(("spec", "tags"), "cel", Severity.ERROR)]
    assert cel.evaluate(doc({"tags": {"other": "x"}}), schema).findings == []


def test_all_filter_size_macros_find_duplicate_keys() -> None:
    rule = {"rule": "self.all(e, self.filter(f, f.key==e.key).size() == 1)", "message": "keys must be unique"}
    images = {"type": "array", "items": obj({"key": STR}), "x-kubernetes-validations": [rule]}
    schema = resource(obj({"images": images}))
    assert where(cel.evaluate(doc({"images": [{"key": "a"}, {"key": "a"}]}), schema)) == [
        (("spec", "images"), "cel", Severity.ERROR)]
    assert cel.evaluate(doc({"images": [{"key": "a"}, {"key": "b"}]}), schema).findings == []


def test_transition_rule_is_skipped_and_listed() -> None:
    schema = resource(obj({"cluster": {"type": "string", "x-kubernetes-validations": [
        {"rule": "self == oldSelf", "message": "cluster reference is immutable"}]}}))
    result = cel.evaluate(doc({"cluster": "db"}), schema)
    assert result.findings == []
    assert [(s.path, s.rule) for s in result.skipped] == [(("spec", "cluster"), "self == oldSelf")]


def test_optional_old_self_rule_runs_on_create_with_no_old_value() -> None:
    rules = [{"rule": "!oldSelf.hasValue() || self == oldSelf.value()", "optionalOldSelf": True},
             {"rule": "oldSelf.hasValue()", "optionalOldSelf": True}]
    schema = resource(obj({"name": STR}, rules))
    result = cel.evaluate(doc({"name": "a"}), schema)
    assert [(f.path, f.message) for f in result.findings] == [(("spec",), "failed rule: oldSelf.hasValue()")]
    assert result.skipped == []


def test_field_path_refines_the_location() -> None:
    rule = {"rule": "!has(self.serverName)", "fieldPath": ".serverName", "reason": "FieldValueForbidden"}
    schema = resource(obj({"configuration": obj({"serverName": STR}, [rule])}))
    result = cel.evaluate(doc({"configuration": {"serverName": "x"}}), schema)
    assert where(result) == [(("spec", "configuration", "serverName"), "cel", Severity.ERROR)]


@pytest.mark.parametrize(("text", "parts"), [
    (".spec.foo", ("spec", "foo")),
    ("['a.b'].c", ("a.b", "c")),
    (".labels['x/y']", ("labels", "x/y")),
    (".x['it\\'s']", ("x", "it's")),
    ("spec", None),
    (".a[0]", None),
])
def test_parse_field_path(text: str, parts: tuple[str, ...] | None) -> None:
    assert cel.parse_field_path(text) == parts


def test_unsupported_kubernetes_library_function_is_info_not_error() -> None:
    schema = resource(obj({"size": {"type": "string", "x-kubernetes-validations": [
        {"rule": "quantity(self).isGreaterThan(quantity('1Gi'))"}]}}))
    result = cel.evaluate(doc({"size": "500Mi"}), schema)
    assert where(result) == [(("spec", "size"), "cel", Severity.INFO)]
    assert result.findings[0].message.startswith("not evaluated: unsupported function")


def test_runtime_error_fails_the_rule_with_kubernetes_message() -> None:
    rule = {"rule": "!has(self.builtinLocale) || self.localeProvider == 'builtin'",
            "message": "builtinLocale is only available when localeProvider is set to `builtin`"}
    schema = resource(obj({"initdb": obj({"builtinLocale": STR, "localeProvider": STR}, [rule])}))
    result = cel.evaluate(doc({"initdb": {"builtinLocale": "C"}}), schema)
    assert where(result) == [(("spec", "initdb"), "cel", Severity.ERROR)]
    assert result.findings[0].message.startswith("no such key: localeProvider evaluating rule: builtinLocale")


def test_type_mismatch_of_int_or_string_is_a_no_such_overload_error() -> None:
    schema = resource(obj({"port": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, STR],
                                    "x-kubernetes-validations": [{"rule": "self > 0"}]}}))
    assert cel.evaluate(doc({"port": 8080}), schema).findings == []
    result = cel.evaluate(doc({"port": "http"}), schema)
    assert where(result) == [(("spec", "port"), "cel", Severity.ERROR)]
    assert "no such overload" in result.findings[0].message


def test_message_expression_gives_the_message() -> None:
    rule = {"rule": "self.replicas <= 5", "message": "too many",
            "messageExpression": "'replicas is ' + string(self.replicas) + ', at most 5'"}
    schema = resource(obj({"replicas": {"type": "integer"}}, [rule]))
    result = cel.evaluate(doc({"replicas": 7}), schema)
    assert [f.message for f in result.findings] == ["replicas is 7, at most 5"]


def test_schema_default_is_seen_by_the_rule() -> None:
    rule = {"rule": "self.mode == 'safe' || self.force"}
    schema = resource(obj({"mode": {"type": "string", "default": "safe"}, "force": {"type": "boolean"}}, [rule]))
    assert cel.evaluate(doc({}), schema).findings == []
    assert where(cel.evaluate(doc({"mode": "fast", "force": False}), schema)) == [(("spec",), "cel", Severity.ERROR)]


def test_null_field_is_absent_for_has() -> None:
    schema = resource(obj({"a": {"type": ["string", "null"]}}, [{"rule": "!has(self.a)"}]))
    assert cel.evaluate(doc({"a": None}), schema).findings == []
    assert len(cel.evaluate(doc({"a": "x"}), schema).findings) == 1


def test_keyword_property_is_reached_escaped() -> None:
    schema = resource(obj({"namespace": STR, "secret-name": STR},
                          [{"rule": "self.__namespace__ != '' && self.secret__dash__name != ''"}]))
    assert cel.evaluate(doc({"namespace": "a", "secret-name": "b"}), schema).findings == []
    assert len(cel.evaluate(doc({"namespace": "a", "secret-name": ""}), schema).findings) == 1


def test_number_property_compares_as_double() -> None:
    schema = resource(obj({"ratio": {"type": "number"}}, [{"rule": "self.ratio <= 1.0"}]))
    assert cel.evaluate(doc({"ratio": 1}), schema).findings == []
    assert len(cel.evaluate(doc({"ratio": 2}), schema).findings) == 1


def test_root_rule_sees_metadata_name_only() -> None:
    schema = resource(obj({}))
    schema["x-kubernetes-validations"] = [{"rule": "self.metadata.name.startsWith('x') && !has(self.metadata.labels)"}]
    data = doc({}) | {"metadata": {"name": "xy", "labels": {"a": "b"}}}
    assert cel.evaluate(data, schema).findings == []


def test_rules_do_not_run_on_values_of_the_wrong_type() -> None:
    assert cel.evaluate(doc("not an object"), CNPG).findings == []


def test_kubernetes_list_and_string_libraries_are_available() -> None:
    rules = [{"rule": "self.versions.isSorted()"}, {"rule": "self.name.lowerAscii() == 'abc'"},
             {"rule": "self.name.find('[0-9]+') == ''"}, {"rule": "self.versions.max() < 20"}]
    schema = resource(obj({"versions": {"type": "array", "items": {"type": "integer"}}, "name": STR}, rules))
    assert cel.evaluate(doc({"versions": [15, 16, 17], "name": "ABC"}), schema).findings == []
    failed = cel.evaluate(doc({"versions": [17, 16, 25], "name": "ab1"}), schema)
    assert len(failed.findings) == 4


def test_rules_compile_once_per_text() -> None:
    first = celenv.compile_rule("self.size() > 1", "string")
    assert celenv.compile_rule("self.size() > 1", "string") is first


def test_schema_without_rules_has_no_plan() -> None:
    assert not cel.has_rules(resource(obj({"a": STR})))
    assert cel.has_rules(CNPG)


@pytest.mark.parametrize(("name", "escaped"), [
    ("name", "name"), ("namespace", "__namespace__"), ("a-b", "a__dash__b"), ("a.b/c", "a__dot__b__slash__c"),
    ("a__b", "a__underscores__b"), ("1abc", None), ("a b", None),
])
def test_property_name_escaping(name: str, escaped: str | None) -> None:
    assert escape(name) == escaped


def test_conversion_leaves_the_document_untouched() -> None:
    schema = obj({"n": {"type": "number"}, "d": {"type": "string", "default": "x"}})
    data = {"n": 1, "unknown": True}
    assert to_cel(data, schema) == {"n": 1.0, "d": "x"}
    assert data == {"n": 1, "unknown": True}
