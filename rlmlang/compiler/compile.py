"""Compile a (checked, verified) script to bytecode.

Why this shape:
- Code is built as basic blocks. Each block carries the fuel of the syntax
  nodes it evaluates, summed from rlmlang.cost.NODE_FUEL, and gets one FUEL
  instruction at its entry when laid out. The verifier sums the same table
  over the same nodes, so the static part of the two agrees by construction.
  Attribution rules (docs/bytecode.md): a node is charged in the block where
  it is evaluated; `If` once per condition tested; `For` 2 in the body's
  entry block (once per iteration, never for the final exhausted test);
  `While` 1 in the header block (once per test, so n+1 times for n
  iterations); `Def` 0, its body charged in the callee's blocks per call;
  an assignment's target is a place, not a value, and is not charged
  (only an index expression inside it is), while an augmented assignment
  reads its target first and so charges it as an expression; `decreases`
  is never evaluated. Data-proportional work is charged at run time.
- The compiler trusts the checker for types, and only resolves names:
  top-level names are globals (slots of frame 0); inside a def, parameters
  and names it assigns are locals, every other name is a global.
- Stack heights and max_stack come from the validator's abstract
  interpretation (one stack-effect table), run on every function here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rlmlang.compiler import bytecode as bc
from rlmlang.compiler.bytecode import Bytecode, Function
from rlmlang.compiler.validate import max_stack, validate
from rlmlang.cost import ITEM_FUEL, NODE_FUEL
from rlmlang.diagnostics import Diagnostic, DiagnosticError, Span
from rlmlang.syntax import ast
from rlmlang.types import format_type


class CompileError(DiagnosticError):
    """The program cannot be compiled (only for input the checker should have refused)."""


@dataclass
class _Block:
    instrs: list[tuple[int, Any, int, tuple[int, int]]] = field(default_factory=list)
    fuel: int = 0
    loop_header: bool = False
    line: tuple[int, int] | None = None  # position for the FUEL instruction
    pc: int = -1


@dataclass
class _Loop:
    header: _Block
    exit: _Block
    is_for: bool


def _pos(node: object) -> tuple[int, int]:
    span = getattr(node, "span", None)
    if isinstance(span, Span) and span.line:
        return (span.line, span.col)
    return (0, 0)


def _unwrap(program: object) -> tuple[ast.Script, str]:
    """Accept a VerifiedProgram, a CheckedScript or a bare ast.Script."""
    obj = program
    for attr in ("checked", "script"):
        if not isinstance(obj, ast.Script) and hasattr(obj, attr):
            obj = getattr(obj, attr)
    if not isinstance(obj, ast.Script):
        raise TypeError(f"cannot compile a {type(program).__name__}")
    file = getattr(program, "file", None) or getattr(getattr(program, "checked", None),
                                                        "file", None) or "<script>"
    return obj, str(file)


def compile_program(program: object, registry: object | None = None,
                    file: str | None = None) -> Bytecode:
    """VerifiedProgram | CheckedScript | ast.Script -> validated Bytecode; CompileError if not."""
    script, default_file = _unwrap(program)
    c = _Compiler(file or default_file, registry)
    prog = c.compile(script)
    diags = validate(prog)
    if diags:  # a compiler bug: say so plainly rather than run it
        raise CompileError([Diagnostic(
            "E_BYTECODE", "the compiler produced invalid bytecode (a bug in rlmlang): "
            + "; ".join(d.message for d in diags), None, c.file)])
    return prog


def compile_source(text: str, registry: object | None = None, file: str = "<script>") -> Bytecode:
    """Parse and compile without checking: for tests and tools that trust their input."""
    from rlmlang.syntax.parser import parse  # lazy: keeps lark out of start-up

    result = parse(text, file)
    if result.script is None or result.diagnostics:
        raise CompileError(result.diagnostics or [Diagnostic("E_SYNTAX", "no script", None, file)])
    return compile_program(result.script, registry, file)


def _collect_defs(body: tuple[ast.Stmt, ...], out: list[ast.Def]) -> None:
    for s in body:
        if isinstance(s, ast.Def):
            out.append(s)
        for blk in ast.child_blocks(s):
            _collect_defs(blk, out)


class _Compiler:
    def __init__(self, file: str, registry: object | None) -> None:
        self.file = file
        self.registry = registry
        self.consts: list[Any] = []
        self._const_index: dict[tuple[str, Any], int] = {}
        self.globals: list[str] = []
        self.state_keys: list[str] = []
        self.tools: list[str] = []
        self.defs: dict[str, int] = {}  # def name -> function index
        self.def_nodes: list[ast.Def] = []
        self.functions: list[Function] = []
        self.fuel_static = 0
        # per-function state
        self.blocks: list[_Block] = []
        self.cur = _Block()
        self.locals: dict[str, int] = {}
        self.local_names: list[str] = []
        self.in_def = False
        self.loops: list[_Loop] = []

    # ------------------------------------------------------------ tables

    def error(self, node: object, message: str) -> CompileError:
        span = getattr(node, "span", None)
        return CompileError([Diagnostic("E_NAME" if "name" in message else "E_TYPE", message,
                                        span if isinstance(span, Span) and span.line else None,
                                        self.file)])

    def const(self, value: Any) -> int:
        key = (type(value).__name__, repr(value))
        idx = self._const_index.get(key)
        if idx is None:
            idx = len(self.consts)
            self.consts.append(value)
            self._const_index[key] = idx
        return idx

    @staticmethod
    def _intern(table: list[str], name: str) -> int:
        try:
            return table.index(name)
        except ValueError:
            table.append(name)
            return len(table) - 1

    def global_slot(self, name: str) -> int:
        return self._intern(self.globals, name)

    def tool(self, name: str) -> int:
        return self._intern(self.tools, name)

    # ------------------------------------------------------------ blocks

    def emit(self, node: object, op: int, a: Any = 0, b: int = 0) -> None:
        self.cur.instrs.append((op, a, b, _pos(node)))

    def fuel(self, n: int, node: object | None = None) -> None:
        self.cur.fuel += n
        if self.cur.line is None and node is not None and _pos(node) != (0, 0):
            self.cur.line = _pos(node)

    def charge(self, node: object) -> None:
        fuel = NODE_FUEL.get(type(node).__name__)
        if fuel is None:  # a Python form the checker should have lowered: a bug, not a crash
            raise CompileError([Diagnostic(
                "E_INTERNAL", f"the compiler met a {type(node).__name__} node, which the "
                "checker should have rewritten", getattr(node, "span", None), self.file,
                "write that line another way, and report the script")])
        self.fuel(fuel, node)

    def place(self, block: _Block) -> None:
        """Lay out `block` next; the current block falls through into it."""
        self.blocks.append(block)
        self.cur = block

    def new_block(self) -> _Block:
        b = _Block()
        self.place(b)
        return b

    def start_function(self) -> None:
        self.blocks = []
        self.cur = _Block()
        self.blocks.append(self.cur)
        self.loops = []

    def finish_function(self, name: str, nparams: int) -> Function:
        code: list[tuple[int, int, int]] = []
        lines: list[tuple[int, int]] = []
        self._drop_jumps_to_next()
        pc = 0
        for b in self.blocks:  # first pass: block addresses
            b.pc = pc
            pc += len(b.instrs) + (1 if b.fuel else 0)
        headers: list[int] = []
        for b in self.blocks:
            if b.loop_header:
                headers.append(b.pc)
            if b.fuel:
                self.fuel_static += b.fuel
                code.append((bc.FUEL, b.fuel, 0))
                lines.append(b.line or (b.instrs[0][3] if b.instrs else (0, 0)))
            for op, a, bb, pos in b.instrs:
                if isinstance(a, _Block):
                    a = a.pc
                code.append((op, a, bb))
                lines.append(pos)
        return Function(name, nparams, len(self.local_names),
                        max_stack(code, self.consts, headers), code, lines, headers,
                        list(self.local_names))

    def _drop_jumps_to_next(self) -> None:
        """`JUMP L` where L is laid out next is a wasted dispatch (the end of an if)."""
        blocks = self.blocks
        for i, b in enumerate(blocks):
            if not b.instrs or b.instrs[-1][0] != bc.JUMP:
                continue
            target = b.instrs[-1][1]
            for nxt in blocks[i + 1:]:
                if nxt is target:
                    b.instrs.pop()
                    break
                if nxt.instrs or nxt.fuel or nxt.loop_header:
                    break

    # ------------------------------------------------------------ program

    def compile(self, script: ast.Script) -> Bytecode:
        _collect_defs(script.body, self.def_nodes)
        for i, d in enumerate(self.def_nodes):
            self.defs[d.name] = i + 1
        # Top level: globals are frame 0's locals, in one shared table.
        for n in ast.assigned_names(script.body):
            self.global_slot(n)
        self.start_function()
        self.in_def = False
        self.locals = {}
        self.local_names = self.globals  # same list object: new globals are new slots
        self.block(script.body)
        self.emit(script, bc.HALT)
        main_blocks = self.blocks
        self.functions.append(None)  # type: ignore[arg-type]  # index 0, laid out last
        for d in self.def_nodes:
            self.functions.append(self.compile_def(d))
        # Compiling defs may have added globals (names they read), so frame 0 goes last.
        self.blocks = main_blocks
        self.in_def = False
        self.local_names = self.globals
        self.functions[0] = self.finish_function("<script>", 0)
        return Bytecode(self.functions, self.consts, list(self.globals), self.state_keys,
                        self.tools, source_file=self.file, fuel_static=self.fuel_static)

    def compile_def(self, d: ast.Def) -> Function:
        names = [p.name for p in d.params]
        names += [n for n in ast.assigned_names(d.body) if n not in names]
        self.in_def = True
        self.locals = {n: i for i, n in enumerate(names)}
        self.local_names = names
        self.start_function()
        self.block(d.body)
        self.emit(d, bc.CONST, self.const(None))
        self.emit(d, bc.RETURN)
        fn = self.finish_function(d.name, len(d.params))
        self.in_def = False
        return fn

    # ------------------------------------------------------------ statements

    def block(self, body: tuple[ast.Stmt, ...]) -> None:
        for s in body:
            self.stmt(s)

    def stmt(self, s: ast.Stmt) -> None:
        method = getattr(self, "s_" + type(s).__name__)
        method(s)

    def s_Def(self, s: ast.Def) -> None:  # noqa: N802
        pass  # compiled as its own function; defining costs nothing

    def s_Pass(self, s: ast.Pass) -> None:  # noqa: N802
        self.charge(s)

    def s_ExprStmt(self, s: ast.ExprStmt) -> None:  # noqa: N802
        self.charge(s)
        self.expr(s.expr)
        self.emit(s, bc.POP)

    def s_Assign(self, s: ast.Assign) -> None:  # noqa: N802
        # The target is a place, not a value: only an index expression in it is
        # charged (the verifier's convention, rlmlang/verify/cost.py).
        self.charge(s)
        t = s.target
        if isinstance(t, ast.Name):
            self.expr(s.value)
            self.store_name(t)
        elif isinstance(t, ast.Index) and isinstance(t.value, ast.Name):
            self.load_name(t.value)
            self.expr(t.index)
            self.expr(s.value)
            self.emit(t, bc.STORE_INDEX)
        elif isinstance(t, ast.Dotted) and t.parts[0] == "state":
            self.expr(s.value)
            self.emit(t, bc.STATE_SET, self._intern(self.state_keys, ".".join(t.parts[1:])))
        else:
            raise self.error(t, "cannot assign to this target")

    def s_AugAssign(self, s: ast.AugAssign) -> None:  # noqa: N802
        self.charge(s)
        op = bc.BINARY_OPS[s.op]
        t = s.target
        if isinstance(t, ast.Name):
            self.charge(t)
            self.load_name(t)
            self.expr(s.value)
            # `xs += ys` extends a list in place, as in Python (check/alias.py keeps such
            # a list to one name); on str and numbers it is `+`.
            self.emit(s, bc.INPLACE_ADD if s.op == "+" else op)
            self.store_name(t)
        elif isinstance(t, ast.Index):
            self.charge(t)
            self.expr(t.value)
            self.expr(t.index)
            self.emit(t, bc.DUP2)
            self.emit(t, bc.INDEX)
            self.expr(s.value)
            self.emit(s, op)
            self.emit(t, bc.STORE_INDEX)
        elif isinstance(t, ast.Dotted) and t.parts[0] == "state":
            self.charge(t)
            key = self._intern(self.state_keys, ".".join(t.parts[1:]))
            self.emit(t, bc.STATE_GET, key)
            self.expr(s.value)
            self.emit(s, op)
            self.emit(t, bc.STATE_SET, key)
        else:
            raise self.error(t, "cannot assign to this target")

    def s_Submit(self, s: ast.Submit) -> None:  # noqa: N802
        self.charge(s)
        self.expr(s.value)
        self.emit(s, bc.SUBMIT)
        self.new_block()

    def s_Fail(self, s: ast.Fail) -> None:  # noqa: N802
        self.charge(s)
        self.expr(s.message)
        self.emit(s, bc.FAIL)
        self.new_block()

    def s_Return(self, s: ast.Return) -> None:  # noqa: N802
        if not self.in_def:
            raise self.error(s, "'return' outside a def")
        self.charge(s)
        if s.value is None:
            self.emit(s, bc.CONST, self.const(None))
        else:
            self.expr(s.value)
        self.emit(s, bc.RETURN)
        self.new_block()

    def s_Break(self, s: ast.Break) -> None:  # noqa: N802
        if not self.loops:
            raise self.error(s, "'break' outside a loop")
        self.charge(s)
        loop = self.loops[-1]
        if loop.is_for:
            self.emit(s, bc.POP)  # the iterator
        self.emit(s, bc.JUMP, loop.exit)
        self.new_block()

    def s_Continue(self, s: ast.Continue) -> None:  # noqa: N802
        if not self.loops:
            raise self.error(s, "'continue' outside a loop")
        self.charge(s)
        self.emit(s, bc.JUMP, self.loops[-1].header)
        self.new_block()

    def s_If(self, s: ast.If) -> None:  # noqa: N802
        end = _Block()
        for cond, body in s.branches:
            self.charge(s)  # once per condition tested
            self.expr(cond)
            nxt = _Block()
            self.emit(cond, bc.JUMP_IF_FALSE, nxt)
            self.new_block()
            self.block(body)
            self.emit(s, bc.JUMP, end)
            self.place(nxt)
        if s.orelse is not None:
            self.block(s.orelse)
        self.place(end)

    def s_For(self, s: ast.For) -> None:  # noqa: N802
        it = s.iter
        if isinstance(it, ast.Call) and it.func == "range" and not it.kwargs \
                and "range" not in self.defs:
            self.charge(it)
            for a in it.args:
                self.expr(a)
            self.emit(it, bc.RANGE_ITER, self.tool("range"), len(it.args))
        else:
            self.expr(it)
            self.emit(s, bc.GET_ITER)
        header = _Block(loop_header=True)
        exit_ = _Block()
        self.place(header)
        self.emit(s, bc.FOR_ITER, exit_)
        self.new_block()
        self.charge(s)  # advance + bind, once per iteration
        self.store_name(ast.Name(s.var, s.span))
        self.loops.append(_Loop(header, exit_, True))
        self.block(s.body)
        self.loops.pop()
        self.emit(s, bc.JUMP, header)
        self.place(exit_)

    def s_While(self, s: ast.While) -> None:  # noqa: N802
        header = _Block(loop_header=True)
        exit_ = _Block()
        self.place(header)
        self.charge(s)  # once per test
        self.expr(s.cond)
        self.emit(s.cond, bc.JUMP_IF_FALSE, exit_)
        self.new_block()
        self.loops.append(_Loop(header, exit_, False))
        self.block(s.body)
        self.loops.pop()
        self.emit(s, bc.JUMP, header)
        self.place(exit_)

    # ------------------------------------------------------------ names

    def load_name(self, n: ast.Name) -> None:
        if self.in_def:
            slot = self.locals.get(n.id)
            if slot is not None:
                self.emit(n, bc.LOAD_LOCAL, slot)
                return
            self.emit(n, bc.LOAD_GLOBAL, self.global_slot(n.id))
            return
        self.emit(n, bc.LOAD_LOCAL, self.global_slot(n.id))

    def store_name(self, n: ast.Name) -> None:
        if self.in_def:
            self.emit(n, bc.STORE_LOCAL, self.locals[n.id])
        else:
            self.emit(n, bc.STORE_LOCAL, self.global_slot(n.id))

    # ------------------------------------------------------------ expressions

    def expr(self, e: ast.Expr) -> None:
        self.charge(e)
        t = type(e)
        if t is ast.Const:
            v = e.value  # type: ignore[attr-defined]
            if isinstance(v, int) and not isinstance(v, bool) and abs(v) > bc.MAX_INT:
                raise CompileError([Diagnostic(
                    "E_SIZE", f"the integer {v} is wider than 64 bits", e.span, self.file)])  # type: ignore[attr-defined]
            self.emit(e, bc.CONST, self.const(v))
        elif t is ast.Name:
            self.load_name(e)  # type: ignore[arg-type]
        elif t is ast.BinOp:
            self.expr(e.left)  # type: ignore[attr-defined]
            self.expr(e.right)  # type: ignore[attr-defined]
            self.emit(e, bc.BINARY_OPS[e.op])  # type: ignore[attr-defined]
        elif t is ast.Compare:
            self.expr(e.left)  # type: ignore[attr-defined]
            self.expr(e.right)  # type: ignore[attr-defined]
            self.emit(e, bc.COMPARE_OPS[e.op])  # type: ignore[attr-defined]
        elif t is ast.Call:
            self.call(e, None)  # type: ignore[arg-type]
        elif t is ast.Index:
            self.expr(e.value)  # type: ignore[attr-defined]
            self.expr(e.index)  # type: ignore[attr-defined]
            self.emit(e, bc.INDEX)
        elif t is ast.BoolOp:
            end = _Block()
            self.expr(e.left)  # type: ignore[attr-defined]
            op = bc.JUMP_IF_FALSE_OR_POP if e.op == "and" else bc.JUMP_IF_TRUE_OR_POP  # type: ignore[attr-defined]
            self.emit(e, op, end)
            self.new_block()
            self.expr(e.right)  # type: ignore[attr-defined]
            self.place(end)
        elif t is ast.IfExp:
            orelse, end = _Block(), _Block()
            self.expr(e.cond)  # type: ignore[attr-defined]
            self.emit(e, bc.JUMP_IF_FALSE, orelse)
            self.new_block()
            self.expr(e.body)  # type: ignore[attr-defined]
            self.emit(e, bc.JUMP, end)
            self.place(orelse)
            self.expr(e.orelse)  # type: ignore[attr-defined]
            self.place(end)
        elif t is ast.Not:
            self.expr(e.operand)  # type: ignore[attr-defined]
            self.emit(e, bc.NOT)
        elif t is ast.Neg:
            self.expr(e.operand)  # type: ignore[attr-defined]
            self.emit(e, bc.NEG)
        elif t is ast.ListLit or t is ast.TupleLit:  # a tuple is a list at run time
            for item in e.items:  # type: ignore[attr-defined]
                self.fuel(ITEM_FUEL)
                self.expr(item)
            self.emit(e, bc.BUILD_LIST, len(e.items))  # type: ignore[attr-defined]
        elif t is ast.DictLit:
            for k, v in e.items:  # type: ignore[attr-defined]
                self.fuel(ITEM_FUEL)
                self.expr(k)
                self.expr(v)
            self.emit(e, bc.BUILD_DICT, len(e.items))  # type: ignore[attr-defined]
        elif t is ast.Slice:
            self.expr(e.value)  # type: ignore[attr-defined]
            flags = 0
            if e.lower is not None:  # type: ignore[attr-defined]
                self.expr(e.lower)  # type: ignore[attr-defined]
                flags |= 1
            if e.upper is not None:  # type: ignore[attr-defined]
                self.expr(e.upper)  # type: ignore[attr-defined]
                flags |= 2
            self.emit(e, bc.SLICE, flags)
        elif t is ast.Dotted:
            parts = e.parts  # type: ignore[attr-defined]
            if parts[0] != "state" or len(parts) < 2:
                raise self.error(e, f"'{'.'.join(parts)}' is not a value: only state.KEY "
                                    "can be read with a dot")
            self.emit(e, bc.STATE_GET, self._intern(self.state_keys, ".".join(parts[1:])))
        elif t is ast.Cast:
            inner = e.value  # type: ignore[attr-defined]
            type_text = format_type(e.type)  # type: ignore[attr-defined]
            if isinstance(inner, ast.Call) and inner.func not in self.defs \
                    and inner.func not in ("print", "range"):
                self.charge(inner)
                self.call(inner, type_text)
            else:
                self.expr(inner)
            self.emit(e, bc.CAST, self.const(type_text), 1)
        else:
            raise self.error(e, f"cannot compile a {t.__name__} expression")

    def call(self, e: ast.Call, cast: str | None) -> None:
        """Arguments in source order, then one call instruction (fuel of `e` already charged)."""
        if e.func in self.defs:
            d = self.def_nodes[self.defs[e.func] - 1]
            params = [p.name for p in d.params]
            for a in e.args:
                self.expr(a)
            for i, k in enumerate(e.kwargs):
                pos = len(e.args) + i
                if pos >= len(params) or params[pos] != k.name:
                    raise self.error(k, f"pass the arguments of '{e.func}' in the order of its "
                                        f"parameters ({', '.join(params)})")
                self.expr(k.value)
            argc = len(e.args) + len(e.kwargs)
            if argc != len(params):
                raise self.error(e, f"'{e.func}' takes {len(params)} argument(s), "
                                    f"{argc} given")
            self.emit(e, bc.CALL_FUNC, self.defs[e.func], argc)
            return
        for a in e.args:
            self.expr(a)
        for k in e.kwargs:
            self.expr(k.value)
        if e.func == "print" and not e.kwargs:
            self.emit(e, bc.PRINT, len(e.args), self.tool("print"))
            return
        tool = self.tool(e.func)
        if e.kwargs or cast is not None:
            spec = [len(e.args), [k.name for k in e.kwargs]]
            if cast is not None:
                spec.append(cast)
            self.emit(e, bc.CALL_TOOL_KW, tool, self.const(spec))
        else:
            self.emit(e, bc.CALL_TOOL, tool, len(e.args))
