"""Secrets are never shown, a false positive can be marked, and render refuses literal Secrets
(issue 10, item 7)."""

from __future__ import annotations

from pathlib import Path

from kit import cli, replace_in

PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEAxyz"
TOKEN = "dp.st.prd.0123456789abcdefghijKLMNOPqrstuv"


def _output(project: Path, *args: str) -> tuple[int, str]:
    result = cli("render", *args, "--root", project)
    return result.returncode, result.stdout + result.stderr


def test_a_key_pasted_into_a_hostname_is_refused_once_and_never_echoed(project: Path) -> None:
    replace_in(project / "environments/prd.yaml", "  hostname: api.example.com", f'  hostname: "{PRIVATE_KEY}"')
    code, output = _output(project, "prd")
    assert code == 2
    assert "app.hostname: looks like a private key: secret values never go into a spec [secret]" in output
    assert "app.hostname: must be a fully qualified lowercase hostname" in output and "got <redacted>" in output
    assert "BEGIN RSA" not in output and "MIIE" not in output


def test_a_secret_is_redacted_from_every_message_about_its_field(project: Path) -> None:
    long_token = TOKEN + "x" * 1100  # also too long: that message must not show it either
    replace_in(project / "environments/prd.yaml", "  hostname: api.example.com\n",
               f'  hostname: api.example.com\n  env:\n    LOG_TARGET: "{long_token}"\n')
    code, output = _output(project, "prd")
    assert code == 2
    assert "app.env.LOG_TARGET: looks like a Doppler token" in output
    assert "app.env.LOG_TARGET: String should have at most 1024 characters" in output
    assert "dp.st.prd" not in output and "0123456789abcdefghij" not in output


def test_a_false_positive_is_marked_with_a_comment_and_then_renders(project: Path) -> None:
    url = "https://docs:example@example.com/guide"  # looks like credentials in a URL
    spec = project / "environments/prd.yaml"
    replace_in(spec, "  hostname: api.example.com\n", f'  hostname: api.example.com\n  env:\n    DOCS_URL: "{url}"\n')
    code, output = _output(project, "prd")
    assert code == 2 and "looks like credentials in a URL" in output
    assert "# gitopsgen: not-a-secret" in output  # the hint says how to mark it
    replace_in(spec, f'DOCS_URL: "{url}"', f'DOCS_URL: "{url}"  # gitopsgen: not-a-secret')
    code, output = _output(project, "prd")
    assert code == 0, output  # neither the spec scan nor the no-secret-values rule refuses it now
    assert url in (project / "rendered/prd/manifests/example-api/deployment.yaml").read_text()


def test_render_refuses_a_secret_with_literal_data_and_writes_nothing(project: Path) -> None:
    (project / "templates/manifests/example-api/secret.yaml.j2").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\n  namespace: {{ spec.namespace }}\n"
        "stringData:\n  password: [hunter2-and-more]\n")
    code, output = _output(project, "prd")
    assert code == 1
    assert "a Secret with literal values is rendered" in output and "[no-secret-values]" in output
    assert "rendered/prd: not written" in output
    assert "hunter2" not in output  # the schema error about the same value does not show it either
    assert not (project / "rendered").exists()


def test_a_variable_named_like_a_secret_can_be_marked_too(project: Path) -> None:
    spec = project / "environments/prd.yaml"
    replace_in(spec, "  hostname: api.example.com\n",
               "  hostname: api.example.com\n  env:\n    TOKEN_TTL: 10m  # gitopsgen: not-a-secret\n")
    code, output = _output(project, "prd")
    assert code == 0, output
