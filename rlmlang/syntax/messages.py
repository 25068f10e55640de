"""Syntax errors in the language's own words.

Two sources: a line scan for the Python-isms a model reaches for (classes,
try, with, `**`, odd string prefixes, tabs...), which gets a precise message and
fix; and Lark's LALR errors, whose terminal sets are translated into words
("expected ':' after the for header") using the line's leading keyword.
"""

from __future__ import annotations

import re

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from rlmlang.diagnostics import Diagnostic, Span

# (pattern, message, fix). The pattern's first group (or whole match) is what the caret
# marks. Patterns run on the line with string contents blanked and comments removed,
# so nothing inside a string or a comment is mistaken for code.
_PYTHON_ISMS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^\s*def\s+(submit|fail|print)\s*\("),
     "{0} is built into the language; a script cannot define it",
     "remove this def: {0}(value) already does it"),
    (re.compile(r"^\s*(class)\s+\w"), "classes are not in the language",
     'use a dict for structured data, e.g. {"name": n, "count": 1}'),
    (re.compile(r"^\s*(try|except|finally|raise)\b"),
     "exceptions are not in the language: an error ends the script and is reported back",
     'test the condition with if, and stop with fail("why") if needed'),
    (re.compile(r"^\s*(with)\s"), "with blocks are not in the language",
     "read inputs directly by their names, or files with fs.read(path)"),
    (re.compile(r"^\s*(global|nonlocal|yield|async|await|del|assert)\b(?!\s*=[^=])"),
     "'{0}' is not in the language", "rewrite without it"),
    (re.compile(r"[(,]\s*(\*\*)\s*\w"), "unpacking a dict into keyword arguments (**d) "
     "is not in the language", "pass each argument by name: f(a=d[\"a\"], b=d[\"b\"])"),
    (re.compile(r"(&&|\|\||!(?!=))"), "'{0}' is not in the language",
     "use and, or, not"),
    (re.compile(r"(:=)"), "':=' is not in the language",
     "assign on a line of its own first: n = len(xs)"),
    (re.compile(r"^\s*else\s+(if)\b"), "'else if' is written elif", "write elif"),
    (re.compile(r"\{[^{}:]*\s(for)\s+\w+(?:\s*,\s*\w+)*\s+in\s[^{}:]*\}"),
     "set comprehensions are not in the language",
     "build a list of distinct items: [x for x in set(xs)], or a dict {x: True for ...}"),
    (re.compile(r"(?<![\w.])(0[xXoObB][0-9a-fA-F_]+|\d[\d_]*(?:\.\d+)?[eE][+-]?\d+"
                r"|\d+_\d[\d_]*)"),
     "'{0}': numbers are written in plain decimal here (no 0x, 1e5 or 1_000 forms)",
     "write the number out, e.g. 100000 or 0.001"),
    (re.compile(r"(?<![\w.])(0\d+)"), "'{0}': a number cannot start with 0",
     "drop the leading zeros"),
    (re.compile(r"^\s*def\s+\w+\s*\(.*\w\s*:\s*[\w\[\], ]+?(=)[^=]"),
     "parameters cannot have default values", "pass every argument at each call"),
    (re.compile(r"^\s*(print)\s+[\"'\w]"), "print is a function here",
     'call it: print("text")'),
]

_TAB = re.compile(r"^[ ]*(\t)")

# A triple quote, a string (possibly unterminated) with an optional prefix, or a comment.
_LEXEME = re.compile(
    r"(?P<triple>\"\"\"|''')"
    r"|(?P<prefix>(?<!\w)[fFrRbBuU]{1,2})?(?P<string>\"(?:[^\"\\]|\\.)*\"?|'(?:[^'\\]|\\.)*'?)"
    r"|(?P<comment>#.*)"
)

_BLOCK_KEYWORDS = {"if", "elif", "else", "for", "while", "def"}


def _mask(line: str, n: int) -> tuple[str, Diagnostic | None]:
    """The line with string contents blanked and the comment cut; a finding about strings."""
    out: list[str] = []
    finding: Diagnostic | None = None
    pos = 0
    for m in _LEXEME.finditer(line):
        out.append(line[pos:m.start()])
        pos = m.end()
        if m.group("comment") is not None:
            break
        if m.group("triple") is not None:
            pos = len(line)  # an unclosed triple quote: the rest of the line is text
            break
        prefix = m.group("prefix") or ""
        if prefix and prefix.lower() not in ("f", "r"):
            col = m.start("prefix") + 1
            finding = finding or Diagnostic(
                "E_SYNTAX", f'string prefixes such as {prefix}"..." are not in the language',
                Span(n, col, n, col + len(prefix)),
                fix='write a plain string, an f"..." string or a raw r"..." string')
        text = m.group("string")
        quote = text[0]
        closed = len(text) > 1 and text.endswith(quote)
        out.append(" " * len(prefix) + quote + " " * (len(text) - 1 - closed)
                   + (quote if closed else ""))
    else:
        out.append(line[pos:])
    return "".join(out), finding


_TRIPLE = re.compile(r'[rR]?("""|\'\'\')(?:\\.|(?!\1).)*?\1', re.S)


def _blank_triples(text: str) -> str:
    """Triple-quoted strings with their text blanked (line ends kept), so that the
    line scan never reads data for code."""
    return _TRIPLE.sub(lambda m: m.group(1) + re.sub(r"[^\n]", " ", m.group(0)[
        len(m.group(0)) - len(m.group(0).lstrip("rR")) + 3:-3]) + m.group(1), text)


def python_isms(text: str) -> list[Diagnostic]:
    """Scan every line for constructs that are Python but not RLM script."""
    found: list[Diagnostic] = []
    for n, line in enumerate(_blank_triples(text).split("\n"), 1):
        m = _TAB.search(line)
        if m:
            found.append(Diagnostic("E_SYNTAX", "tabs are not allowed in indentation",
                                    Span(n, m.start(1) + 1, n, m.start(1) + 2),
                                    fix="indent with 4 spaces per level"))
            continue
        if not line.strip():
            continue
        code, finding = _mask(line, n)
        if finding is not None:
            found.append(finding)
            continue
        for pattern, message, fix in _PYTHON_ISMS:
            m = pattern.search(code)
            if m:
                g = 1 if m.groups() else 0
                col = m.start(g) + 1
                width = max(1, m.end(g) - m.start(g))
                found.append(Diagnostic("E_SYNTAX", message.format(m.group(g)),
                                        Span(n, col, n, col + width),
                                        fix=fix.replace("{0}", m.group(g))))
                break
    return found


def _describe_terminal(name: str, lark: Lark) -> str:
    special = {
        "NAME": "a name", "INT": "a number", "FLOAT": "a number", "STRING": "a string",
        "_NL": "the end of the line", "_INDENT": "an indented block",
        "_DEDENT": "the end of the block", "$END": "the end of the script",
        "COMP_OP": "a comparison", "ADD_OP": "'+' or '-'", "MUL_OP": "'*', '/', '//' or '%'",
        "AUG_OP": "'+=', '-=' or '*='",
    }
    if name in special:
        return special[name]
    try:
        term = lark.get_terminal(name)
        return f"'{term.pattern.value}'"
    except (KeyError, AttributeError):
        return name.lower()


def _describe_token(tok) -> str:
    kind = tok.type
    if kind == "_NL":
        return "the end of the line"
    if kind == "$END":
        return "the end of the script"
    if kind == "_INDENT":
        return "an indented line"
    if kind == "_DEDENT":
        return "the end of a block"
    if kind == "NAME":
        return f"name '{tok}'"
    if kind in ("INT", "FLOAT"):
        return f"the number {tok}"
    if kind == "STRING":
        return "string " + (str(tok) if len(tok) <= 20 else str(tok)[:17] + "...")
    return f"'{tok}'"


def _line_keyword(text: str, line: int) -> str | None:
    lines = text.split("\n")
    if 1 <= line <= len(lines):
        m = re.match(r"\s*([A-Za-z_]+)", lines[line - 1])
        if m and m.group(1) in _BLOCK_KEYWORDS:
            return m.group(1)
    return None


def _header_line(text: str, line: int) -> int:
    """The nearest line at or before `line` whose code ends with ':' (a block header)."""
    lines = text.split("\n")
    n = min(line, len(lines))
    while n >= 1:
        code = lines[n - 1].split("#", 1)[0].rstrip()
        if code.endswith(":"):
            return n
        n -= 1
    return max(line, 1)


def _pick(expected: set[str], lark: Lark) -> list[str]:
    order = ["COLON", "RPAR", "RSQB", "RBRACE", "EQUAL", "_NL", "_INDENT", "NAME", "STRING",
             "INT", "LPAR", "LSQB"]
    names = sorted(expected, key=lambda n: (order.index(n) if n in order else len(order), n))
    words: list[str] = []
    for n in names:
        w = _describe_terminal(n, lark)
        if w not in words:
            words.append(w)
    return words


def syntax_error_diagnostic(e: UnexpectedInput, text: str, lark: Lark) -> Diagnostic:
    line = getattr(e, "line", 0) or 0
    col = getattr(e, "column", 0) or 0
    if isinstance(e, UnexpectedCharacters):
        ch = text[e.pos_in_stream] if e.pos_in_stream < len(text) else ""
        span = Span(line, col, line, col + 1)
        if ch in "\"'":
            bad = _bad_escape(text, e.pos_in_stream)
            if bad is not None:
                bcol = col + bad
                return Diagnostic("E_SYNTAX", f"unknown escape '\\{text[e.pos_in_stream + bad + 1]}' "
                                  "in a string; the escapes are \\n, \\r, \\t, \\\", \\' and "
                                  "\\\\", Span(line, bcol, line, bcol + 2),
                                  fix="write a backslash itself as \\\\")
            return Diagnostic("E_SYNTAX", "this string is not closed before the end of the line",
                              span, fix=f"add the closing {ch}")
        if ch == ";":
            return Diagnostic("E_SYNTAX", "';' is not in the language", span,
                              fix="put each statement on its own line")
        if ch == "\\":
            return Diagnostic("E_SYNTAX", "a backslash is only allowed inside a string, as an "
                              "escape (\\n, \\t, \\\", \\', \\\\)", span)
        return Diagnostic("E_SYNTAX", f"the character {ch!r} is not part of the language", span)
    if isinstance(e, UnexpectedEOF):
        return Diagnostic("E_SYNTAX", "the script ends in the middle of a statement",
                          Span.point(max(1, text.count("\n")), 1))
    assert isinstance(e, UnexpectedToken)
    tok = e.token
    if tok.type == "$END" or not line:
        line = max(1, text.rstrip("\n").count("\n") + 1)
        col = len(text.rstrip("\n").split("\n")[-1]) + 1
    if tok.type == "_NL":
        # Point at the end of the line that ended too early.
        line = tok.line
        col = tok.column
    if tok.type == "_INDENT":
        # The indent token sits on the previous line's end; point at the indented line.
        line = tok.end_line or line + 1
        col = (tok.end_column or 1)
    span = Span(line, col, line, col + max(1, len(str(tok)) if tok.type not in
                                            ("_NL", "_INDENT", "_DEDENT", "$END") else 1))
    expected = set(e.expected)
    if getattr(e, "interactive_parser", None) is not None:
        try:  # Lark's `expected` can be stale with the contextual lexer; ask the parser.
            expected = set(e.interactive_parser.accepts())
        except Exception:  # noqa: BLE001 - keep Lark's own set
            pass
    keyword = _line_keyword(text, line)
    first = _first_word(text, line)
    if tok.type == "_INDENT":
        return Diagnostic("E_SYNTAX", "unexpected indentation: only the lines of a block "
                          "(after a line ending in ':') are indented", span,
                          fix="line this statement up with the one before it")
    if first in ("elif", "else") and "_INDENT" not in expected and "COLON" not in expected:
        return Diagnostic("E_SYNTAX", f"'{first}' must follow an if block, at the same "
                          "indentation as its 'if'", Span(line, _first_col(text, line), line,
                                                           _first_col(text, line) + len(first)),
                          fix=f"line '{first}' up with its 'if', or remove it")
    if "_INDENT" in expected:
        header_kw = _line_keyword(text, _header_line(text, line))
        header = f"the {header_kw} header" if header_kw else "the ':'"
        return Diagnostic("E_SYNTAX", f"expected an indented block after {header}", span,
                          fix="indent the body by 4 spaces on the next line")
    opened = None
    if tok.type not in ("RPAR", "RSQB", "RBRACE") and col == _first_col(text, line):
        opened = _unclosed_bracket(text, line, col)
    if opened is not None and opened[1] < line:
        ch, oline, ocol = opened
        closer = {"(": ")", "[": "]", "{": "}"}[ch]
        return Diagnostic("E_SYNTAX", f"the '{ch}' opened here is not closed before line {line}",
                          Span(oline, ocol, oline, ocol + 1), fix=f"add the closing '{closer}'")
    if tok.type in ("EQUAL", "AUG_OP") and first in _keywords(lark) and \
            _starts_assignment(text, line, first):
        return Diagnostic("E_SYNTAX", f"'{first}' is a keyword and cannot be used as a name",
                          Span(line, _first_col(text, line), line,
                               _first_col(text, line) + len(first)),
                          fix=f"choose another name, e.g. {first.lower()}_")
    if "COLON" in expected and keyword and tok.type != "COLON":
        if tok.type == "_NL":
            return Diagnostic("E_SYNTAX", f"expected ':' after the {keyword} header", span,
                              fix=f"end the {keyword} line with ':'")
    if keyword == "def" and "COLON" in expected and tok.type in ("RPAR", "COMMA"):
        return Diagnostic("E_SYNTAX", "each parameter needs a type", span,
                          fix="write the type after a colon: def f(x: str) -> int:")
    if tok.type == "IF" and "ELSE" not in expected:
        return Diagnostic("E_SYNTAX", "a conditional expression is written a if c else b",
                          span, fix="add the else part, or use an if statement")
    if "ELSE" in expected and tok.type != "ELSE":
        return Diagnostic("E_SYNTAX", "a conditional expression needs its else part: "
                          "a if c else b", span, fix="add else and the other value")
    if tok.type == "FOR":
        return Diagnostic("E_SYNTAX", "a comprehension is written [x for x in xs] or "
                          "[x for x in xs if cond]", span,
                          fix="put the comprehension in brackets, the value first")
    if tok.type in ("COMP_OP", "IN") or (tok.type == "NOT" and "COMP_OP" not in expected):
        if "COMP_OP" not in expected and "IN" not in expected and "NAME" not in expected:
            return Diagnostic("E_SYNTAX", "comparisons chain at most twice: lo <= x < hi, "
                              "not a < b < c < d", span, fix="write a < b and b < c and c < d")
    if first == "submit" and tok.type in ("COMMA", "EQUAL"):
        return Diagnostic("E_SYNTAX", "submit takes exactly one value", span,
                          fix="submit(answer); build a list or dict first to submit several")
    if tok.type in ("RPAR", "RSQB", "RBRACE") and _after_comma(text, line, col):
        return Diagnostic("E_SYNTAX", "a trailing comma is not allowed here", span,
                          fix="remove the comma before the closing bracket")
    if tok.type == "COMMA":
        if "COLON" in expected and "RBRACE" not in expected:
            return Diagnostic("E_SYNTAX", "sets are not in the language: a '{...}' is a dict "
                              "of key: value pairs", span,
                              fix='use a list [a, b], or a dict {"a": 1}')
        if _assigns_later(text, line, col):
            return Diagnostic("E_SYNTAX", "only names can be unpacked into: a, b = ...", span,
                              fix="unpack into plain names first")
    if tok.type in ("_NL", "$END"):
        closers = [c for c in ("RPAR", "RSQB", "RBRACE") if c in expected]
        if closers:
            want = _describe_terminal(closers[0], lark)
            return Diagnostic("E_SYNTAX", f"this line ends before a bracket is closed: expected "
                              f"{want}", span, fix=f"add {want}")
        return Diagnostic("E_SYNTAX", "this line ends in the middle of an expression", span,
                          fix="complete the expression")
    if tok.type == "EQUAL" and "EQUAL" not in expected:
        return Diagnostic("E_SYNTAX", "'=' assigns and cannot appear here", span,
                          fix="to compare, write ==; to assign, put one '=' on its own line")
    words = _pick(expected, lark)
    shown = ", ".join(words[:6]) + (" or something else" if len(words) > 6 else "")
    return Diagnostic("E_SYNTAX", f"unexpected {_describe_token(tok)}; expected {shown}", span)


def _keywords(lark: Lark) -> set[str]:
    return {t.pattern.value for t in lark.terminals
            if t.pattern.type == "str" and t.pattern.value.isalpha()}


def _line(text: str, line: int) -> str:
    lines = text.split("\n")
    return lines[line - 1] if 1 <= line <= len(lines) else ""


def _first_word(text: str, line: int) -> str | None:
    m = re.match(r"\s*([A-Za-z_]\w*)", _line(text, line))
    return m.group(1) if m else None


def _first_col(text: str, line: int) -> int:
    s = _line(text, line)
    return len(s) - len(s.lstrip()) + 1


def _starts_assignment(text: str, line: int, word: str) -> bool:
    return re.match(rf"\s*{re.escape(word)}\s*([+*-]?=)(?!=)", _line(text, line)) is not None


def _after_comma(text: str, line: int, col: int) -> bool:
    """Whether the last code before (line, col) is a comma, possibly on earlier lines."""
    before = "\n".join(text.split("\n")[: line - 1] + [_line(text, line)[: col - 1]])
    return re.search(r",\s*$", before) is not None


def _assigns_later(text: str, line: int, col: int) -> bool:
    rest = _line(text, line)[col:]
    return re.match(r"[^=()\[\]{}\"']*=(?!=)", rest) is not None


_BRACKETS = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|#[^\n]*|[()\[\]{}]")


def _unclosed_bracket(text: str, line: int, col: int) -> tuple[str, int, int] | None:
    """The innermost bracket still open at (line, col): (char, line, col), or None."""
    lines = text.split("\n")
    stack: list[tuple[str, int, int]] = []
    for n in range(1, min(line, len(lines)) + 1):
        src = lines[n - 1] if n < line else lines[n - 1][: col - 1]
        for m in _BRACKETS.finditer(src):
            ch = m.group()
            if ch in "([{":
                stack.append((ch, n, m.start() + 1))
            elif ch in ")]}":
                if stack:
                    stack.pop()
    return stack[-1] if stack else None


def _bad_escape(text: str, start: int) -> int | None:
    """Offset (from the quote) of an unknown escape in the string starting at `start`."""
    quote = text[start]
    i = start + 1
    while i < len(text) and text[i] not in (quote, "\n"):
        if text[i] == "\\":
            if i + 1 < len(text) and text[i + 1] not in "nrt\"'\\":
                return i - start
            i += 2
            continue
        i += 1
    return None
