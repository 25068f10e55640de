"""The model registry: known GGUF models by name, and `rlm models`.

`models/registry.toml` names each model, says where its file comes from (a
file inside an installed package, a file assembled once from local chunk
packages, or a plain path), its licence, context size and chat format. Nothing
is ever downloaded at run time: a model is present when its package is
installed, and a missing one gets an `E_MODEL` error that says what to install
or to pass `--model PATH`. Every file is checked as a GGUF (magic, header,
length; digest where the registry knows it) before llama.cpp sees it.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlmlang.backend.base import ModelError
from rlmlang.backend.gguf import read_gguf
from rlmlang.resources import REGISTRY_FILE


def cache_dir() -> Path:
    """rlmlang's cache directory (assembled models, digests)."""
    return Path(os.environ.get("RLM_CACHE_DIR", "~/.cache/rlmlang")).expanduser()


def registry_path() -> Path:
    """The registry file: $RLM_MODEL_REGISTRY, else models/registry.toml (package data)."""
    env = os.environ.get("RLM_MODEL_REGISTRY")
    if env:
        return Path(env).expanduser()
    return REGISTRY_FILE


@dataclass
class ModelEntry:
    name: str
    source: str
    description: str = ""
    package: str | None = None
    resource: str | None = None
    cache: str | None = None
    path: str | None = None
    install: str | None = None
    licence: str = "unknown"
    context_size: int = 4096
    trained_context: int | None = None
    chat_format: str = "chatml"
    vocab_size: int | None = None
    parameters: str | None = None
    sha256: str | None = None
    chunk_package: str | None = None  # source = "chunks": import name with `{n}` for 1..chunks
    chunks: int = 0
    size_bytes: int | None = None
    profile: str | None = None  # the controller profile this model gets by default
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def install_hint(self) -> str:
        how = self.install or (f"pip install {self.package}" if self.package else None)
        return (f"run `{how}`, or " if how else "") + "pass --model PATH to a GGUF file"


@dataclass
class Registry:
    default: str
    models: dict[str, ModelEntry]
    path: Path


_FIELDS = set(ModelEntry.__dataclass_fields__) - {"name", "extra"}


def load_registry(path: str | Path | None = None) -> Registry:
    p = Path(path) if path else registry_path()
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"the model registry {p} does not exist",
                         fix="set RLM_MODEL_REGISTRY or pass --model PATH") from None
    except tomllib.TOMLDecodeError as e:
        raise ModelError(f"the model registry {p} is not valid TOML: {e}",
                         fix="fix the file") from None
    models: dict[str, ModelEntry] = {}
    for name, d in (data.get("models") or {}).items():
        known = {k: v for k, v in d.items() if k in _FIELDS}
        extra = {k: v for k, v in d.items() if k not in _FIELDS}
        if "source" not in known:
            raise ModelError(f"model {name!r} in {p} has no `source`",
                             fix='add source = "package" | "assemble" | "file"')
        models[name] = ModelEntry(name=name, extra=extra, **known)
    default = str(data.get("default") or next(iter(models), ""))
    if default not in models:
        raise ModelError(f"the registry's default model {default!r} is not listed in {p}",
                         fix="set `default` to one of: " + ", ".join(models))
    return Registry(default, models, p)


def _package_dir(package: str) -> Path | None:
    """Where a package lives, without importing it (importing may pull in heavy plugins)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def entry_path(entry: ModelEntry) -> Path | None:
    """The file an entry would use, whether or not it is present yet."""
    if entry.source == "package" and entry.package and entry.resource:
        d = _package_dir(entry.package)
        return d / entry.resource if d else None
    if entry.source in ("assemble", "chunks") and entry.cache:
        cache = Path(entry.cache).expanduser()
        return cache if cache.is_absolute() else cache_dir() / cache  # RLM_CACHE_DIR moves it
    if entry.source == "file" and entry.path:
        return Path(entry.path).expanduser()
    return None


def entry_present(entry: ModelEntry) -> bool:
    """Present, or buildable offline right now (assembled from installed chunks)."""
    p = entry_path(entry)
    if p is not None and p.is_file():
        return True
    if entry.source == "chunks":
        return all(d is not None for d in _chunk_dirs(entry))
    return entry.source == "assemble" and bool(entry.package) and \
        _package_dir(str(entry.package)) is not None


def _chunk_dirs(entry: ModelEntry) -> list[Path | None]:
    """Each chunk package's folder in part order (None where that package is missing)."""
    pattern = entry.chunk_package or ""
    return [_package_dir(pattern.format(n=n)) for n in range(1, entry.chunks + 1)]


def _chunk_files(entry: ModelEntry, target: Path) -> list[Path]:
    """The chunk files in part order: `<package>/data/*.bin`, one or more per package."""
    dirs = _chunk_dirs(entry)
    missing = [(entry.chunk_package or "").format(n=n)
               for n, d in enumerate(dirs, start=1) if d is None]
    if not entry.chunk_package or entry.chunks < 1 or missing:
        shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4
                                           else "")
        raise ModelError(
            f"model {entry.name} is not installed: {target} does not exist and chunk "
            f"package(s) {shown or '(none declared)'} are missing", fix=entry.install_hint(),
            model=entry.name, path=str(target))
    files: list[Path] = []
    for d in dirs:
        assert d is not None
        found = sorted((d / "data").glob("*.bin"))
        if not found:
            raise ModelError(f"chunk package {d.name} holds no data/*.bin file",
                             fix=entry.install_hint() + " (re-install the chunk packages)",
                             model=entry.name, path=str(d))
        files.extend(found)
    return files


def _assemble_chunks(entry: ModelEntry, target: Path) -> Path:
    """Concatenate the chunk packages' files into the model cache, checked, atomically.

    Written to a temporary file beside the target and renamed only when its
    size and SHA-256 match the registry, so a killed or failed assembly never
    leaves a file that looks like the model. Never written into site-packages.
    """
    import sys

    files = _chunk_files(entry, target)
    total = sum(f.stat().st_size for f in files)
    if entry.size_bytes and total != entry.size_bytes:
        raise ModelError(
            f"the chunks of {entry.name} hold {total:,} bytes, not the {entry.size_bytes:,} "
            "the registry expects", fix=entry.install_hint() + " (the versions must match)",
            model=entry.name, path=str(target))
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    h = hashlib.sha256()
    done = 0
    show = sys.stderr.isatty()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as out:
            for f in files:
                with f.open("rb") as src:
                    for block in iter(lambda s=src: s.read(1 << 22), b""):
                        out.write(block)
                        h.update(block)
                        done += len(block)
                        if show:
                            print(f"\rassembling {entry.name}: {done * 100 // max(total, 1)}%",
                                  end="", file=sys.stderr, flush=True)
            out.flush()
            os.fsync(out.fileno())
        if show:
            print(file=sys.stderr)
        digest = h.hexdigest()
        if entry.sha256 and digest != entry.sha256:
            raise ModelError(
                f"the assembled {entry.name} has sha256 {digest[:16]}…, not the registry's "
                f"{entry.sha256[:16]}…: a chunk is corrupt or from another version",
                fix=entry.install_hint() + " (re-install the chunk packages)",
                model=entry.name, path=str(target))
        os.replace(tmp, target)
    except OSError as e:
        raise ModelError(f"could not assemble model {entry.name} into {target}: {e}",
                         fix="free disk space or set RLM_CACHE_DIR to a writable folder",
                         model=entry.name, path=str(target)) from None
    finally:
        tmp.unlink(missing_ok=True)
    _remember_digest(target, digest)
    return target


def _assemble(entry: ModelEntry, target: Path) -> Path:
    if not entry.package or _package_dir(entry.package) is None:
        raise ModelError(
            f"model {entry.name} is not installed: {target} does not exist and the package "
            f"{entry.package} that builds it is missing", fix=entry.install_hint(),
            model=entry.name, path=str(target))
    import importlib

    mod = importlib.import_module(entry.package)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return Path(mod.assemble(target))
    except Exception as e:  # noqa: BLE001 - any failure is the same E_MODEL for the user
        raise ModelError(f"could not assemble model {entry.name} into {target}: {e}",
                         fix=entry.install_hint() + " (re-install the chunk packages)",
                         model=entry.name, path=str(target)) from None


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, cached by (path, size, mtime) in the rlmlang cache."""
    p = Path(path).resolve()
    st = p.stat()
    key = f"{p}|{st.st_size}|{st.st_mtime_ns}"
    store = cache_dir() / "sha256.json"
    try:
        known = json.loads(store.read_text())
    except (OSError, ValueError):
        known = {}
    if key in known:
        return str(known[key])
    h = hashlib.sha256()
    with p.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    _remember_digest(p, digest, known)
    return digest


def _remember_digest(path: Path, digest: str, known: dict[str, str] | None = None) -> None:
    """Cache a file's digest by (path, size, mtime), so a large model is hashed once."""
    p = path.resolve()
    st = p.stat()
    store = cache_dir() / "sha256.json"
    if known is None:
        try:
            known = json.loads(store.read_text())
        except (OSError, ValueError):
            known = {}
    known = {k: v for k, v in known.items() if not k.startswith(f"{p}|")}
    known[f"{p}|{st.st_size}|{st.st_mtime_ns}"] = digest
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        tmp = store.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(known, indent=0))
        tmp.replace(store)
    except OSError:
        pass


def _check_digest(entry: ModelEntry, path: Path) -> None:
    if entry.sha256 and file_sha256(path) != entry.sha256:
        raise ModelError(
            f"{path} does not match the registry's sha256 for {entry.name}: the file is "
            "corrupt or a different model", fix=f"delete {path} and retry; " + entry.install_hint(),
            model=entry.name, path=str(path))


def _looks_like_path(s: str) -> bool:
    return "/" in s or os.sep in s or s.endswith(".gguf") or s.startswith((".", "~"))


def default_name(registry: Registry | None = None) -> str:
    """The model used when none is named: $RLM_MODEL (the user's standing choice), else
    the registry's `default`."""
    reg = registry or load_registry()
    return os.environ.get("RLM_MODEL", "").strip() or reg.default


def resolve_entry(name_or_path: str | None, registry: Registry | None = None
                  ) -> tuple[Path, ModelEntry | None]:
    """The checked GGUF path for a model name or path (None: the default), and its entry."""
    reg = registry or load_registry()
    key = name_or_path or default_name(reg)
    entry = reg.models.get(key)
    if entry is None and not name_or_path and os.environ.get("RLM_MODEL", "").strip():
        raise ModelError(f"RLM_MODEL names {key!r}, which is not listed in {reg.path}",
                         fix="set RLM_MODEL to one of: " + ", ".join(reg.models) + ", or unset it",
                         model=key)
    if entry is None:
        if _looks_like_path(key) or Path(key).expanduser().exists():
            p = Path(key).expanduser()
            read_gguf(p)
            return p, entry_for_path(p, reg)
        raise ModelError(f"unknown model {key!r}",
                         fix="use one of: " + ", ".join(reg.models) + ", or --model PATH.gguf",
                         model=key)
    path = entry_path(entry)
    if entry.source == "assemble" and path is not None and not path.is_file():
        path = _assemble(entry, path)
    elif entry.source == "chunks" and path is not None and not path.is_file():
        path = _assemble_chunks(entry, path)
    if path is None or not path.is_file():
        where = f" ({path} does not exist)" if path else ""
        raise ModelError(f"model {entry.name} is not installed{where}",
                         fix=entry.install_hint(), model=entry.name,
                         path=str(path) if path else None)
    read_gguf(path)
    _check_digest(entry, path)
    return path, entry


def resolve_model(name_or_path: str | None) -> Path:
    """The checked GGUF path for a registry name or a file path; None gives the default."""
    return resolve_entry(name_or_path)[0]


def entry_for_path(path: Path, registry: Registry | None = None) -> ModelEntry | None:
    reg = registry or load_registry()
    rp = path.expanduser().resolve()
    for e in reg.models.values():
        ep = entry_path(e)
        if ep is not None and ep.exists() and ep.resolve() == rp:
            return e
    return None


def list_models(registry: Registry | None = None) -> list[dict[str, Any]]:
    """Every registry entry with whether it is present (or can be built offline)."""
    reg = registry or load_registry()
    out = []
    for e in reg.models.values():
        p = entry_path(e)
        out.append({
            "name": e.name, "default": e.name == default_name(reg), "present": entry_present(e),
            "path": str(p) if p else None, "source": e.source, "licence": e.licence,
            "context_size": e.context_size, "chat_format": e.chat_format,
            "vocab_size": e.vocab_size, "parameters": e.parameters,
            "description": e.description, "install": e.install, "notes": e.notes,
        })
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `rlm models`."""
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.add_argument("--check", metavar="NAME|PATH", default=None,
                        help="resolve one model and check its GGUF file")


def cmd_models(args: argparse.Namespace) -> int:
    """`rlm models`: list the known models and whether each is present."""
    try:
        if getattr(args, "check", None):
            path, entry = resolve_entry(args.check)
            info = read_gguf(path)
            print(f"{args.check}: ok  {path}")
            print(f"  architecture {info.architecture}, vocabulary {info.vocab_size}, "
                  f"trained context {info.context_length}, "
                  f"chat template {'yes' if info.chat_template else 'no'}")
            return 0
        rows = list_models()
    except ModelError as e:
        print(f"error E_MODEL: {e.message}")
        if e.fix:
            print(f"  fix: {e.fix}")
        return 1
    if getattr(args, "json", False):
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(r["name"]) for r in rows) if rows else 4
    for r in rows:
        mark = "*" if r["default"] else " "
        state = "present" if r["present"] else "missing"
        print(f"{mark} {r['name']:<{width}}  {state:<8} {r['parameters'] or '':>5}  "
              f"ctx {r['context_size']:<6} vocab {r['vocab_size'] or '?':<7} {r['licence']}")
        if not r["present"] and r["install"]:
            print(f"  {'':<{width}}  install: {r['install']}")
    print("(* default; any other GGUF: --model PATH)")
    return 0
