"""`rlm check` and `rlm fmt` as a user runs them: real subprocesses, exit codes,
JSON output, and never a traceback for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
VALID = 'n = len("abc")\nprint(str(n))\nsubmit("done")\n'


def rlm(*args: str, stdin: bytes | None = None, cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([sys.executable, "-m", "rlmlang.cli", *args], input=stdin,
                       capture_output=True, timeout=60, cwd=cwd)
    out = subprocess.CompletedProcess(p.args, p.returncode, p.stdout.decode("utf-8"),
                                      p.stderr.decode("utf-8"))
    assert "Traceback" not in out.stderr, out.stderr
    return out


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "ok": tmp_path / "ok.rlm",
        "ok2": tmp_path / "ok2.rlm",
        "bad": tmp_path / "bad.rlm",
        "binary": tmp_path / "blob.rlm",
    }
    paths["ok"].write_text(VALID)
    paths["ok2"].write_text("x = 1\nsubmit(str(x))\n")
    paths["bad"].write_text('x = 1\nif x > 0\n    print("big")\n')
    paths["binary"].write_bytes(b"\x00\x01\x02")
    return paths


def test_check_all_valid_exits_0(files: dict[str, Path]) -> None:
    p = rlm("check", str(files["ok"]), str(files["ok2"]))
    assert p.returncode == 0, p.stderr
    assert "2 of 2" in p.stderr


def test_check_shows_the_warnings_of_a_valid_script(tmp_path: Path) -> None:
    f = tmp_path / "late.rlm"
    f.write_text('submit("a")\nprint("never")\n')
    p = rlm("check", str(f))
    assert p.returncode == 0 and "1 of 1" in p.stderr
    assert "late.rlm:2:1: warning E_SYNTAX: this statement can never run" in p.stderr


def test_check_any_invalid_exits_1_with_location_caret_and_fix(files: dict[str, Path]) -> None:
    p = rlm("check", str(files["ok"]), str(files["bad"]))
    assert p.returncode == 1
    assert f"{files['bad']}:2:9: error E_SYNTAX: expected ':' after the if header" in p.stderr
    assert "    if x > 0\n" in p.stderr and "^" in p.stderr
    assert "fix: end the if line with ':'" in p.stderr
    assert "1 of 2" in p.stderr


def test_check_binary_and_missing_files_exit_1(files: dict[str, Path], tmp_path: Path) -> None:
    p = rlm("check", str(files["binary"]), str(tmp_path / "nope.rlm"))
    assert p.returncode == 1
    assert "E_INPUT" in p.stderr and "binary" in p.stderr and "cannot read" in p.stderr


@pytest.mark.parametrize("args", [["check"], ["check", "--no-such-flag", "x.rlm"], []])
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert rlm(*args).returncode == 2


def test_check_json(files: dict[str, Path]) -> None:
    p = rlm("check", "--json", str(files["ok"]), str(files["bad"]), str(files["binary"]))
    assert p.returncode == 1
    items = json.loads(p.stdout)
    assert isinstance(items, list) and len(items) == 2
    for item in items:
        assert {"code", "file", "line", "col", "message"} <= set(item)
    syntax = next(i for i in items if i["code"] == "E_SYNTAX")
    assert (syntax["file"], syntax["line"], syntax["col"]) == (str(files["bad"]), 2, 9)
    assert rlm("check", "--json", str(files["ok"])).stdout.strip() == "[]"


def test_check_stdin() -> None:
    assert rlm("check", "-", stdin=VALID.encode()).returncode == 0
    p = rlm("check", "--json", "-", stdin=b"x = lambda y: y\n")
    assert p.returncode == 1
    assert json.loads(p.stdout)[0]["file"] == "<stdin>"


def test_check_every_golden_error_file_exits_1_without_traceback() -> None:
    errors = sorted(str(p) for p in GOLDEN.glob("err_*.rlm"))
    p = rlm("check", "--json", *errors)
    assert p.returncode == 1
    flagged = {d["file"] for d in json.loads(p.stdout)}
    assert flagged == set(errors)


# ------------------------------------------------------------------------ fmt


def test_fmt_prints_canonical_and_is_idempotent(tmp_path: Path) -> None:
    messy = tmp_path / "messy.rlm"
    messy.write_text("x=1+2*(3)\nif x>1 :\n  y=[1,2 ,3]\n  print( str(y) )\n")
    first = rlm("fmt", str(messy))
    assert first.returncode == 0
    assert first.stdout == "x = 1 + 2 * 3\nif x > 1:\n    y = [1, 2, 3]\n    print(str(y))\n"
    again = tmp_path / "again.rlm"
    again.write_text(first.stdout)
    assert rlm("fmt", str(again)).stdout == first.stdout
    assert rlm("fmt", "--check", str(again)).returncode == 0
    assert rlm("fmt", "--check", str(messy)).returncode == 1


def test_fmt_is_idempotent_on_every_valid_golden(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    # In-process (the same main() the console script calls): one subprocess per file
    # would cost a second of imports each.
    from rlmlang.cli import main

    for src in sorted(GOLDEN.glob("valid_*.rlm")):
        assert main(["fmt", str(src)]) == 0
        once = tmp_path / src.name
        once.write_text(capsys.readouterr().out)
        assert main(["fmt", "--check", str(once)]) == 0, src.name
        assert main(["fmt", str(once)]) == 0
        assert capsys.readouterr().out == once.read_text()


def test_fmt_check_sees_crlf_and_bom(tmp_path: Path) -> None:
    f = tmp_path / "crlf.rlm"
    f.write_bytes(b"x = 1\r\n")
    assert rlm("fmt", "--check", str(f)).returncode == 1
    f.write_bytes(b"\xef\xbb\xbfx = 1\n")
    assert rlm("fmt", "--check", str(f)).returncode == 1
    f.write_bytes(b"x = 1\n")
    assert rlm("fmt", "--check", str(f)).returncode == 0


def test_fmt_write_keeps_comments_and_drops_them_when_told(tmp_path: Path) -> None:
    f = tmp_path / "c.rlm"
    f.write_text('x=1  # keep me\ns = "# not a comment"\n')
    assert rlm("fmt", "-w", str(f)).returncode == 0
    assert f.read_text() == 'x = 1  # keep me\ns = "# not a comment"\n'
    assert rlm("fmt", "--check", str(f)).returncode == 0
    assert rlm("fmt", "--check", "--drop-comments", str(f)).returncode == 1
    assert rlm("fmt", "-w", "--drop-comments", str(f)).returncode == 0
    assert f.read_text() == 'x = 1\ns = "# not a comment"\n'


def test_fmt_check_on_a_commented_file(tmp_path: Path) -> None:
    # The case: --check failed on every file with a comment.
    f = tmp_path / "c.rlm"
    f.write_text("# top\nx = 1  # trailing\n# before submit\nsubmit(x)\n")
    p = rlm("fmt", str(f))
    assert (p.returncode, p.stdout) == (0, f.read_text())
    assert rlm("fmt", "--check", str(f)).returncode == 0
    g = tmp_path / "g.rlm"
    g.write_text("# top\nx=1 # trailing\nsubmit(x)\n")
    p = rlm("fmt", "--check", str(f), str(g))
    assert p.returncode == 1
    assert p.stderr == f"{g}: not in canonical form (rlm fmt -w {g} rewrites it)\n"


def test_fmt_write_is_atomic_and_keeps_the_files_mode(tmp_path: Path) -> None:
    f = tmp_path / "m.rlm"
    f.write_text("x=1 # one\n")
    f.chmod(0o640)
    link = tmp_path / "link.rlm"
    link.symlink_to(f.name)
    assert rlm("fmt", "-w", str(link)).returncode == 0
    assert link.is_symlink() and f.read_text() == "x = 1  # one\n"
    assert f.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.rlm", "m.rlm"]  # no temp left
    before = f.stat().st_mtime_ns
    assert rlm("fmt", "-w", str(f)).returncode == 0  # canonical already: not rewritten
    assert f.stat().st_mtime_ns == before


def test_fmt_invalid_file_exits_1_with_diagnostic(files: dict[str, Path]) -> None:
    p = rlm("fmt", str(files["bad"]), str(files["binary"]))
    assert p.returncode == 1
    assert "E_SYNTAX" in p.stderr and "E_INPUT" in p.stderr
    assert p.stdout == ""
