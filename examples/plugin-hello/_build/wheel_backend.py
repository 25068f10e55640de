"""A minimal PEP 517 build backend, so this example installs offline with no build tools.

A real plugin uses setuptools, hatchling or flit in `[build-system]`; those
need packages (`wheel`, the backend itself) that an offline machine may not
have. This backend needs only the standard library: it zips the package
directory and writes the wheel metadata, including `entry_points.txt`,
which is all the plugin mechanism reads. It reads name, version, summary and
entry points from pyproject.toml, so the project table stays the real one,
and it packs the modules the entry points name (`hello = "rlm_hello:tools"`
packs `rlm_hello/` or `rlm_hello.py`): nothing here names this example, so a
copy with another name and another package builds as it should.
"""

from __future__ import annotations

import base64
import hashlib
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _dist(p: dict) -> str:
    return p["name"].replace("-", "_")


def _modules(p: dict) -> list[str]:
    """The top-level modules the entry points load ("pkg.sub:attr" -> "pkg")."""
    values = [v for group in p.get("entry-points", {}).values() for v in group.values()]
    return sorted({v.split(":", 1)[0].split(".", 1)[0].strip() for v in values}) or [_dist(p)]


def _files(p: dict) -> dict[str, bytes]:
    dist, version = _dist(p), p["version"]
    info = f"{dist}-{version}.dist-info"
    meta = (f"Metadata-Version: 2.1\nName: {p['name']}\nVersion: {version}\n"
            f"Summary: {p.get('description', '')}\n")
    eps = ""
    for group, entries in p.get("entry-points", {}).items():
        eps += f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items()) + "\n"
    files: dict[str, bytes] = {}
    for module in _modules(p):
        package, single = ROOT / module, ROOT / f"{module}.py"
        paths = sorted(package.rglob("*.py")) if package.is_dir() else [single]
        if not paths or not paths[0].is_file():
            raise FileNotFoundError(f"the entry points name module {module!r}, but neither "
                                    f"{package.name}/ nor {single.name} is in {ROOT}")
        for path in paths:
            if "__pycache__" not in path.parts:
                files[path.relative_to(ROOT).as_posix()] = path.read_bytes()
    files[f"{info}/METADATA"] = meta.encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: wheel_backend\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    files[f"{info}/entry_points.txt"] = eps.encode()
    return files


def _write(wheel_directory: str, files: dict[str, bytes]) -> str:
    p = _project()
    name = f"{_dist(p)}-{p['version']}-py3-none-any.whl"
    info = f"{_dist(p)}-{p['version']}.dist-info"
    record = []
    with zipfile.ZipFile(Path(wheel_directory) / name, "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data in files.items():
            z.writestr(arc, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{arc},sha256={digest.decode()},{len(data)}")
        record.append(f"{info}/RECORD,,")
        z.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return name


def get_requires_for_build_wheel(config_settings: dict | None = None) -> list[str]:
    return []


def get_requires_for_build_editable(config_settings: dict | None = None) -> list[str]:
    return []


def build_wheel(wheel_directory: str, config_settings: dict | None = None,
                metadata_directory: str | None = None) -> str:
    return _write(wheel_directory, _files(_project()))


def build_editable(wheel_directory: str, config_settings: dict | None = None,
                   metadata_directory: str | None = None) -> str:
    """An editable install: a .pth file pointing at this directory instead of the code."""
    p = _project()
    files = {k: v for k, v in _files(p).items() if ".dist-info/" in k}
    files[f"{_dist(p)}.pth"] = (str(ROOT) + "\n").encode()
    return _write(wheel_directory, files)
