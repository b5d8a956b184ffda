"""Fuzz targets for the three loaders of untrusted files: order files, list files and rule packs.

Run one target for a set time (atheris, coverage-guided; seeded with the examples, the bundled data
and the hostile corpus in tests/hostile)::

    python -m fuzz orders --seconds 60
    python -m fuzz lists --seconds 60
    python -m fuzz packs --seconds 60
    python -m fuzz ci --seconds 20          # each target in turn, for CI

A target fails on any exception that is not an ``ExportscreenError`` (the loaders' only way to say no)
and on any input that runs longer than ``--timeout`` seconds. The failing input is written to the
artifacts directory (``--artifacts``, default a temporary directory); fix the code and add the input to
tests/hostile with its expected outcome. Without atheris (it ships Linux wheels only) the same targets
run under a seeded random byte mutator instead.
"""
