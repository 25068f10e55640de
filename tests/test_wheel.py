"""The wheel is the product: built, installed in a fresh virtual environment, used from outside.

A user who runs `pip install rlmlang` (or a plugin that depends on it) gets
the wheel, not the checkout: the grammar, the stdlib, the examples and the
model registry must travel in it as package data. This test builds the wheel
from a copy of the source (offline, no build isolation), installs it into a
new venv that sees the installed dependencies and models
(`--system-site-packages`, so llama-cpp-python is never rebuilt), and from a
directory outside the checkout runs `rlm check`, `rlm exec`, `rlm run` with
the default model, and a plugin built from a renamed copy of the shipped
example.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.model]

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("rlmlang", "grammar", "stdlib", "models", "examples")


def _sh(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None,
        timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    ignore = shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__")
    for name in SOURCES:
        shutil.copytree(REPO / name, src / name, symlinks=True, ignore=ignore)
    r = _sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index",
            "--no-build-isolation", "--disable-pip-version-check", "-q", "-w", root / "dist",
            src, cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = (root / "dist").glob("rlmlang-*.whl")
    env_dir = root / "venv"
    r = _sh(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", env_dir,
            cwd=root)
    assert r.returncode == 0, r.stderr
    python = env_dir / "bin" / "python"
    r = _sh(python, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
            "--disable-pip-version-check", wheel, cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr
    work = root / "work"
    work.mkdir()
    return {"python": python, "bin": env_dir / "bin", "work": work, "root": root}


def _env(venv: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "RLM_STDLIB_PATH", "RLM_MODEL_REGISTRY")}
    env["PATH"] = f"{venv['bin']}{os.pathsep}{env.get('PATH', '')}"
    env["XDG_CONFIG_HOME"] = str(venv["root"] / "config")  # no user stdlib of the tester's
    return env


def _rlm(venv: dict[str, Path], *args: str | Path,
         timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return _sh(venv["bin"] / "rlm", *args, cwd=venv["work"], env=_env(venv), timeout=timeout)


def _shipped(venv: dict[str, Path], name: str) -> Path:
    r = _sh(venv["python"], "-c", "import sys; from rlmlang.resources import example; "
            "print(example(sys.argv[1]))", name, cwd=venv["work"], env=_env(venv))
    assert r.returncode == 0, r.stderr
    return Path(r.stdout.strip())


def test_the_installed_package_is_the_wheel_not_the_checkout(venv: dict[str, Path]) -> None:
    r = _sh(venv["python"], "-c", "import rlmlang.resources as r; print(r.GRAMMAR_FILE)",
            cwd=venv["work"], env=_env(venv))
    grammar = Path(r.stdout.strip())
    assert grammar.is_file() and not grammar.is_symlink(), r.stderr
    assert grammar.is_relative_to(venv["root"] / "venv"), grammar
    assert grammar.read_text() == (REPO / "grammar" / "rlm.lark").read_text()


def test_check_and_exec_from_outside_the_checkout(venv: dict[str, Path]) -> None:
    script = venv["work"] / "needle.rlm"
    script.write_text('line = find_line(context, "badge 4820")\n'
                      'submit(first_word(after(line, "access code ")))\n')  # a stdlib function
    context = _shipped(venv, "needle/context.txt")
    r = _rlm(venv, "check", script, "--input-size", f"context={context.stat().st_size}")
    assert r.returncode == 0 and "1 of 1 file(s) valid" in r.stderr, r.stderr
    r = _rlm(venv, "exec", script, "--input", f"context=@{context}")
    assert (r.returncode, r.stdout.strip()) == (0, "K7-19QX"), r.stderr


def test_run_with_the_default_model(venv: dict[str, Path]) -> None:
    context = _shipped(venv, "needle/context.txt")
    r = _rlm(venv, "run", "What is the access code of badge 4820?", "--input",
             f"context=@{context}", "--json", timeout=600)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["status"] == "answered" and "K7-19QX" in str(out["answer"])
    assert (venv["work"] / out["log"]).is_file()


def test_a_plugin_built_from_a_renamed_copy_of_the_example(venv: dict[str, Path]) -> None:
    copy = venv["root"] / "my-greeter"
    shutil.copytree(_shipped(venv, "plugin-hello"), copy)
    (copy / "rlm_hello").rename(copy / "greeter_tools")
    project = (copy / "pyproject.toml").read_text()
    project = project.replace('name = "rlm-hello"', 'name = "my-greeter"')
    project = project.replace('"rlm_hello"', '"greeter_tools"')
    (copy / "pyproject.toml").write_text(project)
    r = _sh(venv["python"], "-m", "pip", "install", "--no-deps", "--no-index", "-q",
            "--no-build-isolation", "--disable-pip-version-check", copy, cwd=venv["root"],
            env=_env(venv))
    assert r.returncode == 0, r.stdout + r.stderr
    r = _rlm(venv, "tools", "--json", "--kind", "plugin")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert [(t["name"], t["origin"]) for t in json.loads(r.stdout)] == [
        ("hello.greet", "plugin:my-greeter")]
    script = venv["work"] / "hi.rlm"
    script.write_text('submit(hello.greet("Ada"))\n')
    r = _rlm(venv, "exec", script)
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, "Hello, Ada!", ""), r.stderr
