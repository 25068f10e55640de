"""A phrase searched for in the lines that the records hold in more than one field.

"Sum the weight over the shipments whose origin is Tallinn": the 1.5B's
`find_lines(shipments, "Tallinn")` kept the lines with Tallinn as the origin
*and* those with it as the destination, and two such scripts agreed on 39935.8
against the 21248.0 of `r["origin"] == "Tallinn"`. A search of the lines
cannot tell the fields apart; the one reader can. Where the records of an
input the script searches hold the phrase in two fields or more, the feedback
says in which, and how often, so the model can test the field the question
means.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.task.searches import field_tested, literal_tests, searched_literals
from rlmlang.tools.reader import detect

MAX_CHARS = 5_000_000  # a bigger input is not read again for a note


def _searched(parsed: ast.Script, registry: Any) -> Iterator[str]:
    """Literals the script looks for in lines: a search tool's phrase, or a test of one."""
    yield from searched_literals(parsed, registry)
    for _, value in literal_tests(parsed):
        yield value


def phrase_fields(script: str, inputs: Mapping[str, Any], registry: Any,
                  question: str) -> str | None:
    """Where a phrase the script searches the lines for is in more than one field of an
    input's records (the script testing no field for it): those fields and how often."""
    parsed = parse(script).script
    spec = registry.get("records") if registry is not None else None
    if parsed is None or spec is None or spec.impl is None:
        return None
    tested = field_tested(parsed)
    phrases = [p for p in dict.fromkeys(_searched(parsed, registry))
               if p not in tested and len(p.strip()) >= 3]
    if not phrases:
        return None
    named = ast.identifiers(parsed)
    asked = question.casefold()
    for name, text in inputs.items():
        if name not in named or not isinstance(text, str) or len(text) > MAX_CHARS or \
                detect(text, question).format == "prose":
            continue
        try:
            rows = [r for r in spec.impl(text) if isinstance(r, dict)]
        except Exception:  # noqa: BLE001 - no records: no fields to tell apart
            continue
        for phrase in phrases:
            low = phrase.casefold()
            where = Counter(f for r in rows for f, v in r.items() if low in str(v).casefold())
            if len(where) < 2:
                continue
            counts = ", ".join(f"field {f!r} on {n}" for f, n in where.most_common(4))
            meant = next((f for f, _ in where.most_common()
                          if f.replace("_", " ").casefold() in asked), None)
            example = f' (r["{meant}"] == "{phrase}")' if meant else ""
            return (f"{phrase!r} is in more than one field of the records of {name}: "
                    f"{counts} of them. A search of the lines for it keeps them all; test "
                    f"the field the question means{example}.")
    return None
