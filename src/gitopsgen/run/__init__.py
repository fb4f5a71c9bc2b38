"""Orchestration: one environment unit (`unit`) that every command runs, and the render and
validate runs built on it (environments streamed, in parallel with --jobs, fleet mode)."""
