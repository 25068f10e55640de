"""An answer the script did not compute from the data is a guess, not evidence.

Asked "What are the codes of locker SKU-82717 and locker SKU-43625?", a model
wrote `codes = ["SKU-82717", "SKU-43625"]` and `submit(codes)`: a script that
ran, submitted, and read nothing but its own literals. Another split two
inputs into lines, went through them, and then wrote `submit("Medan, Ines
Mensah")`: it read the data, but its answer was a literal all the same. Such
an answer comes from the question (or from the model's memory, or from what an
earlier script printed), never from this script's reading of the inputs, so
the vote does not count it and the model is told so.

The test is a data flow over the script's text. The data are the data inputs
(any input but the question), the state store and the namespaced tools
(`fs.read`, `http.get`, `llm.predict`, a plugin's), which bring data of their
own. A name holds data when any of its assignments reads data, or runs under a
test or loop that does (`found = "yes"` inside `if "refund" in line:`). An
answer is computed from the data when the submitted expression reads data, or
the submit runs under such a test or loop, or inside a def (a def's
parameters are taken to hold data). The flow over-approximates: a script that
might have computed its answer is never called a guess. A task with no data
inputs has nothing to read, and nothing there is a guess. The controller and
the replay ask the same question of the same script text.

One answer is a guess in a script that reads data: the literal of a fallback,
a `submit("...")` that no data test or loop holds, when the run's answer is
that literal. The 1.5B searched three inputs with a `submit(city)` in the
loop, found nothing, and fell through to `submit("Medan, Ines Mensah")`,
words of an input's preview. The VM records the line of the submit that ended
the run, so the same literal submitted under a data test as well (`submit("positive")`
under the sub-model's verdict, and again after the loop) is a guess only where the
fallback is the submit that ran. A fallback verdict (`submit("no")` or
`submit(0)` after a search that found nothing) is the search's answer, and
stays a vote. A thing the script names in a literal where no test of the data
holds it (`submit("Ghent")` after a loop that broke on finding "Ghent") is a
guess even when a break led there: submit what was found, not its name.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.task.answers import answer_key

QUESTION = "question"  # the signature field the task's own text is bound to
TOOL_NAMESPACES = ("fs", "http", "llm")  # the host's; a run passes its registry's
NO_ANSWER = object()  # submits_from_data's answer when the run's is not known
# What a search that found nothing may answer: a verdict, not a thing it names.
VERDICTS = frozenset({"yes", "no", "true", "false", "0", "-1"})


def data_inputs(names: Collection[str]) -> list[str]:
    """The inputs a script can read data from: all but the question."""
    return [n for n in names if n != QUESTION]


def data_texts(values: Mapping[str, Any]) -> list[str]:
    """The text values of the data inputs: what an answer may be cut out of."""
    return [v for n, v in values.items() if n != QUESTION and isinstance(v, str)]


def submits_from_data(script: str, inputs: Collection[str],
                      namespaces: Collection[str] = TOOL_NAMESPACES,
                      answer: Any = NO_ANSWER, end_line: int = 0) -> bool:
    """Whether what `script` submits may be computed from the data `inputs`, the state
    or a tool of one of the `namespaces` (True when there is no data to read, or the
    script does not parse). Given the run's `answer`, one that is the literal of a
    fallback submit, and no verdict, is a guess; given the line of the submit that ran
    (`end_line`, RunResult.end_line), only when that submit is the fallback."""
    if not inputs:
        return True
    parsed = parse(script)
    if parsed.script is None:
        return True
    flow = _Flow(parsed.script, set(inputs), {"state", *namespaces})
    if not flow.submits_data():
        return False
    key = answer_key(answer) if answer is not NO_ANSWER else ""
    if answer is NO_ANSWER or key in VERDICTS or key not in flow.fallbacks:
        return True
    # `submit("positive")` under the sub-model's verdict, and `submit("positive")` after the
    # loop: the 1.5B's answer read from llm.predict was called a guess for its fallback
    return bool(end_line) and end_line not in flow.fallbacks[key]


class _Flow:
    def __init__(self, script: ast.Script, inputs: set[str], sources: set[str]) -> None:
        self.script = script
        self.sources = sources
        self.held = set(inputs)  # names that may hold data
        self.defs = {s.name: s for s in script.body if isinstance(s, ast.Def)}
        self.def_reads: set[str] = set()  # defs whose body may read data
        self.found = False  # a submit of data seen in the current pass
        # answer keys of literals submitted outside data, and the lines that submit them
        self.fallbacks: dict[str, set[int]] = {}

    def submits_data(self) -> bool:
        main = tuple(s for s in self.script.body if not isinstance(s, ast.Def))
        for _ in range(len(main) + len(self.defs) + 2):  # to a fixed point
            before = (len(self.held), len(self.def_reads))
            for d in self.defs.values():
                params = {p.name for p in d.params}
                if self.reads_any(d.body, params):
                    self.def_reads.add(d.name)
            self.found = False
            self.block(main, under_data=False)
            if (len(self.held), len(self.def_reads)) == before:
                break
        return self.found or self.submits_in_def()

    def submits_in_def(self) -> bool:
        return any(isinstance(n, ast.Submit) for d in self.defs.values()
                   for n in ast.walk(d.body))

    def reads_any(self, body: tuple[ast.Stmt, ...], params: set[str]) -> bool:
        """Whether a def's body reads data: its parameters, or the script's data names."""
        return any(self.reads(e, params) for e in ast.walk(body) if isinstance(e, ast.Expr))

    def reads(self, e: object, extra: Iterable[str] = ()) -> bool:
        extra = set(extra)
        for n in ast.walk(e):
            if isinstance(n, ast.Name) and (n.id in self.held or n.id in extra):
                return True
            if isinstance(n, ast.Dotted) and (n.parts[0] == "state" or n.parts[0] in self.held):
                return True
            if isinstance(n, ast.Call):
                head = n.func.split(".")[0]
                if ("." in n.func and (head in self.held or head in self.sources
                                       or head in extra)) or n.func in self.def_reads:
                    return True
        return False

    def hold(self, target: ast.Expr) -> None:
        """The name (or the list or dict) an assignment or a mutation changes holds data."""
        while isinstance(target, (ast.Index, ast.MethodCall, ast.Attribute)):
            target = target.value
        if isinstance(target, ast.Name):
            self.held.add(target.id)
        elif isinstance(target, ast.TupleLit):
            for t in target.items:
                self.hold(t)

    def block(self, body: tuple[ast.Stmt, ...], under_data: bool) -> None:
        for s in body:
            self.stmt(s, under_data)
            # what follows never runs: a submit there is no fallback (the 1.5B's loop whose
            # branches all submit, whose else fails, then `submit("positive")`: dev
            # semantic-03's answer read from llm.predict was called a guess for it)
            if ast.ends(s):
                return

    def stmt(self, s: ast.Stmt, under_data: bool) -> None:  # noqa: C901 (a case per kind)
        if isinstance(s, ast.Submit):
            if under_data or self.reads(s.value):
                self.found = True
            elif (value := ast.literal_value(s.value)) is not ast.NOT_LITERAL:
                self.fallbacks.setdefault(answer_key(value), set()).add(s.span.line)
        elif isinstance(s, (ast.Assign, ast.AugAssign)):
            if under_data or self.reads(s.value) or self.reads(s.target):
                self.hold(s.target)
        elif isinstance(s, ast.ExprStmt):
            e = s.expr
            if under_data or self.reads(e):  # `hits.append(line)`: hits holds data
                if isinstance(e, ast.Call) and "." in e.func:
                    self.held.add(e.func.split(".")[0])
                elif isinstance(e, ast.MethodCall):
                    self.hold(e.value)
        elif isinstance(s, ast.If):
            test = under_data
            for cond, body in s.branches:
                test = test or self.reads(cond)  # an elif runs where the tests before failed
                self.block(body, test)
            if s.orelse is not None:
                self.block(s.orelse, test)
        elif isinstance(s, ast.For):
            data = under_data or self.reads(s.iter)
            if data:
                self.held.update(s.unpack or (s.var,))
            self.block(s.body, data)
            if s.orelse is not None:
                self.block(s.orelse, data)
        elif isinstance(s, ast.While):
            data = under_data or self.reads(s.cond)
            self.block(s.body, data)
            if s.orelse is not None:
                self.block(s.orelse, data)
