"""`rlm models`: the known models and whether each is present."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    from rlmlang.backend.registry import add_arguments as backend_arguments

    backend_arguments(p)


def run(args: argparse.Namespace) -> int:
    from rlmlang.backend.registry import cmd_models

    return cmd_models(args)
