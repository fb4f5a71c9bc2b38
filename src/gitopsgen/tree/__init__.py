"""The in-memory tree of rendered manifests and YAML in and out: what render produces and the
validator, writer and differ consume; reading manifests from disk; atomic writes of whole trees."""
