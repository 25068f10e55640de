"""Every `rlm` subcommand, fed the faults of issue 15, answers with a coded error.

The scan: each command below runs against a missing file, a directory where
a file belongs, binary junk, JSON nested past the parser's limit, a damaged
store, an unusable key, log or policy path, and so on. None may print a
Python traceback, and each failure must name a stable code (`E_...`) or be
an argparse usage error (exit 2). Most run in this process (fast); one per
subcommand runs as a real `rlm` process, where stdout's encoding is real.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from faultlib import make_run
from rlm_cli import has_traceback, rlm, rlm_here

CODE = re.compile(r"\bE_[A-Z_]+\b")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of faults to feed the commands."""
    w = tmp_path_factory.mktemp("faults")
    make_run(w / "good")
    (w / "adir").mkdir()
    (w / "afile").write_text("not a directory\n")
    (w / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (w / "latin1.rlm").write_bytes("submit(\"caf\xe9\")\n".encode("latin-1"))
    (w / "deep.rlm").write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\nsubmit(x)\n")
    (w / "deep.log").write_bytes(b"[" * 200_000 + b"\n")
    (w / "garbage.log").write_bytes(b"hello\x00world\n")
    (w / "garbage.state").write_bytes(b"not sqlite\n" * 50)
    (w / "url.rlm").write_text('submit(http.get("http://[::1/x"))\n')
    (w / "surrogate.rlm").write_text('s = json_decode("\\"\\\\ud800\\"") as str\n'
                                     "print(s)\nsubmit(s)\n")
    (w / "ok.rlm").write_text('submit("ok")\n')
    (w / "bad.toml").write_text("[policy\nallow = 3\n")
    (w / "empty.key").write_text("")
    return w


def _ok(p, command: list[str]) -> None:
    assert not has_traceback(p), (command, p.stderr[-2000:])
    if p.returncode not in (0, 2):
        assert CODE.search(p.stdout + p.stderr), (command, p.stdout[-500:], p.stderr[-500:])


CASES: dict[str, list[list[str]]] = {
    "check": [["check", "missing.rlm"], ["check", "adir"], ["check", "binary.bin"],
              ["check", "latin1.rlm"], ["check", "deep.rlm"], ["check", "url.rlm",
                                                               "--allow", "net:*"],
              ["check", "ok.rlm", "--policy", "bad.toml"], ["check", "ok.rlm", "--policy",
                                                             "adir"],
              ["check", "ok.rlm", "--allow", "fs.read:../x"], ["check", "ok.rlm", "--allow",
                                                                "net:[::1"]],
    "fmt": [["fmt", "missing.rlm"], ["fmt", "adir"], ["fmt", "binary.bin"],
            ["fmt", "deep.rlm"]],
    "exec": [["exec", "missing.rlm"], ["exec", "adir"], ["exec", "url.rlm", "--allow", "net:*"],
             ["exec", "ok.rlm", "--state", "adir"], ["exec", "ok.rlm", "--state",
                                                     "garbage.state"],
             ["exec", "ok.rlm", "--state", "afile/s.db"], ["exec", "ok.rlm", "--input",
                                                           "x=@missing.txt"],
             ["exec", "ok.rlm", "--input", "x=@adir"], ["exec", "surrogate.rlm", "--json"],
             ["exec", "ok.rlm", "--policy", "missing.toml"]],
    "models": [["models", "--check", "missing.gguf"], ["models", "--check", "binary.bin"],
               ["models", "--check", "adir"]],
    "grammar": [["grammar", "--value", "list["], ["grammar", "--output", "dict[int"],
                ["grammar", "--tools", "no.such.tool"]],
    "tools": [["tools", "--kind", "nonsense"], ["tools", "--json", "--no-plugins"]],
    "doc": [["doc", "no.such.tool"], ["doc", ""]],
    "audit": [["audit", "missing.log"], ["audit", "adir"], ["audit", "binary.bin"],
              ["audit", "deep.log"], ["audit", "garbage.log"], ["audit", "good/run.log",
                                                                "--state", "garbage.state"],
              ["audit", "good/run.log", "--state", "adir"], ["audit", "good/run.log",
                                                             "--policy", "bad.toml"],
              ["audit", "good/run.log", "--hmac-key-file", "empty.key"],
              ["audit", "good/run.log", "--hmac-key-file", "adir"],
              ["audit", "good/run.log", "--html", "adir"], ["audit", "good/run.log",
                                                            "--html", "afile/x.html"],
              ["audit", "good/run.log", "--replay", "--json"]],
    "replay": [["replay", "missing.log"], ["replay", "adir"], ["replay", "deep.log"],
               ["replay", "garbage.log"], ["replay", "good/run.log", "--state",
                                           "garbage.state"],
               ["replay", "good/run.log", "--state", "missing.state"],
               ["replay", "good/run.log", "--hmac-key-file", "missing.key"]],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_subcommand_under_every_fault(world: Path, name: str) -> None:
    for command in CASES[name]:
        _ok(rlm_here(*command, cwd=world), command)


RUN = ["run", "What?", "--input", "context=abc", "--free", "--budget", "candidates=1"]
RUN_CASES = [
    ["--log", "adir"], ["--log", "afile/r.log"], ["--log", "good/run.log"],
    ["--log", "k.log", "--hmac-key-file", "missing.key"],
    ["--log", "k2.log", "--hmac-key-file", "empty.key"], ["--log", "s.log", "--state", "adir"],
    ["--log", "g.log", "--state", "garbage.state"], ["--log", "i.log", "--input",
                                                      "extra=@missing.txt"],
    ["--log", "p.log", "--policy", "bad.toml"], ["--log", "b.log", "--budget", "fuel=-1"],
]
RESUME_CASES = [["--resume", "missing.log"], ["--resume", "adir"], ["--resume", "deep.log"],
                ["--resume", "garbage.log"], ["--resume", "good/run.log"],
                ["--resume", "binary.bin"]]


def test_rlm_run_as_a_process(world: Path) -> None:
    for extra in (["--log", "afile/r.log"], ["--resume", "deep.log"]):
        _ok(rlm(*RUN, *extra, cwd=world, scripts=['submit("a")'], timeout=60), extra)


def test_rlm_run_in_process_under_every_fault(world: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from fakes import FakeModel

    import rlmlang.backend.llama as llama

    monkeypatch.setattr(llama, "LlamaBackend", lambda *a, **k: FakeModel(['submit("a")']))
    for extra in RUN_CASES:
        _ok(rlm_here(*RUN, *extra, cwd=world), extra)
    for extra in RESUME_CASES:
        _ok(rlm_here("run", *extra, cwd=world), extra)


@pytest.mark.parametrize("command", [
    ["check", "deep.rlm"], ["exec", "surrogate.rlm"], ["exec", "surrogate.rlm", "--json"],
    ["audit", "deep.log"], ["replay", "good/run.log", "--state", "garbage.state"],
    ["fmt", "binary.bin"], ["doc", "no.such.tool"], ["models", "--check", "binary.bin"]])
def test_real_processes_print_no_traceback(world: Path, command: list[str]) -> None:
    _ok(rlm(*command, cwd=world, timeout=60), command)
