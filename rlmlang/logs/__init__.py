"""Browsing past runs: an index of the run logs in a directory (`rlm logs`).

Each run is a hash-chained JSONL log (rlmlang.runlog); a directory of them
(`runs/` by default) gets a small SQLite index beside them, `index.sqlite`,
so that listing and searching past runs reads one table instead of every
log. The index is a cache, never the record: the Runtime adds a run to it
when the run ends, `rlm logs` brings it up to date with the directory
(logs added, changed or removed since) each time it lists, and
`rlm logs --rebuild` makes it again from the logs alone.
"""

from rlmlang.logs.index import INDEX_NAME, RunEntry, find_run, index_run, query, refresh

__all__ = ["INDEX_NAME", "RunEntry", "find_run", "index_run", "query", "refresh"]
