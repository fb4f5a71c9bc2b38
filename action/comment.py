"""Post the diff as one pull-request comment, or update the one posted before (found by the
marker the markdown diff starts with): `python comment.py PR_NUMBER FILE`.

Runs in the action's environment: GH_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL (GitHub sets
the last two). Only the standard library, so it runs on the Python the action sets up.
Exit 0 posted or updated, 1 the API refused or could not be reached (the caller falls back to
the job summary).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

MARKER = "<!-- gitopsgen-diff -->"


def call(method: str, path: str, body: dict[str, str] | None = None) -> Any:
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    request = urllib.request.Request(
        f"{api}/{path}", method=method, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {os.environ['GH_TOKEN']}", "Accept": "application/vnd.github+json",
                 "X-GitHub-Api-Version": "2022-11-28", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def main(pr: str, file: str) -> int:
    repository = os.environ["GITHUB_REPOSITORY"]
    with open(file, encoding="utf-8") as handle:
        body = handle.read()
    try:
        page, existing = 1, None
        while existing is None:
            comments = call("GET", f"repos/{repository}/issues/{pr}/comments?per_page=100&page={page}")
            existing = next((c["id"] for c in comments if str(c.get("body", "")).startswith(MARKER)), None)
            if len(comments) < 100:
                break
            page += 1
        if existing is None:
            call("POST", f"repos/{repository}/issues/{pr}/comments", {"body": body})
            print(f"posted the diff on pull request #{pr}")
        else:
            call("PATCH", f"repos/{repository}/issues/comments/{existing}", {"body": body})
            print(f"updated the diff comment on pull request #{pr}")
    except (urllib.error.URLError, OSError, KeyError, ValueError) as exc:
        print(f"the comment was not posted: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
