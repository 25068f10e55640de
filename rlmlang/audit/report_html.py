"""The audit as one self-contained HTML page a person can read.

Why this shape: the report is evidence that gets mailed around and opened
years later, so it depends on nothing: inline CSS, Pygments' inline styles
for the scripts (through our `RlmLexer`), the budget chart as inline SVG, no
script at all, and a Content-Security-Policy that forbids every fetch, so
the page cannot reach the network even if a logged value tried to. Every
logged text is HTML-escaped; long values are cut with a note of their size.

Order: the verdict, integrity, re-verification, replay, the summary and the
budget chart, then the timeline — each iteration with its prompt (folded),
every candidate script highlighted with its verdict, proven bounds, tool
calls and results, output, and the round's state diff and submission.
"""

from __future__ import annotations

import html
import json
from typing import Any

from rlmlang.audit.core import AuditReport
from rlmlang.audit.runview import Candidate, Iteration
from rlmlang.audit.summary import budget_series
from rlmlang.diagnostics import Diagnostic

MAX_VALUE = 4000

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
 background:#f4f5f7;color:#1d2330}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:24px 0 8px}
h3{font-size:15px;margin:12px 0 6px}
section>h2:first-child,article>h2:first-child{margin-top:4px}
section,article{background:#fff;border:1px solid #d9dde5;border-radius:6px;padding:12px 16px;
 margin:12px 0}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
 color:#fff;vertical-align:middle}
.ok{background:#1a7f37}.bad{background:#cf222e}.warn{background:#9a6700}.muted{background:#6e7781}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{font-weight:600;color:#57606a;white-space:nowrap;width:1%}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{margin:4px 0;white-space:pre-wrap;word-break:break-word}
.diag{background:#fff5f5;border-left:3px solid #cf222e;padding:6px 10px;margin:6px 0}
.note{color:#57606a}
.script{border:1px solid #d9dde5;border-radius:6px;margin:10px 0;padding:8px 12px}
.script.accepted{border-left:4px solid #1a7f37}.script.rejected{border-left:4px solid #cf222e}
.script.repeat{border-left:4px solid #6e7781}
.highlight{border-radius:4px;padding:2px 8px;overflow-x:auto}
details>summary{cursor:pointer;color:#0969da}
.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:4px}
"""

SERIES_COLOURS = {"tokens": "#1f77b4", "tool_calls": "#ff7f0e", "llm_calls": "#2ca02c",
                  "seconds": "#d62728", "iterations": "#9467bd"}


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _val(value: Any, limit: int = MAX_VALUE) -> str:
    """A logged value as escaped, size-capped text."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                           sort_keys=True)
    if len(text) > limit:
        text = text[:limit] + f"… [{len(text) - limit} more characters]"
    return _e(text)


def _json(value: Any, limit: int = MAX_VALUE) -> str:
    """A value shown as JSON (so an empty answer reads as \"\", not as nothing)."""
    return _val(json.dumps(value, ensure_ascii=False, sort_keys=True), limit)


def _badge(text: str, kind: str) -> str:
    return f'<span class="badge {kind}">{_e(text)}</span>'


def highlight(script: str) -> str:
    """The script as highlighted HTML with inline styles (no stylesheet to ship)."""
    from pygments import highlight as pyg
    from pygments.formatters import HtmlFormatter

    from rlmlang.highlight import RlmLexer  # lazy: keeps pygments out of start-up

    fmt = HtmlFormatter(noclasses=True, linenos="inline", style="default", nobackground=False)
    return pyg(script, RlmLexer(), fmt)


def _diags(diags: list[dict[str, Any]], script: str) -> str:
    out = []
    for d in diags:
        try:
            text = Diagnostic.from_json(d).render(script)
        except (KeyError, TypeError, ValueError):
            text = json.dumps(d, ensure_ascii=False)
        out.append(f'<pre class="diag">{_e(text)}</pre>')
    return "".join(out)


def _table(rows: list[tuple[str, str]]) -> str:
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows) + \
        "</table>"


def _by(how: Any) -> str:
    how = str(how or "")
    return how if how.startswith("by ") or not how else f"by {how}"


def _proof(proof: dict[str, Any] | None) -> str:
    if not proof:
        return ""
    bounds = proof.get("bounds") or {}
    rows = [(k, _val(v, 400)) for k, v in bounds.items()]
    obl = proof.get("obligations") or []
    items = "".join(
        f"<li>{_badge(str(o.get('status')), 'ok' if o.get('status') == 'proven' else 'warn')} "
        f"<b>{_e(o.get('name'))}</b> <span class='note'>{_e(_by(o.get('by', '')))}"
        f"{' — ' + _e(o.get('detail')) if o.get('detail') else ''}</span></li>"
        for o in obl if isinstance(o, dict))
    guards = proof.get("guards") or []
    g = f"<p class='note'>runtime guards inserted: {_val(guards, 600)}</p>" if guards else ""
    return (f"<h3>Proven bounds</h3>{_table(rows)}<ul>{items}</ul>{g}")


def _tool_calls(c: Candidate) -> str:
    if not c.tool_calls:
        return ""
    rows = []
    for ev in c.tool_calls:
        d = ev.data
        args = ", ".join(_val(a, 200) for a in d.get("args") or [])
        kw = ", ".join(f"{_e(k)}={_val(v, 200)}" for k, v in (d.get("kwargs") or {}).items())
        result = (f"<span class='badge bad'>error</span> {_val(d['error'], 600)}"
                  if "error" in d else _val(d.get("result"), 800))
        cast = f" as {_e(d['cast'])}" if d.get("cast") else ""
        rows.append(f"<tr><td class='mono'>{ev.line}</td><td class='mono'>{_e(d.get('tool'))}"
                    f"({args}{', ' if args and kw else ''}{kw}){cast}</td>"
                    f"<td class='mono'>{result}</td></tr>")
    return ("<h3>Tool and sub-model calls</h3><table><tr><th>line</th><th>call</th>"
            "<th>result</th></tr>" + "".join(rows) + "</table>")


def _output(c: Candidate) -> str:
    if c.output is None:
        return ""
    d = c.output.data
    rows = [("status", _e(d.get("status"))), ("value", f"<code>{_json(d.get('value'))}</code>"),
            ("fuel", _e(d.get("fuel")))]
    if d.get("printed"):
        rows.append(("printed", f"<pre>{_val(d.get('printed'))}</pre>"))
    if d.get("writes"):
        rows.append(("state writes", f"<pre>{_val(d.get('writes'))}</pre>"))
    return f"<h3>Run (line {c.output.line})</h3>" + _table(rows)


def _candidate(c: Candidate, rejected_now: dict[tuple[int, int], Any]) -> str:
    if c.duplicate_of is not None:
        return (f'<div class="script repeat"><h3>Script {c.number} '
                f'{_badge("repeat", "muted")}</h3><p class="note">the same script as '
                f'script {c.duplicate_of} of this round (counted as a vote)</p></div>')
    script = c.script if c.generation else ""
    g = c.generation.data if c.generation else {}
    cls = "accepted" if c.accepted else "rejected"
    badge = _badge("accepted", "ok") if c.accepted else _badge(f"rejected: {c.stage}", "bad")
    meta = (f"line {c.line} · {_e(g.get('tokens', '?'))} tokens · temperature "
            f"{_e(g.get('temperature', '?'))} · stop {_e(g.get('stop_reason', '?'))} · "
            f"sha256 <span class='mono'>{_e(c.script_sha256[:16])}…</span>")
    parts = [f'<div class="script {cls}"><h3>Script {c.number} {badge}</h3>',
             f'<p class="note">{meta}</p>', highlight(script) if script else
             "<p class='note'>(no generation event: the script text is not in the log)</p>"]
    found = rejected_now.get((c.iteration, c.number))
    if found is not None:
        now, label = found
        parts.append(f"<p>{_badge('would now be rejected', 'bad')} "
                     f"at the {_e(now.now_stage)} stage under {_e(label)}</p>")
        parts.append(_diags([d.to_json() for d in now.diagnostics], script))
    if c.verdict is not None:
        diags = c.verdict.data.get("diagnostics") or []
        if diags:
            parts.append(f"<h3>Diagnostics (line {c.verdict.line})</h3>" + _diags(diags, script))
        parts.append(_proof(c.verdict.data.get("proof")))
    if c.bytecode is not None:
        parts.append(f"<p class='note'>bytecode sha256 <span class='mono'>"
                     f"{_e(c.bytecode.data.get('hash'))}</span> (line {c.bytecode.line})</p>")
    parts.append(_tool_calls(c))
    parts.append(_output(c))
    parts.append("</div>")
    return "".join(parts)


def _iteration(it: Iteration, rejected_now: dict[tuple[int, int], Any]) -> str:
    parts = [f'<article id="iteration-{it.number}"><h2>Iteration {it.number}</h2>']
    if it.prompt is not None:
        p = it.prompt.data
        what = "prompt (new text since the previous one)" if p.get("extends_previous") \
            and it.number > 1 else "prompt"
        parts.append(f"<details><summary>{what}, line {it.prompt.line}</summary>"
                     f"<pre>{_val(p.get('text', p.get('sha256', '')), 20000)}</pre></details>")
    parts.extend(_candidate(c, rejected_now) for c in it.candidates)
    for ev in it.commits:
        diff = ev.data.get("diff") or {}
        rows = "".join(f"<tr><td class='mono'>{_e(k)}</td><td class='mono'>{_val(v.get('old'))}"
                       f"</td><td class='mono'>{_val(v.get('new'))}</td></tr>"
                       for k, v in diff.items() if isinstance(v, dict))
        parts.append(f"<h3>State commit: version {_e(ev.data.get('version'))} "
                     f"(line {ev.line})</h3><table><tr><th>key</th><th>old</th><th>new</th>"
                     f"</tr>{rows}</table>")
    if it.observation is not None:
        parts.append(f"<h3>Fed back to the model (line {it.observation.line})</h3>"
                     f"<pre>{_val(it.observation.data.get('text'))}</pre>")
    if it.submit is not None:
        s = it.submit.data
        parts.append(f"<h3>Submitted (line {it.submit.line})</h3>" + _table([
            ("value", f"<code>{_json(s.get('value'))}</code>"),
            ("votes", f"<code>{_val(s.get('votes'))}</code>")]))
    for ev in it.budget:
        parts.append(f"<p>{_badge('budget tripped', 'warn')} line {ev.line}: "
                     f"{_val(ev.data)}</p>")
    parts.append("</article>")
    return "".join(parts)


def budget_chart(report: AuditReport, width: int = 720, height: int = 220) -> str:
    """Cumulative use of each budget after each script, as % of its limit (inline SVG)."""
    if report.view is None:
        return ""
    series = budget_series(report.view)
    budgets = report.view.budgets
    n = max((len(v) for v in series.values()), default=0)
    if n == 0:
        return "<p class='note'>no scripts: nothing to chart</p>"
    left, right, top, bottom = 44, 12, 10, 28
    w, h = width - left - right, height - top - bottom

    def xy(i: int, pct: float) -> str:
        x = left + (w * i / (n - 1) if n > 1 else w / 2)
        y = top + h - h * min(max(pct, 0.0), 100.0) / 100.0
        return f"{x:.1f},{y:.1f}"

    grid = "".join(
        f'<line x1="{left}" y1="{top + h - h * p / 100:.1f}" x2="{left + w}" '
        f'y2="{top + h - h * p / 100:.1f}" stroke="#eaeef2"/>'
        f'<text x="{left - 6}" y="{top + h - h * p / 100 + 4:.1f}" font-size="10" '
        f'text-anchor="end" fill="#57606a">{p}%</text>' for p in (0, 25, 50, 75, 100))
    lines, legend = [], []
    for name, pts in series.items():
        limit = budgets.get(name)
        if not pts or not isinstance(limit, (int, float)) or limit <= 0:
            continue
        colour = SERIES_COLOURS.get(name, "#333")
        coords = " ".join(xy(i, 100.0 * v / limit) for i, (_, v) in enumerate(pts))
        last = pts[-1][1]
        lines.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                     f'points="{coords}"><title>{_e(name)}: {last:g} of {limit:g}</title>'
                     "</polyline>")
        legend.append(f'<span><i style="background:{colour}"></i>{_e(name)} '
                      f"{round(last, 1):g}/{limit:g}</span>")
    axis = (f'<text x="{left + w / 2:.0f}" y="{height - 6}" font-size="11" '
            f'text-anchor="middle" fill="#57606a">scripts, in log order (1–{n})</text>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="budgets used over the run">'
           f"{grid}{''.join(lines)}{axis}</svg>")
    return svg + f'<div class="legend">{"".join(legend)}</div>'


def _integrity(report: AuditReport) -> str:
    integ = report.integrity
    if integ.intact:
        sig = "signed, HMAC verified" if integ.signed and integ.key_given else (
            "signed, HMAC not checked (no key given)" if integ.signed else "not signed")
        head = (f"{_badge('intact', 'ok')} {integ.lines} lines; hash chain verified; {sig}. "
                f"Last line's hash: <span class='mono'>{_e(integ.last_hash)}</span>")
    else:
        head = _badge("not intact", "bad") + f" {len(integ.problems) + len(integ.store_problems)}" \
            " problem(s), each named by line:"
    items = "".join(f'<pre class="diag">{_e(d.render())}</pre>'
                    for d in integ.problems + integ.store_problems)
    notes = "".join(f"<p class='note'>{_e(n)}</p>" for n in integ.notes + report.notes)
    return f'<section id="integrity"><h2>Integrity</h2><p>{head}</p>{items}{notes}</section>'


def _reverify(report: AuditReport) -> str:
    out = []
    for rv in (report.recorded, report.today):
        if rv is None:
            continue
        if rv.blocked:
            body = f"<p>{_badge('not possible', 'warn')} {_e(rv.blocked)}</p>"
        elif rv.now_rejected:
            body = (f"<p>{_badge(f'{len(rv.now_rejected)} would now be rejected', 'bad')} "
                    f"of {len(rv.results)} scripts judged</p><ul>" + "".join(
                        f"<li><a href='#iteration-{r.candidate.iteration}'>"
                        f"{_e(r.candidate.label)}</a> (line {r.candidate.line}): "
                        f"{_e(r.diagnostics[0].code if r.diagnostics else r.now_stage)} — "
                        f"{_e(r.diagnostics[0].message if r.diagnostics else '')}</li>"
                        for r in rv.now_rejected) + "</ul>")
        else:
            body = (f"<p>{_badge('consistent', 'ok')} {len(rv.results)} scripts judged; every "
                    "script the log accepted is still accepted</p>")
        for r in rv.skipped:
            body += (f"<p>{_badge('not judged', 'warn')} {_e(r.candidate.label)} "
                     f"(line {r.candidate.line}): {_e(r.skipped)}</p>")
        if rv.newly_accepted:
            body += "<p class='note'>rejected in the log but accepted now: " + ", ".join(
                _e(r.candidate.label) for r in rv.newly_accepted) + "</p>"
        body += "".join(f"<p class='note'>{_e(n)}</p>" for n in rv.notes)
        out.append(f"<h3>Under {_e(rv.label)}</h3>{body}")
    if report.replay is not None:
        r = report.replay
        if r.blocked:
            body = f"<p>{_badge('not possible', 'warn')} {_e(r.blocked)}</p>"
        elif r.divergence is not None:
            body = f"<p>{_badge('diverged', 'bad')}</p><pre class='diag'>" \
                f"{_e(r.divergence.render())}</pre>"
        else:
            body = (f"<p>{_badge('identical', 'ok')} {r.scripts} scripts re-executed, "
                    f"{r.tool_calls} recorded calls fed back, {r.commits} commits reproduced</p>")
        out.append(f"<h3>Replay</h3>{body}")
    return f'<section id="reverify"><h2>Re-verification</h2>{"".join(out)}</section>' \
        if out else ""


def _summary(report: AuditReport) -> str:
    s = report.summary
    if not s:
        return ""
    m = s.get("model") or {}
    sc = s["scripts"]
    rej = ", ".join(f"{k}: {v}" for k, v in sc["rejected_by_stage"].items())
    budgets, used = s.get("budgets") or {}, s.get("used") or {}
    brow = ", ".join(
        f"{k} {round(used[k], 1) if isinstance(used[k], float) else used[k]}"
        + (f"/{budgets[k]}" if k in budgets else "")
        for k in ("iterations", "tokens", "tool_calls", "llm_calls", "seconds") if k in used)
    rows = [
        ("task", _e(s.get("task"))), ("signature", f"<code>{_e(s.get('signature'))}</code>"),
        ("model", _e(m.get("name", "?")) + (f" <span class='mono note'>sha256 "
                                             f"{_e(m['sha256'])}</span>" if m.get("sha256") else "")),
        ("outcome", _e(s.get("status")) + (f" — {_e(s['reason'])}" if s.get("reason") else "")),
        ("answer", f"<code>{_json(s.get('answer'))}</code>"),
        ("iterations", _e(s["iterations"])),
        ("scripts", f"{sc['written']} written"
                    + (f" ({sc['fixits']} by a tool's fix-it)" if sc.get("fixits") else "")
                    + f", {sc['distinct']} distinct, {sc['accepted']} "
                    f"accepted, {sc['rejected']} rejected" + (f" ({_e(rej)})" if rej else "")),
        ("tool calls", _e(", ".join(f"{k} ×{v}" for k, v in s["tool_calls"].items()) or "none")),
        ("sub-model calls", _e(", ".join(f"{k} ×{v}" for k, v in s["sub_model_calls"].items())
                               or "none")),
        ("permissions used", _e(", ".join(f"{k} ×{v}" for k, v in
                                          s["permissions_used"].items()) or "none")),
        ("grants proven", _e(", ".join(f"{k} ×{v}" for k, v in
                                       (s.get("grants_proven") or {}).items()) or "none")),
        ("policy", f"<code>{_val(s.get('policy'), 800)}</code>"),
        ("budgets used", _e(brow)),
        ("events", _e(s.get("events"))),
    ]
    return (f'<section id="summary"><h2>Summary</h2>{_table(rows)}'
            f"<h3>Budgets over the run</h3>{budget_chart(report)}</section>")


def render_html(report: AuditReport) -> str:
    """The whole report as one HTML document (a str)."""
    task = report.summary.get("task") if report.summary else None
    verdict = _badge("OK", "ok") if report.ok else _badge("problems found", "bad")
    timeline = ""
    if report.view is not None:
        rejected_now = {}
        for rv in (report.recorded, report.today):
            if rv is not None:
                for r in rv.now_rejected:
                    rejected_now[(r.candidate.iteration, r.candidate.number)] = (r, rv.label)
        timeline = "".join(_iteration(it, rejected_now) for it in report.view.iterations)
        if report.view.end is not None:
            e = report.view.end.data
            timeline += (f"<article id='run-end'><h2>Run end (line {report.view.end.line})</h2>"
                         + _table([("status", _e(e.get("status"))),
                                   ("reason", _e(e.get("reason"))),
                                   ("answer", f"<code>{_json(e.get('answer'))}</code>"),
                                   ("used", f"<code>{_val(e.get('used'))}</code>")])
                         + "</article>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>rlm audit — {_e(task or report.path)}</title><style>{CSS}</style></head>"
        f"<body><main><h1>Audit of <span class='mono'>{_e(report.path)}</span> {verdict}</h1>"
        + (f"<p>{_e(task)}</p>" if task else "")
        + _integrity(report) + _reverify(report) + _summary(report)
        + (f'<section id="timeline"><h2>Timeline</h2>{timeline}</section>' if timeline else "")
        + "</main></body></html>\n")
