"""Benchmarks: ``python -m tests.benchmarks`` runs every ``bench_*.py`` module here (each
exposes ``run() -> list[dict]``) and prints one table; see __main__.py."""
