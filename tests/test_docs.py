"""The docs against the code: their commands run, their quoted diagnostics are the code's text.

- Every ```sh block of README.md and docs/ runs, line by line, in a fresh
  directory beside the shipped examples, as a reader would run it (one
  `rlm run` with the default model; a line already run is not run again).
- The ```console sessions of the pages about the parts a user writes
  (README.md, docs/plugins.md, docs/logs.md) run too, and their output must
  be what the page shows: `$ cat FILE` blocks make the file they show, a
  trailing `...` stands for the rest of a line, and large numbers (fuel) may
  differ.
- Every diagnostic quoted anywhere (`file:line:col: error E_CODE: message`,
  and its `fix:`) must be the text of a message the code can build: a string
  or f-string in rlmlang/ whose literal parts, in order, make up the quote.
- docs/language.md's diagnostic is reproduced whole, and docs/models.md's
  registry excerpt is held to models/registry.toml.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```([\w-]*)\n(.*?)^```$", re.S | re.M)
NOT_HERE = ("bash install.sh", "python3 -m pytest")  # CI runs these; they run the tests
CONSOLE_PAGES = ("README.md", "plugins.md", "logs.md")


def _blocks(kinds: tuple[str, ...]) -> list[tuple[Path, int, str]]:
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in _BLOCK.finditer(text):
            if m.group(1) in kinds:
                out.append((page, text[:m.start()].count("\n") + 1, m.group(2)))
    return out


def _id(page: Path, line: int) -> str:
    return f"{page.name}:{line}"


def _commands(body: str) -> list[str]:
    return [c for c in (line.strip() for line in body.splitlines())
            if c and not c.startswith("#")]


def _env(work: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="200", **extra)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


# ----------------------------------------------------------------- sh blocks

SH = _blocks(("sh",))


@pytest.fixture(scope="module")
def shell_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, int, str]]]:
    """Every sh block's commands run in order in one directory (the README's run first)."""
    work = tmp_path_factory.mktemp("readme")
    (work / "examples").symlink_to(ROOT / "examples")
    done: set[str] = set()
    results: dict[str, list[tuple[str, int, str]]] = {}
    for page, line, body in SH:
        runs = results.setdefault(_id(page, line), [])
        for command in _commands(body):
            key = re.sub(r"\s+#.*$", "", re.sub(r" --log \S+", "", command))
            if command.startswith(NOT_HERE) or key in done:
                continue
            done.add(key)
            r = subprocess.run(["bash", "-c", command], cwd=work, env=_env(work),
                               capture_output=True, text=True, timeout=600)
            runs.append((command, r.returncode, r.stdout + r.stderr))
    return results


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize("page, line, body", SH, ids=[_id(p, n) for p, n, _ in SH])
def test_every_shell_line_runs(page: Path, line: int, body: str,
                               shell_runs: dict[str, list[tuple[str, int, str]]]) -> None:
    for command, rc, out in shell_runs[_id(page, line)]:
        assert rc == 0, f"{_id(page, line)}: `{command}` exited {rc}:\n{out[-2000:]}"
        assert "Traceback" not in out and "E_INTERNAL" not in out, f"`{command}`:\n{out}"


def test_the_shell_blocks_run_what_a_reader_needs() -> None:
    ran = [c for _, _, body in SH for c in _commands(body)]
    assert any(c.startswith("rlm run ") for c in ran)  # the main job, with the default model
    assert sum(c.startswith(NOT_HERE) for c in ran) == 2  # the README's two set-up commands


# ------------------------------------------------------------ console blocks

CONSOLE = [b for b in _blocks(("console",)) if b[0].name in CONSOLE_PAGES]
_BIG = re.compile(r"\d{1,3}(?:,\d{3})+|\d{4,}|\d+\.\d+")


def _session(body: str) -> list[tuple[str, list[str]]]:
    """`$ command` lines, each with the output lines shown under it."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.rstrip("\n").splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def _same(shown: list[str], got: list[str]) -> bool:
    if len(shown) != len(got):
        return False
    for want, have in zip(shown, got, strict=True):
        want, have = _BIG.sub("N", want), _BIG.sub("N", have)
        if want.endswith(("...", "…")):
            if not have.startswith(want.rstrip(".…").rstrip()):
                return False
        elif want != have:
            return False
    return True


def _broken_plugin(site: Path) -> None:
    (site / "rlm_broken.py").write_text("raise RuntimeError('boom')\n")
    info = site / "rlm_broken-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rlm-broken\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[rlmlang.tools]\nbroken = rlm_broken:tools\n")


@pytest.mark.slow
@pytest.mark.parametrize("page, line, body", CONSOLE, ids=[_id(p, n) for p, n, _ in CONSOLE])
def test_console_sessions_show_what_the_commands_print(page: Path, line: int, body: str,
                                                       tmp_path: Path) -> None:
    home = tmp_path / "home" / "ada"
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    env = _env(tmp_path, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               PYTHONPATH=os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]))
    env.pop("RLM_STDLIB_PATH", None)
    if "rlm-broken" in body:  # the page's broken plugin, beside the example one
        _broken_plugin(site)
        body = ("$ pip install ./examples/plugin-hello\n"
                "$ echo 'submit(hello.greet(\"Ada\"))' > hi.rlm\n" + body)
    for command, shown in _session(body):
        if command.startswith("cat "):  # the page shows a file: make it
            path = Path(command[4:].replace("~", str(home)))
            path = path if path.is_absolute() else tmp_path / path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(shown) + "\n")
            continue
        if command.startswith("pip install "):  # offline, into this test's own site
            command = (f"{sys.executable} -m pip install -q --no-deps --no-index "
                       "--root-user-action=ignore "
                       f"--no-build-isolation --disable-pip-version-check --target {site} "
                       f"{command.split()[-1]}")
        r = subprocess.run(["bash", "-c", command + " 2>&1"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300)
        got = r.stdout.replace(str(home), "/home/ada").rstrip("\n").splitlines()
        assert _same(shown, got), (f"{_id(page, line)}: `{command}` printed\n"
                                   + "\n".join(got) + "\nbut the page shows\n"
                                   + "\n".join(shown))


# -------------------------------------------------------- quoted diagnostics

_DIAG = re.compile(r"^\s*(?:\S.*?: )?(?:error|warning) (E_[A-Z_]+): (.+)$")
_FIX = re.compile(r"^\s+fix: (.+)$")


def _quotes() -> list[tuple[str, str, str]]:
    """(where, code or "fix", text) of every diagnostic shown in a page's output blocks."""
    out = []
    for page, start, body in _blocks(("", "console", "text")):
        for i, line in enumerate(body.splitlines(), start + 1):
            m, f = _DIAG.match(line), _FIX.match(line)
            if m:
                out.append((_id(page, i), m.group(1), m.group(2)))
            elif f:
                out.append((_id(page, i), "fix", f.group(1)))
    return out


_FORMAT = re.compile(r"\{\w*(?:![rsa])?(?::[^{}]*)?\}")  # str.format fields in a constant


def _pattern(node: ast.AST) -> list[str | None] | None:
    """A str expression as literal pieces and None for what is computed (a wildcard)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parts: list[str | None] = []
        for k, piece in enumerate(_FORMAT.split(node.value)):
            parts += [None, piece] if k else [piece]
        return parts
    if isinstance(node, ast.JoinedStr):
        return [v.value if isinstance(v, ast.Constant) else None for v in node.values]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _pattern(node.left), _pattern(node.right)
        if left is None and right is None:
            return None
        return (left or [None]) + (right or [None])
    return None


def _literals_first(pieces: list[str | None]) -> tuple[str | None, ...]:
    """Adjacent literals merged, wildcards at either end dropped (they are the quote's gaps)."""
    merged: list[str | None] = []
    for p in pieces:
        if p is None and (not merged or merged[-1] is not None):
            merged.append(None)
        elif p:
            if merged and merged[-1] is not None:
                merged[-1] += p
            else:
                merged.append(p)
    while merged and merged[0] is None:
        merged.pop(0)
    while merged and merged[-1] is None:
        merged.pop()
    return tuple(merged)


@lru_cache(maxsize=1)
def _templates() -> tuple[tuple[str | None, ...], ...]:
    """Every message piece the code can build: literals in order, None between them."""
    found: set[tuple[str | None, ...]] = set()
    for path in (ROOT / "rlmlang").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp)):
                pieces = _literals_first(_pattern(node) or [])
                if sum(len(p) for p in pieces if p) >= 6:
                    found.add(pieces)
    return tuple(found)


def _regex(pieces: tuple[str | None, ...], prefix_of_next: str | None = None) -> re.Pattern[str]:
    """Literals in groups (their spans are what the code wrote), lazy wildcards between;
    `prefix_of_next`: the match may end inside that literal (a quote cut with `...`)."""
    rx = "".join(f"({re.escape(p)})" if p is not None else "(?:.*?)" for p in pieces)
    if prefix_of_next:
        tail = ""
        for ch in reversed(prefix_of_next[:60]):
            tail = f"(?:{re.escape(ch)}{tail})?"
        rx += f"({tail})"
    return re.compile(rx, re.S)


_PROSE = re.compile(r"(?<![\w./:\-])[a-z]{4,}(?![\w(./:\-])")
_VALUES = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")


def _unexplained(text: str) -> tuple[list[str], int]:
    """The prose words of a quote that no message of the code's writes, where the quote is
    split into pieces of the code's messages (values, quoted or numbers, between them).

    A quote cut with `...` may end inside a message."""
    cut = re.split(r"\s*(?:\.\.\.|…)", text, maxsplit=1)
    quote, partial = cut[0], len(cut) > 1
    n = len(quote)
    ends: dict[int, list[tuple[int, list[tuple[int, int]]]]] = {}

    def add(rx: re.Pattern[str], s: int, e: int) -> None:
        m = rx.fullmatch(quote, s, e) if e > s else None
        if m is not None:
            ends.setdefault(e, []).append((s, [m.span(g) for g in range(1, rx.groups + 1)]))

    for pieces in _templates():
        first, last = pieces[0] or "", pieces[-1] or ""
        starts = [k for k in range(n) if quote.startswith(first, k)]
        for s in starts:  # the whole message, from its first literal to its last
            for k in range(s, n):
                if quote.startswith(last, k):
                    add(_regex(pieces), s, k + len(last))
        if not partial:
            continue
        for s in range(n):  # the quote ends inside the first literal
            if first.startswith(quote[s:]) and n - s >= 6:
                ends.setdefault(n, []).append((s, [(s, n)]))
        for j in range(1, len(pieces)):  # ... or inside a later one
            if pieces[j] is not None and starts:
                rx = _regex(pieces[:j], pieces[j])
                for s in starts:
                    add(rx, s, n)
    best: list[tuple[int, tuple[tuple[int, int], ...]]] = [(0, ())] * (n + 1)
    chosen: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for j in range(1, n + 1):
        best[j] = best[j - 1]
        for s, spans in ends.get(j, ()):
            score = best[s][0] + sum(b - a for a, b in spans)
            if score > best[j][0]:
                best[j] = (score, best[s][1] + ((s, j),))
                chosen[(s, j)] = spans

    def segments(picked: tuple[tuple[int, int], ...]) -> list[tuple[int, int, list]]:
        return [(s, e, chosen[(s, e)]) for s, e in picked]

    covered = [False] * n
    for _, _, spans in segments(best[n][1]):
        for a, b in spans:
            covered[a:b] = [True] * (b - a)
    for s, e, spans in segments(best[n][1]):  # a wildcard that took one token: a value
        for a, b in zip([s, *(y for _, y in spans)], [*(x for x, _ in spans), e],
                        strict=True):
            if a < b and not quote[a:b].split(maxsplit=1)[1:]:
                covered[a:b] = [True] * (b - a)
    masked = _VALUES.sub(lambda m: " " * len(m.group()), quote)
    words = [m.span() for m in _PROSE.finditer(masked)]
    return [quote[a:b] for a, b in words if not all(covered[a:b])], len(words)


def _built_by_code(text: str) -> bool:
    """Whether the quote reads as the code writes it: its prose words lie in the literal
    text of the code's messages, or are a value one of them puts in (a single word where
    the code has a `{field}`); one word may be neither."""
    outside, words = _unexplained(text)
    return len(outside) <= 1


QUOTES = _quotes()


def test_the_docs_quote_diagnostics() -> None:
    assert len(QUOTES) >= 20


@pytest.mark.parametrize("where, code, text", QUOTES, ids=[q[0] for q in QUOTES])
def test_a_quoted_diagnostic_is_the_codes_text(where: str, code: str, text: str) -> None:
    from rlmlang.diagnostics import CODES

    assert code == "fix" or code in CODES, f"{where}: no code {code}"
    assert _built_by_code(text), f"{where}: no message in rlmlang/ reads {text!r}"


def test_a_paraphrase_is_caught() -> None:
    assert _built_by_code("worst-case fuel 1,234 exceeds the budget 5,000,000 by factor 1.2x")
    assert not _built_by_code("the worst case fuel 1,234 is over the budget of 5,000,000")


# ------------------------------------------------------------ reproductions

def test_the_language_reference_diagnostic_is_reproduced() -> None:
    from rlmlang.pipeline import analyze_source

    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    shown = next(b for _, _, b in _blocks(("",)) if b.startswith("bad.rlm:"))
    assert shown in text
    header = shown.splitlines()[1].strip()  # the source line the block shows
    script = f"n = len(context)\n{header}\n    print(n)\n"
    (d,) = analyze_source(script, "bad.rlm").diagnostics
    assert d.render(script) + "\n" == shown


def test_the_models_page_quotes_the_registry() -> None:
    text = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    excerpt = next(m.group(1) for m in re.finditer(r"```toml\n(.*?)```", text, re.S)
                   if "[models." in m.group(1))
    shown = tomllib.loads(excerpt)
    real = tomllib.loads((ROOT / "models" / "registry.toml").read_text(encoding="utf-8"))
    assert shown["default"] == real["default"]
    for name, fields in shown["models"].items():
        for key, value in fields.items():
            if isinstance(value, str) and value.endswith(("...", "…")):
                assert str(real["models"][name][key]).startswith(value.rstrip(".…")), key
            else:
                assert real["models"][name][key] == value, f"models.md: {name}.{key}"


def test_the_readme_names_every_command_and_page() -> None:
    from rlmlang.cli import _COMMANDS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [c for c in _COMMANDS if f"rlm {c}" not in readme]
    assert not missing, f"the README never shows rlm {', rlm '.join(missing)}"
    pages = {p.name for p in (ROOT / "docs").glob("*.md")}
    linked = set(re.findall(r"`docs/([\w-]+\.md)`", readme))
    assert linked == pages, f"not in the README's list: {sorted(pages - linked)}"
    assert "../" not in readme  # nothing outside the repository
