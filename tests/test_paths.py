"""Tests for run-time path confinement, on a real file system (tmp_path)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rlmlang import paths
from rlmlang.paths import PermissionDenied, confine, open_confined
from rlmlang.policy import Policy


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "data" / "sub").mkdir(parents=True)
    (root / "data" / "a.txt").write_text("A")
    (root / "data" / "sub" / "b.txt").write_text("B")
    (root / "secret").mkdir()
    (root / "secret" / "key.txt").write_text("KEY")
    (root / "data" / "private").mkdir()
    (root / "data" / "private" / "p.txt").write_text("P")
    (root / "out").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.txt").write_text("X")
    return root


def policy(root: Path) -> Policy:
    return Policy.from_rules(["fs.read:data/**", "fs.write:out/*.md", "fs.list:data"],
                             ["fs.read:data/private/**"], root)


def test_granted_file_resolves_inside_root(tree: Path) -> None:
    p = policy(tree)
    got = confine(tree, "data/sub/b.txt", p, "fs.read")
    assert got == Path(os.path.realpath(tree / "data" / "sub" / "b.txt"))
    assert confine(tree, "./data//a.txt", p, "fs.read").read_text() == "A"
    assert confine(tree, "data", p, "fs.list").is_dir()
    # a file that does not exist yet may be confined for writing
    assert confine(tree, "out/new.md", p, "fs.write").parent == Path(os.path.realpath(tree / "out"))


@pytest.mark.parametrize("rel,code,text", [
    ("secret/key.txt", "E_PERMISSION", "is not covered by any grant (granted: fs.read:data/**)"),
    ("data/../secret/key.txt", "E_PERMISSION", "the path has a '..' component"),
    ("/etc/passwd", "E_PERMISSION", "the absolute path is outside the policy root"),
    ("data/a.txt\x00", "E_PERMISSION", "NUL character"),
    ("data/private/p.txt", "E_DENIED", "matches deny rule 'fs.read:data/private/**'"),
])
def test_lexical_refusals(tree: Path, rel: str, code: str, text: str) -> None:
    with pytest.raises(PermissionDenied) as ei:
        confine(tree, rel, policy(tree), "fs.read")
    assert ei.value.code == code
    assert text in ei.value.diagnostic.message


def test_symlink_out_of_root_is_refused(tree: Path) -> None:
    (tree / "data" / "link.txt").symlink_to(tree.parent / "outside" / "x.txt")
    (tree / "data" / "linkdir").symlink_to(tree.parent / "outside")
    (tree / "data" / "etc").symlink_to("/etc")
    p = policy(tree)
    for rel in ("data/link.txt", "data/linkdir/x.txt", "data/etc/passwd", "data/linkdir"):
        with pytest.raises(PermissionDenied) as ei:
            confine(tree, rel, p, "fs.read")
        assert ei.value.code == "E_PERMISSION"
        assert ei.value.diagnostic.message == (
            f"fs.read of {rel!r} is refused: it resolves through a symbolic link to a place "
            "outside the policy root")


def test_symlink_to_ungranted_or_denied_place_inside_root(tree: Path) -> None:
    (tree / "data" / "key.txt").symlink_to(tree / "secret" / "key.txt")
    (tree / "data" / "p.txt").symlink_to("private/p.txt")  # relative link, denied target
    p = policy(tree)
    with pytest.raises(PermissionDenied) as ei:
        confine(tree, "data/key.txt", p, "fs.read")
    assert ei.value.code == "E_PERMISSION"
    assert ei.value.diagnostic.message == (
        "fs.read of 'data/key.txt' is refused: it resolves through a symbolic link to "
        "'secret/key.txt', which is not covered by any grant (granted: fs.read:data/**)")
    with pytest.raises(PermissionDenied) as ei:
        confine(tree, "data/p.txt", p, "fs.read")
    assert ei.value.code == "E_DENIED"
    assert "'data/private/p.txt', which matches deny rule" in ei.value.diagnostic.message


def test_symlink_within_the_grant_is_followed(tree: Path) -> None:
    (tree / "data" / "alias.txt").symlink_to("sub/b.txt")
    got = confine(tree, "data/alias.txt", policy(tree), "fs.read")
    assert got.read_text() == "B"
    assert got == Path(os.path.realpath(tree / "data" / "sub" / "b.txt"))


def test_dangling_write_link_out_of_root_is_refused(tree: Path) -> None:
    (tree / "out" / "evil.md").symlink_to(tree.parent / "outside" / "new.md")
    with pytest.raises(PermissionDenied):
        confine(tree, "out/evil.md", policy(tree), "fs.write")
    assert not (tree.parent / "outside" / "new.md").exists()


def test_root_reached_through_a_symlink(tree: Path) -> None:
    alias = tree.parent / "alias"
    alias.symlink_to(tree)
    p = policy(alias)
    assert confine(alias, "data/a.txt", p, "fs.read").read_text() == "A"
    with pytest.raises(PermissionDenied):
        confine(alias, "secret/key.txt", p, "fs.read")


def test_open_confined_reads_and_writes(tree: Path) -> None:
    p = policy(tree)
    fd = open_confined(tree, "data/sub/b.txt", p, "fs.read")
    with os.fdopen(fd) as f:
        assert f.read() == "B"
    fd = open_confined(tree, "out/r.md", p, "fs.write", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    with os.fdopen(fd, "w") as f:
        f.write("report")
    assert (tree / "out" / "r.md").read_text() == "report"
    with pytest.raises(FileNotFoundError):
        open_confined(tree, "data/missing.txt", p, "fs.read")
    with pytest.raises(NotADirectoryError):  # a plain file in the middle is not a link
        open_confined(tree, "data/a.txt/x", p, "fs.read")
    with pytest.raises(PermissionDenied):
        open_confined(tree, "secret/key.txt", p, "fs.read")


def test_open_confined_does_not_follow_a_link_swapped_in_after_the_check(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulate the race: the check saw a directory, the open finds a link."""
    p = policy(tree)
    real_confine = paths.confine

    def check_then_swap(root, rel, pol, kind):  # type: ignore[no-untyped-def]
        result = real_confine(root, rel, pol, kind)
        sub = tree / "data" / "sub"
        (sub / "b.txt").unlink()
        sub.rmdir()
        sub.symlink_to(tree / "secret")
        (tree / "secret" / "b.txt").write_text("STOLEN")
        return result

    monkeypatch.setattr(paths, "confine", check_then_swap)
    with pytest.raises(PermissionDenied) as ei:
        open_confined(tree, "data/sub/b.txt", p, "fs.read")
    assert "a symbolic link appeared in the path" in ei.value.diagnostic.message
