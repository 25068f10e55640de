"""Group 4: lookups that need two inputs.

Input A maps a key the question names (an employee, an order, a host) to a
reference; input B maps that reference to the value asked for. Keys are
unique in both inputs, so there is one right answer and one path to it. B is
drawn first; A's reference column draws from B's keys. The question's key
is taken from a real row of A after it is drawn.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from bench.tasks import filler as F
from bench.tasks.draft import TaskDraft
from bench.tasks.tables import Column, Gen, Table


def unique(gen: Gen) -> Gen:
    """A generator that never repeats a value (redraws on collision)."""
    seen: set = set()

    def draw(r: random.Random):
        for _ in range(10_000):
            v = gen(r)
            if v not in seen:
                seen.add(v)
                return v
        raise RuntimeError("unique(): value pool exhausted; widen the generator")

    return draw


def _pick(pool: list) -> Gen:
    return lambda r: r.choice(pool)


@dataclass
class LookupSpec:
    """Two tables joined by one column."""

    a_name: str
    a_ext: str
    a_size: int
    a_table: Callable[[random.Random, list], Table]  # gets B's keys
    a_key: str
    ref: str  # column of A that refers to B
    b_name: str
    b_ext: str
    b_size: int
    b_table: Callable[[random.Random], Table]
    b_key: str
    take: str  # column of B that is the answer
    questions: list[str]  # formatted with {key}
    answer_type: str = "str"
    quick: bool = False


def _employees(r: random.Random, depts: list) -> Table:
    return Table([
        Column("employee_id", unique(lambda x: x.randrange(10_000, 100_000))),
        Column("name", unique(lambda x: f"{x.choice(F.FIRST_NAMES)} {x.choice('ABCDEGHKLMRST')}. "
                                        f"{x.choice(F.LAST_NAMES)}")),
        Column("dept_id", _pick(depts)),
        Column("title", lambda x: x.choice(["analyst", "engineer", "manager", "clerk", "lead"])),
    ], "csv")


def _departments(r: random.Random) -> Table:
    return Table([
        Column("dept_id", unique(lambda x: f"D{x.randrange(100, 1000)}")),
        Column("name", lambda x: f"{x.choice(F.ADJECTIVES).title()} {x.choice(F.NOUNS)}s"),
        Column("floor", lambda x: x.randrange(1, 40)),
    ], "csv")


def _orders(r: random.Random, customers: list) -> Table:
    return Table([
        Column("order_id", unique(lambda x: f"ORD-{x.randrange(100_000, 1_000_000)}")),
        Column("customer_id", _pick(customers)),
        Column("amount", lambda x: x.randrange(100, 90_000) / 100, decimals=2),
        Column("placed", lambda x: F.Clock(x).tick()[:10]),
    ], "tsv")


def _customers(r: random.Random) -> Table:
    return Table([
        Column("customer_id", unique(lambda x: f"C{x.randrange(10_000, 100_000)}")),
        Column("name", F.person),
        Column("city", lambda x: x.choice(F.CITIES)),
    ], "tsv")


def _hosts(r: random.Random, ips: list) -> Table:
    return Table([
        Column("host", unique(lambda x: f"{x.choice(['web', 'db', 'cache', 'batch'])}-"
                                        f"{x.randrange(1000, 10_000)}")),
        Column("ip", _pick(ips)),
        Column("os", lambda x: x.choice(["debian12", "ubuntu22", "rhel9", "alpine3"])),
    ], "log", "host {host} has ip {ip} os={os}",
        r"^host (?P<host>\S+) has ip (?P<ip>\S+) os=(?P<os>\S+)$")


def _racks(r: random.Random) -> Table:
    return Table([
        Column("ip", unique(lambda x: f"10.{x.randrange(256)}.{x.randrange(256)}."
                                      f"{x.randrange(1, 255)}")),
        Column("rack", lambda x: f"R{x.randrange(1, 80)}"),
        Column("dc", lambda x: x.choice(["ams1", "fra2", "lon1", "par3"])),
    ], "log", "{ip} rack={rack} dc={dc}",
        r"^(?P<ip>\S+) rack=(?P<rack>\S+) dc=(?P<dc>\S+)$")


def _products(r: random.Random, suppliers: list) -> Table:
    return Table([
        Column("sku", unique(lambda x: f"SKU-{x.randrange(10_000, 100_000)}")),
        Column("name", lambda x: f"{x.choice(F.ADJECTIVES)} {x.choice(F.NOUNS)}"),
        Column("supplier_code", _pick(suppliers)),
        Column("price", lambda x: x.randrange(100, 50_000) / 100, decimals=2),
    ], "csv")


COUNTRIES = ["Portugal", "Kenya", "Norway", "Peru", "Japan", "Ghana", "Estonia", "India", "Chile",
             "Tunisia", "Austria", "Vietnam", "Turkey", "Poland", "Senegal", "Canada"]


def _suppliers(r: random.Random) -> Table:
    return Table([
        Column("supplier_code", unique(lambda x: f"SUP{x.randrange(100, 1000)}")),
        Column("company", lambda x: f"{x.choice(F.LAST_NAMES)} {x.choice(['Ltd', 'GmbH', 'SA'])}"),
        Column("country", lambda x: x.choice(COUNTRIES)),
    ], "tsv")


def _flights(r: random.Random, gates: list) -> Table:
    return Table([
        Column("flight", unique(lambda x: f"{x.choice(['KL', 'LH', 'TP', 'SK', 'AY'])}"
                                          f"{x.randrange(100, 10_000)}")),
        Column("date", lambda x: F.Clock(x).tick()[:10]),
        Column("gate", _pick(gates)),
        Column("status", lambda x: x.choice(["on time", "delayed", "boarding"])),
    ], "tsv")


def _gates(r: random.Random) -> Table:
    return Table([
        Column("gate", unique(lambda x: f"{x.choice('ABCDEFG')}{x.randrange(1, 60)}")),
        Column("terminal", lambda x: f"T{x.randrange(1, 6)}"),
        Column("walk_minutes", lambda x: x.randrange(2, 25)),
    ], "csv")


def _students(r: random.Random, advisors: list) -> Table:
    return Table([
        Column("student_id", unique(lambda x: x.randrange(100_000, 1_000_000))),
        Column("name", F.person),
        Column("advisor_id", _pick(advisors)),
    ], "csv")


def _advisors(r: random.Random) -> Table:
    return Table([
        Column("advisor_id", unique(lambda x: f"A{x.randrange(100, 1000)}")),
        Column("name", F.person),
        Column("office", lambda x: f"{x.choice(['B', 'C', 'H'])}-{x.randrange(100, 500)}"),
    ], "csv")


def _tickets(r: random.Random, users: list) -> Table:
    return Table([
        Column("ticket", unique(lambda x: f"INC-{x.randrange(100_000, 1_000_000)}")),
        Column("assignee", _pick(users)),
        Column("priority", lambda x: x.choice(["P1", "P2", "P3"])),
    ], "tsv")


def _users(r: random.Random) -> Table:
    def username(x: random.Random) -> str:
        return f"{x.choice(F.FIRST_NAMES).lower()}.{x.choice(F.LAST_NAMES).lower()}"

    names = unique(username)
    return Table([
        Column("username", names),
        Column("email", lambda x: f"{x.choice(F.FIRST_NAMES).lower()}{x.randrange(10, 100)}"
                                  f"@corp.example"),
        Column("team", lambda x: x.choice(["network", "storage", "desktop"])),
    ], "csv")


def _packages(r: random.Random, warehouses: list) -> Table:
    clock = F.Clock(r)
    return Table([
        Column("ts", lambda x: clock.tick()),
        Column("tracking", unique(lambda x: f"PKG{x.randrange(10**7, 10**8)}")),
        Column("warehouse", _pick(warehouses)),
    ], "log", "{ts} package {tracking} stored in warehouse {warehouse}",
        r"^(?P<ts>\S+) package (?P<tracking>\S+) stored in warehouse (?P<warehouse>\S+)$")


def _warehouses(r: random.Random) -> Table:
    return Table([
        Column("code", unique(lambda x: f"WH{x.randrange(100, 1000)}")),
        Column("city", lambda x: x.choice(F.CITIES)),
        Column("manager", F.person),
    ], "csv")


def _invoices(r: random.Random, vendors: list) -> Table:
    return Table([
        Column("invoice_no", unique(lambda x: f"INV-{x.randrange(10**6, 10**7)}")),
        Column("vendor_id", _pick(vendors)),
        Column("amount", lambda x: x.randrange(1000, 900_000) / 100, decimals=2),
    ], "csv")


def _vendors(r: random.Random) -> Table:
    return Table([
        Column("vendor_id", unique(lambda x: f"V{x.randrange(1000, 10_000)}")),
        Column("name", lambda x: f"{x.choice(F.LAST_NAMES)} & {x.choice(F.LAST_NAMES)}"),
        Column("phone", lambda x: f"555-{x.randrange(100, 1000)}-{x.randrange(1000, 10_000)}"),
    ], "tsv")


SPECS = [
    LookupSpec("employees", ".csv", 20_000, _employees, "name", "dept_id",
               "departments", ".csv", 2_000, _departments, "dept_id", "floor",
               ["On which floor does {key} work?",
                "Which floor is the department of {key} on?"], "int", quick=True),
    LookupSpec("orders", ".tsv", 40_000, _orders, "order_id", "customer_id",
               "customers", ".tsv", 8_000, _customers, "customer_id", "city",
               ["In which city does the customer of order {key} live?",
                "Order {key} was placed by a customer. Which city is that customer in?"]),
    LookupSpec("inventory", ".log", 80_000, _hosts, "host", "ip",
               "racks", ".log", 30_000, _racks, "ip", "rack",
               ["In which rack is host {key}?",
                "Host {key} has an IP address; which rack holds that IP?"]),
    LookupSpec("products", ".csv", 160_000, _products, "sku", "supplier_code",
               "suppliers", ".tsv", 6_000, _suppliers, "supplier_code", "country",
               ["In which country is the supplier of product {key}?",
                "Which country does the supplier of {key} come from?"]),
    LookupSpec("flights", ".tsv", 320_000, _flights, "flight", "gate",
               "gates", ".csv", 2_500, _gates, "gate", "terminal",
               ["From which terminal does flight {key} leave?",
                "Flight {key} departs from a gate. Which terminal is that gate in?"]),
    LookupSpec("students", ".csv", 640_000, _students, "student_id", "advisor_id",
               "advisors", ".csv", 4_000, _advisors, "advisor_id", "office",
               ["Which office does the advisor of student {key} sit in?",
                "Student {key} has an advisor. What is the advisor's office?"]),
    LookupSpec("tickets", ".tsv", 1_000_000, _tickets, "ticket", "assignee",
               "users", ".csv", 20_000, _users, "username", "email",
               ["What is the email address of the person assigned to ticket {key}?",
                "Ticket {key} has an assignee. What is their email?"]),
    LookupSpec("scans", ".log", 1_600_000, _packages, "tracking", "warehouse",
               "warehouses", ".csv", 2_500, _warehouses, "code", "city",
               ["In which city is the warehouse that stores package {key}?",
                "Package {key} is stored in a warehouse. Which city is it in?"]),
    LookupSpec("invoices", ".csv", 2_000_000, _invoices, "invoice_no", "vendor_id",
               "vendors", ".tsv", 10_000, _vendors, "vendor_id", "phone",
               ["What is the phone number of the vendor of invoice {key}?",
                "Invoice {key} was issued by a vendor. What is the vendor's phone number?"]),
]


def make(
    spec: LookupSpec,
    task_id: str,
    group: str,
    rng: random.Random,
    prepare: Callable[[str, Table], None] | None = None,
    a_size: int | None = None,
) -> TaskDraft:
    """Draw B, then A over B's keys; pick a key from A; follow it into B.

    `prepare(input_name, table)` may alter a table before its rows are drawn.
    """
    b = spec.b_table(rng)
    if prepare is not None:
        prepare(spec.b_name, b)
    b_text = b.fill(rng, spec.b_size)
    b_keys = [b.col(spec.b_key).render(r[spec.b_key]) for r in b.rows]
    a = spec.a_table(rng, b_keys)
    if prepare is not None:
        prepare(spec.a_name, a)
    a_text = a.fill(rng, a_size or spec.a_size)
    row = a.pick(rng)
    key = a.col(spec.a_key).render(row[spec.a_key])
    ref = a.col(spec.ref).render(row[spec.ref])
    (target,) = b.select({spec.b_key: ref})
    expected: str | int = target[spec.take]
    expected = int(expected) if spec.answer_type == "int" else b.col(spec.take).render(expected)
    return TaskDraft(
        id=task_id,
        group=group,
        question=rng.choice(spec.questions).format(key=key),
        signature=f"{spec.a_name}: str, {spec.b_name}: str, question: str -> answer: "
        f"{spec.answer_type}",
        files={spec.a_name: (spec.a_ext, a_text), spec.b_name: (spec.b_ext, b_text)},
        expected=expected,
        answer_type=spec.answer_type,
        oracle={
            "op": "lookup",
            "steps": [
                {"input": spec.a_name, **a.oracle_format(), "match": {spec.a_key: key},
                 "take": spec.ref},
                {"input": spec.b_name, **b.oracle_format(), "match_column": spec.b_key,
                 "take": spec.take},
            ],
        },
        quick=spec.quick,
    )


def build(index: int, rng: random.Random) -> TaskDraft:
    return make(SPECS[index], f"lookup-{index + 1:02d}", "lookup", rng)
