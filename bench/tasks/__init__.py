"""Benchmark tasks with known answers.

`generate` writes them (seeded, deterministic), `manifest` loads them and
regenerates on demand. The 45 legacy (dev) tasks come from the group builders
`needle`, `records` (count and aggregate), `lookup` and `inject`, over the
shared `filler`, `tables` and `schemas`; the new families are listed in
`suite` (with the split rules), built by `tabular`, `textual` and `joins` from
the generated `sources` and the packages' `realdata`, written in the
`formats`, phrased by `phrasing` and drawn from the split's `pools`. Kept
import-free so `python -m bench.tasks.generate` runs cleanly.
"""
