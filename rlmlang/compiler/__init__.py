"""Bytecode: instruction set and serialised form, compiler, validator."""

from rlmlang.compiler.bytecode import Bytecode, BytecodeError
from rlmlang.compiler.compile import CompileError, compile_program, compile_source
from rlmlang.compiler.validate import from_bytes, load, validate

__all__ = ["Bytecode", "BytecodeError", "CompileError", "compile_program", "compile_source",
           "from_bytes", "load", "validate"]
