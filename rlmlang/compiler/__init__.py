"""Bytecode: instruction set and serialised form, compiler, validator."""
