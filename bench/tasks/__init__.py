"""Benchmark tasks with known answers.

`generate` writes them (seeded, deterministic), `manifest` loads them and
regenerates on demand; the group builders are `needle`, `records` (count and
aggregate), `lookup` and `inject`, over the shared `filler`, `tables` and
`schemas`. Kept import-free so `python -m bench.tasks.generate` runs cleanly.
"""
