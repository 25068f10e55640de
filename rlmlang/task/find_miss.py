"""A start found by `s.find(x) + n` where s does not hold x: -1 + n, a few characters in.

"Which section is about a blaze …? Give its title." The 1.5B split the text at "## ",
asked the sub-model about each part, and took the title from
`part.find("## ") + 3`: the split had taken the "## " off, find gave -1, and the title
started two characters in, 'tes from Daegu 60' of "## Notes from Daegu 60". Told the
answer was a cut token, it drew the same script three times, and the cut answer was
taken (fresh dev semantic-05 of seeds 20261212 and 20261213). An answer that is a cut
token (task/answers.cut_token) from a script that starts at such an offset is no vote,
and the fix-it starts at 0 where the text does not hold what it looks for.
"""

from __future__ import annotations

from typing import Any

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_expr, print_script
from rlmlang.task.answers import cut_token


def _offsets(parsed: ast.Script) -> list[tuple[ast.BinOp, ast.Expr, ast.Const]]:
    """Each `s.find("x") + n` (n > 0) of a script, with the text s and the x it finds."""
    out = []
    for node in ast.walk(parsed):
        if isinstance(node, ast.BinOp) and node.op == "+" and isinstance(node.left, ast.Call) \
                and node.left.func.endswith(".find") and len(node.left.args) == 1 \
                and isinstance(node.left.args[0], ast.Const) \
                and isinstance(node.left.args[0].value, str) \
                and isinstance(node.right, ast.Const) and type(node.right.value) is int \
                and node.right.value > 0:
            text = ast.Name(node.left.func.rsplit(".", 1)[0], node.left.span)
            if "." not in text.id:
                out.append((node, text, node.left.args[0]))
    return out


def _missed(script: str, answer: Any, texts: list[str]
            ) -> tuple[ast.Script, list[tuple[ast.BinOp, ast.Expr, ast.Const]], str] | None:
    """The parsed script, its find offsets and the whole token, where its answer is cut.
    The offsets first: most scripts have none, and the cut token's test reads the inputs
    (megabytes), for every answer submitted."""
    parsed = parse(script).script
    offsets = _offsets(parsed) if parsed is not None else []
    cut = cut_token(answer, texts) if offsets else None
    return (parsed, offsets, cut[0]) if parsed is not None and cut is not None else None


def find_missed(script: str, answer: Any, texts: list[str]) -> str | None:
    """What the model is told of a cut answer started at a find's offset (module doc)."""
    missed = _missed(script, answer, texts)
    if missed is None:
        return None
    offset, text, found = missed[1][0]
    return (f"that script submits {answer!r}, a piece of {missed[2]!r}: it starts at "
            f"{print_expr(offset)}, and where {text.id} does not hold {found.value!r}, "
            f"find gives -1 and that start is {offset.right.value - 1} (test "
            f"{print_expr(found)} in {text.id} first)")


def find_guarded(script: str, answer: Any, texts: list[str]) -> str | None:
    """The script of a cut answer started at a find's offset, starting at 0 where the
    text does not hold what it finds, or None."""
    missed = _missed(script, answer, texts)
    if missed is None:
        return None
    parsed, offsets, _ = missed
    for offset, text, found in offsets:
        holds = ast.Compare("in", found, text, offset.span)
        parsed = ast.replace_node(parsed, offset, ast.IfExp(holds, offset,
                                                            ast.Const(0, offset.span),
                                                            offset.span))
    return print_script(parsed)
