"""The templates of `s.format(...)`: their fields, and how long the text they make can be.

One reading of a template serves the builtin that fills it (pyforms
`str_format`), the bound it declares (registry.Template) and the verifier,
which, when it knows the template (a literal, as models write it), bounds
the result field by field as tightly as the f-string it stands for. A field
is shown as `str(x)` shows it, or with a spec as an f-string's `{x:spec}`
(the same FORMAT_SPEC and the same `format` builtin).
"""

from __future__ import annotations

from typing import Any

from rlmlang.syntax.parser import FORMAT_SPEC  # the specs f-strings take
from rlmlang.tools.errors import ToolError
from rlmlang.tools.values import DISPLAY_BASE, DISPLAY_PER_UNIT

FORMAT_MAX = 512  # characters a value formatted with such a spec can take, at most
SCALAR_CHARS = 24  # the longest text of an int (64-bit), float, bool or None

Field = tuple[int | str, str]  # (a position or a name, the spec)


def template_fields(template: str) -> list[str | Field]:
    """The literal text and (field, spec) parts of a template.

    A field is a position (`{}` numbered from 0 in order, or `{1}`) or a name
    (`{name}`); `{{` and `}}` are braces. Specs are the f-strings' (FORMAT_SPEC);
    conversions, attributes, items and nested fields are not in the language.
    """
    parts: list[str | Field] = []
    lit: list[str] = []
    numbered: bool | None = None  # whether fields are numbered by hand; None: no field yet
    counted = 0  # the next {} field's position
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c in "{}" and template[i + 1:i + 2] == c:
            lit.append(c)
            i += 2
            continue
        if c == "}":
            raise ToolError("format: a single '}' in the template", "write }} for a brace")
        if c != "{":
            lit.append(c)
            i += 1
            continue
        end = template.find("}", i)
        if end < 0:
            raise ToolError("format: a '{' with no '}' in the template", "write {{ for a brace")
        name, _, spec = template[i + 1:end].partition(":")
        if "{" in name or "{" in spec or "!" in name:
            raise ToolError(f"format: the field {{{template[i + 1:end]}}} is not in the "
                            "language (no nested fields or conversions)",
                            "write {} or {0} or {name}, with a spec such as {:.2f}")
        if not FORMAT_SPEC.fullmatch(spec):
            raise ToolError(f"format: the spec {spec!r} is not one the language takes",
                            "specs are [align][sign][,][width][.precision][type], e.g. .2f")
        key: int | str
        if name == "" or name.isdigit():
            if numbered is (name == ""):
                raise ToolError("format: a template numbers its fields all by hand ({0}) or "
                                "none ({})", "write {0} {1} or {} {}")
            numbered = name != ""
            key = int(name) if name else counted
            counted += not name
        elif name.isidentifier():
            key = name
        else:
            raise ToolError(f"format: the field {{{name}}} is not in the language",
                            "write {} or {0} or {name}")
        if lit:
            parts.append("".join(lit))
            lit = []
        parts.append((key, spec))
        i = end + 1
    if lit:
        parts.append("".join(lit))
    return parts


def shown_chars(size: Any) -> int:
    """At most how long str() shows a value of this Size (registry.Size): a str is
    itself, a number, bool or None at most SCALAR_CHARS (neither has items), a container
    as str() bounds it."""
    if size.slots == 0 and size.elem <= 1:
        return max(size.len, SCALAR_CHARS)
    return DISPLAY_PER_UNIT * size.total + DISPLAY_BASE


def field_chars(size: Any, spec: str) -> int:
    """At most how long one field makes a value: shown, or padded and formatted by a spec."""
    shown = shown_chars(size)
    return max(shown, FORMAT_MAX) if spec else shown


def template_chars(template: str, sizes: list[Any]) -> int:
    """At most how long the text is that `template` makes with values of these Sizes
    (`sizes[0]` is the template's; then the positions; then the names, which any field
    by name may be); 0 where the template cannot be filled (the call fails)."""
    try:
        parts = template_fields(template)
    except ToolError:
        return 0
    values = sizes[1:]
    out = 0
    for p in parts:
        if isinstance(p, str):
            out += len(p)
        elif isinstance(p[0], int):
            out += field_chars(values[p[0]], p[1]) if p[0] < len(values) else 0
        else:
            out += max((field_chars(v, p[1]) for v in values), default=0)
    return out


def any_template_chars(sizes: list[Any]) -> int:
    """At most how long a template of sizes[0].len characters makes the text: each field
    takes 2 of them at least, so there are at most half as many as it has characters."""
    longest = max((field_chars(v, "x") for v in sizes[1:]), default=0)
    return sizes[0].len + sizes[0].len // 2 * longest if sizes else 0
