"""The cost model: one table, read by the verifier to bound and by the VM to meter.

Fuel is charged per syntax node, not per instruction: the compiler sums the
table below over the nodes of each basic block and emits one charge at the
block's entry, and the verifier sums the same table over the same nodes to
bound a script before it runs. Work proportional to data (joining strings,
scanning text inside a builtin) is charged by the callee's cost function on
the sizes of its arguments — the verifier calls it on upper bounds, the VM on
actual sizes — so every cost function must be monotone in every size.
"""

from __future__ import annotations

# Fuel for evaluating one node once, excluding its children.
NODE_FUEL: dict[str, int] = {
    # expressions
    "Const": 1,
    "Name": 1,
    "Dotted": 1,  # a state read; the store lookup is charged as a tool call
    "ListLit": 1,  # plus one per item, see ITEM_FUEL
    "TupleLit": 1,  # plus one per item: a tuple is a list at run time
    "DictLit": 1,  # plus one per pair
    "BinOp": 1,  # plus size-proportional work for str/list +, see concat_fuel
    "Compare": 1,  # plus size-proportional work for `in` on str/list
    "BoolOp": 1,
    "Not": 1,
    "Neg": 1,
    "Index": 1,
    "Slice": 1,  # plus the size of the slice taken
    "Call": 2,  # plus the callee's own cost
    "Cast": 1,
    "IfExp": 1,  # plus the condition and the branch taken
    # statements
    "Assign": 1,
    "AugAssign": 1,  # `xs += ys` on a list extends it in place: size_fuel(len(ys))
    "ExprStmt": 1,
    "Submit": 1,
    "Fail": 1,
    "Return": 1,
    "Break": 1,
    "Continue": 1,
    "Pass": 1,
    "If": 1,  # per condition tested
    "For": 2,  # per iteration (advance + bind)
    "While": 1,  # per condition test
    "Def": 0,  # defining costs nothing; calling does
}

ITEM_FUEL = 1  # per element of a list or dict literal

# Data-proportional work: one unit of fuel per this many characters or elements.
CHARS_PER_FUEL = 64


def size_fuel(n: int) -> int:
    """Fuel for touching `n` characters or elements (at least 1)."""
    return 1 + max(n, 0) // CHARS_PER_FUEL


def concat_fuel(result_size: int) -> int:
    """`a + b` on strings or lists costs the size of what it builds."""
    return size_fuel(result_size)


# Visiting one item of a list or dict in Python (measuring it, comparing it, copying it
# as JSON, showing it, making it) costs about as much as touching this many characters
# in C: items weigh more than characters (bench/micro_fuel.py measures both).
ITEM_WORK = 16
# Reading or writing a state value copies it as JSON: encoding or decoding, checking it
# against the schema, and keeping a copy for the log (a write: about 1.3 us an item).
STATE_WORK = 4


class _Sized:  # what the functions below read of a registry Size (no import cycle)
    total: int
    slots: int


def work(size: _Sized) -> int:
    """What walking a value touches: its characters and items, items weighted by ITEM_WORK
    (a str: its length; a scalar: 1)."""
    slots = size.slots
    return size.total + ITEM_WORK * slots if slots else size.total


def walk_fuel(size: _Sized) -> int:
    """Fuel for walking a value once (no base: a scalar or a short str costs nothing)."""
    return work(size) // CHARS_PER_FUEL


def result_fuel(items: int, per_item: int = ITEM_WORK) -> int:
    """Fuel for the items of a list or dict a builtin or tool returns, on top of its own
    cost: making them (a str piece, a regex match) is work its arguments' sizes may not
    show (splitting 5 MB of commas makes 5M strings). Items of items are made by the
    builtin's own work on its arguments (a table's cells: its characters)."""
    return per_item * items // CHARS_PER_FUEL


def compare_fuel(x: _Sized, y: _Sized) -> int:
    """`==`, `<`, ... on two strs, or two lists or dicts: as far as the shorter reaches."""
    return min(work(x), work(y)) // CHARS_PER_FUEL


def contains_fuel(item: _Sized, items: int) -> int:
    """`x in xs` on a list of `items` items: each compared with x (a scalar counts 1)."""
    return 1 + items * (ITEM_WORK + work(item)) // CHARS_PER_FUEL


def state_fuel(size: _Sized) -> int:
    """Reading or writing `state.k`: the value is copied as JSON (a scalar costs nothing)."""
    return STATE_WORK * work(size) // CHARS_PER_FUEL


