"""`rlm grammar`: print the GBNF a model is held to (or the Lark source it comes from).

With no task options it prints the whole language (what grammar/rlm.gbnf holds);
with --tools/--inputs/--state-keys/--output it prints the per-task model grammar,
and with --value TYPE the JSON grammar of a typed sub-model answer. --check
compiles the result with llama.cpp's own grammar parser (needs the model's
vocabulary).
"""

from __future__ import annotations

import argparse
import sys

from rlmlang.backend.base import ModelError


def _list(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").split(",") if x.strip()]


def add_arguments(p: argparse.ArgumentParser) -> None:
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--gbnf", action="store_true", help="print GBNF (the default)")
    fmt.add_argument("--lark", action="store_true", help="print the Lark source grammar")
    p.add_argument("--tools", help="comma-separated tool names: print the model grammar for them")
    p.add_argument("--inputs", help="comma-separated input names (model grammar)")
    p.add_argument("--state-keys", help="comma-separated state keys (model grammar)")
    p.add_argument("--output", default=None, help="the task's output type (model grammar)")
    p.add_argument("--depth", type=int, default=None,
                   help="block nesting depth (default: 5 for the language, 3 for a task)")
    p.add_argument("--max-statements", type=int, default=8)
    p.add_argument("--max-block", type=int, default=6)
    p.add_argument("--allow-def", action="store_true", help="allow def in the model grammar")
    p.add_argument("--value", metavar="TYPE", help="print the JSON grammar for a value of TYPE")
    p.add_argument("--check", action="store_true",
                   help="compile the grammar with llama.cpp (loads the model's vocabulary)")
    p.add_argument("--model", default=None, help="model whose vocabulary --check uses")


def run(args: argparse.Namespace) -> int:
    from rlmlang.syntax import gbnf  # lazy: not loaded by `rlm --help`
    from rlmlang.types import STR, TypeSyntaxError, parse_type  # lazy: not loaded by `rlm --help`

    if args.lark:
        from rlmlang.syntax.parser import grammar_text  # lazy: not loaded by `rlm --help`

        sys.stdout.write(grammar_text())
        return 0
    try:
        if args.value:
            text = gbnf.value_grammar(parse_type(args.value))
        elif any(x is not None for x in (args.tools, args.inputs, args.state_keys, args.output)):
            from rlmlang.tools import default_registry  # lazy: not loaded by `rlm --help`

            tools = _list(args.tools) or default_registry().names()
            text = gbnf.model_grammar(
                tools, _list(args.inputs), _list(args.state_keys),
                parse_type(args.output) if args.output else STR,
                max_statements=args.max_statements, max_block=args.max_block,
                depth=3 if args.depth is None else args.depth, allow_def=args.allow_def)
        else:
            from rlmlang.syntax.parser import MAX_DEPTH  # lazy: not loaded by `rlm --help`

            text = gbnf.full_grammar(MAX_DEPTH if args.depth is None else args.depth)
    except (gbnf.GbnfError, TypeSyntaxError) as e:
        print(f"rlm grammar: {e}", file=sys.stderr)
        return 2
    if args.check:
        from rlmlang.backend.decoding import vocab_model  # lazy: not loaded by `rlm --help`

        try:
            vocab_model(args.model).grammar(text)
        except ModelError as e:
            print(f"rlm grammar: {e}", file=sys.stderr)
            return 1
        print(f"# llama.cpp accepts this grammar ({len(text)} bytes)", file=sys.stderr)
    sys.stdout.write(text)
    return 0
