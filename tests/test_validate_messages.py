"""Schema messages in YAML's words (`validate.messages`): null/true not None/True, long values
shortened without losing the failed keyword, YAML 1.1 booleans and numbers named as written."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from gitopsgen.tree import goyaml
from gitopsgen.validate import messages


def errors(schema: dict[str, object], instance: object) -> list[object]:
    return list(Draft202012Validator(schema).iter_errors(instance))


def test_null_and_booleans_are_spelled_as_yaml() -> None:
    (error,) = errors({"type": "object"}, None)
    assert messages.schema_message(error)[0] == "null is not of type 'object'"
    (error,) = errors({"enum": ["a"]}, {"x": True, "z": None})
    assert messages.schema_message(error)[0].startswith("{x: true, z: null} is not one of")


def test_long_values_keep_the_failed_keyword() -> None:
    big = {f"key{i}": "v" * 20 for i in range(40)}
    (error,) = errors({"maxProperties": 2}, big)
    message = messages.schema_message(error)[0]
    assert message.endswith("has too many properties") and " ... " in message
    assert len(message) < 200


def test_a_boolean_where_a_string_belongs_is_named_as_written_with_a_hint() -> None:
    (error,) = errors({"type": "string"}, False)
    message, hint = messages.schema_message(error, "n")
    assert message.startswith("n is read as a boolean (false) by YAML 1.1")
    assert hint is not None and hint.startswith('quote it: "n"')


def test_a_number_where_a_string_belongs() -> None:
    (error,) = errors({"type": ["string", "null"]}, 8.0)
    message, hint = messages.schema_message(error, "08")
    assert message.startswith("08 is read as a number (8.0)") and hint is not None and '"08"' in hint


def test_a_wrong_type_that_is_not_yaml_11_keeps_the_schema_words() -> None:
    (error,) = errors({"type": "integer"}, "eighty")
    assert messages.schema_message(error) == ("'eighty' is not of type 'integer'", None)


def test_written_finds_the_scalar_on_its_line() -> None:
    text = "metadata:\n  name: n\n  labels: {a: yes, b: 'x'}\nargs:\n  - off  # comment\n"
    assert goyaml.written(text, 2, "name") == "n"
    assert goyaml.written(text, 3, "a") == "yes"
    assert goyaml.written(text, 5, 0) == "off"
    assert goyaml.written(text, 3, "b") is None
