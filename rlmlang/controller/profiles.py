"""Model profiles: what a model is offered, chosen per model, so the loop stays one loop.

A 135M model needs coaching (DESIGN.md, "What a 135M model needs"): a few
skills rather than the whole library, examples retrieved by the kind of task,
a grammar that only spells the question's own phrases and a short list of
variable names, sub-model answers held to a span of the snippet, and fix-its
applied for it. A coder model is hindered by the same coaching: it writes
ordinary Python, so it gets the whole language, every granted tool, general
examples and the inputs' real first lines, and repairs its own scripts from
the verifier's diagnostics.

Every such choice is a field of `Profile`; the controller asks the profile and
never the model's name. A model gets the profile its registry entry names
(`profile = "tiny"`), `--profile` and `Runtime(profile=...)` override it, and
a GGUF outside the registry is judged by its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlmlang.check.sugar import MODULE_FUNCS
from rlmlang.controller.examples import STDLIB
from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.syntax.gbnf import model_grammar
from rlmlang.syntax.gbnf.narrow import Narrowing
from rlmlang.types import Type

# Offered to a tiny model in every task, besides what its retrieved examples use.
TINY_CORE_TOOLS = ("find_line", "value_after", "llm.predict", "str", "len", "lines", "contains",
                   "print")

# What a Python programmer knows by name: listed without their docs for such a model.
PYTHON_FAMILIAR = frozenset({
    "abs", "len", "str", "int", "float", "round", "min", "max", "sum", "sorted", "reversed",
    "range", "print", "split", "join", "strip", "lower", "upper", "replace", "startswith",
    "endswith", "find", "count", "keys", "values", "get", "append", "enumerate", "zip", "items",
    "any", "all", "bool", "list", "dict", "set", "isdigit", "splitlines", "index", "lstrip",
    "rstrip", "format", "title", "capitalize",
})

# What a coder model is shown with a line of doc each: reading tables and text, asking
# the model, effects. The other tools are listed by signature only.
CODER_FEATURED = frozenset({
    "records", "columns", "where", "count_where", "numbers", "group_count", "group_sum",
    "max_row", "min_row", "order_by", "top_k", "join_on", "lines_with", "extract_records",
    "find_line", "find_lines", "value_after", "regex_search", "regex_findall", "chunks",
    "llm.predict", "llm.map", "llm.run", "fs.read", "fs.write", "fs.list", "http.get",
    "json_decode", "to_int", "to_float", "extract_number", "top_counts", "distinct", "to_date",
})

TINY_CARD = (
    "You answer a question about inputs that are too big to read, by writing a short "
    "script in RLM, a small Python-like language. The inputs are variables. Call the "
    "functions below to search them, then end with submit(answer). Write only the script."
)

CODER_CARD = """\
You answer a question about inputs by writing a script in RLM, a verified subset of Python.
The inputs are variables that are already defined (described in each task); they can be far \
too big to print: each already holds the whole text, so read it with code and never copy its \
lines into the script. End the script with submit(answer), where answer has the task's answer \
type; submit is built in (do not define it) and nothing may follow it.

The language is Python with static types: a name keeps one type. Assignments and unpacking \
(a, b = ...), if/elif/else, for loops (over lists, ranges, a string's lines, dict.items(), \
enumerate, zip), list and dict comprehensions, `x if c else y`, f-strings, def with typed \
parameters (def f(x: str) -> int:), str/list/dict methods (s.split(","), s.strip(), \
xs.append(x), d.get(k, 0), d.items()), sorted/max/min with key= (a lambda or a def), print(...) \
to look at a value. When you do not know how the data looks where the answer is, first \
write a script that only prints what you need to see (a few matching lines, a count) and does \
not submit: you get its output, then write the script that submits. Conditions must be bool: write \
len(xs) > 0, not `if xs`. Not in the language: import (every function is already there), \
class, try/except, with, open() and files (use the tools below), global, recursion, while \
without `decreases` (use for). Each script is checked before it runs; if it is rejected you \
get the error and write a corrected script.
Write only the script: no Markdown fences, no explanation."""


@dataclass(frozen=True)
class GrammarShape:
    """How long and deep a script the model's grammar lets it write."""

    max_statements: int = 8
    max_block: int = 6
    depth: int = 3
    allow_def: bool = False
    string_max: int = 60  # characters in a string literal
    items_max: int = 8  # items in a list, arguments in a call
    lower_names: bool = False  # names start lower-case: prose cannot start a line
    python_forms: bool = False  # methods, comprehensions, f-strings... (else the small core)
    must_submit: bool = True  # every script ends with submit (else it may only print and look)


@dataclass(frozen=True)
class Profile:
    """One model's coaching: every choice the controller makes per model, and nothing else."""

    name: str
    description: str
    card: str
    offer_all_tools: bool  # every granted tool, or the core skills and what the examples use
    examples_file: str  # in stdlib/
    examples_by_kind: bool  # nearest by task kind and data shape, or the library's order
    n_examples: int
    narrow_grammar: bool  # literals from the question, names from a list, calls by arity
    grammar_shape: GrammarShape
    extractive_predict: bool  # an untyped llm.predict over a short snippet answers with a span
    fixits: bool  # run a tool's fix-it as one more candidate
    preview_lines: int  # first lines of each text input shown in the task
    record_counts: bool  # say how many records each input holds (a tiny model copies it)
    familiar: frozenset[str]  # tools listed by name only: the model knows them from Python
    featured: frozenset[str] | None  # tools listed with their doc (None: every one)
    free_stops: tuple[str, ...]  # stop texts besides the model's own, without a grammar
    keep_prefix: bool  # keep the fixed prompt's state on disk (it is the same for every task)
    budgets: dict[str, int] = field(default_factory=dict)  # defaults that differ
    # After a script that ran and failed, point the model at its data (a script that prints
    # an input's first lines and its records) before it guesses at the format again.
    look_after_failure: bool = False
    # Show each table-like text input's first record as records() reads it, a dict of its
    # fields: the 1.5B split a key=value input at tabs, and took the date for the
    # terminal by counting fields (dev runs), where records() names them.
    record_preview: bool = False
    # An answer that is a whole input line of four fields or more, copied out, is sent back
    # once to have the value asked for taken out of it (unless the question asks for lines).
    challenge_copied_lines: bool = False
    # An answer that is the key of a record holding the field the question asks for (a
    # join stopped a hop short: task/hops.py) is sent back once; in the last round it is
    # no answer, and the run ends uncertain.
    challenge_hops: bool = False
    # Scripts that agree on a zero (a count or a sum) are asked once to check it, the
    # vote forgetting it; submitted again, it is taken as any answer is. Not in the last
    # round.
    challenge_zeros: bool = False
    # Say the type json_decode gives for each JSON input (check/decoded.py), as Python's
    # `json.loads(orders)` is what a coder model reaches for.
    decoded_types: bool = False
    # An answer is confirmed by distinct scripts, not by one script drawn again (task/
    # vote.py). A tiny model under its narrowed grammar rarely writes two distinct scripts
    # for one reading: its repeated draws are the only agreement it has.
    distinct_votes: bool = False
    # An answer from a script that read no data (task/guess.py) is a guess, not a vote.
    # The tiny profile's grammar holds its scripts to the skills over the inputs already.
    no_guesses: bool = False
    # A draw that repeats a script already drawn in the run (one that failed, or one
    # drawn before in the round) is not a candidate: another is drawn, hotter, up to as
    # many more as the round has candidates. The 1.5B drew one refused script six times
    # in three rounds; a tiny model's repeated draws are its votes.
    redraw_repeats: bool = False
    # Each feedback ends with the question and the inputs' names: after an answer it could
    # not convert, the 1.5B wrote the script of a worked example ("gate 12") instead.
    remind_task: bool = False
    # Lines of each big text input holding the question's terms, shown with its first
    # lines (task/key_lines.py): where the question's record is, and its shape.
    key_lines: int = 0
    # After a round whose every draw repeated a script that had failed, the attempts are
    # dropped from the chat and their failure said with the task (Conversation.
    # forget_attempts): the model copies its failed script from the chat.
    forget_when_stuck: bool = False

    def base_grammar(self, tools: list[str], inputs: list[str], state_keys: list[str],
                     output: Type, narrowing: Narrowing | None = None) -> str:
        """The language as this profile's model may write it, narrowed for a task if given."""
        s = self.grammar_shape
        if s.python_forms:  # `json.loads(s)`, `re.findall(p, s)`: written with their module
            tools = sorted(set(tools) | set(MODULE_FUNCS))
        return model_grammar(tools=tools, inputs=inputs, state_keys=state_keys, output=output,
                             max_statements=s.max_statements, max_block=s.max_block,
                             depth=s.depth, allow_def=s.allow_def, string_max=s.string_max,
                             items_max=s.items_max, lower_names=s.lower_names,
                             python_forms=s.python_forms, must_submit=s.must_submit,
                             narrowing=narrowing)

    def examples_path(self) -> Path:
        return STDLIB / self.examples_file


TINY = Profile(
    name="tiny",
    description="coached for models under ~300M parameters: skills, examples by task kind, "
                "a grammar narrowed to the question's phrases",
    card=TINY_CARD,
    offer_all_tools=False,
    examples_file="examples.toml",
    examples_by_kind=True,
    n_examples=2,
    narrow_grammar=True,
    grammar_shape=GrammarShape(),
    extractive_predict=True,
    fixits=True,
    preview_lines=0,  # a tiny model copies a preview instead of the question (measured)
    record_counts=False,
    familiar=frozenset(),
    featured=None,
    free_stops=("\n\n\n",),
    keep_prefix=False,  # its examples change with the task, and its prompts are cheap
)

CODER = Profile(
    name="coder",
    description="for models that write Python: the whole language, every granted tool, "
                "general examples, the inputs' first lines",
    card=CODER_CARD,
    offer_all_tools=True,
    examples_file="coder_examples.toml",
    examples_by_kind=False,
    n_examples=6,
    narrow_grammar=False,
    grammar_shape=GrammarShape(max_statements=40, max_block=16, depth=5, allow_def=True,
                               string_max=400, items_max=16, lower_names=True,
                               python_forms=True, must_submit=False),
    extractive_predict=False,
    fixits=True,  # the checker's: a for over a table's text goes through its rows instead
    preview_lines=3,
    record_counts=True,
    familiar=PYTHON_FAMILIAR,
    featured=CODER_FEATURED,
    free_stops=(),
    keep_prefix=True,
    # Three rounds, the default: five (tried at 6afd024) answered no more of the test
    # sample (9 of 21 either way) and took its p50 from 36 to 63 s, over the 60 s a
    # default model must keep.
    budgets={"candidates": 2, "script_tokens": 512, "tokens": 8000},
    look_after_failure=True,
    record_preview=True,
    challenge_copied_lines=True,
    challenge_hops=True,
    challenge_zeros=True,
    decoded_types=True,
    distinct_votes=True,
    no_guesses=True,
    redraw_repeats=True,
    remind_task=True,
    key_lines=4,
    forget_when_stuck=True,
)

PROFILES: dict[str, Profile] = {p.name: p for p in (TINY, CODER)}

# A GGUF outside the registry smaller than this gets the tiny profile (SmolLM2-135M is
# 94 MB and Gemma 3 270M 253 MB; Qwen2.5-Coder-0.5B at Q4_K_M is 491 MB).
TINY_MODEL_BYTES = 300_000_000


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise DiagnosticError([Diagnostic(
            "E_USAGE", f"unknown profile {name!r}",
            fix="use one of: " + ", ".join(PROFILES))]) from None


def profile_for(backend: Any, requested: str | Profile | None = None) -> Profile:
    """The requested profile, else the model's registry profile, else one by the model's size."""
    if isinstance(requested, Profile):
        return requested
    if requested:
        return get_profile(requested)
    entry = getattr(backend, "entry", None)
    named = getattr(entry, "profile", None)
    if named:
        return get_profile(named)
    size = getattr(getattr(backend, "gguf", None), "size", None)
    if isinstance(size, int) and size >= TINY_MODEL_BYTES:
        return CODER
    return TINY
