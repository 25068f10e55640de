"""Realistic-looking filler text for the benchmark contexts.

A needle hidden in `"lorem ipsum"` repeated is found by any grep; a needle in
an application log, a CSV export or a memo is the case a user has. So the
filler is made of the shapes of real files — log lines with timestamps and
levels, access-log lines, CSV rows, prose paragraphs — drawn from small word
lists with a seeded `random.Random`, so every byte is reproducible.

Every maker takes the task's own `Random` and returns one line (no newline).
None of them ever writes the words the needles use as keys ("badge",
"locker", "shipment", …), so a needle's key phrase occurs exactly once; the
tests check that on the generated files.
"""

from __future__ import annotations

import random
from collections.abc import Callable

LineMaker = Callable[[random.Random], str]

FIRST_NAMES = [
    "Priya", "Tomas", "Aiko", "Lena", "Omar", "Sofia", "Kwame", "Mara", "Diego", "Ines",
    "Yusuf", "Hana", "Pavel", "Chloe", "Ravi", "Nadia", "Felix", "Amara", "Jonas", "Leila",
    "Mateo", "Greta", "Kenji", "Zara", "Arjun", "Elif", "Bruno", "Noor", "Viktor", "Sana",
    "Lucas", "Ada", "Emeka", "Mei", "Oskar", "Rosa", "Idris", "Thea", "Hugo", "Farah",
]
LAST_NAMES = [
    "Raman", "Novak", "Tanaka", "Fischer", "Haddad", "Rossi", "Mensah", "Lindqvist", "Alvarez",
    "Costa", "Demir", "Kim", "Horvat", "Martin", "Iyer", "Petrova", "Weber", "Okafor", "Berg",
    "Karimi", "Silva", "Moreau", "Sato", "Ahmed", "Nair", "Kaya", "Ferreira", "Bakr", "Ivanov",
    "Malik", "Dubois", "Lovelace", "Eze", "Chen", "Nilsson", "Lopez", "Musa", "Holm", "Blanc",
]
CITIES = [
    "Hanoi", "Lisbon", "Nairobi", "Oslo", "Lima", "Osaka", "Quito", "Porto", "Accra", "Dublin",
    "Bergen", "Cusco", "Dakar", "Tallinn", "Pune", "Recife", "Split", "Tunis", "Graz", "Leeds",
    "Malmo", "Izmir", "Daegu", "Cebu", "Kochi", "Lyon", "Turin", "Ghent", "Krakow", "Seville",
    "Bilbao", "Aarhus", "Tartu", "Hobart", "Perth", "Mombasa", "Arusha", "Medan", "Davao", "Fez",
]
SERVICES = ["auth", "billing", "search", "gateway", "orders", "inventory", "mailer", "reports"]
LEVELS = ["DEBUG", "INFO", "INFO", "INFO", "INFO", "WARN", "ERROR"]
HOSTS = [f"{kind}-{n:02d}" for kind in ("web", "db", "cache", "worker") for n in range(1, 9)]
PATHS = [
    "/api/v1/orders", "/api/v1/users", "/api/login", "/api/logout", "/static/app.js",
    "/api/v1/search", "/healthz", "/api/v1/invoices", "/api/v1/cart", "/img/logo.png",
]
LOG_MESSAGES = [
    "request completed", "cache miss for key", "retrying upstream call", "connection reset by peer",
    "scheduled job started", "scheduled job finished", "slow query detected", "token refreshed",
    "user session created", "user session expired", "payload validated", "queue depth high",
    "rate limit applied", "config reloaded", "disk usage above threshold", "health check ok",
]
NOUNS = [
    "report", "committee", "budget", "schedule", "warehouse", "project", "review", "contract",
    "meeting", "proposal", "migration", "quarter", "release", "audit", "supplier", "team",
    "roadmap", "forecast", "invoice", "policy", "training", "office", "deadline", "survey",
]
VERBS = [
    "approved", "discussed", "postponed", "reviewed", "summarised", "revised", "confirmed",
    "questioned", "noted", "circulated", "finalised", "extended", "rejected", "welcomed",
]
ADJECTIVES = [
    "quarterly", "preliminary", "revised", "annual", "regional", "internal", "updated", "final",
    "external", "pending", "detailed", "short", "overdue", "shared", "draft", "weekly",
]
PROSE_OPENERS = [
    "During the meeting", "As agreed last week", "According to the minutes", "In the afternoon",
    "After a short break", "For the record", "Later that day", "In summary", "Meanwhile",
]

_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def person(rng: random.Random) -> str:
    """A plausible full name."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def code(rng: random.Random, n: int) -> str:
    """An uppercase code without look-alike characters (no O/0, I/1)."""
    return "".join(rng.choice(_ALNUM) for _ in range(n))


class Clock:
    """Monotonic fake timestamps, so a log reads like a log."""

    def __init__(self, rng: random.Random, start: int = 1_709_251_200) -> None:
        self.rng = rng
        self.t = start + rng.randrange(0, 86_400 * 200)

    def tick(self) -> str:
        self.t += self.rng.randrange(0, 4)
        t = self.t
        days, rem = divmod(t - 1_704_067_200, 86_400)  # seconds since 2024-01-01
        month, day = _month_day(days)
        h, rem = divmod(rem, 3600)
        m, s = divmod(rem, 60)
        return f"2024-{month:02d}-{day:02d}T{h:02d}:{m:02d}:{s:02d}Z"


_MONTH_LENGTHS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _month_day(day_of_year: int) -> tuple[int, int]:
    day_of_year %= 366
    for i, n in enumerate(_MONTH_LENGTHS):
        if day_of_year < n:
            return i + 1, day_of_year + 1
        day_of_year -= n
    return 12, 31


def log_maker(rng: random.Random) -> LineMaker:
    """Application-log lines: timestamp, level, service, message, key=value pairs."""
    clock = Clock(rng)

    def make(r: random.Random) -> str:
        ms = r.randrange(1, 2500)
        return (
            f"{clock.tick()} {r.choice(LEVELS):<5} [{r.choice(SERVICES)}] "
            f"{r.choice(LOG_MESSAGES)} host={r.choice(HOSTS)} req={r.randrange(16**8):08x} "
            f"dur_ms={ms}"
        )

    return make


def access_maker(rng: random.Random) -> LineMaker:
    """Web-server access-log lines (combined-log flavour)."""
    clock = Clock(rng)

    def make(r: random.Random) -> str:
        ip = f"10.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        status = r.choice([200, 200, 200, 200, 201, 204, 301, 304, 400, 401, 403, 404, 500, 503])
        return (
            f'{ip} - - [{clock.tick()}] "{r.choice(["GET", "GET", "POST", "PUT"])} '
            f'{r.choice(PATHS)} HTTP/1.1" {status} {r.randrange(120, 90_000)}'
        )

    return make


def csv_maker(rng: random.Random) -> LineMaker:
    """Rows of a customer export (id,name,city,plan,balance), no header."""

    def make(r: random.Random) -> str:
        return (
            f"{r.randrange(100_000, 999_999)},{person(r)},{r.choice(CITIES)},"
            f"{r.choice(['free', 'basic', 'pro', 'team'])},{r.randrange(0, 50_000) / 100:.2f}"
        )

    return make


def prose_maker(rng: random.Random) -> LineMaker:
    """Paragraph-ish lines of meeting-minutes prose."""

    def sentence(r: random.Random) -> str:
        return (
            f"{r.choice(PROSE_OPENERS)}, {person(r)} {r.choice(VERBS)} the "
            f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)} for {r.choice(CITIES)}."
        )

    def make(r: random.Random) -> str:
        return " ".join(sentence(r) for _ in range(r.randrange(1, 4)))

    return make


def mixed_maker(rng: random.Random) -> LineMaker:
    """A concatenation of exports: logs, CSV rows and prose, in runs."""
    makers = [log_maker(rng), access_maker(rng), csv_maker(rng), prose_maker(rng)]
    state = {"cur": 0, "left": 0}

    def make(r: random.Random) -> str:
        if state["left"] <= 0:
            state["cur"] = r.randrange(len(makers))
            state["left"] = r.randrange(20, 400)
        state["left"] -= 1
        return makers[state["cur"]](r)

    return make


FILLERS: dict[str, Callable[[random.Random], LineMaker]] = {
    "log": log_maker,
    "access": access_maker,
    "csv": csv_maker,
    "prose": prose_maker,
    "mixed": mixed_maker,
}
