"""The HTML report: self-contained, and checked in a real headless Chromium.

Chromium is Debian's `chromium` package (`apt-get install -y chromium`); the
browser tests skip, saying so, where it is not installed. The page has no
script at all, so *any* console message (a blocked fetch, a CSP violation, a
parse error) is a failure; a control page proves the harness sees them.
"""

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from rlmlang.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install -y chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]
CONSOLE = re.compile(r":CONSOLE[:(]\d*\)?\]? *(.*)")


def browse(page: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(tmp)}
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra,
                           page.resolve().as_uri()], capture_output=True, text=True,
                          timeout=120, env=env)


def console_messages(stderr: str) -> list[str]:
    return [m.group(1) for line in stderr.splitlines() if (m := CONSOLE.search(line))]


def write_report(run_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    page = tmp_path / "report.html"
    assert main(["audit", str(run_log), "--replay", "--html", str(page)]) == 0
    capsys.readouterr()
    return page


def test_the_page_is_self_contained_and_shows_everything(
        run_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = write_report(run_log, tmp_path, capsys).read_text()
    assert "default-src 'none'" in text  # the page may fetch nothing
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", text)
    assert "<script" not in text
    for needle in ("Iteration 1", "Iteration 2", "rejected: parse", "rejected: verify",
                   "E_PERMISSION", "Proven bounds", "termination", "llm.predict",
                   "secret file text", "State commit: version 1", "<svg", "polyline",
                   "K7-19QX", "identical", "permissions used", "fs.read:data/a.txt"):
        assert needle in text, needle
    # The scripts are highlighted with inline styles (no stylesheet to ship).
    assert '<span style="color: #008000' in text and "find_line" in text


def test_logged_text_cannot_inject_markup(run_log: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from audit_helpers import rewrite

    def inject(evs: list[dict]) -> None:
        evs[0]["data"]["task"] = "<script>alert(1)</script><img src=http://x/y>"

    rewrite(run_log, inject)
    page = tmp_path / "r.html"
    main(["audit", str(run_log), "--html", str(page)])
    capsys.readouterr()
    text = page.read_text()
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@needs_chromium
def test_the_harness_sees_console_errors(tmp_path: Path) -> None:
    """Control: a page that breaks its own CSP and throws must be caught."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><meta http-equiv='Content-Security-Policy' "
                   "content=\"default-src 'none'\"><p>x</p><img src='http://example.invalid/a'>")
    msgs = console_messages(browse(bad, tmp_path, "--dump-dom").stderr)
    assert any("Content Security Policy" in m for m in msgs), msgs


@needs_chromium
def test_chromium_loads_the_report_without_console_messages(
        run_log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = write_report(run_log, tmp_path, capsys)
    done = browse(page, tmp_path, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert console_messages(done.stderr) == []
    dom = re.sub(r"<[^>]+>", "", done.stdout)  # the text the browser rendered from the DOM
    import html

    dom = html.unescape(dom)
    assert 'line = find_line(context, "badge 4820")' in dom
    assert 'submit(llm.predict("What is the access code?", text=line))' in dom
    assert "Iteration 2" in dom and "rejected: verify" in dom


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and raw rows of an 8-bit RGB(A) PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    h = channels = 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6) and body[12] == 0  # no interlacing
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows


@needs_chromium
def test_screenshot_is_a_real_rendering(run_log: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    page = write_report(run_log, tmp_path, capsys)
    shot = tmp_path / "report.png"
    done = browse(page, tmp_path, f"--screenshot={shot}", "--window-size=1200,1600")
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    assert console_messages(done.stderr) == []
    w, h, rows = read_png(shot)
    assert (w, h) == (1200, 1600)
    channels = len(rows[0]) // w
    colours = set()
    for row in rows[::7]:
        for x in range(0, len(row), channels * 3):
            colours.add(row[x:x + 3])
    assert len(colours) > 200, len(colours)  # text, badges, chart, highlighting: not blank
    # Red is there: the "rejected" badges and a line of the budget chart.
    assert any(r > 200 and g < 80 for r, g, _ in ((c[0], c[1], c[2]) for c in colours))
