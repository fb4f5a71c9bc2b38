#!/usr/bin/env bash
# Check built distributions: each of dist/*.whl and dist/*.tar.gz installed into a fresh
# virtualenv outside the checkout prints this version, scaffolds a repository, renders and
# validates it. Usage: scripts/check-dist.sh VERSION DIST_DIR [PYTHON]
set -euo pipefail
version=$1 dist=$(cd "$2" && pwd) python=${3:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for artifact in "$dist"/gitopsgen-"$version"-*.whl "$dist"/gitopsgen-"$version".tar.gz; do
  [ -f "$artifact" ] || { echo "missing: $artifact" >&2; exit 1; }
  name=$(basename "$artifact")
  echo "--- $name"
  "$python" -m venv "$work/$name.venv"
  "$work/$name.venv/bin/python" -m pip install --quiet --disable-pip-version-check "$artifact"
  tool="$work/$name.venv/bin/gitopsgen"
  shown=$("$tool" --version)
  [ "$shown" = "gitopsgen $version" ] || { echo "$name: --version says '$shown', not $version" >&2; exit 1; }
  repo="$work/$name.platform"
  (cd "$work" && "$tool" init "$repo" > /dev/null)
  (cd "$repo" && "$tool" render --all && "$tool" validate --all && "$tool" render --all --check)
  echo "$name: $shown, init, render, validate: ok"
done
