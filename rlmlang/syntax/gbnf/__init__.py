"""GBNF for llama.cpp, generated from grammar/rlm.lark: every grammar a model is held to.

The Lark grammar is the single source of truth, and this package its one
translator. Every grammar goes the same way: the Lark grammar read into a small
IR (`source`, nodes in `ir`), passes over the IR, GBNF text printed by `emit`.

- `full_grammar()` (language.py): the whole language in canonical spacing (no
  comments, no blank lines), checked in as grammar/rlm.gbnf;
- `model_grammar(...)` (model.py): the language narrowed for one task so that a
  model cannot go wrong: it ends where a top-level `submit(...)` ends, calls only
  the task's tools, names only declared state keys, and bounds literals and
  repetitions; a profile's `Narrowing` (narrow.py) holds it further to given
  literals, names and call shapes;
- `value_grammar(T)` and `choice_grammar(texts)` (answers.py): a sub-model's
  answer, a JSON value of type T (`parse_value` reads it back) or one of the
  given texts.
"""

from __future__ import annotations

from rlmlang.resources import GBNF_FILE
from rlmlang.syntax.gbnf.answers import choice_grammar, parse_value, value_grammar
from rlmlang.syntax.gbnf.ir import GbnfError
from rlmlang.syntax.gbnf.language import full_grammar
from rlmlang.syntax.gbnf.model import model_grammar
from rlmlang.syntax.gbnf.names import name_rules
from rlmlang.syntax.gbnf.narrow import CallShape, Narrowing
from rlmlang.syntax.gbnf.source import load

GBNF_PATH = GBNF_FILE  # grammar/rlm.gbnf, generated from rlm.lark, shipped as package data

__all__ = ["GBNF_PATH", "CallShape", "GbnfError", "Narrowing", "choice_grammar", "full_grammar",
           "load", "model_grammar", "name_rules", "parse_value", "value_grammar"]
