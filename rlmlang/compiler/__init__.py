"""Bytecode: instruction set and serialised form, compiler, validator."""

from rlmlang.compiler.bytecode import Bytecode, BytecodeError, load
from rlmlang.compiler.compile import CompileError, compile_program, compile_source
from rlmlang.compiler.validate import validate

__all__ = ["Bytecode", "BytecodeError", "CompileError", "compile_program", "compile_source",
           "load", "validate"]
