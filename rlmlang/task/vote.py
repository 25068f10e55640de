"""The vote: which answer the candidate scripts support, and whether that is evidence enough.

Each draw of a script that submitted an answer is a vote for it, across every
round of the run (self-consistency). Counting draws (the tiny profile), the
model's greedy script drawn again at a higher temperature is the model saying
the same thing again: counting distinct scripts let two different scripts that
both matched nothing (`0`, `0`) outvote one script drawn five times. Counting
distinct scripts (the coder profile's `distinct_votes`), the same script drawn
twice (or again with other prints, layout or comments) is one computation, not
two pieces of evidence, both to confirm an answer and to outvote another (a zero
whose search found nothing is no vote at all: searches.py). An answer is
*confirmed* when it has as many votes as the tally needs, and *confident* when
it is confirmed and its votes outnumber those of all other answers put
together. One answer alone, not confirmed, is taken only where the round's
greedy draw gave it again in a later round (or in the last round, if a greedy
draw ever gave it): `Tally.taken_unconfirmed`. Anything less is a
disagreement: the controller runs another round (the feedback shows the
disagreement) and, when no round is left, reports the run as uncertain with
every candidate answer, rather than choosing silently.

Grounding (how many of the question's own words a script uses as literals)
only orders the answers for display and names the best guess of an uncertain
run; it never makes a disagreement confident.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Any

from rlmlang.syntax import ast
from rlmlang.syntax.parser import parse
from rlmlang.syntax.printer import print_script
from rlmlang.task.answers import PIECE_CHARS, PIECE_LINES, answer_key, part_of

_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')

_PLAIN_WORDS = frozenset({"the", "and", "for", "with", "what", "which", "who", "how", "many",
                          "does", "did", "was", "are", "its", "from", "that", "this", "all"})


def grounding(script: str, question: str) -> int:
    """How many distinct string literals of a script the question itself contains.

    Only literals worth naming count: whole words or phrases of the question,
    three characters or more, not its plain words ("the", "what").
    """
    q = question.casefold()
    found = set()
    for lit in _LITERAL.findall(script):
        word = lit.strip().casefold()
        if len(word) < 3 or word in _PLAIN_WORDS or word in found:
            continue
        if re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", q):
            found.add(word)
    return len(found)


@functools.lru_cache(maxsize=256)
def computation(script: str) -> str:
    """What a script computes, as a key: its canonical form without its print calls.
    Two scripts that differ only in what they print, in layout or in comments are one
    computation (the 1.5B drew its script again with one more print and confirmed its
    own wrong answer). A text that does not parse is its own key. Kept for the last
    scripts: a round asks it of each draw, and the vote again of each answer."""
    parsed = parse(script)
    if parsed.script is None:
        return hashlib.sha256(script.encode()).hexdigest()
    defs = frozenset(d.name for d in ast.walk(parsed.script) if isinstance(d, ast.Def))
    body = _without_no_ops(_without_prints(parsed.script.body, defs))
    bare = _unconverted_submits(without_rounding(ast.Script(body, parsed.script.span)))
    return hashlib.sha256(print_script(bare).encode()).hexdigest()


def _unconverted_submits(script: ast.Script) -> ast.Script:
    """`script` with each `submit(str(x))` (int, float) as `submit(x)`: converting what it
    submits reads nothing more (`submit(big_pow(10, 72))` and `submit(str(big_pow(10,
    72)))` were two computations of the power, and outvoted its digit sum, fresh dev
    no-input-03)."""
    for n in ast.walk(script):
        if isinstance(n, ast.Submit) and isinstance(n.value, ast.Call) \
                and n.value.func in ("str", "int", "float") and len(n.value.args) == 1 \
                and not n.value.kwargs:
            return _unconverted_submits(ast.replace_node(script, n.value, n.value.args[0]))
    return script


def without_rounding(node: Any) -> Any:
    """`node` with every `round(x, ...)` as `x`: rounding the result reads nothing more
    (the 1.5B's `count_gentoo / total_gentoo * 100` and the same in round(..., 1) were two
    computations of its 100.0, and outvoted the one computation of 35.7 drawn six
    times, dev percentage-03)."""
    for n in ast.walk(node):
        if isinstance(n, ast.Call) and n.func == "round" and n.args and not n.kwargs:
            return without_rounding(ast.replace_node(node, n, n.args[0]))
    return node


def _without_no_ops(body: tuple[ast.Stmt, ...]) -> tuple[ast.Stmt, ...]:
    """Without the top-level `x = str(x)` (or `x = x`) of a name no statement before set:
    an input's text given its own value computes nothing (the 1.5B wrote `penguins =
    str(penguins)` before its one reading, which then counted as a second computation of
    it, dev sum-04)."""
    out: list[ast.Stmt] = []
    set_before: set[str] = set()
    for s in body:
        if isinstance(s, ast.Assign) and isinstance(s.target, ast.Name) \
                and s.target.id not in set_before and _same_text(s.value, s.target.id):
            continue
        set_before.update(ast.assigned_names((s,)))
        out.append(s)
    return tuple(out) or body


def _same_text(e: ast.Expr, name: str) -> bool:
    if isinstance(e, ast.Name):
        return e.id == name
    return isinstance(e, ast.Call) and e.func == "str" and len(e.args) == 1 \
        and not e.kwargs and isinstance(e.args[0], ast.Name) and e.args[0].id == name


def _without_prints(block: tuple[ast.Stmt, ...], defs: frozenset[str]
                    ) -> tuple[ast.Stmt, ...]:
    """Without print calls, nor expression statements whose value is thrown away (a
    builtin's result unused, `lines_with(log, ["ERROR"])` written before `x = lines_with(
    ...)`: the 1.5B's script with such lines added confirmed the one without them). A
    method call (`xs.append(x)`), a call of the script's own def or of a namespaced tool
    (`fs.write`) may change something, and stays."""
    out: list[ast.Stmt] = []
    for s in block:
        if isinstance(s, ast.ExprStmt) and (
                not isinstance(s.expr, (ast.Call, ast.MethodCall)) or
                isinstance(s.expr, ast.Call) and "." not in s.expr.func
                and s.expr.func not in defs):
            continue
        if isinstance(s, ast.If):
            s = replace(s, branches=tuple((c, _without_prints(b, defs))
                                          for c, b in s.branches),
                        orelse=_without_prints(s.orelse, defs) if s.orelse is not None
                        else None)
        elif isinstance(s, (ast.For, ast.While)):
            s = replace(s, body=_without_prints(s.body, defs),
                        orelse=_without_prints(s.orelse, defs) if s.orelse is not None
                        else None)
        elif isinstance(s, ast.Def):
            s = replace(s, body=_without_prints(s.body, defs))
        out.append(s)
    return tuple(out) or (ast.Pass(block[0].span),)


_SHARE = re.compile(r"\b(?:percent(?:age)?|share|fraction|proportion|ratio)\b|%", re.I)


def whole_share(value: Any, question: str) -> bool:
    """A share of everything (100 or 1, a percentage or a fraction) asked for a share:
    what dividing the matching records by themselves gives. The 1.5B kept only the
    Graz lines, then divided their count by their count, and drew that script again
    (100.0 one run, the fraction 1.0 of the same division the next)."""
    if not _SHARE.search(question):
        return False
    number = as_number(value)
    return number in (100, 1)  # 1 for a percentage too: the fraction of the whole


def counts_nothing(value: Any) -> bool:
    """A zero (a number, or its text): what counting or summing over nothing gives."""
    if isinstance(value, str):
        value = value.strip()
        return value in ("0", "0.0")
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0


_WORD = re.compile(r"[\w-]+")


def _labelled(part: str, whole: Any, question: str) -> bool:
    """Whether the words `whole` adds around `part` hold a word of the question (a
    label: 'dock' of 'dock D59' for "At which dock ...")."""
    if not isinstance(whole, str):
        return False
    asked = {w for w in _WORD.findall(question.casefold()) if w not in _PLAIN_WORDS}
    extra = whole.casefold().replace(part.casefold(), " ", 1)
    return any(w in asked for w in _WORD.findall(extra) if len(w) >= 3 or w.isdigit())


def as_number(value: Any) -> int | float | None:
    """A number, or its text (a percentage's too); None for anything else."""
    if isinstance(value, str):
        try:
            return float(value.strip().rstrip("%"))
        except ValueError:
            return None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _nonzero(value: Any) -> bool:
    """A number other than zero (or its text)."""
    number = as_number(value)
    return number is not None and number != 0


def lone_answer_rounds(rounds: int) -> int:
    """How many rounds must give a lone, unconfirmed answer before it is taken (before the
    last round): 2 in a run of 3 or 4 rounds, 3 in a longer one, whose rounds to spare may
    bring the second computation that confirms it, or one that contradicts it."""
    return 3 if rounds >= 5 else 2


def draws_text(draws: int, scripts: int) -> str:
    """`2 scripts`, or `2 draws of 1 script` where the same script was drawn again."""
    if draws == scripts:
        return f"{draws} script{'s' if draws != 1 else ''}"
    return f"{draws} draws of {scripts} script{'s' if scripts != 1 else ''}"


@dataclass
class Support:
    """One answer, how many drawn scripts submitted it, and which distinct scripts they were."""

    key: str
    value: Any
    draws: int = 0
    scripts: dict[str, str] = field(default_factory=dict)  # script key -> script text
    grounding: int = 0
    first_seen: int = 0  # order of arrival, for stable ties
    rounds: set[int] = field(default_factory=set)  # the rounds that submitted it
    greedy_rounds: set[int] = field(default_factory=set)  # ... by their greedy draw
    printed: str = ""  # the output of the first of its scripts that printed any
    copied: bool = False  # a whole line of an input, as it stands (answers.copied_lines)

    def output(self, limit_chars: int) -> str:
        """`It printed: ...` of the first of its scripts that printed, cut; "" if none did."""
        text = self.printed.strip()
        if not text:
            return ""
        if len(text) > limit_chars:
            text = text[:limit_chars] + "…"
        return f"It printed:\n{text}\n"

    def example(self, limit_chars: int) -> str:
        """The first script that gave this answer, cut to `limit_chars`."""
        script = next(iter(self.scripts.values())).strip()
        return script if len(script) <= limit_chars else script[:limit_chars] + "…"

    def shown(self, limit_chars: int = 200) -> str:
        """The answer as the model is shown it: its repr, cut to `limit_chars`."""
        text = repr(self.value)
        return text if len(text) <= limit_chars else text[:limit_chars] + "…"

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "draws": self.draws, "scripts": len(self.scripts),
                "grounding": self.grounding}


@dataclass
class Tally:
    """Every answer submitted in a run so far, with the draws and scripts behind it."""

    question: str
    answers: dict[str, Support] = field(default_factory=dict)
    # Draws an answer needs before it is confirmed: with several candidates a round, one
    # script alone is no agreement (Qwen2.5-Coder-1.5B's lone '9876:', read from the wrong
    # field while the other candidate failed, was taken as the answer).
    needed: int = 1
    distinct: bool = False  # confirmation counts distinct scripts, not draws
    dropped: list[Any] = field(default_factory=list)  # the values sent back (drop)
    # whole tokens offered for an answer sent back as a cut one (offer): the correction
    offered: list[Any] = field(default_factory=list)
    # (output, script) of every script of the earlier rounds that printed something
    outputs: list[tuple[str, str]] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # computation -> the one it is
    # Rounds that must give a lone answer before it is taken unconfirmed (the last round
    # aside): with rounds to spare, a second computation is worth more rounds' wait.
    resubmissions: int = 2
    # (strict) A lone answer is taken unconfirmed only from a script that names something
    # the question asks about (its grounding), and in the last round only where an
    # earlier round gave it too. Over the 1.5B's dev runs, the lone answers so taken from
    # scripts with no literal of the question were right 2 times in 18 (the others, 60 of
    # 95); those first given in the last round, 4 times in 11. Set where the task has
    # data inputs to search.
    strict: bool = False

    def add(self, value: Any, script_sha256: str, script: str, round_: int = 0,
            greedy: bool = False, printed: str = "", same_as: str | None = None,
            copied: bool = False) -> None:
        """One draw's answer; `greedy`: the round's greedy draw (or its fix-it) gave it;
        `printed`: what the script printed (shown with the answer in the feedback);
        `same_as`: (distinct) the script whose computation this one is: a fix-it that
        carried an earlier script's statements over into a script that only printed and
        submitted them computes what that script computed (dev aggregate-04: the carried
        copy of the 1.5B's one reading, '-1.8', confirmed it as a second computation);
        `copied`: the answer is a whole line of an input, as it stands (core)."""
        key = answer_key(value)
        s = self.answers.get(key)
        if s is None:
            s = self.answers[key] = Support(key, value, first_seen=len(self.answers))
        s.printed = s.printed or printed  # the first script that printed something
        s.copied = s.copied or copied
        s.draws += 1
        s.rounds.add(round_)
        if greedy:
            s.greedy_rounds.add(round_)
        s.scripts.setdefault(self.key_of(script, same_as) if self.distinct else script_sha256,
                             script)
        s.grounding = max(s.grounding, grounding(script, self.question))

    def knows(self, script: str) -> bool:
        """Whether this computation (distinct) or this very script already gave an answer."""
        key = self.key_of(script) if self.distinct else \
            hashlib.sha256(script.encode()).hexdigest()
        return any(key in s.scripts for s in self.answers.values())

    def key_of(self, script: str, same_as: str | None = None) -> str:
        """A script's computation, as the vote counts it: a carried-over fix-it's is the
        script it carries from, and so is that of a later draw of its very text (the
        1.5B's next greedy draw wrote the carried script out, and the two confirmed it)."""
        key = computation(script)
        if same_as is not None:
            source = computation(same_as)
            self.aliases[key] = self.aliases.get(source, source)
        return self.aliases.get(key, key)

    def weight(self, s: Support) -> int:
        """An answer's votes: its draws, or (distinct) its distinct computations. A script
        drawn again is the same computation run again, no second piece of evidence: the
        1.5B, shown a disagreement, drew one of its two scripts seven times over three
        rounds, and that rut outvoted the other reading however the draws came out."""
        return len(s.scripts) if self.distinct else s.draws

    def ranked(self) -> list[Support]:
        """Most supported first (weight, then draws); then most grounded in the question;
        then the earliest."""
        return sorted(self.answers.values(),
                      key=lambda s: (-self.weight(s), -s.draws, -s.grounding, s.first_seen))

    def leader(self) -> Support | None:
        core = self.core()
        if core is not None:
            return core
        ranked = self.ranked()
        return ranked[0] if ranked else None

    def core(self) -> Support | None:
        """(distinct) A confirmed text answer that is a part (whole words) of every other
        answer: no script contradicts it, the others only add words around it ('K7-19QX'
        against '... access code K7-19QX issued by security' and 'K7-19QX issued by
        security': every computation found the code, and the README's main job ended
        uncertain over the words around it). Where each other answer is a whole line of
        the input or the core with words of the question around it (labels: 'dock D59',
        'badge 4604: access code L8-59Z8'), every script behind them found the core too,
        so all the scripts confirm it: of the dev runs whose answers nested so, the
        innermost was the value asked for every time, and the longer reading, drawn
        again, had won or left the run uncertain. Other words around it may be the
        answer read one hop short ('10.52.16.208 (dc=lon1)' for the rack holding that
        IP): then the core needs its own confirmation."""
        if not self.distinct or len(self.answers) < 2:
            return None
        for s in self.ranked():
            others = [o for o in self.answers.values() if o is not s]
            if not isinstance(s.value, str) or \
                    not all(part_of(s.value, [o.value]) for o in others):
                continue
            labelled = all(o.copied or _labelled(s.value, o.value, self.question)
                           for o in others)
            scripts = set(s.scripts).union(*(o.scripts for o in others)) if labelled \
                else s.scripts
            if len(scripts) >= self.needed:
                return s
        return None

    def confident(self) -> bool:
        """An answer confirmed (`needed` votes: draws, or distinct scripts) whose votes
        outnumber all the others' together, or the core of all the answers (core).
        Qwen2.5-Coder-1.5B draws its greedy script again at 0.7 more often than not, and
        a wrong script drawn twice confirmed itself."""
        ranked = self.ranked()
        if not ranked:
            return False
        if self.core() is not None:
            return True
        if self.zero_against_count(ranked[0]):
            return False
        support = self.weight(ranked[0])
        return support >= self.needed and support > sum(self.weight(s) for s in ranked[1:])

    def zero_against_count(self, leader: Support) -> bool:
        """A zero leading while another script counted something: a test that matched
        nothing gives 0 however many scripts write it, and a script that found matches
        found the value looked for. The 1.5B's `line.split(",")[3] == "Medan"` (the
        city was field 2) gave 0, inline and again in a def, and outvoted the 18 of
        `count_rows(customers, "city", "Medan")`; over the dev logs every zero that led
        a nonzero number so was wrong."""
        return counts_nothing(leader.value) and any(
            _nonzero(o.value) for o in self.answers.values() if o is not leader)

    def unopposed(self) -> bool:
        """One answer only (confirmed or not)."""
        return len(self.answers) == 1

    def taken_unconfirmed(self, last: bool, again: bool = False) -> bool:
        """Whether the one answer, not confirmed, is taken all the same: in the last round,
        there being no round left to check it in, or as soon as a later round submits it
        again (told it was not confirmed and asked to check it, the model came back to it;
        the 1.5B's one way of writing a simple script made every such task run all its
        rounds); where the run has rounds to spare (`resubmissions`), only once as many
        rounds as that gave it, since a second computation, the evidence, may still come
        (of the 1.5B's lone answers taken at the second round on dev runs, 8 were right
        and 15 wrong). Never a count of nothing: a 0 is what a test that matched no line gives
        ("How many times was the lobby opened?" answered 0 for 1031), and only a second,
        different computation confirms it; nor a share of the whole (whole_share). Never
        an answer no greedy draw gave: told to
        check it, the 1.5B's greedy draw wrote something else while a 0.7 draw repeated
        the unchecked script, and that repeat was taken wrong (dev aggregate-01 and
        multi-needle-01; the seven answers taken right so in that dev run were each
        given again by a later round's greedy draw). Nor (`strict`) one whose scripts
        name nothing the question asks about, nor, in the last round, one no earlier round
        gave (`again`: counted as given once more, at the run's end). A part of an answer
        sent back (drop, only ever done to an answer taken) is the correction asked for,
        taken at once."""
        if not self.unopposed():
            return False
        s = next(iter(self.answers.values()))
        if self.taken_from_dropped(s.value):  # the correction of an answer sent back
            return True
        if counts_nothing(s.value) or whole_share(s.value, self.question) \
                or not s.greedy_rounds or (self.strict and not s.grounding):
            return False
        if last:
            return not self.strict or len(s.rounds) + again >= 2
        return max(s.greedy_rounds) > min(s.rounds) and len(s.rounds) >= self.resubmissions

    def feedback(self, limit_chars: int = 300) -> str:
        """What the model is told when the answers are not yet evidence enough. Counting
        computations, a lone answer is checked by another one: asked only to print what it
        comes from, the 1.5B drew the same script with a print more, and of the lone
        answers so taken on dev runs, 15 of 23 were wrong."""
        if not self.unopposed():
            return self.disagreement(limit_chars)
        s = next(iter(self.answers.values()))
        script = s.example(limit_chars)
        who = "Only one script gave an answer" if s.draws == 1 \
            else "Only one script (drawn again, the same computation) gave an answer"
        zero = (" A count of 0 is what a test that matches no line gives: print a few lines "
                "of the input to see how what you look for is written there.") \
            if counts_nothing(s.value) else \
            (" A share of the whole is what dividing the matching records by themselves "
             "gives: divide by the count of all the records the question is about.") \
            if whole_share(s.value, self.question) else ""
        check = ("Check it with a script that computes it another way (other functions, "
                 "or another reading of the data, than this one), prints the lines or values "
                 "it comes from, and submits: two different computations that agree confirm "
                 "it." if self.distinct else "Check it: print the lines or values it comes "
                 "from, and look whether they really answer the question; then submit.")
        return (f"{who}, {s.shown()}, so it is not confirmed yet:\n{script}\n"
                f"{s.output(limit_chars * 2)}{check}{zero}")

    def votes(self) -> dict[str, int]:
        """Answer key -> draws, as the log's `submit` records them."""
        return {s.key: s.draws for s in self.ranked()}

    def drop(self, key: str) -> None:
        """Forget one answer (sent back to be corrected: its draws must not outvote the fix)."""
        s = self.answers.pop(key, None)
        if s is not None:
            self.dropped.append(s.value)

    def offer(self, value: Any) -> None:
        """The whole token an answer sent back was cut from (answers.cut_token): submitted,
        it is the correction asked for, as a part of a copied line is."""
        self.offered.append(value)

    def taken_from_dropped(self, value: Any) -> bool:
        """Whether an answer is a part of one sent back (part_of), or the whole token one
        was cut from (offer): the correction asked for, read off a value the data gave,
        even when the script writes it as a literal."""
        return part_of(value, self.dropped) or \
            answer_key(value) in {answer_key(o) for o in self.offered}

    def vouched(self, value: Any, known: list[Any]) -> bool:
        """Whether the run's own evidence vouches for an answer a script did not compute
        from the data (a literal): a part of an answer sent back, a value an earlier
        round's script printed, or a strict part of an earlier answer (`known`, the
        answers before this round). The controller and the replay ask it alike."""
        return self.taken_from_dropped(value) or self.read_off_output(value) \
            or self.part_of_known(value, known)

    def values(self) -> list[Any]:
        """The answers given so far (part_of_known reads them before a round's votes)."""
        return [s.value for s in self.answers.values()]

    @staticmethod
    def part_of_known(value: Any, known: list[Any]) -> bool:
        """Whether an answer is a strict part (whole words) of an answer an earlier round
        computed from the data: told that 'K7-19QX' is a part of '... access code K7-19QX
        issued by security' and to submit only what the question asks for, the 1.5B wrote
        submit("K7-19QX"), and that was refused as a guess (the README's main job ended
        uncertain so). An answer equal to a known one is no part: a literal that only
        picks one of the disagreeing answers stays a guess; nor is a word of an answer
        as large as a table (PIECE_LINES, PIECE_CHARS) read off it."""
        return part_of(value, [k for k in known if not isinstance(k, str) or (
            len(k) <= PIECE_CHARS and k.count("\n") < PIECE_LINES)])

    def saw(self, script: str, printed: str) -> None:
        """What a script printed, for the later rounds (read_off_output)."""
        if printed.strip():
            self.outputs.append((printed, script))

    def read_off_output(self, value: Any) -> bool:
        """Whether an answer (each item of a list) was printed by a script of an earlier
        round that did not write it itself: a value read off the output of a computation,
        as the prompt asks ("first write a script that only prints what you need to see
        ... then write the script that submits"). The 1.5B printed 'Domain:
        island.example', then wrote submit("island.example"), and that was refused as a
        guess every round while the script that printed it was a vote."""
        items = value if isinstance(value, list) else [value]
        if not items or not self.outputs:
            return False
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                return False
            text = str(item).strip()
            if not text or counts_nothing(text):
                return False
            token = re.compile(r"(?<![\w.])" + re.escape(text) + r"(?!\.?\w)")
            if not any(token.search(out) and text not in script for out, script in self.outputs):
                return False
        return True

    def clear(self) -> None:
        """Forget every answer (they were computed on a state that has since changed)."""
        self.answers.clear()

    def to_json(self) -> list[dict[str, Any]]:
        return [s.to_json() for s in self.ranked()]

    def disagreement(self, limit_chars: int = 300) -> str:
        """Feedback for the model: the answers and one script behind each."""
        parts = ["Your scripts disagree, so none of their answers can be trusted yet:"]
        for s in self.ranked()[:4]:
            script = s.example(limit_chars)
            printed = s.output(limit_chars // 2)
            parts.append(f"- {s.shown()} ({draws_text(s.draws, len(s.scripts))}), e.g.:\n"
                         f"{script}" + (f"\n{printed.rstrip()}" if printed else ""))
        parts.extend(nested_answers(self.ranked()[:4], self.question))
        zero = next((s for s in self.ranked() if self.zero_against_count(s)), None)
        if zero is not None:
            parts.append(f"{zero.shown()} is what a test that matches nothing gives, and "
                         "another script found what it looked for: print a few of the "
                         "lines or fields the zero's script tests, to see how the value "
                         "is written there.")
        parts.append("Work out which reading of the data is right: print the lines or values "
                     "the answer depends on, check them, then submit.")
        return "\n".join(parts)


def nested_answers(shown: list[Support], question: str = "") -> list[str]:
    """A line for each answer that is a part of another (whole words): the two scripts
    read the same value and disagree on how much of it to submit. The 1.5B, shown only
    that 'K7-19QX' and 'access code K7-19QX issued by security' disagree, drew the longer
    one's script again for two rounds; the question says which one it asks for. A part
    the question itself writes ('4820' of "badge 4820") is what was looked up, not a
    reading of the answer: not said so."""
    return [f"{part.shown()} is a part of {whole.shown()}: the same value, read with more "
            "or fewer words around it. Submit exactly what the question asks for, "
            "nothing around it."
            for part in shown for whole in shown
            if part is not whole and isinstance(whole.value, str)
            and part_of(part.value, [whole.value]) and not part_of(part.value, [question])]
