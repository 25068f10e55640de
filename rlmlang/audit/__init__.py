"""Auditing saved run logs: integrity, re-verification, replay, summary, HTML report.

Each concern is its own module, all reading one structured view of the log
(`runview`): `integrity` (chain, HMAC, the state store against the log),
`recorded` (the scripts' world rebuilt from log and store), `reverify`,
`replay`, `summary`, `text` and `report_html` (presentation), and `core`,
which runs them in order for `rlm audit` and `rlm replay`.
"""

from rlmlang.audit.core import AuditReport, audit_log, replay_log

__all__ = ["AuditReport", "audit_log", "replay_log"]
