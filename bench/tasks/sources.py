"""Generated tables for the new task families, drawn from one split's value pools.

Each factory takes the task's `Random`, the split's `Pools` and a row count,
and returns a `formats.Source`: rows as text values (so the generator and the
tests compute from the same text), columns with their kinds and the words a
question uses for them. Key columns are unique; categorical columns draw
from small pools so a filter matches a useful number of rows.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from bench.tasks.formats import Col, Source
from bench.tasks.pools import Pools

Factory = Callable[[random.Random, Pools, int], Source]

STATUSES = ["shipped"] * 6 + ["pending"] * 2 + ["refunded", "cancelled"]
PLANS = ["free", "basic", "pro", "team", "enterprise"]
PRIORITIES = ["P1", "P2", "P2", "P3", "P3", "P3", "P4"]
REGIONS = ["North", "South", "East", "West", "Central"]
CARRIERS = ["DHL", "UPS", "FedEx", "GLS", "DPD", "PostNL"]
SECTIONS = ["admin", "devel", "libs", "net", "utils", "web", "python", "text"]


def unique_codes(rng: random.Random, n: int, make: Callable[[random.Random], str]) -> list[str]:
    """`n` distinct codes from `make`, in draw order."""
    seen: dict[str, None] = {}
    while len(seen) < n:
        seen.setdefault(make(rng), None)
    return list(seen)


def date(rng: random.Random, year_lo: int = 2023, year_hi: int = 2024) -> str:
    return f"{rng.randrange(year_lo, year_hi + 1)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"


def customers(rng: random.Random, p: Pools, n: int) -> Source:
    cities = rng.sample(p.cities, 12)
    ids = unique_codes(rng, n, lambda r: p.code(r, 7, 6))
    rows = [{"customer_id": ids[i], "name": p.person(rng), "city": rng.choice(cities),
             "plan": rng.choice(PLANS), "signup": date(rng, 2019, 2024),
             "balance": f"{rng.randrange(0, 500_000) / 100:.2f}"} for i in range(n)]
    return Source("customers", "customers", [
        Col("customer_id", "key", "customer id"), Col("name", "label", "name"),
        Col("city", "cat", "city"), Col("plan", "cat", "plan"),
        Col("signup", "date", "signup date"), Col("balance", "num", "account balance"),
    ], rows, label="name", sentence="Customer {customer_id} ({name}) of {city} is on the {plan} "
       "plan since {signup} with a balance of {balance}.")


def orders(rng: random.Random, p: Pools, n: int) -> Source:
    buyers = list(dict.fromkeys(p.person(rng) for _ in range(40)))[:25]
    ids = unique_codes(rng, n, lambda r: p.code(r, 0, 6))
    rows = [{"order_id": ids[i], "customer": rng.choice(buyers), "status": rng.choice(STATUSES),
             "items": str(rng.randrange(1, 9)), "total": f"{rng.randrange(500, 250_000) / 100:.2f}",
             "placed": date(rng)} for i in range(n)]
    return Source("orders", "orders", [
        Col("order_id", "label", "order number"), Col("customer", "cat", "customer"),
        Col("status", "cat", "status"), Col("items", "num", "number of items"),
        Col("total", "num", "order total"), Col("placed", "date", "order date"),
    ], rows, label="order_id", sentence="Order {order_id} for {customer} was {status} with "
       "{items} items, total {total}, placed on {placed}.")


def tickets(rng: random.Random, p: Pools, n: int) -> Source:
    people = list(dict.fromkeys(p.person(rng) for _ in range(30)))
    ids = unique_codes(rng, n, lambda r: p.code(r, 1, 6))
    rows = [{"ticket": ids[i], "priority": rng.choice(PRIORITIES), "team": rng.choice(p.teams),
             "opened_by": rng.choice(people), "hours": str(rng.randrange(1, 400)),
             "opened": date(rng)} for i in range(n)]
    return Source("tickets", "tickets", [
        Col("ticket", "label", "ticket"), Col("priority", "cat", "priority"),
        Col("team", "cat", "team"), Col("opened_by", "cat", "reporter"),
        Col("hours", "num", "hours spent"), Col("opened", "date", "opening date"),
    ], rows, label="ticket", sentence="Ticket {ticket} ({priority}) went to the {team} team, "
       "opened by {opened_by} on {opened}; {hours} hours were spent on it.")


def employees(rng: random.Random, p: Pools, n: int) -> Source:
    depts = ["Finance", "Sales", "Engineering", "Legal", "Support", "Marketing", "Research"]
    cities = rng.sample(p.cities, 8)
    names = unique_codes(rng, n, p.full_name)
    ids = unique_codes(rng, n, lambda r: str(r.randrange(10_000, 100_000)))
    rows = [{"employee_id": ids[i], "name": names[i], "department": rng.choice(depts),
             "salary": str(rng.randrange(300, 1800) * 100), "city": rng.choice(cities),
             "hired": date(rng, 2010, 2024)} for i in range(n)]
    return Source("employees", "employees", [
        Col("employee_id", "key", "employee id"), Col("name", "label", "name"),
        Col("department", "cat", "department"), Col("salary", "num", "salary"),
        Col("city", "cat", "city"), Col("hired", "date", "hiring date"),
    ], rows, label="name", sentence="{name} (employee {employee_id}) joined {department} in "
       "{city} on {hired} at a salary of {salary}.")


def sales(rng: random.Random, p: Pools, n: int) -> Source:
    rows = [{"date": date(rng, 2024, 2024), "region": rng.choice(REGIONS),
             "product": rng.choice(p.products), "units": str(rng.randrange(1, 60)),
             "amount": str(rng.randrange(5, 3000))} for _ in range(n)]
    return Source("sales", "sales", [
        Col("date", "date", "sale date"), Col("region", "cat", "region"),
        Col("product", "cat", "product"), Col("units", "num", "units sold"),
        Col("amount", "num", "sale amount"),
    ], rows, sentence="On {date} the {region} region sold {units} units of {product} for "
       "{amount}.")


def shipments(rng: random.Random, p: Pools, n: int) -> Source:
    cities = rng.sample(p.cities, 10)
    ids = unique_codes(rng, n, lambda r: p.code(r, 5, 8))
    rows = []
    for i in range(n):
        a, b = rng.sample(cities, 2)
        rows.append({"tracking": ids[i], "carrier": rng.choice(CARRIERS), "origin": a,
                     "destination": b, "weight_kg": f"{rng.randrange(1, 4000) / 10:.1f}",
                     "shipped": date(rng)})
    return Source("shipments", "shipments", [
        Col("tracking", "label", "tracking number"), Col("carrier", "cat", "carrier"),
        Col("origin", "cat", "origin"), Col("destination", "cat", "destination"),
        Col("weight_kg", "num", "weight in kg"), Col("shipped", "date", "shipping date"),
    ], rows, label="tracking", sentence="Shipment {tracking} went by {carrier} from {origin} "
       "to {destination} on {shipped}, weighing {weight_kg} kg.")


def readings(rng: random.Random, p: Pools, n: int) -> Source:
    sensors = [f"{p.prefixes[3]}{k}" for k in rng.sample(range(100, 1000), 14)]
    rows = [{"sensor": rng.choice(sensors), "date": date(rng, 2024, 2024),
             "temperature": f"{rng.randrange(-250, 350) / 10:.1f}",
             "humidity": str(rng.randrange(10, 100))} for _ in range(n)]
    return Source("readings", "readings", [
        Col("sensor", "cat", "sensor"), Col("date", "date", "date"),
        Col("temperature", "num", "temperature"), Col("humidity", "num", "humidity"),
    ], rows, sentence="Sensor {sensor} read {temperature} degrees at {humidity}% humidity on "
       "{date}.")


def packages(rng: random.Random, p: Pools, n: int) -> Source:
    """Debian-style package records; `Description` runs over several lines."""
    suffixes = ["", "-utils", "-dev", "-doc", "-common", "-tools", "-data", "-bin"]
    names = unique_codes(rng, n, lambda r: f"{r.choice(p.words)}{r.choice(suffixes)}"
                         f"{r.choice(['', str(r.randrange(2, 9))])}")
    people = list(dict.fromkeys(p.person(rng) for _ in range(12)))
    rows = []
    for i in range(n):
        name = names[i]
        lines = [f"{rng.choice(['tools', 'library', 'data files', 'helpers'])} for "
                 f"{rng.choice(p.words)} processing"]
        for _ in range(rng.randrange(1, 4)):
            lines.append(f"This package provides the {rng.choice(p.words)} "
                         f"{rng.choice(['interface', 'backend', 'command', 'module'])}.")
            if rng.random() < 0.3:
                lines.append("")
        lines = lines if lines[-1] else lines[:-1]
        rows.append({"Package": name, "Version": f"{rng.randrange(0, 6)}.{rng.randrange(0, 20)}."
                     f"{rng.randrange(0, 30)}-{rng.randrange(1, 5)}",
                     "Section": rng.choice(SECTIONS),
                     "Priority": rng.choice(["optional"] * 4 + ["important", "standard"]),
                     "Maintainer": rng.choice(people),
                     "Installed-Size": str(rng.randrange(8, 90_000)),
                     "Description": "\n".join(lines)})
    return Source("packages", "packages", [
        Col("Package", "label", "package"), Col("Version", "key", "version"),
        Col("Section", "cat", "section"), Col("Priority", "cat", "priority"),
        Col("Maintainer", "cat", "maintainer"), Col("Installed-Size", "num", "installed size"),
        Col("Description", "long", "description"),
    ], rows, label="Package")


def hosts(rng: random.Random, p: Pools, n: int) -> Source:
    names = unique_codes(rng, n, lambda r: f"{r.choice(['web', 'db', 'cache', 'batch', 'edge'])}-"
                         f"{r.choice(p.words)}-{r.randrange(10, 100)}")
    ips = unique_codes(rng, n, lambda r: f"10.{r.randrange(256)}.{r.randrange(256)}."
                       f"{r.randrange(1, 255)}")
    rows = [{"hostname": names[i], "ip": ips[i],
             "os": rng.choice(["debian12", "ubuntu22", "rhel9", "alpine3"]),
             "rack": f"R{rng.randrange(1, 40)}", "cpus": str(rng.choice([2, 4, 8, 16, 32])),
             "ram_gb": str(rng.choice([4, 8, 16, 32, 64, 128]))} for i in range(n)]
    return Source("hosts", "hosts", [
        Col("hostname", "label", "host name"), Col("ip", "key", "IP address"),
        Col("os", "cat", "operating system"), Col("rack", "cat", "rack"),
        Col("cpus", "num", "CPU count"), Col("ram_gb", "num", "memory in GB"),
    ], rows, label="hostname")


GENERATED: dict[str, Factory] = {
    "customers": customers, "orders": orders, "tickets": tickets, "employees": employees,
    "sales": sales, "shipments": shipments, "readings": readings, "packages": packages,
    "hosts": hosts,
}
