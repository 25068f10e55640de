"""Permission policy: deny by default, scoped grants, deny rules that win.

A policy is two lists of rules, `allow` and `deny`, each written `KIND`,
`KIND:SCOPE` or `KIND:key=N` (`fs.read:data/**`, `net:*.example.com`,
`llm:calls=20`). Every kind has a scope *style* that says what its scopes look
like: path globs under a root directory, host names, state-key patterns,
plain names (plugin kinds), or none (`llm`, `clock`). Nothing is allowed
unless an allow rule covers it, and a matching deny rule always wins.

Each rule is checked two ways, and the two are built to agree:

- concretely (`Policy.check`), on a resource value at run time: the resource
  is normalised (paths lexically, hosts to their canonical form, see
  hostnames.py), then matched with RE2, which runs in time linear in the
  resource (a glob like `logs/*-*-*.log` would make a backtracking engine
  take cubic time on a path of dashes);
- symbolically (`Policy.check_symbolic`), on a resource the verifier knows
  only as a concatenation of literal and unknown pieces. Every glob becomes a
  Z3 regular expression and Z3 is asked for values of the unknown pieces that
  escape. Path regexes accept every raw spelling whose *normal form* the glob
  matches (`data/./x`, `data//x`), so a static verdict is the run-time one.

Both matchers come from one builder (`globs.build`) over two back ends, so a
glob cannot mean one thing at run time and another in the proof. Solver work
is bounded by Z3's deterministic `rlimit`, so a verdict is the same on every
machine; `unknown` is reported as such and callers treat it as a rejection.

One concept per module, lowest first: `kinds` (kinds, scope styles, caps),
`globs` (a parsed scope and the one builder of its matchers), `backends`
(RE2 text and Z3 regexes), `rules` (parsing a rule), `decisions` (what a
check answers), `normal` (a resource's normal form), `symbolic` (the Z3
check), `loader` (the policy file) and `policy` (the `Policy` object). This
package's face re-exports the public names, so `from rlmlang.policy import
Policy` is the one import a caller needs.
"""

from rlmlang.policy.decisions import Decision, Piece, SymbolicPiece, SymbolicVerdict
from rlmlang.policy.kinds import CAP_KEYS, RESERVED, STYLES, Style, kind_style, register_kind
from rlmlang.policy.normal import normalise, normalise_path
from rlmlang.policy.policy import Policy
from rlmlang.policy.rules import EXPECTED_FORM, GENERIC_FORM, PolicyError, Rule, parse_rule
from rlmlang.policy.symbolic import DEFAULT_RLIMIT, TIMEOUT_MS

__all__ = ["CAP_KEYS", "DEFAULT_RLIMIT", "EXPECTED_FORM", "GENERIC_FORM", "RESERVED", "STYLES",
           "TIMEOUT_MS", "Decision", "Piece", "Policy", "PolicyError", "Rule", "Style",
           "SymbolicPiece", "SymbolicVerdict", "kind_style", "normalise", "normalise_path",
           "parse_rule", "register_kind"]
