"""Benchmarks for rlmlang: tasks with known answers (`python -m bench tasks`) and
micro-benchmarks (`python -m bench micro`).

`bench.tasks` generates and loads the tasks, `bench.scoring` judges answers
and summarises runs, `bench.baseline_direct` is the plain-prompting
baseline, `bench.cache` keeps every judged result per model, profile, mode
and code version, `bench.report` turns the results into the tables, and each `bench/micro_*.py` module exposes
`run(quick: bool = False) -> dict[str, float]`.
"""
