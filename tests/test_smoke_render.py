"""The real environments render in memory, and every manifest has an identity."""

from gitopsgen.tree.manifests import RenderedTree


def test_real_environments_render_with_identities(rendered: dict[str, RenderedTree]) -> None:
    assert set(rendered) == {"dev", "prd"}
    for tree in rendered.values():
        assert "manifests/example-api/deployment.yaml" in tree.files
        kinds = {doc.identity.kind for doc in tree.manifests() if doc.identity}
        assert {"Deployment", "Service", "HTTPRoute", "Gateway", "Application"} <= kinds
