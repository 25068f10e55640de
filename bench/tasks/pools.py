"""Value pools per split: the test split's generated data never shares a name with the dev split's.

The dev split (the 45 tasks the prompts, examples and skills were tuned on, and
the new dev tasks) draws people, cities, products and codes from the word lists
of `filler`. The test split draws from the lists below, which share no entry
with them, so a value an example author copied from a dev task cannot
answer a test task by accident, and the leak test can treat every test value
as distinctive. Generic words (levels, statuses, weekdays) are shared: they
carry no information about a task.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.tasks import filler as F

TEST_FIRST_NAMES = [
    "Anneke", "Bartosz", "Cosmin", "Dagny", "Eitan", "Fionnuala", "Gwilym", "Halldora", "Ilkka",
    "Jurgis", "Kalani", "Ludovica", "Mihkel", "Nnamdi", "Oisin", "Perpetua", "Quirin", "Radka",
    "Siobhan", "Teodora", "Ulrika", "Vaclav", "Wiebke", "Xochitl", "Yannick", "Zofia", "Aurelio",
    "Brigid", "Cyprian", "Desislava", "Ermanno", "Filippa", "Gintaras", "Henrike", "Ivo", "Jolanta",
]
TEST_LAST_NAMES = [
    "Abernethy", "Brzezinski", "Castellanos", "Dumitrescu", "Eriksdottir", "Fairweather",
    "Grzelak", "Hakkarainen", "Ingebrigtsen", "Jovanovic", "Kowalczyk", "Laurentiu", "Markovic",
    "Nakashima", "Oyelaran", "Pietersen", "Quaresma", "Rasmussen", "Szczepanski", "Thorvaldsen",
    "Uchenna", "Vasquez-Ortiz", "Wojcik", "Yamaguchi", "Zielinski", "Achterberg", "Baumgartner",
]
TEST_CITIES = [
    "Ljubljana", "Trondheim", "Cagliari", "Plovdiv", "Salzburg", "Vilnius", "Coimbra", "Brno",
    "Tampere", "Galway", "Groningen", "Bratislava", "Debrecen", "Zaragoza", "Kaunas", "Uppsala",
    "Innsbruck", "Timisoara", "Rijeka", "Szeged", "Odense", "Lugano", "Maribor", "Valletta",
]
TEST_PRODUCTS = ["ratchet", "flange", "gasket", "rivet", "pulley", "caster", "dowel", "grommet",
                 "trunnion", "bushing", "sprue", "cotter"]
TEST_TEAMS = ["skylark", "tamarind", "obsidian", "kittiwake", "saltmarsh", "gannet", "larkspur"]
TEST_WORDS = ["quillwort", "lantern", "meadow", "quarry", "orchard", "glacier", "thimble", "beacon",
              "saddle", "juniper", "cobalt", "pewter", "bramble", "marigold", "tundra", "sextant"]

DEV_PRODUCTS = ["widget", "gizmo", "sprocket", "gear", "bracket", "valve", "hinge", "spring"]
DEV_TEAMS = ["network", "storage", "desktop", "security", "database", "payroll", "facilities"]
DEV_WORDS = ["river", "candle", "forest", "mirror", "copper", "garden", "window", "pepper",
             "silver", "marble", "thunder", "velvet", "harvest", "island", "crystal", "falcon"]

# Letters codes start with, per split: a dev code never looks like a test code.
DEV_PREFIXES = ["ORD", "INC", "AT", "SKU", "INV", "PKG", "SH", "C"]
TEST_PREFIXES = ["QX", "ZT", "WB", "KJ", "PV", "YR", "MF", "HL"]


@dataclass(frozen=True)
class Pools:
    """The names one split's generated data is made of."""

    split: str
    first_names: list[str]
    last_names: list[str]
    cities: list[str]
    products: list[str]
    teams: list[str]
    words: list[str]
    prefixes: list[str]

    def person(self, rng: random.Random) -> str:
        return f"{rng.choice(self.first_names)} {rng.choice(self.last_names)}"

    def full_name(self, rng: random.Random) -> str:
        """A name with a middle initial: enough distinct ones for a table of 10,000 people."""
        return f"{rng.choice(self.first_names)} {rng.choice('ABCDEFGHJKLMNPRSTW')}. " \
            f"{rng.choice(self.last_names)}"

    def code(self, rng: random.Random, k: int, digits: int) -> str:
        """A key like `QX-48213`: the split's k-th prefix, then digits."""
        return f"{self.prefixes[k % len(self.prefixes)]}-{rng.randrange(10 ** (digits - 1), 10 ** digits)}"


DEV = Pools("dev", F.FIRST_NAMES, F.LAST_NAMES, F.CITIES, DEV_PRODUCTS, DEV_TEAMS, DEV_WORDS,
            DEV_PREFIXES)
TEST = Pools("test", TEST_FIRST_NAMES, TEST_LAST_NAMES, TEST_CITIES, TEST_PRODUCTS, TEST_TEAMS,
             TEST_WORDS, TEST_PREFIXES)


def pools(split: str) -> Pools:
    return TEST if split == "test" else DEV
