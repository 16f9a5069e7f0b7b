"""Benchmarks (`make bench`): each ``bench_*.py`` module has ``run() -> str``, a Markdown section.

Speed is reported as ratios against a baseline measured in the same run, so that the figures
mean something on any machine; `python -m benchmarks` writes them all to docs/benchmarks.md.
"""
