#!/usr/bin/env bash
# The checks of the gitopsgen GitHub Action (action.yml), in the environment GitHub Actions sets:
# GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_BASE_REF, GITHUB_REPOSITORY, GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY, RUNNER_TEMP; and the action's inputs as WORKING_DIRECTORY, BASE, COMMENT
# and GH_TOKEN (environment variables, never expanded into this script's text).
#
# Every check runs whatever the one before found, so a stale tree still gets its annotations and
# its diff comment; the exit status says what failed, at the end.
set -uo pipefail
cd "${WORKING_DIRECTORY:-.}" || exit 2
out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/gitopsgen-diff.md"
failed=()

gitopsgen render --all --check
check=$?
if [ "$check" -ne 0 ]; then
  echo "::error title=gitopsgen render --check::rendered/ is not what environments/ and templates/ produce: run gitopsgen render --all and commit rendered/"
  failed+=("rendered/ is stale (gitopsgen render --all --check exited $check)")
fi

gitopsgen validate --all --format github
validate=$?
[ "$validate" -eq 0 ] || failed+=("gitopsgen validate found errors (exit $validate)")

base="${BASE:-}"
if [ -z "$base" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
  base="origin/$GITHUB_BASE_REF"
fi
diff=0
if [ -n "$base" ]; then
  gitopsgen diff --all --base "$base" --fetch-charts --format markdown > "$out"
  diff=$?
  cat "$out"
  if [ "$diff" -gt 1 ]; then
    failed+=("gitopsgen diff --base $base failed (exit $diff)")   # 2: an unknown ref, a broken spec at the base
  fi
  echo "differences=$([ "$diff" = 1 ] && echo true || echo false)" >> "${GITHUB_OUTPUT:-/dev/null}"
else
  echo "no base to diff against: not a pull request and no base input"
fi

# The comment: on a pull request from this repository, post it or update the one posted before.
# A fork's pull request gets a read-only token, so its diff goes to the job summary instead.
summary() {
  { echo "$1"; echo; cat "$out"; } >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
}
if [ "$diff" -le 1 ] && [ -n "$base" ] && [ "${COMMENT:-true}" = true ] && [ "${GITHUB_EVENT_NAME:-}" = pull_request ]; then
  read -r pr fork < <(python - "${GITHUB_EVENT_PATH:-}" <<'PY'
import json, sys
event = json.load(open(sys.argv[1], encoding="utf-8")) if sys.argv[1] else {}
pr = event.get("pull_request") or {}
head, base = (pr.get("head") or {}).get("repo") or {}, (pr.get("base") or {}).get("repo") or {}
print(pr.get("number", ""), str(head.get("full_name") != base.get("full_name")).lower())
PY
  )
  if [ "$fork" = true ]; then
    echo "::notice title=gitopsgen diff::a pull request from a fork cannot be commented on with its token: the diff is in the job summary"
    summary "The diff (a pull request from a fork: its token cannot comment)"
  elif ! python "$ACTION_PATH/action/comment.py" "$pr" "$out"; then
    echo "::warning title=gitopsgen diff::could not post the pull-request comment: the diff is in the job summary"
    summary "The diff (the comment could not be posted)"
  fi
elif [ -n "$base" ] && [ "$diff" -le 1 ]; then
  summary "The diff"
fi

if [ "${#failed[@]}" -gt 0 ]; then
  printf '%s\n' "${failed[@]}"
  exit 1
fi
