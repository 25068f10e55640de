"""Plugins by entry point: the example package installed with pip, and broken plugins."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from rlmlang.tools import default_registry
from rlmlang.tools.plugins import add_plugins
from rlmlang.tools.registry import Registry

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "plugin-hello"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin pip-installed (offline, no build isolation) into a fresh target."""
    target = tmp_path_factory.mktemp("site")
    src = tmp_path_factory.mktemp("src") / "plugin-hello"
    shutil.copytree(EXAMPLE, src, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                        "--no-build-isolation", "--disable-pip-version-check", "--quiet",
                        "--target", str(target), str(src)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert (target / "rlm_hello").is_dir()
    return target


def _env(site: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    return env


def _rlm(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rlmlang.cli", *args], capture_output=True,
                          text=True, env=_env(site), cwd=REPO, timeout=120)


def test_the_installed_plugin_is_listed_and_runs(installed: Path, tmp_path: Path) -> None:
    r = _rlm(installed, "tools", "--json", "--kind", "plugin")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [(t["name"], t["origin"], t["signature"]) for t in rows] == [
        ("hello.greet", "plugin:rlm-hello", "hello.greet(name: str) -> str")]
    script = tmp_path / "hi.rlm"
    script.write_text('submit(hello.greet("Ada"))\n')
    r = _rlm(installed, "exec", str(script))
    assert r.returncode == 0 and r.stdout.strip() == "Hello, Ada!", r.stderr
    r = _rlm(installed, "doc", "hello.greet")
    assert r.returncode == 0 and "A friendly greeting" in r.stdout


def test_in_process_discovery(installed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(installed))
    import importlib

    importlib.invalidate_caches()
    reg = default_registry()
    spec = reg.get("hello.greet")
    assert spec is not None and spec.origin == "plugin:rlm-hello"
    assert spec.impl("Bo") == "Hello, Bo!"


def _fake_dist(site: Path, name: str, entry: str, module: str, code: str) -> None:
    (site / f"{module}.py").write_text(code)
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"  # the wheel spelling
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[rlmlang.tools]\n{entry}\n")


def test_broken_plugins_are_coded_diagnostics_and_skipped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dist(tmp_path, "rlm-broken", "broken = rlm_broken:tools", "rlm_broken",
               "raise ImportError('missing dependency frobnicate')\n")
    _fake_dist(tmp_path, "rlm-wrong", "wrong = rlm_wrong:tools", "rlm_wrong",
               "def tools():\n    return 42\n")
    _fake_dist(tmp_path, "rlm-clash", "clash = rlm_clash:tools", "rlm_clash",
               "from rlmlang.tools import default_registry\n"
               "def tools():\n    return default_registry(False, False, False).get('len')\n")
    _fake_dist(tmp_path, "rlm-empty", "empty = rlm_empty", "rlm_empty", "X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = Registry()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no Python warning: diagnostics
        first = Registry([default_registry(False, False, False).get("len")])
        problems = add_plugins(first)
        add_plugins(reg)
    assert problems == first.problems
    assert all(d.code == "E_PLUGIN" and d.severity == "warning" for d in problems)
    by = {d.data["distribution"]: d for d in problems}
    assert "missing dependency frobnicate" in by["rlm-broken"].message
    assert "expected a module or function decorated with @rlmlang.tool" in \
        by["rlm-wrong"].message
    assert "already provided by builtin" in by["rlm-clash"].message
    assert "has no function decorated with @rlmlang.tool" in by["rlm-empty"].message
    assert by["rlm-broken"].render().startswith(
        "plugin:rlm-broken: warning E_PLUGIN: plugin 'rlm-broken' (entry point broken = "
        "rlm_broken:tools): could not be loaded and is left out: ImportError: ")
    assert reg.get("len") is not None and reg.get("len").origin == "plugin:rlm-clash"


def test_a_module_entry_point_brings_every_decorated_function(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dist(tmp_path, "rlm-two", "two = rlm_two", "rlm_two",
               "import rlmlang\n"
               "@rlmlang.tool(name='two.up')\ndef up(s: str) -> str:\n"
               "    \"\"\"Upper case.\"\"\"\n    return s.upper()\n"
               "@rlmlang.tool(name='two.n', permission='two.count')\ndef n() -> int:\n"
               "    \"\"\"A number.\"\"\"\n    return 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = Registry()
    assert add_plugins(reg) == []
    assert [(s.name, s.origin, s.effect) for s in reg.specs()] == [
        ("two.n", "plugin:rlm-two", True), ("two.up", "plugin:rlm-two", False)]


def test_cli_reports_plugin_problems(tmp_path: Path) -> None:
    _fake_dist(tmp_path, "rlm-broken", "broken = rlm_broken:tools", "rlm_broken",
               "raise RuntimeError('boom')\n")
    r = _rlm(tmp_path, "tools", "--json")
    assert r.returncode == 0
    assert "plugin 'rlm-broken'" in r.stderr and "boom" in r.stderr
    assert "E_PLUGIN" in r.stderr and "Warning" not in r.stderr
    assert any(t["name"] == "find_line" for t in json.loads(r.stdout))
    script = tmp_path / "ok.rlm"
    script.write_text('submit("fine")\n')
    for command in (["exec", str(script)], ["check", str(script)]):
        r = _rlm(tmp_path, *command)
        assert r.returncode == 0, r.stderr
        assert r.stderr.startswith("plugin:rlm-broken: warning E_PLUGIN: plugin 'rlm-broken'")
        assert "Warning" not in r.stderr and "Traceback" not in r.stderr
