"""Escapes: what a policy forbids, a script cannot do, whatever it writes.

Each class of escape from issue 15 is here with the issue's own example and
several variants: host names in other spellings past a deny rule, declared
caps that no tool enforced, file kinds and links the grant cannot vouch for,
and tool calls of nested runs missing from the log.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from tools_helpers import spec

from rlmlang.policy import Policy, PolicyError
from rlmlang.tools.context import ToolContext, ToolFailure, invoke

LOOPBACK_SPELLINGS = [
    "127.1", "2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1", "127.000.000.001",
    "127.0.0.2", "localhost", "LOCALHOST.", "sub.localhost", "[::ffff:127.0.0.1]", "[::1]",
    "0.0.0.0", "0", "127.0.0.1.",
]


def net_ctx(allow: list[str], deny: list[str], root: Path | str = ".") -> ToolContext:
    return ToolContext(policy=Policy.from_rules(allow, deny, root))


# --------------------------------------------------------------------------- hosts


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_every_spelling_of_a_denied_host_is_denied(host: str, server: int,
                                                   hits: list[str]) -> None:
    ctx = net_ctx(["net:*"], ["net:127.0.0.1"])
    with pytest.raises(ToolFailure) as e:
        invoke(ctx, spec("http.get"), [f"http://{host}:{server}/ok"])
    assert e.value.code == "E_DENIED", e.value.message
    assert hits == []  # the server was never reached


@pytest.mark.parametrize("deny", ["net:localhost", "net:[::1]", "net:127.0.0.1", "net:127.9.9.9",
                                  "net:0.0.0.0", "net:LocalHost."])
def test_a_deny_rule_on_any_loopback_spelling_denies_them_all(deny: str, server: int) -> None:
    p = Policy.from_rules(["net:*"], [deny], ".")
    for host in LOOPBACK_SPELLINGS:
        assert p.check("net", f"{host}:{server}").code == "E_DENIED", (deny, host)
    assert p.check("net", "example.com").allowed


def test_a_port_scoped_deny_rule_keeps_its_port() -> None:
    p = Policy.from_rules(["net:*"], ["net:localhost:8080"], ".")
    assert p.check("net", "127.1:8080").code == "E_DENIED"
    assert p.check("net", "127.1:08080").code == "E_DENIED"  # ports are canonical too
    assert p.check("net", "127.1:9090").allowed


def test_other_addresses_in_other_spellings() -> None:
    p = Policy.from_rules(["net:*"], ["net:10.1.2.3", "net:[2001:db8::1]"], ".")
    for host in ["10.1.2.3", "10.1.515", "10.66051", "167838211", "0xa.1.2.3", "012.1.2.3",
                 "[::ffff:10.1.2.3]", "[::ffff:a01:203]"]:
        assert p.check("net", host).code == "E_DENIED", host
    for host in ["[2001:DB8::1]", "[2001:db8:0:0:0:0:0:1]", "[2001:0db8::0001]"]:
        assert p.check("net", host).code == "E_DENIED", host
    assert p.check("net", "10.1.2.4").allowed


def test_idna_names_are_compared_in_ascii() -> None:
    p = Policy.from_rules(["net:*"], ["net:xn--bcher-kva.example"], ".")
    assert p.check("net", "bücher.example").code == "E_DENIED"
    assert p.check("net", "BÜCHER.example.").code == "E_DENIED"
    assert parse_host_rule("net:bücher.example") == "net:xn--bcher-kva.example"


def parse_host_rule(text: str) -> str:
    return Policy.from_rules([text], [], ".").allow[0].text


@pytest.mark.parametrize("host", ["1.2.3.4.5", "example.123", "0x1g.1", "256.1.1.1.1",
                                  "4294967296", "[::1%eth0]", "a..b", "[::1"])
def test_hosts_that_are_not_hosts_are_refused(host: str) -> None:
    d = Policy.from_rules(["net:*"], [], ".").check("net", host)
    assert d.code == "E_PERMISSION" and "refused" in d.reason, (host, d)


def test_a_name_that_resolves_to_a_denied_address_is_refused(
        server: int, hits: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):  # an attacker's DNS: an innocent name, inside
        if host == "innocent.example":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    ctx = net_ctx(["net:*"], ["net:127.0.0.1"])
    with pytest.raises(ToolFailure) as e:
        invoke(ctx, spec("http.get"), [f"http://innocent.example:{server}/ok"])
    assert e.value.code == "E_DENIED" and "resolves to 127.0.0.1" in e.value.message
    assert hits == []
    # The same name without the deny rule connects to the address it was checked at.
    assert invoke(net_ctx(["net:innocent.example"], []), spec("http.get"),
                  [f"http://innocent.example:{server}/ok"]) == "reached\n"


def test_the_verifier_refuses_other_spellings_of_a_literal_host(server: int) -> None:
    from rlmlang.pipeline import CheckOptions, analyze_source

    opts = CheckOptions(policy=Policy.from_rules(["net:*"], ["net:127.0.0.1"], "."))
    for host in ["127.1", "localhost", "2130706433", "[::ffff:127.0.0.1]"]:
        a = analyze_source(f'submit(http.get("http://{host}:{server}/"))', "<t>", opts)
        assert [d.code for d in a.diagnostics] == ["E_DENIED"], (host, a.diagnostics)


def test_the_verifier_refuses_an_unknown_host_part_that_could_be_another_spelling() -> None:
    from rlmlang.policy import SymbolicPiece

    p = Policy.from_rules(["net:*"], ["net:127.0.0.1"], ".")
    for pieces in ([SymbolicPiece("segment", "a"), ".1:8080"], ["127.", SymbolicPiece("any")],
                   [SymbolicPiece("any", "h")], ["local", SymbolicPiece("segment", "x")]):
        v = p.check_symbolic("net", pieces)
        assert v.status == "refuted", (pieces, v)
        assert not p.check("net", v.counterexample).allowed or v.code == "E_PERMISSION"


def test_issue_example_through_rlm_exec(tmp_path: Path, server: int, hits: list[str]) -> None:
    from rlm_cli import rlm_here

    for host in ["127.1", "localhost", "2130706433"]:
        script = tmp_path / "get.rlm"
        script.write_text(f'submit(http.get("http://{host}:{server}/"))\n')
        args = ["exec", str(script), "--allow", "net:*", "--deny", "net:127.0.0.1"]
        p = subprocess.run([sys.executable, "-m", "rlmlang.cli", *args], capture_output=True,
                           text=True, timeout=60, cwd=tmp_path) if host == "127.1" else \
            rlm_here(*args, cwd=tmp_path)
        assert p.returncode == 1 and "E_DENIED" in p.stderr, p.stderr
        assert "Traceback" not in p.stderr
    assert hits == []


# --------------------------------------------------------------------------- caps


def fs_ctx(root: Path, allow: list[str], deny: list[str] = ()) -> ToolContext:
    return ToolContext(policy=Policy.from_rules(allow, list(deny), root), root=root)


def test_issue_example_fs_write_byte_cap(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    ctx = fs_ctx(tmp_path, ["fs.write:out/**", "fs.write:bytes=1000"])
    with pytest.raises(ToolFailure) as e:
        invoke(ctx, spec("fs.write"), ["out/capped.txt", "x" * 100000])
    assert e.value.code == "E_PERMISSION" and "fs.write:bytes=1000" in e.value.message
    assert not (tmp_path / "out" / "capped.txt").exists()


def test_byte_caps_count_over_the_whole_script(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    ctx = fs_ctx(tmp_path, ["fs.write:out/**", "fs.write:bytes=1000"])
    invoke(ctx, spec("fs.write"), ["out/a.txt", "x" * 600])
    with pytest.raises(ToolFailure, match="1200 of 1000"):
        invoke(ctx, spec("fs.write"), ["out/b.txt", "y" * 600])
    assert (tmp_path / "out" / "a.txt").stat().st_size == 600
    assert not (tmp_path / "out" / "b.txt").exists()
    # bytes, not characters: 400 three-byte characters are 1,200 bytes
    with pytest.raises(ToolFailure):
        invoke(fs_ctx(tmp_path, ["fs.write:out/**", "fs.write:bytes=1000"]), spec("fs.write"),
               ["out/c.txt", "€" * 400])


def test_fs_read_byte_cap(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_text("a" * 800)
    ctx = fs_ctx(tmp_path, ["fs.read:data/**", "fs.read:bytes=1000"])
    assert len(invoke(ctx, spec("fs.read"), ["data/a.txt"])) == 800
    with pytest.raises(ToolFailure, match="more than the 200 left of the cap fs.read:bytes=1000"):
        invoke(ctx, spec("fs.read"), ["data/a.txt"])


def test_net_byte_cap(server: int) -> None:
    ctx = net_ctx(["net:127.0.0.1", "net:bytes=10"], [])
    assert invoke(ctx, spec("http.get"), [f"http://127.0.0.1:{server}/ok"]) == "reached\n"
    with pytest.raises(ToolFailure, match="net:bytes=10"):
        invoke(ctx, spec("http.get"), [f"http://127.0.0.1:{server}/ok"])


def test_llm_call_cap_is_shared_with_nested_runs() -> None:
    """Two llm.run calls whose nested scripts each call llm.predict twice: 6 calls, cap 2."""
    pol = Policy.from_rules(["llm", "llm:calls=2"], [], ".")
    made: list[str] = []

    def predict(prompt, snippets, as_type):
        made.append(prompt)
        return "answer"

    refused: list[str] = []

    def nested_run(task, inputs):  # what the controller does: a fresh context per script
        child = ToolContext(policy=pol, llm=predict)
        for _ in range(2):
            try:
                invoke(child, spec("llm.predict"), ["q"], {"text": "t"})
            except ToolFailure as e:  # the nested script's VM reports it as its error
                refused.append(e.message)
        return "done"

    parent = ToolContext(policy=pol, llm=predict, llm_run=nested_run)
    invoke(parent, spec("llm.run"), ["sub-task"], {"text": "t"})  # call 1; its child: 2, 3
    assert len(made) == 1 and len(refused) == 1  # the child's second call was the third
    with pytest.raises(ToolFailure, match="llm:calls=2"):
        invoke(parent, spec("llm.run"), ["again"], {"text": "t"})
    assert len(made) == 1


def test_caps_that_no_tool_enforces_are_refused() -> None:
    for rule in ["fs.write:files=3", "net:calls=5", "llm:seconds=9", "fs.list:bytes=1",
                 "clock:calls=1"]:
        with pytest.raises(PolicyError, match="has no cap"):
            Policy.from_rules([rule], [], ".")
    Policy.from_rules(["llm:tokens=5000", "fs.read:bytes=1", "net:bytes=1"], [], ".")


# --------------------------------------------------------------------------- files


def test_a_symlink_refused_at_run_time_is_e_permission(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "secret.txt").write_text("s")
    (tmp_path / "data" / "link.txt").symlink_to(tmp_path / "secret.txt")
    ctx = fs_ctx(tmp_path, ["fs.read:data/**"])
    with pytest.raises(ToolFailure) as e:
        invoke(ctx, spec("fs.read"), ["data/link.txt"])
    assert e.value.code == "E_PERMISSION"
    assert e.value.message.startswith("fs.read: fs.read of 'data/link.txt' is refused: it "
                                      "resolves through a symbolic link to 'secret.txt'")


@pytest.mark.parametrize("tool,args", [("fs.read", ["data/hard.txt"]),
                                       ("fs.write", ["data/hard.txt", "overwritten"])])
def test_a_hard_link_inside_the_grant_is_refused(tmp_path: Path, tool: str, args: list) -> None:
    (tmp_path / "data").mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    os.link(secret, tmp_path / "data" / "hard.txt")
    ctx = fs_ctx(tmp_path, ["fs.read:data/**", "fs.write:data/**"], ["fs.read:secret.txt"])
    with pytest.raises(ToolFailure) as e:
        invoke(ctx, spec(tool), args)
    assert e.value.code == "E_PERMISSION" and "2 hard links" in e.value.message
    assert secret.read_text() == "the secret"


def test_a_hard_link_is_fine_when_the_grant_is_the_whole_file_system(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("shared")
    os.link(tmp_path / "a.txt", tmp_path / "b.txt")
    ctx = ToolContext(policy=Policy.from_rules(["fs.read"], [], "/"), root=Path("/"))
    assert invoke(ctx, spec("fs.read"), [str(tmp_path / "b.txt")]) == "shared"


def test_fifos_sockets_and_devices_are_refused_at_once(tmp_path: Path) -> None:
    import time

    (tmp_path / "data").mkdir()
    os.mkfifo(tmp_path / "data" / "pipe")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "data" / "sock"))
    names = ["pipe", "sock"]
    try:
        os.mknod(tmp_path / "data" / "zero", 0o644 | 0o020000, os.makedev(1, 5))
        names.append("zero")
    except (PermissionError, OSError):
        pass  # no CAP_MKNOD here; the FIFO and the socket still cover the class
    ctx = fs_ctx(tmp_path, ["fs.read:data/**", "fs.write:data/**"])
    for name in names:
        for tool, args in [("fs.read", [f"data/{name}"]), ("fs.write", [f"data/{name}", "x"])]:
            t = time.monotonic()
            with pytest.raises(ToolFailure) as e:
                invoke(ctx, spec(tool), args)
            assert time.monotonic() - t < 2, (tool, name)
            assert "not a regular file" in e.value.message, e.value.message
    sock.close()


# --------------------------------------------------------------------------- logging


NESTED_PARENT = 'submit(llm.run("Read the notes file.", text="x"))'
NESTED_CHILD = 't = fs.read("data/notes.txt")\nsubmit(find_line(t[:4000], "code"))'


def test_tool_calls_of_nested_runs_are_in_the_run_log(tmp_path: Path) -> None:
    from fakes import FakeModel

    from rlmlang.audit.core import audit_log, replay_log
    from rlmlang.controller.loop import Runtime

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notes.txt").write_text("intro\nthe code is 42\n")
    policy = Policy.from_rules(["fs.read:data/**", "llm"], [], tmp_path)
    rt = Runtime(FakeModel([NESTED_PARENT, NESTED_CHILD]), grammar=False, policy=policy,
                 log_path=tmp_path / "run.log", budgets={"candidates": 1, "iterations": 2},
                 root=tmp_path)
    out = rt.run("context: str, question: str -> answer: str", "What is the code?",
                 context="nothing here")
    assert out.ok and out.answer == "the code is 42", out
    calls = [json.loads(line)["data"] for line in (tmp_path / "run.log").read_text().splitlines()
             if json.loads(line)["kind"] == "tool_call"]
    tools = [(c["tool"], c.get("nested")) for c in calls]
    assert ("fs.read", 1) in tools and ("llm.run", None) in tools, tools
    read = next(c for c in calls if c["tool"] == "fs.read")
    assert read["args"] == ["data/notes.txt"] and "the code is 42" in read["result"]
    # The parent's replay feeds back only the parent's own calls, and still matches.
    integ, result, _ = replay_log(str(tmp_path / "run.log"))
    assert integ.intact and result is not None and result.identical, result
    assert audit_log(str(tmp_path / "run.log")).ok


def test_llm_token_cap_is_counted_by_the_model_hook(tmp_path: Path) -> None:
    """`llm:tokens=N`: the sub-model calls count what they generate; the one past N fails."""
    from fakes import FakeModel

    from rlmlang.controller.loop import Runtime

    script = ('a = llm.predict("Which word?", text="alpha beta")\n'
              'b = llm.predict("Which word?", text="gamma delta")\nsubmit(a + b)')
    policy = Policy.from_rules(["llm", "llm:tokens=3"], [], tmp_path)
    rt = Runtime(FakeModel([script], sub_answers=["alpha beta", "gamma delta"]),
                 grammar=False, policy=policy, log_path=tmp_path / "run.log",
                 budgets={"candidates": 1, "iterations": 1}, root=tmp_path)
    out = rt.run("context: str, question: str -> answer: str", "Which?", context="x")
    assert not out.ok
    calls = [json.loads(line)["data"] for line in (tmp_path / "run.log").read_text().splitlines()
             if json.loads(line)["kind"] == "tool_call"]
    assert [c.get("code") for c in calls] == [None, "E_PERMISSION"], calls
    assert "llm:tokens=3" in calls[1]["error"]
