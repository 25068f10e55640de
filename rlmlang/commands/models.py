"""`rlm models`: the known models and whether each is present."""

from __future__ import annotations

import argparse

from rlmlang.backend.registry import add_arguments as backend_arguments
from rlmlang.backend.registry import cmd_models


def add_arguments(p: argparse.ArgumentParser) -> None:
    backend_arguments(p)


def run(args: argparse.Namespace) -> int:
    return cmd_models(args)
