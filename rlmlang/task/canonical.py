"""A script's computation up to the ways of writing it that compute the same.

The vote counts distinct computations (task/vote.computation), and a model
asked to check its answer another way draws its own script again, written
otherwise: `total = [...]; best = max(total)` for `best = max([...])`, other
names for the same values, a guard `if len(rows) == 0: fail(...)` more or
less. Counted as two computations, such a pair confirmed the 1.5B's one
wrong reading (dev inject-05: an invented "shipped" filter, confirmed by the
same filter with its list given a name). Here both become one text:

- a top-level `x = e` whose `x` is read once, later, outside a def, and bound
  nowhere else, is written where it is read (the values are pure: a script's
  expressions do not act, bar its tools' calls, which a model's two writings
  make alike);
- a guard left empty (its `fail` taken out before) is no statement;
- the names the script binds are renamed in order of appearance.

Each step only ever makes two writings of one computation equal; two
different computations stay different texts.
"""

from __future__ import annotations

import io
import tokenize

from rlmlang.syntax import ast


def inline_single_uses(body: tuple[ast.Stmt, ...]) -> tuple[ast.Stmt, ...]:
    """`x = e` at the top level, its x read once later and bound nowhere else: e there."""
    changed = True
    while changed:
        changed = False
        for i, s in enumerate(body):
            if not (isinstance(s, ast.Assign) and isinstance(s.target, ast.Name)):
                continue
            x, rest = s.target.id, body[i + 1:]
            reads = [n for n in ast.walk(rest) if isinstance(n, ast.Name) and n.id == x]
            if len(reads) != 1 or x in _bound(body[:i]) or x in _bound(rest) \
                    or _in_def(rest, reads[0]) or _reads(s.value) & _bound(rest):
                continue
            body = body[:i] + ast.replace_node(rest, reads[0], s.value)
            changed = True
            break
    return body


def without_empty_guards(body: tuple[ast.Stmt, ...]) -> tuple[ast.Stmt, ...]:
    """The block without its `if`s that do nothing (every branch a `pass`, no else)."""
    out: list[ast.Stmt] = []
    for s in body:
        if isinstance(s, ast.If) and s.orelse is None and all(
                all(isinstance(b, ast.Pass) for b in blk) for _, blk in s.branches):
            continue
        out.append(s)
    return tuple(out) or body


def renamed(text: str, script: ast.Script) -> str:
    """`text` (the printed script) with the names `script` binds renamed v0, v1, ... in
    order of appearance; the text as it is where it does not tokenize."""
    bound = _bound(script.body) | {d.name for d in ast.walk(script) if isinstance(d, ast.Def)}
    bound |= {p.name for d in ast.walk(script) if isinstance(d, ast.Def) for p in d.params}
    names: dict[str, str] = {}
    out: list[tuple[int, str]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            value = tok.string
            if tok.type == tokenize.NAME and value in bound:
                value = names.setdefault(value, f"v{len(names)}")
            out.append((tok.type, value))
        return tokenize.untokenize(out)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return text


def _bound(node: object) -> set[str]:
    """Every name bound under `node`: assigned, a loop's or comprehension's or lambda's."""
    out = ast.bound_in_scopes(node)
    for n in ast.walk(node):
        if isinstance(n, (ast.Assign, ast.AugAssign)):
            t = n.target
            items = t.items if isinstance(t, ast.TupleLit) else (t,)
            out.update(i.id for i in items if isinstance(i, ast.Name))
    return out


def _reads(node: object) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _in_def(body: tuple[ast.Stmt, ...], target: object) -> bool:
    return any(isinstance(d, ast.Def) and any(n is target for n in ast.walk(d))
               for d in ast.walk(body))
