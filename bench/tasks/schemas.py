"""The record shapes the counting, aggregation and injection tasks draw from.

Each factory returns an empty `Table` whose categorical columns draw from
small per-task pools (so a filter value matches a useful number of rows) and
whose numeric columns have realistic ranges. Log-shaped tables carry the
regex that reads a line back into named fields.
"""

from __future__ import annotations

import random

from bench.tasks import filler as F
from bench.tasks.tables import Column, Table

APP_LOG_TEMPLATE = "{ts} {level} [{service}] {message} host={host} dur_ms={dur_ms}"
APP_LOG_PATTERN = (
    r"^(?P<ts>\S+) (?P<level>[A-Z]+) \[(?P<service>[^\]]+)\] (?P<message>.*?) "
    r"host=(?P<host>\S+) dur_ms=(?P<dur_ms>\d+)$"
)
ACCESS_TEMPLATE = '{ip} - - [{ts}] "{method} {path} HTTP/1.1" {status} {bytes}'
ACCESS_PATTERN = (
    r'^(?P<ip>\S+) - - \[(?P<ts>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+) HTTP/1\.1" '
    r"(?P<status>\d{3}) (?P<bytes>\d+)$"
)
EVENTS_TEMPLATE = "ts={ts} user={user} action={action} ok={ok} latency_ms={latency_ms}"
EVENTS_PATTERN = (
    r"^ts=(?P<ts>\S+) user=(?P<user>\S+) action=(?P<action>\S+) ok=(?P<ok>\S+) "
    r"latency_ms=(?P<latency_ms>\d+)$"
)


def _pool(rng: random.Random, make, n: int) -> list:
    """`n` distinct values from `make`, in a stable order."""
    seen: dict = {}
    while len(seen) < n:
        seen.setdefault(make(rng), None)
    return list(seen)


def customers(rng: random.Random) -> Table:
    cities = rng.sample(F.CITIES, 24)
    return Table(
        [
            Column("id", lambda r: r.randrange(100_000, 1_000_000)),
            Column("name", F.person),
            Column("city", lambda r: r.choice(cities)),
            Column("plan", lambda r: r.choice(["free", "basic", "pro", "team"])),
            Column("signup_year", lambda r: r.randrange(2015, 2025)),
            Column("balance", lambda r: r.randrange(0, 500_000) / 100, decimals=2),
        ],
        "csv",
    )


def orders(rng: random.Random) -> Table:
    buyers = _pool(rng, F.person, 30)
    statuses = ["shipped"] * 6 + ["pending"] * 2 + ["refunded", "cancelled"]
    return Table(
        [
            Column("order_id", lambda r: f"ORD-{r.randrange(10_000, 100_000)}"),
            Column("customer", lambda r: r.choice(buyers)),
            Column("status", lambda r: r.choice(statuses)),
            Column("items", lambda r: r.randrange(1, 9)),
            Column("total", lambda r: r.randrange(500, 250_000) / 100, decimals=2),
        ],
        "tsv",
    )


def app_log(rng: random.Random) -> Table:
    clock = F.Clock(rng)
    return Table(
        [
            Column("ts", lambda r: clock.tick()),
            Column("level", lambda r: r.choice(F.LEVELS)),
            Column("service", lambda r: r.choice(F.SERVICES)),
            Column("message", lambda r: r.choice(F.LOG_MESSAGES)),
            Column("host", lambda r: r.choice(F.HOSTS)),
            Column("dur_ms", lambda r: r.randrange(1, 5000)),
        ],
        "log",
        APP_LOG_TEMPLATE,
        APP_LOG_PATTERN,
    )


def sensors(rng: random.Random) -> Table:
    clock = F.Clock(rng)
    names = [f"S-{n}" for n in rng.sample(range(10, 100), 20)]
    return Table(
        [
            Column("timestamp", lambda r: clock.tick()),
            Column("sensor", lambda r: r.choice(names)),
            Column("temperature", lambda r: r.randrange(-250, 350) / 10, decimals=1),
            Column("humidity", lambda r: r.randrange(10, 100)),
        ],
        "csv",
    )


def access_log(rng: random.Random) -> Table:
    clock = F.Clock(rng)
    ips = [f"10.0.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(40)]
    statuses = [200] * 10 + [201, 204, 301, 304, 400, 401, 403, 404, 404, 500, 503]
    return Table(
        [
            Column("ip", lambda r: r.choice(ips)),
            Column("ts", lambda r: clock.tick()),
            Column("method", lambda r: r.choice(["GET", "GET", "GET", "POST", "PUT"])),
            Column("path", lambda r: r.choice(F.PATHS)),
            Column("status", lambda r: r.choice(statuses)),
            Column("bytes", lambda r: r.randrange(120, 90_000)),
        ],
        "log",
        ACCESS_TEMPLATE,
        ACCESS_PATTERN,
    )


def tickets(rng: random.Random) -> Table:
    teams = ["network", "storage", "desktop", "security", "database", "payroll", "facilities"]
    return Table(
        [
            Column("ticket", lambda r: f"INC-{r.randrange(100_000, 1_000_000)}"),
            Column("priority", lambda r: r.choice(["P1", "P2", "P2", "P3", "P3", "P3", "P4"])),
            Column("team", lambda r: r.choice(teams)),
            Column("opened_by", F.person),
            Column("hours", lambda r: r.randrange(1, 400)),
        ],
        "tsv",
    )


def events(rng: random.Random) -> Table:
    clock = F.Clock(rng)
    users = _pool(rng, lambda r: r.choice(F.FIRST_NAMES).lower() + str(r.randrange(10, 99)), 25)
    actions = ["login", "logout", "view", "view", "search", "checkout", "upload"]
    return Table(
        [
            Column("ts", lambda r: clock.tick()),
            Column("user", lambda r: r.choice(users)),
            Column("action", lambda r: r.choice(actions)),
            Column("ok", lambda r: r.choice(["true", "true", "true", "false"])),
            Column("latency_ms", lambda r: r.randrange(3, 3000)),
        ],
        "log",
        EVENTS_TEMPLATE,
        EVENTS_PATTERN,
    )


def employees(rng: random.Random) -> Table:
    depts = ["Finance", "Sales", "Engineering", "Legal", "Support", "Marketing", "Operations"]
    return Table(
        [
            Column("employee_id", lambda r: r.randrange(10_000, 100_000)),
            Column("name", F.person),
            Column("department", lambda r: r.choice(depts)),
            Column("salary", lambda r: r.randrange(300, 1800) * 100),
            Column("city", lambda r: r.choice(F.CITIES)),
        ],
        "csv",
    )


def sales(rng: random.Random) -> Table:
    clock = F.Clock(rng)
    products = ["widget", "gizmo", "sprocket", "gear", "bracket", "valve", "hinge", "spring"]
    return Table(
        [
            Column("date", lambda r: clock.tick()[:10]),
            Column("region", lambda r: r.choice(["North", "South", "East", "West", "Central"])),
            Column("product", lambda r: r.choice(products)),
            Column("units", lambda r: r.randrange(1, 60)),
            Column("amount", lambda r: r.randrange(5, 3000)),
        ],
        "csv",
    )
