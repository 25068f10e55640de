"""Tests for the permission policy: rule grammar, concrete checks, Z3 symbolic checks."""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path

import pytest
import z3

from rlmlang.policy import (
    DEFAULT_RLIMIT,
    Policy,
    PolicyError,
    SymbolicPiece,
    parse_rule,
    register_kind,
)

ROOT = "/srv/rlm"
SEG = SymbolicPiece("segment", "name")


def pol(allow: list[str], deny: list[str] = ()) -> Policy:
    return Policy.from_rules(allow, list(deny), ROOT)


# --------------------------------------------------------------------------- grammar


@pytest.mark.parametrize("text,canonical", [
    ("fs.read:data/**", "fs.read:data/**"),
    ("  fs.read : ./data//x/  ", "fs.read:data/x"),
    (f"fs.read:{ROOT}/data/*.txt", "fs.read:data/*.txt"),
    ("fs.write:out/*.md", "fs.write:out/*.md"),
    ("fs.list", "fs.list"),
    ("fs.read:.", "fs.read:**"),
    ("net:API.Example.com", "net:api.example.com"),
    ("net:*.example.com", "net:*.example.com"),
    ("net:127.0.0.1:8080", "net:127.0.0.1:8080"),
    ("net:[::1]:8080", "net:[::1]:8080"),
    ("llm", "llm"),
    ("llm:calls=20", "llm:calls=20"),
    ("llm:calls=007", "llm:calls=7"),
    ("state.write:notes.*", "state.write:notes.*"),
    ("clock", "clock"),
    ("foo.bar:some/scope", "foo.bar:some/scope"),
])
def test_rule_canonical_forms(text: str, canonical: str) -> None:
    assert parse_rule(text, root=ROOT).text == canonical


@pytest.mark.parametrize("text,deny,problem,expected", [
    ("", False, "the rule is empty", "KIND, KIND:SCOPE or KIND:KEY=N"),
    ("fs.raed:data/**", False, "unknown permission kind 'fs.raed' (did you mean 'fs.read'?)",
     "KIND, KIND:SCOPE"),
    ("nett:x.com", False, "unknown permission kind 'nett' (did you mean 'net'?)", "KIND"),
    ("Fs.Read:x", False, "'Fs.Read' is not a permission kind", "KIND"),
    ("fs.read:", False, "nothing follows ':'", "fs.read:GLOB"),
    ("fs.read:../x", False, "'..' is not allowed in a path scope", "fs.read:data/**"),
    ("fs.read:/etc/**", False, "the absolute path is outside the policy root /srv/rlm",
     "relative to the policy root"),
    ("fs.read:data/**.txt", False, "'**' must be a whole part of the pattern", "fs.read:GLOB"),
    ("fs.read:a,b", False, "one scope per rule", "fs.read:GLOB"),
    ("llm:model", False, "llm takes no scope", "llm:calls=20"),
    ("llm:calls=lots", False, "the cap calls=lots is not a whole number >= 0", "llm:calls=20"),
    ("llm:calls=-1", False, "the cap calls=-1 is not a whole number", "llm:calls=20"),
    ("llm:calls=5", True, "a deny rule cannot carry a cap", "llm:calls=20"),
    ("net:http://x.com", False, "a net scope is a host name, not a URL", "net:api.example.com"),
    ("net:a..com", False, "empty label", "net:HOST"),
    ("net:x.com:http", False, "the port 'http' is not a number", "net:HOST:PORT"),
    ("net:*:80", False, "'*' with a port", "net:HOST"),
    ("state.read:notes..x", False, "empty part", "state.read:notes.*"),
])
def test_rule_errors_name_the_rule_and_the_expected_form(
        text: str, deny: bool, problem: str, expected: str) -> None:
    with pytest.raises(PolicyError) as ei:
        Policy.from_rules([] if deny else [text], [text] if deny else [], ROOT)
    d = ei.value.diagnostic
    assert d.code == "E_USAGE"
    which = "deny" if deny else "allow"
    assert d.message.startswith(f"bad {which} rule {text!r}: ")
    assert problem in d.message
    assert d.fix is not None and d.fix.startswith("write it as ") and expected in d.fix


def test_plugin_kinds_and_registration() -> None:
    p = pol(["foo.bar:alpha*"])
    assert p.check("foo.bar", "alpha-1").allowed
    assert not p.check("foo.bar", "beta").allowed
    assert not p.check("foo.bar", "alpha/x").allowed  # '*' does not cross '/'
    register_kind("docs.fetch", "path")
    p = pol(["docs.fetch:manuals/**"])
    assert p.check("docs.fetch", "./manuals/a/b.pdf").allowed
    assert p.check("docs.fetch", "manuals/../x").code == "E_PERMISSION"
    with pytest.raises(ValueError):
        register_kind("fs.exec", "path")  # reserved namespace
    with pytest.raises(ValueError):
        register_kind("toplevel", "name")  # plugin kinds are dotted


# --------------------------------------------------------------------------- concrete


def test_deny_by_default_message_lists_the_grants() -> None:
    p = pol(["fs.read:data/**"])
    d = p.check("fs.read", "secret/key.txt")
    assert (d.allowed, d.code, d.rule) == (False, "E_PERMISSION", None)
    assert d.reason == ("fs.read of 'secret/key.txt' is not covered by any grant "
                        "(granted: fs.read:data/**)")
    assert d.fix == ("use a resource the grants cover, or ask the host for "
                     "'fs.read:secret/key.txt' (--allow fs.read:secret/key.txt)")
    assert p.check("fs.write", "data/x").reason == (
        "fs.write of 'data/x' is not covered by any grant (no fs.write grant)")
    assert pol([]).check("clock").reason == "clock is not granted (no clock grant)"


def test_deny_wins_over_allow() -> None:
    p = pol(["fs.read:data/**", "fs.read:data/secret/ok.txt"], ["fs.read:data/secret"])
    d = p.check("fs.read", "data/secret/ok.txt")
    assert (d.allowed, d.code, d.rule) == (False, "E_DENIED", "fs.read:data/secret")
    assert d.reason == ("fs.read of 'data/secret/ok.txt' matches deny rule "
                        "'fs.read:data/secret' (deny rules take precedence over grants)")
    ok = p.check("fs.read", "data/public.txt")
    assert (ok.allowed, ok.code, ok.rule) == (True, None, "fs.read:data/**")
    assert ok.reason == "fs.read of 'data/public.txt' is allowed by grant 'fs.read:data/**'"
    diag = d.to_diagnostic()
    assert diag.code == "E_DENIED" and diag.message == d.reason


def test_star_does_not_cross_slash_but_double_star_does() -> None:
    p = pol(["fs.write:out/*.md", "fs.read:data/**", "fs.read:logs/**/day-?.txt",
             "fs.read:**/README"])
    assert p.check("fs.write", "out/a.md").allowed
    assert not p.check("fs.write", "out/a/b.md").allowed
    assert not p.check("fs.write", "out/.md/").allowed or p.check("fs.write", "out/.md").allowed
    assert not p.check("fs.write", "out").allowed
    for ok in ("data", "data/x", "data/a/b/c.txt", "./data//a/./b"):
        assert p.check("fs.read", ok).allowed, ok
    assert not p.check("fs.read", "database/x").allowed
    for ok in ("logs/day-1.txt", "logs/2024/01/day-7.txt"):
        assert p.check("fs.read", ok).allowed, ok
    assert not p.check("fs.read", "logs/day-10.txt").allowed
    assert p.check("fs.read", "README").allowed and p.check("fs.read", "a/b/README").allowed
    assert not p.check("fs.read", ".").allowed


def test_a_granted_directory_covers_what_is_below_it() -> None:
    p = pol(["fs.read:docs"], ["fs.read:docs/private"])
    assert p.check("fs.read", "docs/a/b.txt").allowed
    assert p.check("fs.read", "docs/private/x").code == "E_DENIED"
    assert p.check("fs.read", "docs-old/x").code == "E_PERMISSION"


@pytest.mark.parametrize("path,problem", [
    ("data/../secret.txt", "the path has a '..' component"),
    ("../etc/passwd", "the path has a '..' component"),
    ("data/..", "the path has a '..' component"),
    ("/etc/passwd", "the absolute path is outside the policy root /srv/rlm"),
    ("/srv/rlm-other/data/x", "the absolute path is outside the policy root /srv/rlm"),
    ("/srv/rlm/data/../../x", "the path has a '..' component"),
    ("data/x\x00.txt", "the path contains a NUL character"),
])
def test_unsafe_paths_are_refused(path: str, problem: str) -> None:
    d = pol(["fs.read:**"]).check("fs.read", path)
    assert (d.allowed, d.code) == (False, "E_PERMISSION")
    assert d.reason == f"fs.read of {path!r} is refused: {problem}"


def test_absolute_path_inside_root_is_matched_relative_to_it() -> None:
    p = pol(["fs.read:data/**"])
    d = p.check("fs.read", "/srv/rlm/data/x.txt")
    assert d.allowed and d.resource == "data/x.txt"
    assert p.check("fs.read", "/srv/rlm").code == "E_PERMISSION"


def test_hosts() -> None:
    p = pol(["net:api.example.com", "net:*.cdn.example.com", "net:127.0.0.1:8080"],
            ["net:bad.cdn.example.com"])
    assert p.check("net", "api.example.com").allowed
    assert p.check("net", "API.Example.COM:443").allowed  # no port in the rule: any port
    assert not p.check("net", "sub.api.example.com").allowed  # no implicit subdomains
    assert p.check("net", "a.b.cdn.example.com").allowed
    assert not p.check("net", "cdn.example.com").allowed
    assert p.check("net", "bad.cdn.example.com:80").code == "E_DENIED"
    assert p.check("net", "127.0.0.1:8080").allowed
    assert not p.check("net", "127.0.0.1:8081").allowed
    assert not p.check("net", "127.0.0.1").allowed
    d = p.check("net", "http://api.example.com/")
    assert d.code == "E_PERMISSION" and "is not a host name" in d.reason
    assert pol(["net"]).check("net", "anything.org:1").allowed
    assert pol(["net:*"]).check("net", "anything.org").allowed


def test_state_keys() -> None:
    p = pol(["state.write:notes.*", "state.read:**"], ["state.read:secrets"])
    assert p.check("state.write", "notes.today").allowed
    assert p.check("state.write", "notes.today.extra").allowed  # below a match
    assert not p.check("state.write", "notes").allowed
    assert not p.check("state.write", "other.today").allowed
    assert p.check("state.read", "anything.at.all").allowed
    assert p.check("state.read", "secrets.k").code == "E_DENIED"
    assert p.check("state.read", "bad..key").code == "E_PERMISSION"


def test_llm_clock_and_caps() -> None:
    p = pol(["llm:calls=20", "llm:calls=30", "llm:tokens=5000", "fs.write:bytes=100"])
    assert p.check("llm").allowed and p.check("llm").rule == "llm:calls=20"
    assert p.cap("llm", "calls") == 20  # the tightest cap wins
    assert p.cap("llm", "tokens") == 5000
    assert p.cap("llm", "depth") is None
    assert p.cap("fs.write", "bytes") == 100
    assert not p.check("fs.write", "x").allowed  # a cap on a scoped kind grants nothing
    assert pol(["llm"]).check("llm").allowed and pol(["llm"]).cap("llm", "calls") is None
    assert not p.check("clock").allowed
    assert pol(["llm", "clock"], ["llm"]).check("llm").code == "E_DENIED"
    assert pol(["clock"]).check("clock").allowed


def test_unknown_kind_and_unrestricted_resource() -> None:
    p = pol(["fs.read:data/**", "fs.list"])
    assert p.check("shell.exec", "ls").code == "E_PERMISSION"
    d = p.check("fs.read", None)
    assert d.code == "E_PERMISSION"
    assert d.reason == ("unrestricted fs.read needs the grant 'fs.read' "
                        "(granted: fs.read:data/**)")
    assert p.check("fs.list", None).allowed
    assert pol(["fs.list"], ["fs.list:tmp"]).check("fs.list", None).code == "E_DENIED"


# --------------------------------------------------------------------------- files and records


def test_from_toml_with_budget(tmp_path: Path) -> None:
    f = tmp_path / "conf" / "policy.toml"
    f.parent.mkdir()
    f.write_text('[policy]\nroot = "../work"\nallow = ["fs.read:data/**", "llm:calls=20"]\n'
                 'deny = ["fs.read:data/secret/**"]\n\n[budget]\nfuel = 100000\niterations = 8\n')
    p = Policy.from_toml(f)
    assert p.root == (tmp_path / "work")
    assert p.budgets == {"fuel": 100000, "iterations": 8}
    assert p.cap("llm", "calls") == 20
    assert p.check("fs.read", "data/secret/x").code == "E_DENIED"
    assert p.check("fs.read", str(tmp_path / "work" / "data" / "y")).allowed


@pytest.mark.parametrize("text,problem", [
    ("[policy\n", "the policy file is not valid TOML"),
    ("[policy]\nallow = 'fs.read'\n", "[policy] allow must be a list of strings"),
    ("[policy]\nroot = 3\n", "[policy] root must be a string"),
    ("[policy]\nallowed = []\n", "unknown key(s) in [policy]: allowed"),
    ("[polcy]\n", "unknown table(s) polcy"),
    ("[budget]\nfuel = 'lots'\n", "[budget] fuel must be a whole number >= 0"),
    ("[policy]\nallow = ['fs.read:../x']\n", "bad allow rule 'fs.read:../x'"),
])
def test_from_toml_errors(tmp_path: Path, text: str, problem: str) -> None:
    f = tmp_path / "p.toml"
    f.write_text(text)
    with pytest.raises(PolicyError) as ei:
        Policy.from_toml(f)
    assert ei.value.diagnostic.code == "E_USAGE"
    assert problem in ei.value.diagnostic.message
    assert ei.value.diagnostic.file == str(f)


def test_missing_toml_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        Policy.from_toml(tmp_path / "nope.toml")


def test_json_round_trip_is_exact() -> None:
    p = Policy.from_rules(["fs.read:./data/**", "net:API.example.com", "llm:calls=20", "clock",
                           "state.write:notes.*", "foo.bar:x"],
                          ["fs.read:data/secret"], ROOT, budgets={"fuel": 10})
    j = p.to_json()
    assert j["allow"][:2] == ["fs.read:data/**", "net:api.example.com"]
    text = json.dumps(j)
    q = Policy.from_json(text)
    assert q == p and q.to_json() == j and json.dumps(q.to_json()) == text
    assert Policy.from_json(j).check("fs.read", "data/secret/a").code == "E_DENIED"
    with pytest.raises(PolicyError):
        Policy.from_json({"version": 2})


def test_merged() -> None:
    a = pol(["fs.read:data/**", "llm:calls=20"], ["fs.read:data/secret/**"])
    b = Policy.from_rules(["net:api.example.com", "llm:calls=50"], ["net:x.example.com"], ROOT,
                          budgets={"fuel": 5})
    m = a.merged(b)
    assert m.check("fs.read", "data/x").allowed and m.check("net", "api.example.com").allowed
    assert m.check("fs.read", "data/secret/x").code == "E_DENIED"
    assert m.cap("llm", "calls") == 50  # the later policy's cap replaces the earlier one
    assert m.budgets == {"fuel": 5}
    assert Policy.from_json(m.to_json()) == m
    sub = Policy.from_rules(["fs.write:out/*.md", "fs.list", "net:x.org"], ["fs.read:tmp"],
                            ROOT + "/work")
    m = a.merged(sub)  # path scopes are re-expressed under the first policy's root
    assert [r.text for r in m.allow][-3:] == ["fs.write:work/out/*.md", "fs.list:work/**",
                                               "net:x.org"]
    assert m.check("fs.write", "work/out/a.md").allowed
    assert m.check("fs.read", "work/tmp/x").code == "E_DENIED"
    with pytest.raises(PolicyError, match="outside the policy root"):
        a.merged(Policy.from_rules(["fs.read:data"], [], "/elsewhere"))


# --------------------------------------------------------------------------- symbolic


def assert_refusal_is_real(p: Policy, kind: str, v) -> None:
    """A refutation's counterexample must be refused by the run-time check too."""
    assert v.status == "refuted" and v.counterexample is not None
    assert not p.check(kind, v.counterexample).allowed


def test_unknown_suffix_can_escape_with_dotdot() -> None:
    p = pol(["fs.read:data/**"])
    v = p.check_symbolic("fs.read", ["data/", None])
    assert_refusal_is_real(p, "fs.read", v)
    assert v.code == "E_PERMISSION"
    assert ".." in v.counterexample.split("/")
    assert v.counterexample == "data/" + v.values["p1"]
    assert v.reason == (f"fs.read of \"data/\" + p1 can be {v.counterexample!r} (when p1 = "
                        f"{v.values['p1']!r}), which is refused: the path has a '..' component")
    d = v.to_diagnostic()
    assert d.code == "E_PERMISSION" and d.notes[0].startswith("counterexample: ")


def test_segment_suffix_is_proven() -> None:
    p = pol(["fs.read:data/**"])
    v = p.check_symbolic("fs.read", ["data/", SEG])
    assert (v.status, v.rule, v.code, v.counterexample) == ("proven", "fs.read:data/**", None, None)
    assert v.reason == ('every value of fs.read of "data/" + name is covered by grant '
                        "'fs.read:data/**'")


def test_no_dotdot_piece_and_caller_constraints() -> None:
    p = pol(["fs.read:data/**"])
    nd = SymbolicPiece("no_dotdot", "name")
    v = p.check_symbolic("fs.read", ["data/", nd])
    assert_refusal_is_real(p, "fs.read", v)
    assert "\x00" in v.counterexample  # the only way left to escape
    # regex facts are what Z3 handles best (a negated Contains is much slower)
    nul = z3.Concat(z3.Full(z3.ReSort(z3.StringSort())), z3.Re(z3.StringVal("\\u{0}")),
                    z3.Full(z3.ReSort(z3.StringSort())))
    no_nul = p.check_symbolic("fs.read", ["data/", nd],
                              lambda xs: [z3.InRe(xs[0], z3.Complement(nul))])
    assert no_nul.status == "proven"


def test_deny_rule_hit_symbolically() -> None:
    p = pol(["fs.read:data/**"], ["fs.read:data/secret/**"])
    v = p.check_symbolic("fs.read", ["data/", SEG])
    assert_refusal_is_real(p, "fs.read", v)
    assert (v.code, v.rule, v.counterexample) == ("E_DENIED", "fs.read:data/secret/**",
                                                  "data/secret")
    # literal directories below the denied one are still proven
    assert p.check_symbolic("fs.read", ["data/public/", SEG]).status == "proven"


def test_out_segment_md_is_proven_and_any_is_not() -> None:
    p = pol(["fs.write:out/*.md"])
    x = SymbolicPiece("segment", "x")
    assert p.check_symbolic("fs.write", ["out/", x, ".md"]).status == "proven"
    v = p.check_symbolic("fs.write", ["out/", None, ".md"])
    assert_refusal_is_real(p, "fs.write", v)
    rel = SymbolicPiece("relpath", "p")
    v = p.check_symbolic("fs.write", ["out/", rel, ".md"])
    assert_refusal_is_real(p, "fs.write", v)
    assert v.counterexample.count("/") >= 2  # a sub-directory escapes '*'


def test_relpath_pieces_and_several_grants() -> None:
    p = pol(["fs.read:data/**", "fs.read:docs/*.md"])
    rel = SymbolicPiece("relpath", "p")
    v = p.check_symbolic("fs.read", ["data/", rel])
    assert (v.status, v.rule) == ("proven", "fs.read:data/**")
    v = p.check_symbolic("fs.read", ["docs/", SEG, ".md"])
    assert (v.status, v.rule) == ("proven", "fs.read:docs/*.md")
    v = p.check_symbolic("fs.read", [rel])
    assert_refusal_is_real(p, "fs.read", v)
    assert v.code == "E_PERMISSION"


def test_raw_spellings_are_judged_by_their_normal_form() -> None:
    p = pol(["fs.read:data/**"], ["fs.read:data/secret/**"])
    # a piece that may hold './' or '//' must not slip past the deny rule
    tail = z3.String("tail")
    v = p.check_symbolic("fs.read", ["data/", tail, "secret/key"],
                         [z3.InRe(tail, z3.Union(z3.Re("./"), z3.Re("/"), z3.Re("")))])
    assert_refusal_is_real(p, "fs.read", v)
    assert v.code == "E_DENIED"
    assert v.values == {"tail": v.counterexample[len("data/"):-len("secret/key")]}


def test_absolute_unknown_prefix_is_refuted() -> None:
    p = pol(["fs.read:**"])
    v = p.check_symbolic("fs.read", [None, "passwd"])
    assert v.status == "refuted"
    assert v.counterexample.startswith("/") or ".." in v.counterexample.split("/")


def test_hosts_symbolically() -> None:
    p = pol(["net:*.example.com", "net:127.0.0.1:8080"], ["net:evil.example.com"])
    label = SymbolicPiece("segment", "sub")
    v = p.check_symbolic("net", ["api.", label, ".example.com"])
    assert (v.status, v.rule) == ("proven", "net:*.example.com")
    v = p.check_symbolic("net", [label, ".example.com"])
    assert_refusal_is_real(p, "net", v)
    assert v.code == "E_DENIED" and v.counterexample.lower() == "evil.example.com"
    v = p.check_symbolic("net", ["api.example.com", None])
    assert_refusal_is_real(p, "net", v)
    port = z3.String("port")
    v = p.check_symbolic("net", ["127.0.0.1:", port],
                         [z3.InRe(port, z3.Plus(z3.Range("0", "9")))])
    assert_refusal_is_real(p, "net", v)
    assert v.counterexample != "127.0.0.1:8080"
    assert p.check_symbolic("net", ["127.0.0.1:", port], [port == z3.StringVal("8080")]).proven


def test_literal_pieces_use_the_concrete_check() -> None:
    p = pol(["fs.read:data/**", "llm:calls=3"])
    assert p.check_symbolic("fs.read", ["data/", "x.txt"]).status == "proven"
    v = p.check_symbolic("fs.read", ["data/", "../x"])
    assert (v.status, v.counterexample, v.code) == ("refuted", "data/../x", "E_PERMISSION")
    assert p.check_symbolic("llm", []).status == "proven"
    assert pol([]).check_symbolic("llm", []).status == "refuted"


def test_literal_backslash_escapes_are_not_interpreted() -> None:
    # z3.StringVal would read '\u{2e}\u{2e}' as '..'; the policy must not.
    p = pol(["fs.read:**"])
    v = p.check_symbolic("fs.read", ["data/\\u{2e}\\u{2e}/", SEG])
    assert v.status == "proven"
    v = p.check_symbolic("fs.read", ["data/..", SEG])
    assert v.status == "proven"  # '..x' is a plain name


def test_verdicts_are_deterministic() -> None:
    queries = [("fs.read", ["data/", None]), ("fs.read", ["data/", SEG]),
               ("net", [None, ".example.com"]), ("fs.write", ["out/", None, ".md"])]
    runs = []
    for _ in range(3):
        p = pol(["fs.read:data/**", "fs.write:out/*.md", "net:*.example.com"],
                ["fs.read:data/secret/**"])
        runs.append([p.check_symbolic(k, pieces) for k, pieces in queries])
    assert runs[0] == runs[1] == runs[2]


def test_solver_unknown_is_reported_not_accepted() -> None:
    p = pol(["fs.read:data/**"])
    v = p.check_symbolic("fs.read", ["data/", SEG], rlimit=1)
    assert (v.status, v.code, v.counterexample) == ("unknown", "E_UNPROVEN", None)
    assert v.reason.startswith('could not decide whether every value of fs.read of "data/" + '
                               "name is allowed (solver: unknown, ")
    assert v.reason.endswith("rlimit 1)")
    assert p.check_symbolic("fs.read", ["data/", SEG], rlimit=1) == v
    assert p.check_symbolic("fs.read", ["data/", SEG]).status == "proven"
    assert p.rlimit == DEFAULT_RLIMIT


def test_symbolic_queries_are_fast() -> None:
    p = pol(["fs.read:data/**", "fs.write:out/*.md", "net:*.example.com"],
            ["fs.read:data/secret/**"])
    p.check_symbolic("fs.read", ["data/", SEG])  # compile the regexes once
    times = []
    for kind, pieces in [("fs.read", ["data/pub/", SEG]), ("fs.write", ["out/", SEG, ".md"]),
                         ("fs.read", ["data/pub/", SEG, "/", SEG])] * 3:
        t = time.perf_counter()
        assert p.check_symbolic(kind, pieces).proven
        times.append(time.perf_counter() - t)
    assert statistics.median(times) < 0.1  # typically ~5 ms; generous for a loaded CI box


# --------------------------------------------------------------------------- agreement


def _random_paths(n: int, seed: int) -> list[str]:
    """Spellings built from parts, with stray './', '//' and '..' mixed in."""
    rng = random.Random(seed)
    comps = ["a", "b", "data", "secret", "x.md", "a.md", ".", "", "..", ".x"]
    weights = [4, 3, 4, 3, 3, 2, 1, 1, 0.3, 1]
    out = []
    for _ in range(n):
        parts = rng.choices(comps, weights, k=rng.randint(1, 5))
        out.append(("./" if rng.random() < 0.1 else "") + "/".join(parts)
                   + ("/" if rng.random() < 0.1 else ""))
    return out


def _outcomes(p: Policy, kind: str, raws: list[str]) -> set[str | None]:
    return {p.check(kind, r).code for r in raws}


@pytest.mark.parametrize("allow,deny", [
    (["fs.read:data/**"], ["fs.read:data/secret"]),
    (["fs.read:*/x.md", "fs.read:a/**/b"], ["fs.read:b/x.md"]),
    (["fs.read:**/secret/*"], ["fs.read:a/*.md"]),
])
def test_symbolic_and_concrete_checks_agree_on_every_spelling(allow, deny) -> None:
    """For a fully known string the proof must say what the run-time check says."""
    p = pol(allow, deny)
    s = z3.String("s")
    raws = _random_paths(80, seed=len(allow) * 7 + len(deny)) + [
        "./data//secret/./k", "data/./x", "b/./x.md", "b//x.md/", "a/./q//b/", "a/b",
        "q/secret/a.md", "a/a.md", "data/.", "./a//secret/x/", "secret/.x"]
    assert _outcomes(p, "fs.read", raws) == {None, "E_PERMISSION", "E_DENIED"}  # not vacuous
    for raw in raws:
        v = p.check_symbolic("fs.read", [s], [s == z3.StringVal(raw)])
        d = p.check("fs.read", raw)
        assert v.proven == d.allowed, (raw, v, d)
        if not d.allowed:
            assert v.code == d.code, (raw, v, d)


@pytest.mark.parametrize("kind,allow,deny,parts,sep,suffixes", [
    ("net", ["net:*.example.com", "net:api-*.x.org:443"], ["net:evil.example.com"],
     ["a", "evil", "EVIL", "example", "com", "api-1", "api-", "x", "org", "", "b_c"], ".",
     ["", "", ":443", ":8", ":", "/"]),
    ("state.write", ["state.write:notes.*", "state.write:a.**.z"], ["state.write:notes.x"],
     ["a", "notes", "x", "z", "b", ""], ".", [""]),
])
def test_host_and_key_checks_agree(kind, allow, deny, parts, sep, suffixes) -> None:
    p = pol(allow, deny)
    rng = random.Random(11)
    s = z3.String("s")
    raws = [sep.join(rng.choices(parts, k=rng.randint(1, 4))) + rng.choice(suffixes)
            for _ in range(60)]
    raws += ["api-7.x.org:443", "evil.example.com", "a.b.z", "notes.x.y"]
    assert _outcomes(p, kind, raws) == {None, "E_PERMISSION", "E_DENIED"}  # not vacuous
    for raw in raws:
        v = p.check_symbolic(kind, [s], [s == z3.StringVal(raw)])
        d = p.check(kind, raw)
        assert v.proven == d.allowed, (raw, v, d)
