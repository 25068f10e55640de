"""Task inputs as the model is told of them (reading and binding them: task/inputs.py).

A context may be thousands of times larger than the model's window, so the
model never sees it: it sees metadata (type, size, line count, the shape of
a line) and reaches the text only through the script.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rlmlang.check.decoded import decoded_types
from rlmlang.tools import reader
from rlmlang.tools.registry import Size, size_of
from rlmlang.types import Prim, Type, format_type


@dataclass(frozen=True)
class InputInfo:
    name: str
    type: Type
    size: Size
    chars: int
    lines: int
    sample: str  # short values in full; for records and tables, their layout (reader.py)
    records: int = 0  # how many records the tools read from it (0 for prose)
    columns: tuple[str, ...] = ()  # the names the tools take for its fields
    format: str = ""  # the reader's format ("delimited", "blocks", ...; "" if not text)
    decoded: str = ""  # JSON: the type json_decode gives for it, or for each of its lines

    def describe(self, with_sample: bool = True, with_count: bool = False,
                 with_decoded: bool = False) -> str:
        """One line for the prompt; `with_count` adds the records the tools will read,
        `with_decoded` the type json_decode gives for a JSON input (or for its lines)."""
        text = self._describe(with_sample, with_count)
        if with_decoded and self.decoded:
            text += f"; {self.decoded}"
        return text

    def _describe(self, with_sample: bool, with_count: bool) -> str:
        t = format_type(self.type)
        if isinstance(self.type, Prim) and self.type.name == "str":
            if self.lines <= 1 and self.chars <= 200:
                return f'{self.name}: str = "{self.sample}"'
            text = f"{self.name}: str, {self.chars:,} characters, {self.lines:,} lines"
            # Free text gets no sample: a small model copies it instead of the question.
            if with_sample and self.sample:
                text += f"; {self.sample}"
                if with_count:
                    text += f"; {self.records:,} record{'s' if self.records != 1 else ''}"
            return text
        if self.chars <= 200:
            return f"{self.name}: {t} = {self.sample}"
        return f"{self.name}: {t}, {self.size.len:,} items"


DECODED_CHARS = 400  # a longer type is not shown (the first lines show the document)


def _decoded_text(name: str, value: str) -> str:
    """`json.loads(orders) gives list[{...}]` for a JSON input (the type the checker gives
    it, check/decoded.py); for JSON Lines, what each line gives; "" otherwise."""
    found = decoded_types({name: value})
    if name in found.jsonl and found.lines is not None:
        text = f"json.loads(line) of each line gives {format_type(found.lines)}"
    elif name in found.inputs:
        text = f"json.loads({name}) gives {format_type(found.inputs[name])}"
    else:
        return ""
    return text if len(text) <= DECODED_CHARS else ""


def _shorten(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def header_names(text: str, question: str | None = None) -> list[str]:
    """The column names a script may use: a table's header, or a record's keys."""
    layout = reader.detect(text, question)
    return [] if layout.names_from == "numbers" else list(layout.columns)


def columns_of(text: str, question: str | None = None) -> str:
    """`header (sep ","): 0=id, 1=city` for a table, `fields (key=value): user, ms` for
    records, "" for prose: the reader's description of its layout (see reader.Layout)."""
    return reader.detect(text, question).describe()


RECORD_FORMATS = ("delimited", "whitespace", "logfmt", "blocks", "jsonl")
RECORD_HEAD_CHARS = 8_000  # the text a first record is read from (one record's worth)


def first_record(text: str, question: str | None = None) -> dict[str, str] | None:
    """The first record records() reads from a table-like text (one of RECORD_FORMATS),
    read from its head in the layout of the whole; None for prose, a JSON document or a
    single key: value record (the description and the first lines say those)."""
    layout = reader.detect(text, question)
    if layout.format not in RECORD_FORMATS:
        return None
    head = text[:RECORD_HEAD_CHARS]
    if len(text) > RECORD_HEAD_CHARS:
        head = head[:head.rfind("\n") + 1]
    records = reader.parse(head, layout).records
    return dict(records[0]) if records else None


def describe_input(name: str, value: Any, t: Type, question: str | None = None) -> InputInfo:
    """What the prompt says about an input; a text's layout and count come from the reader,
    so they are what the tools will find (`question` names a headerless table's columns)."""
    if isinstance(value, str):
        n_lines = value.count("\n") + (0 if value.endswith("\n") or not value else 1)
        if n_lines <= 1 and len(value) <= 200:
            return InputInfo(name, t, size_of(value), len(value), max(n_lines, 1), value)
        found = reader.shape(value, question)
        return InputInfo(name, t, size_of(value), len(value), max(n_lines, 1),
                         found.layout.describe(), found.records, found.columns,
                         found.layout.format, _decoded_text(name, value))
    text = json.dumps(value, ensure_ascii=False)
    n = len(value) if isinstance(value, (list, dict)) else 1
    return InputInfo(name, t, size_of(value), len(text), 1, _shorten(text, 200), n)
