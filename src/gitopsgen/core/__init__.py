"""The values every stage shares: `Problem` (one value for every finding), the `GitopsgenError`
family, settings from gitopsgen.toml, the download cache and atomic file writes.

The bottom of the package: it imports nothing of gitopsgen outside `core`.
"""
