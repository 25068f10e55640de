"""fs.read, fs.list, fs.write: grants, traversal, symbolic links, size limits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tools_helpers import spec

from rlmlang.paths import PermissionDenied
from rlmlang.policy import Policy
from rlmlang.tools.context import ToolContext, ToolFailure, invoke
from rlmlang.tools.errors import ToolError
from rlmlang.tools.host import fs


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "data" / "sub").mkdir(parents=True)
    (tmp_path / "secret").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "data" / "a.txt").write_text("alpha\nbeta\n")
    (tmp_path / "data" / "sub" / "b.txt").write_text("b")
    (tmp_path / "secret" / "key.txt").write_text("TOP SECRET")
    os.symlink(tmp_path / "secret" / "key.txt", tmp_path / "data" / "link.txt")
    os.symlink(tmp_path / "secret", tmp_path / "data" / "dirlink")
    os.symlink("/etc/hostname", tmp_path / "data" / "etc.txt")
    os.symlink(tmp_path / "secret", tmp_path / "out" / "escape")
    return tmp_path


def ctx(root: Path, allow: list[str], deny: tuple[str, ...] = ()) -> ToolContext:
    return ToolContext(policy=Policy.from_rules(allow, list(deny), root), root=root)


def read(c: ToolContext, path: str) -> str:
    return spec("fs.read").impl(c, path)


def test_read_granted(root: Path) -> None:
    c = ctx(root, ["fs.read:data/**"])
    assert read(c, "data/a.txt") == "alpha\nbeta\n"
    assert read(c, "./data//sub/b.txt") == "b"
    assert read(c, str(root / "data" / "a.txt")) == "alpha\nbeta\n"  # absolute, inside


@pytest.mark.parametrize("path", ["secret/key.txt", "data/../secret/key.txt", "../x",
                                  "/etc/passwd", "data/link.txt", "data/dirlink/key.txt",
                                  "data/etc.txt"])
def test_read_refused(root: Path, path: str) -> None:
    c = ctx(root, ["fs.read:data/**"])
    with pytest.raises(PermissionDenied) as e:
        read(c, path)
    assert e.value.code == "E_PERMISSION"
    with pytest.raises(ToolFailure) as f:  # and through the VM's door
        invoke(c, spec("fs.read"), [path])
    assert "TOP SECRET" not in f.value.message


def test_deny_rule_wins(root: Path) -> None:
    c = ctx(root, ["fs.read:**"], deny=("fs.read:secret/**",))
    with pytest.raises(PermissionDenied) as e:
        read(c, "data/link.txt")  # resolves into secret/
    assert e.value.code == "E_DENIED"


def test_no_policy_means_no_effect(root: Path) -> None:
    with pytest.raises(PermissionDenied, match="no fs.read grant") as e:
        read(ToolContext(policy=None, root=root), "data/a.txt")
    assert e.value.code == "E_PERMISSION"


def test_read_size_limit(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fs, "MAX_READ", 5)
    with pytest.raises(ToolError, match="more than the 5 allowed"):
        read(ctx(root, ["fs.read:data/**"]), "data/a.txt")


def test_read_missing_and_directory(root: Path) -> None:
    c = ctx(root, ["fs.read:data/**"])
    with pytest.raises(ToolError, match="does not exist"):
        read(c, "data/none.txt")
    with pytest.raises(ToolError, match="directory"):
        read(c, "data/sub")


def test_list(root: Path) -> None:
    c = ctx(root, ["fs.list:data/**", "fs.list:data"])
    got = spec("fs.list").impl(c, "data")
    assert got == ["a.txt", "dirlink", "etc.txt", "link.txt", "sub/"]
    with pytest.raises(PermissionDenied):
        spec("fs.list").impl(c, "secret")
    with pytest.raises(PermissionDenied):
        spec("fs.list").impl(c, "data/dirlink")
    with pytest.raises(PermissionDenied):
        spec("fs.list").impl(ctx(root, ["fs.read:data/**"]), "data")  # wrong kind


def test_write(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c = ctx(root, ["fs.write:out/**"])
    w = spec("fs.write").impl
    assert w(c, "out/r.txt", "héllo") is None
    assert (root / "out" / "r.txt").read_text() == "héllo"
    for bad in ("data/a.txt", "out/../secret/x.txt", "out/escape/x.txt", "/tmp/x.txt"):
        with pytest.raises(PermissionDenied):
            w(c, bad, "x")
    assert not (root / "secret" / "x.txt").exists()
    assert (root / "data" / "a.txt").read_text() == "alpha\nbeta\n"
    with pytest.raises(ToolError, match="does not exist"):
        w(c, "out/no/dir.txt", "x")
    monkeypatch.setattr(fs, "MAX_WRITE", 3)
    with pytest.raises(ToolError, match="more than the 3 allowed"):
        w(c, "out/big.txt", "abcd")


def test_write_does_not_follow_a_final_symlink(root: Path) -> None:
    os.symlink(root / "secret" / "key.txt", root / "out" / "k.txt")
    c = ctx(root, ["fs.write:out/**", "fs.write:secret/**"], deny=("fs.write:secret/**",))
    with pytest.raises(PermissionDenied):
        spec("fs.write").impl(c, "out/k.txt", "overwritten")
    assert (root / "secret" / "key.txt").read_text() == "TOP SECRET"


def test_fs_tools_are_declared_as_effects() -> None:
    for name, kind in [("fs.read", "fs.read"), ("fs.list", "fs.list"), ("fs.write", "fs.write")]:
        s = spec(name)
        assert s.effect and s.permission is not None
        assert s.permission.kind == kind and s.permission.resource_param == "path"
