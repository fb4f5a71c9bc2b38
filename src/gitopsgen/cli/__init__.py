"""The command line: parse arguments, build options, call the core, map results to exit codes.

The console script is `gitopsgen.cli.app:main`."""
