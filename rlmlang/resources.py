"""Package data: the grammar, the stdlib, the model registry and the shipped examples.

Each file lives once, at the repository's top level, where the docs name it
(`grammar/rlm.lark`, `stdlib/*.rlm`, `models/registry.toml`, `examples/`).
`rlmlang/data/` holds symbolic links to those directories, and setuptools
copies the files they point at into the wheel (pyproject.toml's
package-data), so a checkout, an editable install and an installed wheel all
read the same names through `importlib.resources`, with no path arithmetic
from `__file__`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def data_path(*parts: str) -> Path:
    """A file or directory of the package data, e.g. `data_path("grammar", "rlm.lark")`.

    rlmlang is installed as files on disk (a wheel unpacked, or a checkout),
    so the resource is a real path that can be globbed and opened.
    """
    return Path(str(files("rlmlang").joinpath("data", *parts)))


def example(name: str) -> Path:
    """A file shipped in `examples/`, e.g. `example("needle/context.txt")` (a 480 KB log)."""
    path = data_path("examples", *name.split("/"))
    if not path.exists():
        raise FileNotFoundError(f"rlmlang ships no example {name!r} (see {data_path('examples')})")
    return path


GRAMMAR_FILE = data_path("grammar", "rlm.lark")
GBNF_FILE = data_path("grammar", "rlm.gbnf")
STDLIB_DIR = data_path("stdlib")
REGISTRY_FILE = data_path("models", "registry.toml")
