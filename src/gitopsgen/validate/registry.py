"""Every finding id gitopsgen reports, with what it means: the validation layers and the checks
that are not rule modules (the fleet's), then every rule module, whose docstring is its
documentation. Reports that describe rules (SARIF) and the README read this; a test finds every id
the code can emit and looks it up here."""

from __future__ import annotations

LAYERS: dict[str, str] = {
    "spec": "The environment spec does not validate against its model or a cross-field check.",
    "secret": "A literal secret value in a spec.",
    "template": "A template does not compile, fails while rendering, or renders invalid YAML.",
    "templates": "The template set: a repository copy that differs from the packaged one it was taken from, "
                 "or a set that would render nothing or drop most of an environment.",
    "schema": "A manifest does not validate against its Kubernetes or CRD schema.",
    "cel": "A CRD's x-kubernetes-validations (CEL) rule fails, as the API server would evaluate it.",
    "admission-served": "The API version of a custom resource is not served (or is deprecated) by its CRD.",
    "admission-list-map": "A list the API server merges by key has an entry without a key, or duplicate keys.",
    "admission-list-set": "A list the API server treats as a set has duplicate entries.",
    "admission-embedded": "An embedded resource lacks apiVersion or kind, or has invalid ones.",
    "admission-metadata": "Object metadata the API server refuses: names, labels, annotations, finalizers.",
    "api-validation": "A built-in kind breaks a rule the API server enforces beyond the OpenAPI schema "
                      "(ports, selectors, quantities, names).",
    "chart-values": "A Helm values file does not validate against its chart's values.schema.json.",
    "schema-store": "The schema store lacks the chart version a spec pins.",
    "fleet-generator": "The fleet ApplicationSet's generator does not select exactly the rendered environments.",
    "fleet-agreement": "Environments render the fleet ApplicationSet differently.",
    "document": "A document on disk that is not a checkable object (missing kind, apiVersion or name), "
                "or a data file.",
    "spec-across": "Two environments' specs claim the same cluster, hostname, tunnel, DNS owner or backup destination.",
    "spec-schema": "The editors' schema beside the specs (environments/spec.schema.json) is stale.",
    "leftover": "A staging folder a killed render left beside rendered/<env>/.",
    "interrupted": "A render stopped by SIGINT or SIGTERM: what was written and what kept its previous render.",
    "yaml": "A file is not valid YAML.",
    "usage": "Bad arguments.",
    "input": "Bad input.",
    "config": "gitopsgen.toml is invalid.",
    "git": "A git command or ref failed.",
    "lock": "Another run holds the repository lock.",
    "schemas": "The schema store could not be built or read.",
    "fetch": "A download failed.",
    "io": "A file could not be read or written.",
}
"""Finding ids that are not rule modules, with their one-line description."""


def descriptions() -> dict[str, tuple[str, str]]:
    """Every finding id: (short description, full description)."""
    from gitopsgen.validate import rules

    out = {rule: (text, text) for rule, text in LAYERS.items()}
    for module in rules.every_rule():
        doc = (module.__doc__ or module.ID).strip()
        out[module.ID] = (doc.splitlines()[0].partition(": ")[2] or doc, doc)
    return out
