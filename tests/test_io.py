"""Tests of leaksim._io: a crash never leaves a half-written file, nor half a set of files."""

from __future__ import annotations

import errno
import os
import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

import leaksim._io as io_module
from leaksim._io import atomic_files, atomic_open, atomic_write_text
from leaksim.errors import LeaksimError, OutputError


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


def _failing(real, target_name, error):
    """``real`` (os.replace or os.fsync) raising ``error`` when it touches ``target_name``."""

    def call(*args):
        if any(target_name in str(a) for a in args):
            raise error
        return real(*args)

    return call


def _write_set(folder, contents):
    with atomic_files() as files:
        for name, text in contents.items():
            with files.open(folder / name) as f:
                f.write(text)


def test_a_set_of_files_is_replaced_together(tmp_path):
    _write_set(tmp_path, {"summary.json": "{}", "series.csv": "a\n"})
    _write_set(tmp_path, {"summary.json": "{1}", "series.csv": "b\n"})
    assert (tmp_path / "summary.json").read_text() == "{1}"
    assert (tmp_path / "series.csv").read_text() == "b\n"
    assert _names(tmp_path) == ["series.csv", "summary.json"]


def test_a_failing_rename_puts_the_renamed_files_back(tmp_path, monkeypatch):
    # The summary is renamed first; the series then cannot be (an immutable file): the old
    # summary must come back, so the pair on disk is never one from two runs.
    (tmp_path / "summary.json").write_text("old summary")
    (tmp_path / "series.csv").write_text("old series")
    denied = PermissionError(errno.EPERM, "Operation not permitted")
    monkeypatch.setattr(io_module.os, "replace", _failing(os.replace, "series.csv", denied))
    with pytest.raises(OutputError) as info:
        _write_set(tmp_path, {"summary.json": "new", "series.csv": "new", "new.txt": "new"})
    message = str(info.value)
    assert message.startswith(f"cannot write {tmp_path / 'series.csv'}: Operation not permitted")
    assert ".tmp" not in message and "\n" not in message
    assert isinstance(info.value, OSError) and isinstance(info.value, LeaksimError)
    assert info.value.errno == errno.EPERM
    assert (tmp_path / "summary.json").read_text() == "old summary"
    assert (tmp_path / "series.csv").read_text() == "old series"
    assert _names(tmp_path) == ["series.csv", "summary.json"]  # no temporary, no backup


def test_a_full_disk_while_writing_keeps_every_old_file(tmp_path, monkeypatch):
    # The disk fills while the second file of the set is flushed to it.
    (tmp_path / "summary.json").write_text("old summary")
    calls = []
    real_fsync = os.fsync

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(io_module.os, "fsync", fsync)
    with pytest.raises(OutputError, match=r"series\.csv: No space left on device"):
        _write_set(tmp_path, {"summary.json": "new", "series.csv": "new"})
    assert (tmp_path / "summary.json").read_text() == "old summary"
    assert _names(tmp_path) == ["summary.json"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_dev_full_is_named_in_the_error(tmp_path):
    (tmp_path / "summary.json").write_text("old")
    with pytest.raises(OutputError, match=r"^cannot write /dev/full: No space left on device$"):
        with atomic_files() as files:
            with files.open(tmp_path / "summary.json") as f:
                f.write("new")
            with files.open("/dev/full") as f:
                f.write("x" * 100_000)
    assert (tmp_path / "summary.json").read_text() == "old"
    assert _names(tmp_path) == ["summary.json"]


def test_a_folder_that_takes_no_file_names_the_target(tmp_path, monkeypatch):
    # A read-only folder: root ignores the permission bits, so the refusal is injected.
    real_open = os.open

    def read_only(path, *args, **kwargs):
        if str(path).endswith(".tmp"):
            raise OSError(errno.EROFS, "Read-only file system", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(io_module.os, "open", read_only)
    target = tmp_path / "out.json"
    with pytest.raises(OutputError) as info:
        atomic_write_text(target, "x")
    assert str(info.value) == (
        f"cannot write {target}: Read-only file system; no earlier file was replaced"
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permission bits, not root")
def test_a_read_only_folder_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="out.json: Permission denied"):
            atomic_write_text(target, "new")
    finally:
        tmp_path.chmod(0o755)
    assert target.read_text() == "old"


@given(
    n_files=st.integers(1, 4),
    existing=st.lists(st.booleans(), min_size=4, max_size=4),
    failure=st.one_of(
        st.none(), st.tuples(st.sampled_from(["write", "replace"]), st.integers(0, 3))
    ),
)
def test_a_set_is_all_new_or_all_old(tmp_path_factory, n_files, existing, failure):
    folder = tmp_path_factory.mktemp("set")
    names = [f"f{i}.txt" for i in range(n_files)]
    for name, exists in zip(names, existing, strict=False):
        if exists:
            (folder / name).write_text("old")
    before = {p.name: p.read_text() for p in folder.iterdir()}
    stage, at = failure or ("", -1)
    real_replace = os.replace

    def replace(src, dst):
        if stage == "replace" and str(dst).endswith(f"f{at}.txt"):
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(src, dst)

    io_module.os.replace = replace
    try:
        with atomic_files() as files:
            for i, name in enumerate(names):
                with files.open(folder / name) as f:
                    f.write("new")
                    if stage == "write" and i == at:
                        raise OSError(errno.ENOSPC, "No space left on device")
    except OSError:
        failed = True
    else:
        failed = False
    finally:
        io_module.os.replace = real_replace
    after = {p.name: p.read_text() for p in folder.iterdir()}
    if failed:
        assert after == before
    else:
        assert after == dict.fromkeys(names, "new")
    assert failed == (failure is not None and at < n_files)
