"""fs.read, fs.list, fs.write: files under the policy root, confined to the grant.

Paths are relative to the policy root (an absolute path is accepted only
inside it). `rlmlang.paths.open_confined` normalises the path, refuses
`..`, resolves symbolic links and checks the *resolved* path against the
grant, then opens it one directory at a time with O_NOFOLLOW so a link
swapped in after the check cannot redirect the open. Reads and writes are
capped in size so a script cannot fill memory or the disk, and by the
policy's caps (`fs.read:bytes=N`, `fs.write:bytes=N`: bytes over one script,
nested runs included).

Only regular files are read or written: files are opened non-blocking and
checked with fstat before a byte moves, so a FIFO, a device or a socket
inside the grant is refused at once instead of blocking the run forever. A
file with more than one hard link is refused too, unless the grant is the
whole file system: the policy judges paths, and a hard link is a second
path to the same file, possibly made from one outside the grant.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Any

from rlmlang.diagnostics import Diagnostic
from rlmlang.paths import PermissionDenied, confine, open_confined
from rlmlang.tools.context import cap_left, charge
from rlmlang.tools.declare import const_fuel, fuel, tool
from rlmlang.tools.errors import ToolError
from rlmlang.tools.host.context import policy_of, root_of
from rlmlang.tools.registry import Permission, Size, ToolSpec

MAX_READ = 64 << 20  # bytes fs.read returns at most
MAX_WRITE = 64 << 20  # characters fs.write accepts at most
MAX_LIST = 10_000  # entries fs.list returns at most
MAX_NAME = 255  # characters of one entry name (the usual file-system limit)
# Never block on a FIFO or a device, never make one the controlling terminal.
_OPEN_FLAGS = os.O_NONBLOCK | os.O_NOCTTY


def _os_error(tool_name: str, path: str, e: OSError) -> ToolError:
    if e.errno == errno.ENOENT:
        return ToolError(f"{tool_name}: {path!r} does not exist", "check the name with fs.list")
    if e.errno in (errno.EISDIR,):
        return ToolError(f"{tool_name}: {path!r} is a directory", "use fs.list for directories")
    if e.errno == errno.ENOTDIR:
        return ToolError(f"{tool_name}: {path!r} is not a directory")
    if e.errno == errno.ELOOP:
        return ToolError(f"{tool_name}: {path!r} is a symbolic link, which is not followed")
    if e.errno in (errno.ENXIO, errno.EAGAIN):
        return ToolError(f"{tool_name}: {path!r} is not a regular file (a FIFO, socket or "
                         "device)", "read and write regular files only")
    if e.errno == errno.ENOSPC:
        return ToolError(f"{tool_name}: the disk is full (writing {path!r})")
    return ToolError(f"{tool_name}: cannot access {path!r}: {e.strerror or e}")


def _regular(tool_name: str, kind: str, path: str, st: os.stat_result, policy: Any) -> None:
    """Refuse what is not a plain file, and a hard-linked file the grant cannot vouch for."""
    if stat.S_ISDIR(st.st_mode):
        raise ToolError(f"{tool_name}: {path!r} is a directory", "use fs.list for directories")
    if not stat.S_ISREG(st.st_mode):
        what = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a socket" if stat.S_ISSOCK(
            st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(
            st.st_mode) else "not a regular file"
        raise ToolError(f"{tool_name}: {path!r} is {what}, not a regular file",
                        "read and write regular files only")
    if st.st_nlink > 1 and not _whole_file_system(policy, kind):
        raise PermissionDenied(Diagnostic(
            "E_PERMISSION", f"{kind} of {path!r} is refused: the file has {st.st_nlink} hard "
            "links, and a hard link is another path to the same file that may lie outside the "
            "grant (the policy judges paths)", file="<runtime>",
            fix="copy the file into the granted directory instead of linking it",
            data={"kind": kind, "resource": path, "rule": None, "links": st.st_nlink}))


def _whole_file_system(policy: Any, kind: str) -> bool:
    """A grant of every path of '/' with no deny rule: no link can lead outside it."""
    return str(policy.root) == "/" and not any(r.kind == kind for r in policy.deny) and any(
        r.kind == kind and r.grants and (r.glob is None or r.glob.everything)
        for r in policy.allow)


def _check_path(tool_name: str, path: Any) -> str:
    if not isinstance(path, str) or path == "":
        raise ToolError(f"{tool_name}: path must be a non-empty str")
    return path


def _read(ctx: Any, path: Any) -> str:
    path = _check_path("fs.read", path)
    policy = policy_of(ctx)
    try:
        fd = open_confined(root_of(ctx), path, policy, "fs.read", os.O_RDONLY | _OPEN_FLAGS)
    except PermissionDenied:
        raise
    except OSError as e:
        raise _os_error("fs.read", path, e) from None
    try:
        st = os.fstat(fd)
        _regular("fs.read", "fs.read", path, st, policy)
        left = cap_left(ctx, "fs.read", "bytes")
        limit = MAX_READ if left is None else min(MAX_READ, left)
        what = "allowed" if left is None or left >= MAX_READ else \
            f"left of the cap fs.read:bytes={policy.cap('fs.read', 'bytes')}"
        if st.st_size > limit:
            raise ToolError(f"fs.read: {path!r} is {st.st_size} bytes, more than the "
                            f"{limit} {what}")
        os.set_blocking(fd, True)  # a regular file: blocking reads are safe and whole
        with os.fdopen(fd, "rb", closefd=True) as f:
            fd = -1
            data = f.read(limit + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > limit:
        raise ToolError(f"fs.read: {path!r} grew past the {limit} bytes {what}")
    charge(ctx, "fs.read", "bytes", len(data))
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
    data = text.encode("utf-8", errors="replace")
    if len(data) > MAX_WRITE:
        raise ToolError(f"fs.write: {len(data)} bytes is more than the {MAX_WRITE} allowed")
    root, policy = root_of(ctx), policy_of(ctx)
    real = confine(root, path, policy, "fs.write")
    if real == root.resolve():
        raise ToolError("fs.write: the path names the root directory, not a file")
    charge(ctx, "fs.write", "bytes", len(data))  # refused before the file is touched
    try:
        fd = open_confined(root, path, policy, "fs.write",
                           os.O_WRONLY | os.O_CREAT | _OPEN_FLAGS, 0o644)
    except PermissionDenied:
        raise
    except OSError as e:
        if e.errno == errno.ENOENT:
            raise ToolError(f"fs.write: the directory of {path!r} does not exist") from None
        raise _os_error("fs.write", path, e) from None
    try:
        _regular("fs.write", "fs.write", path, os.fstat(fd), policy)
        os.set_blocking(fd, True)
        os.ftruncate(fd, 0)  # only now: a FIFO or a device was never truncated
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as e:
        raise _os_error("fs.write", path, e) from None
    finally:
        os.close(fd)
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
