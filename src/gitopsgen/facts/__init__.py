"""Facts about the components gitopsgen deploys and the repositories it works in, written once.

The bottom of the package with `core`: it imports nothing of gitopsgen but `core`. See
docs/components.md for the upstream evidence behind each fact.
"""
