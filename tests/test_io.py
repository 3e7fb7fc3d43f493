"""Tests of leaksim._io: a crash never leaves a half-written file."""

from __future__ import annotations

import os
import stat

import pytest

from leaksim._io import atomic_open, atomic_write_text


def _names(directory):
    return sorted(p.name for p in directory.iterdir())


def test_atomic_write_text_creates_and_replaces(tmp_path):
    path = tmp_path / "out.json"
    atomic_write_text(path, "first")
    atomic_write_text(str(path), "second")
    assert path.read_text() == "second"
    assert _names(tmp_path) == ["out.json"]


def test_writer_raising_midway_keeps_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "SERIES.csv"
    path.write_text("old\n")
    with pytest.raises(RuntimeError, match="midway"):
        with atomic_open(path) as f:
            f.write("new partial content")
            f.flush()
            raise RuntimeError("midway")
    assert path.read_text() == "old\n"
    assert _names(tmp_path) == ["SERIES.csv"]


def test_interrupt_midway_creates_nothing(tmp_path):
    path = tmp_path / "new.csv"
    with pytest.raises(KeyboardInterrupt):
        with atomic_open(path) as f:
            f.write("x")
            raise KeyboardInterrupt
    assert _names(tmp_path) == []


def test_binary_mode(tmp_path):
    path = tmp_path / "figure.png"
    with atomic_open(path, "wb") as f:
        f.write(b"\x89PNG")
    assert path.read_bytes() == b"\x89PNG"


def test_newline_is_passed_to_text_mode(tmp_path):
    path = tmp_path / "rows.csv"
    with atomic_open(path, newline="") as f:
        f.write("a\r\nb\r\n")
    assert path.read_bytes() == b"a\r\nb\r\n"


def test_bad_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="mode must be one of"):
        with atomic_open(tmp_path / "x", "a"):
            pass
    assert _names(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_replacing_keeps_permissions(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    path.chmod(0o640)
    atomic_write_text(path, "new")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_writes_through_a_symbolic_link(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink()
    assert target.read_text() == "new"
