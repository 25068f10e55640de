"""What a loop body's text says about its variables, before any evaluation.

The hull of a loop (loops.py) treats variables by how the body assigns them:
an *incremental* one (`s = s + e`, `n += 1`) grows by the same amount each
time round whatever its size, so it gets `entry + N × growth`; an *item
grower* (`d[k] = d[k] + [x]`) grows one item by a fixed amount. These are
syntactic facts about the body, found here once per loop.
"""

from __future__ import annotations

from rlmlang.syntax import ast


def names_in(loop: ast.While) -> set[str]:
    """Every name a while loop mentions (condition, measure, body)."""
    return {n.id if isinstance(n, ast.Name) else n.var for n in ast.walk(loop)
            if isinstance(n, (ast.Name, ast.For))}


def continues(stmts: tuple[ast.Stmt, ...]) -> bool:
    """Whether a `continue` of the enclosing loop occurs in these statements."""
    stack = list(stmts)
    while stack:
        s = stack.pop()
        if isinstance(s, ast.Continue):
            return True
        if isinstance(s, (ast.For, ast.While)):
            continue  # its continue statements are its own
        for b in ast.child_blocks(s):
            stack.extend(b)
    return False


def incremental_names(body: tuple[ast.Stmt, ...], assigned: set[str]) -> set[str]:
    """Names whose every assignment in the body is `x = x + e` / `x += e` / `x = x - e`,
    with `e` not mentioning `x` (their growth per iteration does not depend on their size)."""
    ok = set(assigned)
    for s in statements(body):
        if isinstance(s, ast.Assign):
            t = s.target
            name = t.id if isinstance(t, ast.Name) else (
                t.value.id if isinstance(t, ast.Index) and isinstance(t.value, ast.Name)
                else None)
            if name is None:
                pass
            elif isinstance(t, ast.Index):
                pass  # adds at most one item, whatever the value is
            else:
                if not _grows_by_itself(s.value, name):
                    ok.discard(name)
        elif isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name):
            if s.op not in "+-" or mentions(s.value, s.target.id):
                ok.discard(s.target.id)
        elif isinstance(s, ast.For):
            ok.discard(s.var)
    return ok


def item_growers(body: tuple[ast.Stmt, ...], assigned: set[str]) -> set[str]:
    """Names whose items the body only makes from values fixed for the loop and grows by
    such values: `d[k] = []`, `d[k] = [x]`, `d[k] = d[k] + [x]`, `d[k] += 1`, where x
    is the loop's item or anything the body does not assign. An item is then at most
    as big as it is made plus n times its growth (see _accelerate); an item made from
    an accumulator would not be, so such a name gets no such bound."""
    out: set[str] = set()
    bad: set[str] = set()

    def fixed(e: ast.Expr) -> bool:
        return not names_of(e) & assigned

    for st in statements(body):
        t = getattr(st, "target", None)
        if not (isinstance(t, ast.Index) and isinstance(t.value, ast.Name)):
            continue
        name = t.value.id
        v = st.value  # type: ignore[attr-defined]
        if isinstance(st, ast.AugAssign):
            ok = fixed(v)
        elif isinstance(v, ast.BinOp) and v.op == "+" and isinstance(v.left, ast.Index) \
                and isinstance(v.left.value, ast.Name) and v.left.value.id == name:
            ok = fixed(v.right)
        else:
            ok = isinstance(v, (ast.Const, ast.ListLit, ast.DictLit)) and fixed(v)
        (out if ok else bad).add(name)
    return out - bad


def statements(body: tuple[ast.Stmt, ...]) -> list[ast.Stmt]:
    """Every statement of a block, those of its nested blocks included (in no set order)."""
    out: list[ast.Stmt] = []
    stack = list(body)
    while stack:
        st = stack.pop()
        out.append(st)
        for b in ast.child_blocks(st):
            stack.extend(b)
    return out


def _grows_by_itself(v: ast.Expr, name: str) -> bool:
    """`name + a + b - c ...`: name leftmost in a chain of + and -, not used elsewhere."""
    rest: list[ast.Expr] = []
    while isinstance(v, ast.BinOp) and v.op in "+-":
        rest.append(v.right)
        v = v.left
    return bool(rest) and isinstance(v, ast.Name) and v.id == name and \
        not any(mentions(r, name) for r in rest)


def names_of(e: ast.Expr) -> set[str]:
    """The names that occur in e."""
    return {n.id for n in ast.walk(e) if isinstance(n, ast.Name)}


def mentions(e: ast.Expr, name: str) -> bool:
    """Whether the name occurs in e."""
    return name in names_of(e)
