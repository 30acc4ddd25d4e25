"""The benchmark: a synthetic corpus, and timed builds of it by us, Hugo and Pelican.

``python -m bench.run --posts N`` (``make bench N=...``) does everything; see
docs/benchmarks.md.
"""
