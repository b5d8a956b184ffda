"""exportscreen benchmark suite: ``python -m benchmarks`` (``--smoke`` for a few-second run)."""
