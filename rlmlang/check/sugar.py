"""The Python a coder model writes, resolved by type to the core language.

A model that has read a lot of Python writes `s.split(",")`, `xs.append(x)`,
`d.get(k, 0)`, `re.findall(p, s)`, `max(d, key=d.get)`. Each is verifiable
once the value's type is known, so the checker resolves it here, statically,
to a `Plan` — never a lookup at run time — and lowering (lower.py) writes
the plan in the core language the verifier and the VM know: a call of a
builtin with a declared cost, an in-place `xs += [x]`, a loop that computes
sort keys. The tables below and the methods of syntax/methods.py are the
whole of that sugar: what is not in them is not in the language, and the
checker says what to write instead.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from rlmlang.syntax.methods import method_table

# Module functions written with their module's prefix (no import needed).
MODULE_FUNCS: dict[str, str] = {
    "re.findall": "regex_findall", "re.sub": "regex_sub", "re.split": "regex_split",
    "json.dumps": "json_encode", "json.loads": "json_decode", "math.sqrt": "sqrt", "math.floor": "floor",
    "math.ceil": "ceil", "statistics.mean": "stats_mean", "statistics.median": "stats_median",
}
# `re.search(p, s).group(n)` and `re.match(...)`: the match itself has no type here.
MATCHERS = ("re.search", "re.match", "re.fullmatch")

# What replaces each module's functions (named in the import's diagnostic). An
# import of a module listed here is a warning (it brings nothing in; the calls
# work without it); any other import is an error.
EMULATED_MODULES: dict[str, str] = {
    "re": "re.findall(p, s) and re.search(p, s).group(n) work as written (RE2 syntax); "
          "so do regex_findall(p, s) and regex_search(p, s)",
    "json": "json.dumps(x) and json.loads(s) work as written (json.loads of a JSON input has "
            "the input's type; elsewhere say the type: json_decode(s) as T)",
    "math": "math.sqrt, math.floor and math.ceil work as written",
    "statistics": "statistics.mean and statistics.median work as written",
    "collections": "Counter(xs) works as written (a dict[str, int] of counts, with "
                   ".most_common(n)); for a defaultdict use d.get(k, default)",
}
OTHER_MODULES: dict[str, str] = {
    "csv": "split the text yourself: for line in lines(text): cells = line.split(\",\")",
    "os": "there is no file system but the tools: read files with fs.read(path)",
    "sys": "the inputs are already variables; give the answer with submit(value)",
    "io": "the inputs are already variables (str); read lines with lines(text)",
    "datetime": "dates are text here: to_date(s) reads a date written any common way as "
                "ISO \"YYYY-MM-DD\" (compare with < and ==; d[:7] is the month), and "
                "days_between(a, b) counts the days from a to b",
    "itertools": "write the loop out with for, or use a comprehension",
    "pandas": "split the table yourself: for line in lines(text): cells = line.split(\",\")",
    "numpy": "use sum(xs), max(xs), min(xs), len(xs) on lists",
}

COUNTER_NAMES = ("Counter",)

# Calls of a module's functions the language replaces, by the name a script calls
# them by (`datetime(2024, 11, 8)`, `datetime.strptime(s, f)`, `date.fromisoformat(s)`).
REPLACED_CALLS: dict[str, str] = {
    name: OTHER_MODULES["datetime"]
    for name in ("datetime", "date", "timedelta", "strptime", "fromisoformat")
}


def suggest_method(kind: str, name: str) -> str | None:
    close = difflib.get_close_matches(name, list(method_table(kind)), n=1, cutoff=0.6)
    return close[0] if close else None


def import_diagnostic(module: str, names: tuple[str, ...]) -> tuple[bool, str, str]:
    """(just a warning?, message, fix) for `import module` / `from module import names`."""
    root = module.split(".")[0]
    if root in EMULATED_MODULES and (root != "collections"
                                     or set(names) <= set(COUNTER_NAMES) | {"defaultdict"}):
        return (True, f"imports bring nothing in: {root} needs no import",
                EMULATED_MODULES[root])
    fix = OTHER_MODULES.get(root, "every function the language has is already in scope "
                                  "(see the language card)")
    return False, f"imports are not in the language ({module} is not available)", fix


@dataclass(frozen=True)
class Plan:
    """How lowering writes one checked surface form in the core language.

    kind:
      call     Call(builtin, args) with the value inserted at `recv` (methods,
               module functions, overloads such as max(xs) -> max_of(xs))
      append   `v += [arg]`          extend   `v += arg`
      rebind   `v = builtin(v, ...)` (sort, reverse)
      group    `re.search(p, s).group(n)` -> builtin(p, s, n)
      keyed    sorted/max/min with key=: a loop computing the keys
      round    round(x) with no digits: an int, as in Python
      print    print(a, b, ...) with several values
      field    r.get("name"[, default]) of a record: r["name"] (every record has it)
    """

    kind: str
    builtin: str = ""
    recv: int = 0
    data: Any = None
