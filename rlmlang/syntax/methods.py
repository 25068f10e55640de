"""The methods the language gives each type: `s.split(",")`, `xs.append(x)`, `d.get(k, 0)`.

Part of the language's surface, like its grammar: the checker resolves each
to the builtin it stands for (check/sugar.py) and the model's grammar offers
their names (syntax/gbnf), so both read these tables. What is not in them is
not in the language.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    """A method of a value: the builtin it stands for and how the value is passed.

    kind: "call" (the value is argument `recv` of `builtin`), "append"
    (`xs += [x]`), "extend" (`xs += ys`), "rebind" (`xs = builtin(xs, ...)`,
    for methods that reorder a list in place), "add" (`s[x] = True`: an empty
    `set()` is a dict of its items, so `in` and `add` cost one step, not a
    walk of a list). Only "call" gives a value;
    the others change the value and stand as statements of their own.
    """

    builtin: str
    recv: int = 0
    kind: str = "call"
    min_args: int = 0
    wide: str = ""  # the builtin when more arguments are given than `builtin` takes

    @property
    def statement(self) -> bool:
        return self.kind != "call"


STR_METHODS: dict[str, Method] = {
    "split": Method("split", wide="split_max"), "rsplit": Method("rsplit"), "splitlines": Method("lines"),
    "strip": Method("strip"), "lstrip": Method("lstrip"), "rstrip": Method("rstrip"),
    "lower": Method("lower"), "upper": Method("upper"), "title": Method("title"),
    "capitalize": Method("capitalize"),
    "startswith": Method("startswith"), "endswith": Method("endswith"),
    "count": Method("count"), "find": Method("find"), "rfind": Method("rfind"),
    "index": Method("str_index"), "replace": Method("replace"),
    "join": Method("join", recv=1),
    "isdigit": Method("isdigit"), "isdecimal": Method("isdigit"), "isnumeric": Method("isdigit"),
    "isalpha": Method("isalpha"), "isalnum": Method("isalnum"), "isspace": Method("isspace"),
    "isupper": Method("isupper"), "islower": Method("islower"),
    "zfill": Method("zfill"), "format": Method("str_format"),
}
LIST_METHODS: dict[str, Method] = {
    "append": Method("", kind="append"), "extend": Method("", kind="extend"),
    "index": Method("list_index"), "count": Method("list_count"), "copy": Method("copy"),
    "sort": Method("sorted", kind="rebind"), "reverse": Method("reversed", kind="rebind"),
}
DICT_METHODS: dict[str, Method] = {
    "get": Method("get", min_args=2), "items": Method("items"), "keys": Method("keys"),
    "values": Method("values"), "copy": Method("copy"), "most_common": Method("top_counts"),
    "add": Method("", kind="add"),  # of a set(), a dict of its items: `s[x] = True`
}

def method_table(kind: str) -> dict[str, Method]:
    return {"str": STR_METHODS, "list": LIST_METHODS, "dict": DICT_METHODS}.get(kind, {})


def method_names() -> list[str]:
    """Every method a value has, for the model's grammar."""
    return sorted(set(STR_METHODS) | set(LIST_METHODS) | set(DICT_METHODS))
