"""The model's prompt: a card, the task's tools, worked examples, the task, the history.

The card, the tools offered, the examples and how much of each input is
shown come from the model's profile (profiles.py). Examples are shown as
earlier turns of the conversation. Every turn is appended, never rewritten,
so each iteration's prompt extends the previous one and llama.cpp reuses its
cache.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rlmlang.controller.examples import Example
from rlmlang.controller.inputs import InputInfo
from rlmlang.diagnostics import Diagnostic
from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.task.answers import (
    digits_of_key,
    has_empty_item,
    header_name,
    is_empty_answer,
    key_of_number,
    offered_choices,
)
from rlmlang.task.fields import wrong_field
from rlmlang.task.key_lines import question_terms
from rlmlang.task.order import keyed, miscounted, misordered, question_keys, standalone_word
from rlmlang.task.searches import line_at
from rlmlang.task.vote import counts_nothing, whole_share
from rlmlang.tools.registry import Registry, ToolSpec
from rlmlang.tools.skills import value_after
from rlmlang.types import Type, format_type

PREVIEW_CHARS = 160  # of one previewed line


def tool_lines(specs: list[ToolSpec], familiar: frozenset[str] = frozenset(),
               featured: frozenset[str] | None = None) -> str:
    """The functions offered, as the model's profile lists them.

    Without `familiar` every tool gets its signature and first doc line (the
    tiny profile offers a dozen). A model that knows Python needs only the
    names and parameters of what Python also has (`split(text, sep)`); the
    `featured` ones (None: all) get a line with their doc each, and the rest
    share one line of signatures, so a hundred tools cost a few hundred tokens.
    """
    if not familiar:
        out = []
        for s in specs:
            doc = s.doc.strip().splitlines()[0] if s.doc.strip() else ""
            out.append(f"{s.signature()}  # {doc}" if doc else s.signature())
        return "\n".join(out)
    plain = [s for s in specs if s.name in familiar]
    shown = [s for s in specs if s.name not in familiar
             and (featured is None or s.name in featured)]
    rest = [s for s in specs if s.name not in familiar and s not in shown]
    out = ["Like Python's: " + ", ".join(_call_form(s) for s in plain)]
    out += [short_line(s) for s in shown]
    if rest:
        out.append("Also: " + ", ".join(_call_form(s) for s in rest))
    return "\n".join(out)


def _call_form(spec: ToolSpec) -> str:
    return f"{spec.name}({', '.join(p.name for p in spec.params)})"


def short_line(spec: ToolSpec) -> str:
    """`name(a: str, b, c=1) -> T  # first sentence of the doc`: types only where they say much."""
    parts = []
    for p in spec.params:
        shown = format_type(p.type)
        text = p.name if shown == "?" else f"{p.name}: {shown}"
        parts.append(f"{text}={p.default!r}" if p.has_default else text)
    if spec.varkw is not None:
        parts.append(f"**{format_type(spec.varkw)}")
    doc = spec.summary()
    head = f"{spec.name}({', '.join(parts)}) -> {format_type(spec.result)}"
    return f"{head}  # {doc}" if doc else head


RECORD_CHARS = 300  # a first record shown in the task is cut here


def first_lines(text: str, n: int) -> list[str]:
    """The first n non-blank lines of a text, each cut to PREVIEW_CHARS (read from its head only)."""
    out: list[str] = []
    for line in text[:20_000].splitlines():
        if line.strip():
            out.append(line if len(line) <= PREVIEW_CHARS else line[:PREVIEW_CHARS] + "…")
            if len(out) == n:
                break
    return out


def task_message(infos: list[InputInfo], question: str | None, output: Type,
                 with_sample: bool = True, preview: dict[str, list[str]] | None = None,
                 with_count: bool = False, with_decoded: bool = False,
                 keys: dict[str, list[tuple[str, list[str], bool]]] | None = None,
                 records: dict[str, dict[str, str]] | None = None) -> str:
    """The task's turn: each input described (its first lines, its first record as
    records() reads it, and the lines holding the question's terms, where given), the
    question, the answer type."""
    lines = ["Inputs:"]
    for info in infos:
        lines.append(info.describe(with_sample=with_sample, with_count=with_count,
                                   with_decoded=with_decoded))
        shown = (preview or {}).get(info.name)
        if shown:
            lines.append(f"  first lines of {info.name}:")
            lines.extend(f"  | {line}" for line in shown)
        record = (records or {}).get(info.name)
        if record:
            text = repr(record)
            # said as a shape, not as an expression to copy: shown `records(products)[0]`,
            # the 1.5B read the first product's supplier for the one asked about (dev)
            lines.append(f"  records({info.name}) reads each record as a dict, the first: "
                         + (text if len(text) <= RECORD_CHARS else text[:RECORD_CHARS] + "…"))
        for term, found, more in (keys or {}).get(info.name, []):
            lines.append(f"  some lines of {info.name} with {term!r} (more lines hold it):"
                         if more else f"  lines of {info.name} with {term!r}:")
            lines.extend(f"  | {line}" for line in found)
    if question:
        lines.append(f"Question: {question}")
    lines.append(f"Answer type: {format_type(output)}")
    return "\n".join(lines)


def feedback_message(script: str, diagnostics: list[Diagnostic], output: str,
                     limit_chars: int = 700) -> str:
    """What the model sees about its last script: the first problems, or its output."""
    if diagnostics:
        shown = []
        for d in diagnostics[:3]:
            text = d.render(script)
            shown.append(text if len(text) <= limit_chars else text[:limit_chars] + "…")
        return "That script was rejected:\n" + "\n".join(shown) + "\nWrite a corrected script."
    return ("That script ran but did not submit an answer. It printed:\n"
            + _clip(output, limit_chars) + "\nWrite a script that ends with submit(answer).")


def failed_message(message: Any, output: str, limit_chars: int = 700) -> str:
    """What the model sees about a script that stopped at its own fail(...)."""
    said = f"That script stopped at fail({_clip(repr(message), 200)})"
    if output.strip():
        said += ". It printed:\n" + _clip(output, limit_chars)
    return said + "\nWrite a script that finds the answer and ends with submit(answer)."


def copied_line_message(value: Any, question: str, limit_chars: int = 300,
                        piece: bool = False) -> str:
    """An answer that is a whole line (or record) of the input copied out, or a `piece`
    of one with its punctuation: ask for the value."""
    shown = _clip(repr(value), limit_chars)
    what = "a piece of the input's text, punctuation and line breaks and all" if piece else \
        "a whole line of the input, as it stands"
    # (the literal: told only to split, the 1.5B wrote the value it had read as a name,
    # `silverriver.append(" ")`, and lost the run; a part of the line sent back is taken)
    return (f"Your answer is {what}: {shown}\n"
            f"The question asks for the value in it: submit only the part that answers "
            f"\"{question}\" (split the line, or take the field after its label; or submit "
            "the words of the value as they are written in it, in quotes: "
            "submit(\"...\")). If the whole line really is the answer, submit it again.")


def cut_token_message(value: Any, whole: str, line: str, limit_chars: int = 200) -> str:
    """An answer that the data writes only as a part of a longer token (answers.cut_token):
    offer the whole one; the part, submitted again, is taken."""
    return (f"Your answer {_clip(repr(value), 80)} is written in the data only as a part "
            f"of the longer {whole!r}, in this line:\n{_clip(line, limit_chars)}\n"
            f"A value is the whole token as the data writes it: if the question asks for "
            f"{whole!r}, submit that; if the part really is the answer, submit it again.")


def zero_message(value: Any, question: str = "") -> str:
    """Scripts that agree on a zero: a count or a sum over nothing is zero too, so the
    zero is checked once before it is taken (on dev runs every zero taken so was wrong:
    a loop over a text's words named `line`, a search for the question's words joined
    into one phrase, a field read at the wrong place). So is a share of 100% (or 1) asked
    for a share: the matching records divided by themselves (a def-wrapped copy of that
    script confirmed its 100.0 on a dev run)."""
    shown = _clip(repr(value), 40)
    if whole_share(value, question):
        return (f"Your scripts agree on {shown}, but {shown} is also what dividing the "
                "matching records by themselves gives. Check it before it is taken: print "
                "the count of the matching records and the count of all the records the "
                "question is about, divide the first by the second, then submit. If it "
                f"really is {shown}, submit {shown} again.")
    return (f"Your scripts agree on {shown}, but {shown} is also what a count or a sum gives "
            "when its test matches nothing: a value written another way in the data, a "
            "field read at the wrong place, a loop over words or characters instead of "
            "lines or records. Check it before it is taken: print a few of the lines or "
            "records the test looks at, and what the test compares in them, then submit. "
            f"If it really is {shown}, submit {shown} again.")


def copied_lines_in_disagreement(values: list[Any], question: str,
                                 limit_chars: int = 120) -> str:
    """Answers of a disagreement that are whole lines of the input copied out: the value
    the question asks for is in them (several-words-03 disagreed between two verses'
    lines for a verse's reference, and no line was ever asked for its value)."""
    shown = ", ".join(_clip(repr(v), limit_chars) for v in values)
    which = "is a whole line" if len(values) == 1 else "are whole lines"
    return (f"{shown} {which} of the input, as it stands: the question asks for the value "
            f"in it. Submit only the part that answers \"{question}\" (split the line, or "
            "take the field after its label).")


def look_hint(inputs: list[str], crashed: bool = False, prose: frozenset[str] = frozenset()
              ) -> str:
    """What to do after a script ran and failed on data it had not looked at (found nothing,
    or `crashed` on a value of another shape than it expected): print it. Of a `prose`
    input, its lines only: records() of prose fails (the 1.5B, told to print it, printed
    it, and that failure became the next round's feedback)."""
    if not inputs:
        return ""
    name = inputs[0]
    why = ("Some value was not the shape the script expected, so its reading of the data is "
           "wrong: look before parsing again." if crashed else
           "If it found nothing, its reading of the data is wrong: look before filtering again.")
    if name in prose:
        return (f"\n{why} A script that prints {name}.splitlines()[:3] (without submitting) "
                "shows you how its lines are written.")
    return (f"\n{why} A script that prints {name}.splitlines()[:3] and records({name})[:2] "
            "(without submitting) shows you the lines and the fields records() reads.")


_MISSING_KEY = re.compile(r"key '([^']{1,60})' is not in the dict \(it has ([^)]*)\)")


def field_elsewhere_hint(diagnostics: list[Diagnostic],
                         firsts: Mapping[str, Mapping[str, str]]) -> str:
    """Where a script's record lacked a key that another input's records have (the 1.5B
    looked up a team's lead in the staff table, whose records have a team): which input
    has it, and its first record. Nothing where the record read could be that input's."""
    for d in diagnostics:
        m = _MISSING_KEY.match(d.message)
        if m is None:
            continue
        key, had = m.group(1), set(re.findall(r"'([^']*)'", m.group(2)))
        holders = [n for n, rec in firsts.items() if key in rec and not had <= set(rec)]
        if not holders:
            return ""
        name = holders[0]
        shown = _clip(repr(dict(firsts[name])), 300)
        return (f"\n'{key}' is a field of the records of {name} (the first: {shown}), not of "
                f"the record that script read: find the record in {name} through a field "
                "whose values the two inputs share.")
    return ""


def fresh_start_hint(diagnostics: list[Diagnostic], earlier: list[str]) -> str:
    """Where a script reads a name (or calls a def) only an earlier script set: each
    script starts afresh (a model used to a notebook expects the names of its last cell)."""
    undefined = [d.data.get("name") for d in diagnostics if d.code == "E_NAME" and
                 d.message.startswith(("undefined: ", "undefined function: "))]
    if not undefined:
        return ""
    set_before: set[str] = set()
    for text in earlier:
        parsed = parse(text)
        if parsed.script is not None:
            set_before.update(ast.assigned_names(parsed.script.body))
            set_before.update(s.name for s in parsed.script.body if isinstance(s, ast.Def))
    names = [n for n in undefined if isinstance(n, str) and n in set_before]
    if not names:
        return ""
    listed = ", ".join(f"'{n}'" for n in dict.fromkeys(names))
    return (f"\nEach script runs on its own, from the inputs alone: {listed} was set by an "
            "earlier script, not by this one. Compute it again in this script.")


NO_VALUE_KINDS = ("echo", "choice", "order", "count", "field", "keyed", "header", "bulk")  # the first is said


def no_value_message(kind: str, value: Any, question: str, texts: list[str]) -> str:
    """What the model sees about an answer that is no value read from the data, of the
    kind `task/answers.no_value` gave."""
    if kind == "echo":
        return echo_message(value, question, texts)
    if kind == "choice":
        return off_choice_message(value, question)
    if kind == "order":
        return order_message(value, question, texts)
    if kind == "count":
        return count_message(value, question)
    if kind == "field":
        return field_message(value, question, texts)
    if kind == "keyed":
        return keyed_message(value, question, texts)
    if kind == "header":
        return (f"That script submitted {_clip(repr(value), 80)}, the name of column "
                f"{header_name(value, question, texts)} in the header line of the input, "
                "not a value of a record: its test kept the header line. Find the record "
                f"the question asks about, and read its value. The question asks: {question}")
    return bulk_message(value, question)


def echo_message(value: Any, question: str, texts: list[str] | None = None,
                 limit_chars: int = 200) -> str:
    """What the model sees about a script whose answer is written in the question: with
    an input line that holds it, where there is one (the 1.5B took the part of "The code
    for locker C-62867 is 4247." before " is " three rounds running, dev s23)."""
    said = (f"That script submitted {_clip(repr(value), 300)}, which the question itself "
            "gives: it is what the question looks up, not its answer.")
    # of a list, an item the question writes: the line of a key it does not name
    # (SKU-22717 of all the lockers, for lockers SKU-82717 and SKU-43625) is no
    # line of the lookup (dev multi-needle-01)
    items = value if isinstance(value, list) and value else [value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        items = [key_of_number(value, question) or str(value)]  # its line is the key's
    elif isinstance(value, list):  # an item that is a key's digits: the key's line
        items = [digits_of_key(x, question) or x if isinstance(x, str) else x for x in items]
    first = next((x for x in items if isinstance(x, str) and len(x.strip()) >= 3
                  and _lines_with(question, x.strip())), items[0])
    line = next((ln.strip() for t in texts or [] for ln in _lines_with(t, str(first))),
                None) if isinstance(first, str) and len(first.strip()) >= 3 else None
    if line:
        said += (f" It stands on this line of the input:\n{_clip(line, limit_chars)}\n"
                 "Take the value the question asks for from such lines, not the key."
                 + _value_after_hint(str(first), line))
    return f"{said} The question asks: {question}"


def key_not_value_message(key: str, question: str, texts: list[str],
                          limit_chars: int = 200) -> str | None:
    """Where a script converted what the question looks up (a key, "INC-65021") to a
    number, as if it were the value: the key's line, and what follows the key on it;
    None where the key is not the question's or no line holds it. (The 1.5B took the
    part of "The code for locker INC-65021 is 4812." before " is ", and was told to
    extract_int it: 65021.)"""
    if len(key.strip()) < 3 or not standalone_word(key.strip()).search(question):
        return None
    line = next((ln.strip() for t in texts for ln in _lines_with(t, key.strip())), None)
    if line is None:
        return None
    return (f"{key.strip()!r} is what the question looks up (the key), not the value it asks "
            f"for. It stands on this line of the input:\n{_clip(line, limit_chars)}\n"
            "Take the value from such lines, not the key." + _value_after_hint(key.strip(), line))


def _value_after_hint(key: str, line: str) -> str:
    """" value_after(line, KEY) is 'V' there." where the tool finds a value after the key."""
    try:
        found = value_after(line, key)
    except Exception:  # noqa: BLE001 - no hint rather than a failed round
        return ""
    if not found or found == key:
        return ""
    return f" On that line, value_after(line, {json.dumps(key)}) is {found!r}."


def _lines_with(text: str, part: str, at_most: int = 1) -> list[str]:
    """The first lines of `text` that hold `part` as a word of its own (at most
    `at_most`)."""
    out: list[str] = []
    for m in standalone_word(part).finditer(text):
        out.append(line_at(text, m.start()))
        if len(out) >= at_most:
            break
    return out


def off_choice_message(value: Any, question: str) -> str:
    """What the model sees about an answer that takes neither side of the question's choice."""
    first, second = offered_choices(question) or ("", "")
    return (f"That script submitted {value!r}, but the question offers a choice "
            f"({first.split()[-1]!r} or {second!r}) and that is neither: it answers another "
            "question. Where a sub-model judges, ask it for one of the choices and submit "
            f"the choice it names. The question asks: {question}")


def order_message(value: Any, question: str, texts: list[str]) -> str:
    """What the model sees about a list answer in the data's order, not the question's."""
    pairs = misordered(value, question, texts) or []
    said = "; ".join(f"{v!r} is on the line of {k}" for v, k in pairs)
    keys = ", ".join(question_keys(question))
    return (f"That script submitted {_clip(repr(value), 200)}, in the order the input has "
            f"them: {said}. The question names {keys} in that order: submit the values in "
            f"the order it asks for them. The question asks: {question}")


def count_message(value: Any, question: str) -> str:
    """What the model sees about a list answer with another number of values than keys."""
    n, keys = miscounted(value, question) or (0, [])
    return (f"That script submitted {n} value{'s' if n != 1 else ''}, but the question names "
            f"{len(keys)} ({', '.join(keys)}) and asks for the value of each, in that order: "
            f"find the line of each of them and submit its value, {len(keys)} in all. The "
            f"question asks: {question}")


def keyed_message(value: Any, question: str, texts: list[str]) -> str:
    """What the model sees about list items that each write a key with its value."""
    pairs = keyed(value, question) or []
    item, key = pairs[0] if pairs else ("", "")
    line = next((ln.strip() for t in texts for ln in _lines_with(t, key)), None)
    said = (f"Each item of that answer writes the key the question looks it up by, with "
            f"more around it ({_clip(repr(item), 80)} for {key}): the key is what the "
            "question gives, not its answer. Submit only the value asked for each key.")
    if line:
        said += (f" The line of {key}:\n{_clip(line, 200)}" + _value_after_hint(key, line))
    return f"{said} The question asks: {question}"


def field_message(value: Any, question: str, texts: list[str]) -> str:
    """What the model sees about an answer read from another field of the asked record."""
    found = wrong_field(value, question, texts)
    assert found is not None  # no_value said "field"
    return (f"That script submitted {_clip(repr(value), 200)}: the {found.held} of the record "
            f"of {found.key}, not its {found.asked}, which the question asks for:\n"
            f"{found.line}\nRead the {found.asked} field of that record by its column name "
            f"(records() names the fields), not by counting fields. The question asks: "
            f"{question}")


def bulk_message(value: str, question: str) -> str:
    """What the model sees about a script whose answer is a bulk of an input's text."""
    lines = value.strip().count("\n") + 1
    return (f"That script submitted {lines} line{'s' if lines != 1 else ''} "
            f"({len(value.strip())} characters) of the input as they stand, not a value "
            "read from them. Find the line that answers the question and submit only the "
            "part of it that is asked for (what follows a label on a line ends with the line: "
            'cut it there, e.g. rest.split("\\n")[0]). '
            f"The question asks: {question}")


def guess_message(value: Any, inputs: list[str], texts: Mapping[str, str] | None = None,
                  question: str = "", limit_chars: int = 200, printed: str = "") -> str:
    """What the model sees about a script whose answer was not computed from the data.

    Where the value is written in one of the `texts` on a line that also holds one of
    the question's terms, that line is shown: the 1.5B had copied the right words from a
    line the task showed it, and told only that they were a guess, it wrote the same
    script three rounds running. (A line of the value alone may be another record's: the
    same words were another employee's hint too.)

    What the script `printed` is said too, where it printed something else: the 1.5B's
    loop found the terminal and printed T5, then submitted "T3" written in, and told
    only that "T3" was a guess, it wrote the same submit again (dev lookup-05)."""
    shown = repr(value)
    shown = shown if len(shown) <= limit_chars else shown[:limit_chars] + "…"
    names = ", ".join(inputs)
    said = printed.strip()
    if said and said != str(value).strip():
        said = _clip(said, limit_chars)
        return (f"That script submitted {shown}, written into the script, but what it "
                f"computed from {names} and printed was:\n{said}\nSubmit the value the "
                "script computes (pass the variable it printed to submit), not a value "
                "written in.")
    # A number only of three digits or more, on a line with a term of the question that
    # has a digit ("locker 630"): a count or a sum written in is seldom read off a line,
    # but the 1.5B wrote the combination of locker 630 off its key line three rounds
    # running, told only that it was a guess (dev s23).
    terms = question_terms(question)
    found = _line_holding(value, texts or {}, terms) if isinstance(value, str) else \
        _line_holding(str(value), texts or {}, [t for t in terms if any(
            c.isdigit() for c in t)]) if isinstance(value, int) and not isinstance(
            value, bool) and abs(value) >= 100 else None
    if found is not None:
        name, line = found
        line = line if len(line) <= limit_chars else line[:limit_chars] + "…"
        return (f"That script submitted {shown}, written into the script, not computed "
                f"from {name}. It is in this line of {name}:\n{line}\nWrite a script that "
                f"finds that line in {name} with code (find_line, or a loop over its lines) "
                "and takes the answer out of it, so the answer is read from the data.")
    return (f"That script submitted {shown}, which it did not compute from {names}: an "
            f"answer written into the script is a guess, not something found in the data. "
            f"Write a script that reads {inputs[0]} and submits what it computes from it.")


_MAX_SITES = 200  # occurrences of a guessed value looked at for a line of the question's


def _line_holding(value: str, texts: Mapping[str, str],
                  terms: list[str]) -> tuple[str, str] | None:
    """The first input line holding `value` (whole words) and one of the question's
    `terms`; None for values too short to mean anything, or on no such line."""
    value = value.strip()
    if len(value) < 3 or not terms:
        return None
    pattern = re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)")
    # the terms with a digit where there are some: 'Employee' is on every employee's line
    terms = [t for t in terms if any(c.isdigit() for c in t)] or terms
    wanted = [re.compile(r"(?<!\w)" + re.escape(t) + r"(?!\w)", re.I) for t in terms]
    for name, text in texts.items():
        for i, m in enumerate(pattern.finditer(text)):
            if i >= _MAX_SITES:
                break
            line = line_at(text, m.start()).strip()
            if any(w.search(line) for w in wanted):
                return name, line
    return None


def asked_key_lines(question: str, texts: list[str], at_most: int = 4,
                    limit_chars: int = 200) -> list[str]:
    """The first line of the inputs holding each key the question names (words with a
    digit, `order.question_keys`), at most `at_most`: what a list with an empty item
    was looking for."""
    out: list[str] = []
    for key in question_keys(question)[:at_most]:
        line = next((ln for t in texts for ln in _lines_with(t, key)), None)
        if line is not None:
            out.append(_clip(line.strip(), limit_chars))
    return out


def empty_answer_message(output: str, answer: Any = None, limit_chars: int = 700,
                         search: str | None = None, lines: list[str] | None = None) -> str:
    """What the model sees about a script that submitted an empty answer, its own text
    for finding nothing ("not found"), or a zero where its `search` finds nothing; a
    `search` that is a whole sentence (a bound searched as a phrase, task/bounds.py) is
    said as it stands."""
    if search is not None and search.endswith("."):
        return f"That script submitted {_clip(repr(answer), 200)}. {search}"
    if search is not None and counts_nothing(answer):
        return (f"That script submitted {answer!r}, but {search}: the zero is its search "
                "finding nothing, not an answer. Print a few lines of the input to see how "
                "what you look for is written there.")
    if search is not None:
        return (f"That script submitted {_clip(repr(answer), 200)}, but {search}: it is not "
                "what the script looked for (a value left from its loop, or a default), "
                "not an answer.")
    if has_empty_item(answer):
        said = (f"That script submitted {_clip(repr(answer), 200)}: an item is empty, so "
                "for one of the things asked about it found no value.")
        if lines:  # the lines of what the question names (fresh dev multi-needle-01 was
            # told to print them, and printed the input's first three lines)
            return said + " The lines of what the question asks about:\n" + \
                "\n".join(lines) + "\nTake each value from its own line."
        return said + " Print the line each one stands on to see how its value is written there."
    what = "an empty answer" if is_empty_answer(answer) else \
        f"{answer!r}, its own text for finding nothing,"
    if lines and isinstance(answer, str) and not answer.strip():  # a piece cut empty
        return (f"That script submitted {what}. The lines of what the question asks "
                "about:\n" + "\n".join(lines) + "\nAn empty text is what a split gives "
                "between two separators side by side (\"a  b\".split(\" \") holds ''): take "
                "the value from such a line as it is written there (split() with no "
                "argument parts at any run of spaces).")
    if not output.strip():
        return (f"That script submitted {what}: the search found nothing. Try another "
                "phrase from the question.")
    return (f"That script submitted {what}. It printed:\n" + _clip(output, limit_chars)
            + "\nWrite a script that submits the answer.")


FEEDBACK_MAX_CHARS = 3000  # a feedback turn's backstop: a value shown in it can be an input


def stuck_note(feedback: str) -> str:
    """Said with the task once the model's every draw was a script that had failed."""
    return ("Your scripts so far failed, and you wrote them again. The last failure:\n"
            f"{feedback}\nWrite a new script that reads the data another way; the lines "
            "shown above are how it is written.")


def task_reminder(question: str, inputs: list[str], limit_chars: int = 300) -> str:
    """The task again, after feedback: a small model several turns away from its task
    (and nearer the worked examples) wrote an example's script instead."""
    shown = question if len(question) <= limit_chars else question[:limit_chars] + "…"
    return f"The question is still: {shown} (inputs: {', '.join(inputs)})"


def clip_feedback(text: str, limit_chars: int = FEEDBACK_MAX_CHARS) -> str:
    """Feedback cut to `limit_chars` (an answer quoted whole could be a 400 KB input, and a
    prompt past the model's window ends the run)."""
    if len(text) <= limit_chars:
        return text
    return text[:limit_chars] + f"… ({len(text) - limit_chars:,} more characters not shown)"


def _clip(output: str, limit_chars: int) -> str:
    text = output.strip() or "(nothing printed)"
    return text if len(text) <= limit_chars else text[:limit_chars] + "…"


@dataclass
class Conversation:
    """The growing chat: system card, examples, task, then attempts and feedback."""

    messages: list[dict[str, str]] = field(default_factory=list)
    fixed: int = 0  # the leading messages (card, examples, task) that are never dropped
    reminder: str = ""  # said after each feedback (the profile's remind_task)
    task: str = ""  # the task's own turn, as first said

    @staticmethod
    def start(card: str, registry: Registry, tool_names: list[str], examples: list[Example],
              task: str, familiar: frozenset[str] = frozenset(),
              featured: frozenset[str] | None = None) -> Conversation:
        specs = [s for s in (registry.get(n) for n in tool_names) if s is not None]
        system = card + "\nFunctions:\n" + tool_lines(specs, familiar, featured)
        msgs = [{"role": "system", "content": system}]
        for ex in examples:
            msgs.append({"role": "user", "content": ex.prompt})
            msgs.append({"role": "assistant", "content": ex.script.strip()})
            last = ex.script
            for printed, script in ex.then:  # the feedback the runtime would have given
                msgs.append({"role": "user", "content": feedback_message(last, [], printed)})
                msgs.append({"role": "assistant", "content": script.strip()})
                last = script
        msgs.append({"role": "user", "content": task})
        return Conversation(msgs, len(msgs), task=task)

    def forget_attempts(self, note: str) -> None:
        """Drop every attempt and say `note` with the task instead: a model that wrote its
        failed script again at every temperature copies it from the chat (the 1.5B's
        greedy script changed once its failed one was in the chat, then never again)."""
        del self.messages[self.fixed:]
        self.messages[self.fixed - 1] = {"role": "user",
                                         "content": self.task + "\n\n" + clip_feedback(note)}

    def drop_oldest_attempt(self) -> bool:
        """Forget the oldest attempt and its feedback (to fit the window); False if none."""
        if len(self.messages) < self.fixed + 4:  # keep the latest attempt at least
            return False
        del self.messages[self.fixed:self.fixed + 2]
        return True

    def scripts(self) -> list[str]:
        """The scripts of the attempts so far (the examples' are not attempts)."""
        return [m["content"] for m in self.messages[self.fixed:] if m["role"] == "assistant"]

    def add_attempt(self, script: str, feedback: str) -> None:
        self.messages.append({"role": "assistant", "content": script.strip()})
        said = clip_feedback(feedback)
        if self.reminder:
            said += "\n" + self.reminder
        self.messages.append({"role": "user", "content": said})
