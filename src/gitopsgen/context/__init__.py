"""Derive what templates need from a validated spec: names, hosts, URLs, images, waves."""
