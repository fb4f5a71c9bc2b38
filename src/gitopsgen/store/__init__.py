"""The schema store: JSON Schemas of custom resources and chart values, built by our own importer.

Modules, in the order data flows through them:

* `sources`, `charts`, `templating`: read SOURCE arguments (CRD files, folders, Helm charts as
  folders or `.tgz`, URLs) into CRD texts and charts, Helm template lines handled;
* `convert`: one strict draft-07 schema per CRD version (the format other layers rely on);
* `build`, `lock`: store files in kubeconform's CRDs-catalog layout plus `charts/{chart}/`, and
  `lock.json`; written deterministically;
* `fetch`, `helmrepo`, `sync`: downloads through the cache (`gitopsgen.core.cache`), Helm repository
  indexes and digest-checked chart archives, and `gitopsgen schemas sync`;
* `importing`: `gitopsgen schemas import`;
* `locations`: where validators find schemas (repository store, --schema-location, packaged default);
* `pins`: chart versions the spec pins versus the store's lock.

`default/` is the store packaged with gitopsgen (regenerate it with `make store`).
"""
