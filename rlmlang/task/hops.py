"""An answer a hop short of a join: the key of a record whose field the question asks for.

"What is the city of the site of the rack of server SER-41895?" is a chain of
lookups, and a model that stops one hop early submits the site, SIT-49429: a
value read from the data, drawn again, and taken. The data says what went
wrong. The question names the field it asks for first ("the city of ..."); the
answer is a field of a record of some input (its `site`) that has that field too
(its `city`), and the answer is not it. So the answer is the key of the record
that holds what the question asks, not what it asks.

Over the dev runs' answers, this flagged three, each wrong, and none of the
right ones (argmax's "Which name has the highest salary?" asks for the name
first, which the answer is). An answer that is the asked field of some record
is not judged: "Which package has the largest Installed-Size?" is answered by
a Package that other packages name in their Depends.
"""

from __future__ import annotations

from collections.abc import Mapping

from rlmlang.task.fields import tables_asked
from rlmlang.task.searches import line_at


def hop_short(value: object, question: str, texts: Mapping[str, str]) -> str | None:
    """The feedback for an answer a hop short (module doc), or None."""
    for v, name, text, table, asked in tables_asked(value, question, texts.items()):
        if any(r.get(asked, "").strip() == v for r in table.records):
            continue  # the answer is what the question asks of some record: no hop short
        for record in table.records:
            held = next((k for k, x in record.items() if x.strip() == v), None)
            want = record.get(asked, "").strip()
            if held is None or held == asked or not want or want == v:
                continue
            line = line_at(text, text.find(v)).strip()[:200]
            return (f"{value!r} is the {held} of a record of {name}; the question asks for "
                    f"its {asked}, a hop further:\n{line}\nTake the {asked} of that record "
                    "(or follow the chain of lookups the question names to its end).")
    return None

