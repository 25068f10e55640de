"""Groups 2 and 3: counting and aggregating over records.

A task is a table (CSV, TSV or log lines, 20 KB to 4 MB), a filter on one or
two columns, and an operation: count the matching rows, or sum / max / min /
average a numeric column over them. Filter values are taken from a real row
after the table is drawn, so at least one row always matches. Averages are
asked rounded to 2 decimals; the expected value is the rounded mean.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.tasks import schemas as S
from bench.tasks.draft import TaskDraft
from bench.tasks.tables import Table, aggregate


@dataclass
class RecordSpec:
    """One counting or aggregation task, before its random choices."""

    table: Callable[[random.Random], Table]
    input: str
    ext: str
    size: int
    op: str  # count | sum | max | min | avg
    where: list[str]  # filter columns; values come from a drawn row
    questions: list[str]  # str.format over the filter values (and {column})
    column: str | None = None  # aggregated column
    fixed: dict[str, str] = field(default_factory=dict)  # filter values fixed in advance
    quick: bool = False


COUNT_SPECS = [
    RecordSpec(S.customers, "customers", ".csv", 20_000, "count", ["city"], [
        "How many customers in the CSV live in {city}?",
        "Count the rows whose city column is {city}.",
    ], quick=True),
    RecordSpec(S.orders, "orders", ".tsv", 40_000, "count", ["status"], [
        "How many orders have the status {status}?",
        "Count the orders marked {status}.",
    ], fixed={"status": "refunded"}, quick=True),
    RecordSpec(S.app_log, "log", ".log", 80_000, "count", ["level", "service"], [
        "How many {level} lines did the {service} service log?",
        "Count the log lines with level {level} from service [{service}].",
    ], fixed={"level": "ERROR"}),
    RecordSpec(S.sensors, "readings", ".csv", 160_000, "count", ["sensor"], [
        "How many readings came from sensor {sensor}?",
        "Count the rows of the readings where the sensor is {sensor}.",
    ]),
    RecordSpec(S.access_log, "access_log", ".log", 320_000, "count", ["status"], [
        "How many requests in the access log got status {status}?",
        "Count the requests answered with HTTP status {status}.",
    ], fixed={"status": "404"}),
    RecordSpec(S.tickets, "tickets", ".tsv", 640_000, "count", ["team"], [
        "How many tickets were assigned to the {team} team?",
        "Count the tickets whose team is {team}.",
    ]),
    RecordSpec(S.events, "events", ".log", 1_200_000, "count", ["user", "action"], [
        "How many times did user {user} perform the action {action}?",
        "Count the events with user={user} and action={action}.",
    ]),
    RecordSpec(S.employees, "employees", ".csv", 2_400_000, "count", ["department"], [
        "How many employees work in the {department} department?",
        "Count the employees whose department is {department}.",
    ]),
    RecordSpec(S.app_log, "log", ".log", 4_000_000, "count", ["host"], [
        "How many log lines came from host {host}?",
        "Count the lines of the log with host={host}.",
    ]),
]

AGG_SPECS = [
    RecordSpec(S.sales, "sales", ".csv", 20_000, "sum", ["region"], [
        "What is the total amount of all sales in the {region} region?",
        "Sum the amount column over the rows whose region is {region}.",
    ], column="amount", quick=True),
    RecordSpec(S.orders, "orders", ".tsv", 40_000, "max", ["customer"], [
        "What is the largest order total placed by {customer}?",
        "Among the orders of {customer}, what is the highest total?",
    ], column="total"),
    RecordSpec(S.access_log, "access_log", ".log", 80_000, "sum", ["path"], [
        "How many bytes in total were sent for requests to {path}?",
        "Sum the response sizes (last field) of the requests for {path}.",
    ], column="bytes"),
    RecordSpec(S.sensors, "readings", ".csv", 160_000, "min", ["sensor"], [
        "What is the lowest temperature recorded by sensor {sensor}?",
        "Find the minimum temperature among the readings of sensor {sensor}.",
    ], column="temperature"),
    RecordSpec(S.events, "events", ".log", 320_000, "avg", ["action"], [
        "What is the average latency_ms of the {action} events? Round to 2 decimals.",
        "Average the latency_ms over events with action={action}, rounded to 2 decimal places.",
    ], column="latency_ms"),
    RecordSpec(S.employees, "employees", ".csv", 640_000, "sum", ["department"], [
        "What is the total salary of the {department} department?",
        "Sum the salary column for employees in {department}.",
    ], column="salary"),
    RecordSpec(S.tickets, "tickets", ".tsv", 1_200_000, "max", ["team"], [
        "What is the largest number of hours spent on a single {team} ticket?",
        "Among tickets of the {team} team, what is the maximum of the hours column?",
    ], column="hours"),
    RecordSpec(S.sales, "sales", ".csv", 2_400_000, "avg", ["product"], [
        "On average, how many units were sold per {product} sale? Round to 2 decimals.",
        "Average the units column over rows whose product is {product} (2 decimal places).",
    ], column="units"),
    RecordSpec(S.app_log, "log", ".log", 4_000_000, "max", ["service"], [
        "What is the longest dur_ms logged by the {service} service?",
        "Find the maximum dur_ms among lines from service [{service}].",
    ], column="dur_ms"),
]


def answer_type(spec: RecordSpec, table: Table) -> str:
    """int for counts and integer columns, float for decimal columns and averages."""
    if spec.op == "count":
        return "int"
    if spec.op == "avg" or table.col(spec.column or "").decimals is not None:
        return "float"
    return "int"


def make(
    spec: RecordSpec,
    task_id: str,
    group: str,
    rng: random.Random,
    prepare: Callable[[Table], None] | None = None,
    size: int | None = None,
) -> TaskDraft:
    """Draw the table, pick the filter from a real row, compute the answer.

    `prepare` may alter the table's columns before any row is drawn (the
    injection group uses it to plant instructions in a text column).
    """
    table = spec.table(rng)
    if prepare is not None:
        prepare(table)
    text = table.fill(rng, size or spec.size)
    row = table.pick(rng)
    where = {k: spec.fixed.get(k) or table.col(k).render(row[k]) for k in spec.where}
    selected = table.select(where)
    atype = answer_type(spec, table)
    expected: int | float
    if spec.op == "count":
        expected = len(selected)
    else:
        assert spec.column is not None
        values = [float(r[spec.column]) for r in selected]
        result = aggregate(spec.op, values)
        expected = round(result, 2) if atype == "float" else int(result)
    question = rng.choice(spec.questions).format(**where)
    oracle = {"op": spec.op, "input": spec.input, **table.oracle_format(), "where": where}
    if spec.column:
        oracle["column"] = spec.column
    return TaskDraft(
        id=task_id,
        group=group,
        question=question,
        signature=f"{spec.input}: str, question: str -> answer: {atype}",
        files={spec.input: (spec.ext, text)},
        expected=expected,
        answer_type=atype,
        oracle=oracle,
        quick=spec.quick,
    )


def build_count(index: int, rng: random.Random) -> TaskDraft:
    return make(COUNT_SPECS[index], f"count-{index + 1:02d}", "count", rng)


def build_aggregate(index: int, rng: random.Random) -> TaskDraft:
    return make(AGG_SPECS[index], f"aggregate-{index + 1:02d}", "aggregate", rng)
