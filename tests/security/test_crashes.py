"""Crashes: every failure a user can cause is a coded error, never a Python traceback.

The issue's examples, each with variants: URLs that Python's parser refuses,
lone surrogates (which a Python string holds and UTF-8 cannot) at every
boundary, JSON nested deeper than the parser follows in logs and stores,
unusable paths, and a model that fails mid-run (whose log must still end).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from rlm_cli import has_traceback, rlm, rlm_here

from rlmlang.diagnostics import DiagnosticError
from rlmlang.runlog import LogWriter, check_chain, read_events
from rlmlang.store import StateError, StateStore

FREE = ["--free", "--budget", "candidates=1", "--budget", "iterations=1"]
SURROGATE = 's = json_decode("\\"\\\\ud800\\"") as str\nprint(s)\n'


# --------------------------------------------------------------------------- URLs


@pytest.mark.parametrize("url", ["http://[::1/x", "http://[::1", "https://[zz::1]/",
                                 "http://[::1]:99999/", "http://a:b:c/"])
def test_urls_python_cannot_parse_are_coded_under_check_and_exec(
        url: str, tmp_path: Path) -> None:
    script = tmp_path / "u.rlm"
    script.write_text(f'submit(http.get("{url}"))\n')
    for cmd in (["check", str(script), "--allow", "net:*"],
                ["exec", str(script), "--allow", "net:*"]):
        p = (rlm if url == "http://[::1/x" else rlm_here)(*cmd, cwd=tmp_path)
        assert p.returncode == 1, (cmd, p.stderr)
        assert not has_traceback(p), p.stderr
        assert "E_PERMISSION" in p.stderr or "E_TOOL" in p.stderr, p.stderr


def test_a_bad_url_in_a_models_script_is_a_verdict_not_a_crash(tmp_path: Path) -> None:
    from fakes import FakeModel

    from rlmlang.controller.loop import Runtime
    from rlmlang.policy import Policy

    rt = Runtime(FakeModel(['submit(http.get("http://[::1/x"))']), grammar=False,
                 policy=Policy.from_rules(["net:*"], [], tmp_path),
                 log_path=tmp_path / "r.log", budgets={"candidates": 1, "iterations": 1})
    out = rt.run("context: str, question: str -> answer: str", "What?", context="abc")
    assert not out.ok
    verdict = [e for e in read_events(tmp_path / "r.log") if e["kind"] == "verdict"][0]
    assert [d["code"] for d in verdict["data"]["diagnostics"]] == ["E_PERMISSION"]
    assert check_chain(tmp_path / "r.log") == []


def test_url_resource_maps_parser_errors() -> None:
    from rlmlang.tools.errors import ToolError
    from rlmlang.tools.host.http import url_resource, url_resource_pieces

    with pytest.raises(ToolError, match="not a valid URL"):
        url_resource("http://[::1/x")
    assert url_resource("http://[::1]:8080/") == "[::1]:8080"
    assert url_resource_pieces(("http://[::1/x", object()))[0] == "http://[::1/x"


# --------------------------------------------------------------------------- surrogates


def test_a_lone_surrogate_prints_and_commits_under_exec(tmp_path: Path) -> None:
    (tmp_path / "s.rlm").write_text(SURROGATE + "state.note = s\nsubmit(s)\n")
    for extra in ([], ["--json"]):
        p = rlm("exec", "s.rlm", "--state", "st.db", "--schema", "note=str", *extra,
                cwd=tmp_path)
        assert p.returncode == 0 and not has_traceback(p), p.stderr
        assert "\\ud800" in p.stdout  # escaped on the way out, not a crash
    with StateStore(tmp_path / "st.db") as store:
        assert store.get("note") == "\ud800" and store.version == 2


def test_a_lone_surrogate_in_a_run_reaches_the_log_and_run_end(tmp_path: Path) -> None:
    script = SURROGATE + "submit(s + \"x\")"
    p = rlm("run", "What?", "--input", "context=abc", "--log", "r.log", "--json", *FREE,
            cwd=tmp_path, scripts=[script])
    assert not has_traceback(p), p.stderr
    assert check_chain(tmp_path / "r.log") == []
    events = read_events(tmp_path / "r.log")
    assert events[-1]["kind"] == "run_end"
    out = [e for e in events if e["kind"] == "output"][0]["data"]
    assert out["printed"] == "\ud800\n"  # read back exactly


def test_canonical_json_round_trips_surrogates(tmp_path: Path) -> None:
    with LogWriter(tmp_path / "a.log") as w:
        w.append("run_start", {"s": "a\ud800b", "k\udfff": ["\udc00"]})
        w.append("run_end", {})
    assert check_chain(tmp_path / "a.log") == []
    assert read_events(tmp_path / "a.log")[0]["data"] == {"s": "a\ud800b", "k\udfff": ["\udc00"]}
    raw = (tmp_path / "a.log").read_bytes()
    raw.decode("utf-8")  # valid UTF-8 on disk


def test_lone_surrogates_in_resources_are_refused_not_crashed() -> None:
    from rlmlang.policy import Policy

    p = Policy.from_rules(["fs.read:**", "net:*", "state.read:**", "foo.bar:*"], [], "/srv")
    for kind in ("fs.read", "net", "state.read", "foo.bar"):
        d = p.check(kind, "a\ud800")
        assert d.code == "E_PERMISSION" and "lone surrogate" in d.reason


# --------------------------------------------------------------------------- deep JSON


def _deep_log(path: Path, depth: int = 200_000) -> None:
    with LogWriter(path) as w:
        w.append("run_start", {"task": "t"})
    with open(path, "ab") as f:
        f.write(b'{"data":' + b"[" * depth + b"]" * depth + b',"kind":"output"}\n')


@pytest.mark.parametrize("command", ["audit", "replay"])
def test_a_deeply_nested_log_line_is_a_finding(tmp_path: Path, command: str) -> None:
    _deep_log(tmp_path / "deep.log")
    p = rlm(command, "deep.log", cwd=tmp_path)
    assert p.returncode == 1 and not has_traceback(p), p.stderr
    assert "line 2" in p.stdout + p.stderr


def test_deep_json_in_the_log_readers(tmp_path: Path) -> None:
    from rlmlang.audit.runview import parse_lines

    _deep_log(tmp_path / "deep.log")
    assert any(d.line == 2 for d in check_chain(tmp_path / "deep.log"))
    with pytest.raises(DiagnosticError, match="line 2 is not JSON"):
        read_events(tmp_path / "deep.log")
    assert len(parse_lines((tmp_path / "deep.log").read_bytes())) == 1
    with pytest.raises(DiagnosticError):
        LogWriter.resume(tmp_path / "deep.log")


@pytest.mark.parametrize("where", ["value", "schema", "meta"])
def test_a_store_holding_deep_json_is_corrupt_not_a_crash(tmp_path: Path, where: str) -> None:
    import sqlite3

    path = tmp_path / "s.db"
    with StateStore(path, {"xs": "list[str]"}) as s, s.transaction({"step": 1}) as t:
        t.set("xs", ["a"])
    deep = "[" * 100_000 + "]" * 100_000
    db = sqlite3.connect(path)
    sql = {"value": "UPDATE kv SET value = ?", "schema":
           "UPDATE store_meta SET value = ? WHERE name = 'schema'",
           "meta": "UPDATE versions SET meta = ?"}[where]
    db.execute(sql, (deep,))
    db.commit()
    db.close()
    with pytest.raises(StateError) as e:
        with StateStore(path) as s:
            s.get("xs")
            s.history()
    assert e.value.diagnostic.data["reason"] == "corrupt"


# --------------------------------------------------------------------------- paths


def test_unusable_log_paths_and_key_files_are_coded(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from fakes import FakeModel

    import rlmlang.backend.llama as llama

    monkeypatch.setattr(llama, "LlamaBackend", lambda *a, **k: FakeModel(['submit("a")']))
    (tmp_path / "somedir").mkdir()
    (tmp_path / "afile").write_text("x")
    cases = [(["--log", "somedir/"], "E_LOG"), (["--log", "afile/run.log"], "E_LOG"),
             (["--log", "x.log", "--hmac-key-file", "missing.key"], "E_USAGE"),
             (["--log", "y.log", "--hmac-key-file", "somedir"], "E_USAGE"),
             (["--log", "z.log", "--state", "somedir"], "E_STATE")]
    try:  # an unwritable place, even for root: sysfs refuses new files
        os.close(os.open("/sys/rlm-probe.log", os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except PermissionError:
        cases.append((["--log", "/sys/rlm-run.log"], "E_LOG"))
    except OSError:
        pass
    for extra, code in cases:
        p = rlm_here("run", "What?", "--input", "context=abc", *extra, *FREE, cwd=tmp_path)
        assert p.returncode in (1, 2) and code in p.stderr, (extra, p.stderr)
        assert not has_traceback(p), p.stderr
    for command in ("audit", "replay"):
        p = rlm_here(command, "somedir", cwd=tmp_path)
        assert p.returncode in (1, 2) and not has_traceback(p), p.stderr
        p = rlm_here(command, "afile", "--hmac-key-file", "missing.key", cwd=tmp_path)
        assert p.returncode == 2 and "E_USAGE" in p.stderr and not has_traceback(p)


def test_log_writer_errors_name_the_reason(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    for path, reason in [(tmp_path / "d", "directory"), (tmp_path / "d" / "x" / "y.log",
                                                          "missing")]:
        with pytest.raises(DiagnosticError) as e:
            LogWriter(path)
        assert e.value.diagnostics[0].data["reason"] == reason, e.value


# --------------------------------------------------------------------------- failed runs


def test_a_run_stopped_by_the_model_writes_error_and_run_end(tmp_path: Path) -> None:
    p = rlm("run", "What?", "--input", "context=abc", "--log", "r.log", "--free",
            "--budget", "candidates=1", cwd=tmp_path,
            scripts=["x = 1 +", 'submit("a")'], fail_after=1)
    assert p.returncode == 1 and "E_MODEL" in p.stderr and not has_traceback(p), p.stderr
    events = read_events(tmp_path / "r.log")
    assert [e["kind"] for e in events[-2:]] == ["error", "run_end"]
    assert events[-2]["data"]["code"] == "E_MODEL"
    assert events[-1]["data"]["status"] == "error"
    assert check_chain(tmp_path / "r.log") == []
    audit = rlm("audit", "r.log", cwd=tmp_path)
    assert not has_traceback(audit) and "E_MODEL" in audit.stdout


@pytest.mark.parametrize("boom", [OSError(28, "No space left on device"),
                                  RuntimeError("a bug"), KeyError("k")])
def test_any_exception_in_the_loop_still_ends_the_log(tmp_path: Path, boom: Exception,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from fakes import FakeModel

    from rlmlang.controller import loop

    def explode(*args, **kwargs):
        raise boom

    monkeypatch.setattr(loop, "execute_script", explode)
    rt = loop.Runtime(FakeModel(['submit("a")']), grammar=False, log_path=tmp_path / "r.log",
                      budgets={"candidates": 1})
    with pytest.raises(type(boom)):
        rt.run("context: str, question: str -> answer: str", "What?", context="abc")
    events = read_events(tmp_path / "r.log")
    assert [e["kind"] for e in events[-2:]] == ["error", "run_end"]
    assert events[-2]["data"]["code"] == ("E_IO" if isinstance(boom, OSError) else "E_INTERNAL")
    assert json.dumps(events[-1]["data"]["used"])  # the budgets used are kept
