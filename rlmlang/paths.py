"""Run-time path confinement for the fs tools.

The verifier proves what it can about a path from the script's text; this
module is the guard that runs whatever was proven, at the moment of access.
`confine` checks the path lexically against the policy (no '..', no NUL, no
absolute path outside the root), then resolves symbolic links and checks the
*resolved* path again: it must still lie inside the root and still be
granted, so a link inside `data/` that points at `secret/` or `/etc` is
refused. `open_confined` goes one step further for the tools that open
files: it walks from the root one directory at a time with O_NOFOLLOW, so a
link swapped in after the check cannot redirect the open.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from rlmlang.diagnostics import Diagnostic, DiagnosticError
from rlmlang.policy import Decision, Policy


class PermissionDenied(DiagnosticError):
    """An access the policy refuses; carries one E_PERMISSION or E_DENIED diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__([diagnostic])
        self.diagnostic = diagnostic

    @property
    def code(self) -> str:
        return self.diagnostic.code


def _deny(kind: str, relative: str, why: str, code: str = "E_PERMISSION",
          rule: str | None = None, fix: str | None = None) -> PermissionDenied:
    return PermissionDenied(Diagnostic(
        code, f"{kind} of {relative!r} is refused: {why}", file="<runtime>",
        fix=fix or "use a path inside the granted directories that is not a symbolic link "
                   "leading elsewhere",
        data={"kind": kind, "resource": relative, "rule": rule}))


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def confine(root: Path | str, relative: str, policy: Policy, kind: str) -> Path:
    """The real (symlink-free) path of `relative` under `root`, if the policy allows it.

    `root` is the directory the fs tools work in (normally `policy.root`).
    Raises PermissionDenied with E_DENIED when a deny rule matches (before or
    after resolving links), else E_PERMISSION.
    """
    d: Decision = policy.check(kind, relative)
    if not d.allowed:
        raise PermissionDenied(d.to_diagnostic(file="<runtime>"))
    real_root = os.path.realpath(root)
    assert d.resource is not None
    candidate = real_root if d.resource == "." else os.path.join(real_root, d.resource)
    real = os.path.realpath(candidate)
    if not _inside(real, real_root):
        raise _deny(kind, relative, "it resolves through a symbolic link to a place outside "
                    "the policy root")
    rel = os.path.relpath(real, real_root)
    if rel != d.resource:
        d2 = policy.check(kind, rel)
        if not d2.allowed:
            prefix = f"{kind} of {rel!r} "
            tail = d2.reason[len(prefix):] if d2.reason.startswith(prefix) else d2.reason
            raise _deny(kind, relative, f"it resolves through a symbolic link to {rel!r}, which "
                        f"{tail}", d2.code or "E_PERMISSION", d2.rule, d2.fix)
    return Path(real)


def open_confined(root: Path | str, relative: str, policy: Policy, kind: str,
                  flags: int = os.O_RDONLY, mode: int = 0o644) -> int:
    """Open a confined path and return the file descriptor (the caller closes it).

    Each directory is opened relative to the last with O_NOFOLLOW, so the
    open cannot be redirected by a link created after `confine` checked the
    path. A missing file raises FileNotFoundError as usual.
    """
    real = confine(root, relative, policy, kind)
    real_root = os.path.realpath(root)
    rel = os.path.relpath(real, real_root)
    parts = [] if rel == "." else rel.split(os.sep)
    fd = os.open(real_root, os.O_RDONLY | os.O_DIRECTORY)
    part = ""
    try:
        for part in parts[:-1]:
            nfd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = nfd
        if not parts:
            return os.dup(fd)
        part = parts[-1]
        return os.open(part, flags | os.O_NOFOLLOW, mode, dir_fd=fd)
    except OSError as e:
        # O_NOFOLLOW on a link fails with ELOOP (or ENOTDIR with O_DIRECTORY).
        if e.errno in (errno.ELOOP, errno.ENOTDIR) and _is_link(part, fd):
            raise _deny(kind, relative, "a symbolic link appeared in the path while it was "
                        "being opened") from None
        raise
    finally:
        os.close(fd)


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(name, dir_fd=dir_fd).st_mode)
    except OSError:
        return False
