"""Benchmarks: run as modules (``python -m bench.search``), never as part of the test suite."""
