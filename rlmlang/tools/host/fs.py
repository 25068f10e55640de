"""fs.read, fs.list, fs.write: files under the policy root, confined to the grant.

Paths are relative to the policy root (an absolute path is accepted only
inside it). `rlmlang.paths.open_confined` normalises the path, refuses
`..`, resolves symbolic links and checks the *resolved* path against the
grant, then opens it one directory at a time with O_NOFOLLOW so a link
swapped in after the check cannot redirect the open. Reads and writes are
capped in size so a script cannot fill memory or the disk.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Any

from rlmlang.paths import PermissionDenied, confine, open_confined
from rlmlang.tools.declare import const_fuel, fuel, tool
from rlmlang.tools.errors import ToolError
from rlmlang.tools.host.context import policy_of, root_of
from rlmlang.tools.registry import Permission, Size, ToolSpec

MAX_READ = 64 << 20  # bytes fs.read returns at most
MAX_WRITE = 64 << 20  # characters fs.write accepts at most
MAX_LIST = 10_000  # entries fs.list returns at most
MAX_NAME = 255  # characters of one entry name (the usual file-system limit)


def _os_error(tool_name: str, path: str, e: OSError) -> ToolError:
    if e.errno == errno.ENOENT:
        return ToolError(f"{tool_name}: {path!r} does not exist", "check the name with fs.list")
    if e.errno in (errno.EISDIR,):
        return ToolError(f"{tool_name}: {path!r} is a directory", "use fs.list for directories")
    if e.errno == errno.ENOTDIR:
        return ToolError(f"{tool_name}: {path!r} is not a directory")
    if e.errno == errno.ELOOP:
        return ToolError(f"{tool_name}: {path!r} is a symbolic link, which is not followed")
    return ToolError(f"{tool_name}: cannot access {path!r}: {e.strerror or e}")


def _check_path(tool_name: str, path: Any) -> str:
    if not isinstance(path, str) or path == "":
        raise ToolError(f"{tool_name}: path must be a non-empty str")
    return path


def _read(ctx: Any, path: Any) -> str:
    path = _check_path("fs.read", path)
    try:
        fd = open_confined(root_of(ctx), path, policy_of(ctx), "fs.read")
    except PermissionDenied:
        raise
    except OSError as e:
        raise _os_error("fs.read", path, e) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ToolError(f"fs.read: {path!r} is a directory", "use fs.list for directories")
        if not stat.S_ISREG(st.st_mode):
            raise ToolError(f"fs.read: {path!r} is not a regular file")
        if st.st_size > MAX_READ:
            raise ToolError(f"fs.read: {path!r} is {st.st_size} bytes, more than the "
                            f"{MAX_READ} allowed")
        with os.fdopen(fd, "rb", closefd=True) as f:
            fd = -1
            data = f.read(MAX_READ + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > MAX_READ:
        raise ToolError(f"fs.read: {path!r} grew past the {MAX_READ} bytes allowed")
    return data.decode("utf-8", errors="replace")


def _list(ctx: Any, path: Any = ".") -> list[str]:
    path = _check_path("fs.list", path)
    try:
        fd = open_confined(root_of(ctx), path, policy_of(ctx), "fs.list",
                           os.O_RDONLY | os.O_DIRECTORY)
    except PermissionDenied:
        raise
    except OSError as e:
        raise _os_error("fs.list", path, e) from None
    try:
        names = sorted(os.listdir(fd))
        if len(names) > MAX_LIST:
            raise ToolError(f"fs.list: {path!r} has {len(names)} entries, more than the "
                            f"{MAX_LIST} allowed")
        out = []
        for n in names:
            try:
                st = os.stat(n, dir_fd=fd, follow_symlinks=False)
                is_dir = stat.S_ISDIR(st.st_mode)
            except OSError:
                is_dir = False
            out.append(n[:MAX_NAME] + ("/" if is_dir else ""))
        return out
    finally:
        os.close(fd)


def _write(ctx: Any, path: Any, text: Any) -> None:
    path = _check_path("fs.write", path)
    if not isinstance(text, str):
        raise ToolError("fs.write: text must be a str", "convert it first, e.g. str(x)")
    data = text.encode("utf-8")
    if len(data) > MAX_WRITE:
        raise ToolError(f"fs.write: {len(data)} bytes is more than the {MAX_WRITE} allowed")
    root, policy = root_of(ctx), policy_of(ctx)
    real = confine(root, path, policy, "fs.write")
    if real == root.resolve():
        raise ToolError("fs.write: the path names the root directory, not a file")
    try:
        fd = open_confined(root, path, policy, "fs.write",
                           os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except PermissionDenied:
        raise
    except OSError as e:
        if e.errno == errno.ENOENT:
            raise ToolError(f"fs.write: the directory of {path!r} does not exist") from None
        raise _os_error("fs.write", path, e) from None
    with os.fdopen(fd, "wb", closefd=True) as f:
        f.write(data)
    return None


def fs_specs() -> list[ToolSpec]:
    return [
        tool("fs.read", "path: str", "str", _read,
             "The text of a file under the granted directories (UTF-8).",
             cost=const_fuel(16), size=lambda s: Size(MAX_READ, 1), origin="host",
             permission=Permission("fs.read", "path"), effect=True,
             example='text = fs.read("data/notes.txt")\nsubmit(find_line(text, "total"))'),
        tool("fs.list", "path: str = '.'", "list[str]", _list,
             "The names in a directory, sorted; directories end with '/'.",
             cost=const_fuel(16), size=lambda s: Size(MAX_LIST, MAX_NAME + 1), origin="host",
             permission=Permission("fs.list", "path"), effect=True,
             example='for name in fs.list("data"):\n    print(name)'),
        tool("fs.write", "path: str, text: str", "none", _write,
             "Write text to a file under the granted directories (replacing it).",
             cost=fuel(1, base=16), size=lambda s: Size(1, 1), origin="host",
             permission=Permission("fs.write", "path"), effect=True,
             example='fs.write("out/report.txt", join(hits, "\\n"))'),
    ]
