"""Finished chunks on disk, so an interrupted sweep resumes without redoing them.

A store is a folder holding ``sweep.json`` (the sweep's identity: a fingerprint hashing the
scenario, the swept parameters, the seed, the case count and the leaksim version, with the seed
and case count in clear), one ``rows-<start>-<stop>.npz`` per finished chunk and, while a sweep
uses it, ``sweep.lock``. Each file is written whole to a temporary name and renamed (atomic on
POSIX and Windows), so a crash or Ctrl-C leaves finished chunks and no half chunk.

Every chunk carries the identity of its sweep and the range of cases it holds, and is checked
on its own when read: a chunk of another sweep (the marker deleted and the seed changed), one
whose name does not match its content (a renamed file), one with other columns or another row
count, or one that cannot be read is refused, naming the file. A resumed sweep therefore holds
exactly the rows of an uninterrupted one, or stops with a line saying which file to remove.

Two sweeps cannot share a store: the one running holds an exclusive lock on ``sweep.lock``
(:func:`fcntl.flock` on POSIX, :func:`msvcrt.locking` on Windows), which the operating system
drops when the process ends, however it ends (even ``kill -9``), so no stale lock outlives its
sweep; a second sweep on the same folder is refused while the first runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._io import atomic_open, atomic_write_text
from ..errors import ScenarioError

__all__ = ["ChunkStore", "store_lock", "fingerprint"]

_MARKER = "sweep.json"
_LOCK = "sweep.lock"
#: Name, inside each chunk's npz, of the JSON text of the chunk's identity.
_IDENTITY = "__sweep__"
_CHUNK = re.compile(r"rows-(\d+)-(\d+)\.npz$")
#: What a chunk may raise when its bytes are not an npz of arrays.
_UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)

#: Locks this process holds, by the store's real path: [file descriptor, depth, whether the
#: folder was made for it].
_HELD: dict[str, list[int]] = {}


class ChunkStore:
    """A folder of finished chunks of one sweep, locked against a second sweep while open.

    Parameters
    ----------
    folder : str or os.PathLike
        Where the chunks go; created if missing.
    identity : mapping
        The sweep's ``fingerprint`` (:func:`fingerprint`), ``seed`` and ``cases``.
    columns : sequence of str
        The columns every chunk holds.
    resume : bool
        Keep chunks already in ``folder`` (refused if they belong to another sweep); without it
        a folder holding chunks is refused, so no results are overwritten by accident.

    Raises
    ------
    leaksim.errors.ScenarioError
        If the folder is a file, is in use by another sweep, holds chunks without ``resume``,
        belongs to another sweep, or its marker cannot be read; naming the file.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        identity: Mapping[str, Any],
        columns: Sequence[str],
        resume: bool,
    ) -> None:
        self.folder = Path(folder)
        self.identity = dict(identity)
        self.fingerprint = str(identity["fingerprint"])
        self.n_cases = int(identity["cases"])
        self.columns = list(columns)
        _acquire(self.folder)
        try:
            # written with the first new chunk, so refused chunks leave the store as it was
            self._marked = self._check_marker(resume)
        except BaseException:
            _release(self.folder)
            raise
        self._open = True

    def close(self) -> None:
        """Release the lock; the chunks stay."""
        if self._open:
            self._open = False
            _release(self.folder)

    def __enter__(self) -> ChunkStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def done(self) -> list[tuple[int, int]]:
        """Case ranges ``(start, stop)`` on disk, sorted; each inside this sweep's cases."""
        return [(start, stop) for start, stop, _ in self._chunks()]

    def save(self, start: int, stop: int, columns: Mapping[str, np.ndarray]) -> None:
        """Write one chunk, with its identity, whole or not at all."""
        arrays = {name: _storable(values) for name, values in columns.items()}
        identity = {**self.identity, "start": start, "stop": stop}
        arrays[_IDENTITY] = np.array(json.dumps(identity))
        if not self._marked:
            atomic_write_text(self.folder / _MARKER, json.dumps(self.identity))
            self._marked = True
        with atomic_open(self.folder / _chunk_name(start, stop), "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]

    def load(self) -> Iterator[dict[str, np.ndarray]]:
        """The columns of every finished chunk, in case order, each checked against the sweep.

        Raises
        ------
        leaksim.errors.ScenarioError
            Naming the first chunk that cannot be read or does not belong to this sweep.
        """
        for start, stop, path in self._chunks():
            yield self._read(path, start, stop)

    def remove(self) -> None:
        """Delete the folder once the whole result is written."""
        shutil.rmtree(self.folder, ignore_errors=True)

    # ------------------------------------------------------------------ checks

    def _check_marker(self, resume: bool) -> bool:
        """Refuse a store this sweep may not use; True if it holds this sweep's marker."""
        marker = self.folder / _MARKER
        chunks = any(_CHUNK.match(p.name) for p in self.folder.iterdir())
        if not marker.exists():
            if chunks and not resume:
                raise self._occupied()
            return False  # each chunk carries its own identity: they are checked when read
        stored = _read_marker(marker, self.folder)
        if not resume:
            raise self._occupied()
        if stored.get("fingerprint") != self.fingerprint:
            raise ScenarioError(
                f"{self.folder} holds chunks of a different sweep ({_difference(stored, self)}); "
                "remove the folder to start again"
            )
        return True

    def _occupied(self) -> ScenarioError:
        return ScenarioError(
            f"{self.folder} already holds chunks of a sweep; pass resume (--resume) to continue "
            "it, or remove the folder"
        )

    def _chunks(self) -> list[tuple[int, int, Path]]:
        found = []
        for path in self.folder.iterdir():
            match = _CHUNK.match(path.name)
            if match:
                start, stop = int(match[1]), int(match[2])
                if not 0 <= start < stop <= self.n_cases:
                    outside = f"names cases {start}-{stop - 1}, outside this sweep's"
                    raise self._foreign(path, f"{outside} 0-{self.n_cases - 1}")
                found.append((start, stop, path))
        return sorted(found)

    def _read(self, path: Path, start: int, stop: int) -> dict[str, np.ndarray]:
        if not zipfile.is_zipfile(path):
            raise self._foreign(path, "cannot be read (not an npz archive)")
        try:
            with np.load(path, allow_pickle=False) as data:
                names = list(data.files)
                identity = json.loads(str(data[_IDENTITY][()])) if _IDENTITY in names else None
                columns = {n: _restored(data[n]) for n in names if n != _IDENTITY}
        except _UNREADABLE as exc:
            raise self._foreign(path, f"cannot be read ({type(exc).__name__}: {exc})") from None
        if not isinstance(identity, dict):
            raise self._foreign(path, "carries no sweep identity (an older leaksim wrote it?)")
        if identity.get("fingerprint") != self.fingerprint:
            reason = f"belongs to another sweep ({_difference(identity, self)})"
            raise self._foreign(path, reason, rerun=False)
        if (identity.get("start"), identity.get("stop")) != (start, stop):
            held = f"{identity.get('start')}-{_last(identity.get('stop'))}"
            named = f"{start}-{stop - 1}"
            raise self._foreign(path, f"holds cases {held}, not the {named} its name says")
        if sorted(columns) != sorted(self.columns):
            raise self._foreign(path, "holds other columns than this sweep's rows")
        lengths = {len(values) for values in columns.values()}
        if lengths != {stop - start}:
            raise self._foreign(path, f"holds {sorted(lengths)} rows, not {stop - start}")
        if not np.array_equal(columns["case"], np.arange(start, stop)):
            raise self._foreign(path, f"has a case column that is not {start}-{stop - 1}")
        return columns

    def _foreign(self, path: Path, reason: str, rerun: bool = True) -> ScenarioError:
        if rerun:
            remedy = (
                "delete it and rerun with resume (--resume) to compute its cases again, or "
                f"remove {self.folder} to start over"
            )
        else:
            remedy = f"remove {self.folder} to start again"
        return ScenarioError(f"{path}: the chunk {reason}; {remedy}")


@contextlib.contextmanager
def store_lock(folder: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the lock of the store ``folder`` (created if missing) for the ``with`` block.

    A process may take the lock of a store again while it holds it (a :class:`ChunkStore`
    opened inside the block); another process is refused.

    Raises
    ------
    leaksim.errors.ScenarioError
        If another sweep holds the lock, or ``folder`` is a file or cannot be created.
    """
    path = Path(folder)
    _acquire(path)
    try:
        yield
    finally:
        _release(path)


def fingerprint(*parts: object) -> str:
    """A hash of the reprs of ``parts``: equal for the same sweep, different otherwise."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:32]


# ---------------------------------------------------------------------- the lock


def _acquire(folder: Path) -> None:
    key = os.path.realpath(folder)
    if key in _HELD:
        _HELD[key][1] += 1
        return
    created = not os.path.lexists(folder)
    _make_folder(folder)
    path = folder / _LOCK
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise ScenarioError(f"cannot lock the chunk folder {folder}: {exc.strerror}") from None
        if not _try_lock(fd):
            os.close(fd)
            raise ScenarioError(
                f"{folder} is in use by another sweep{_holder(path)}; wait until it ends, or "
                "write the results elsewhere"
            )
        if _same_file(fd, path):
            break
        # the sweep that held it finished and removed the file meanwhile: lock the new one
        os.close(fd)
        _make_folder(folder)
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
    _HELD[key] = [fd, 1, created]


def _release(folder: Path) -> None:
    entry = _HELD.get(os.path.realpath(folder))
    if entry is None:
        return
    entry[1] -= 1
    if entry[1] > 0:
        return
    del _HELD[os.path.realpath(folder)]
    # removed while still locked, so a sweep waiting on the old file sees it is gone
    with contextlib.suppress(OSError):
        os.unlink(folder / _LOCK)
    os.close(entry[0])  # closing the file drops the lock
    if entry[2]:
        # a folder made for a sweep that stopped before its first chunk is not left behind
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _make_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise ScenarioError(
            f"{folder}: the folder of finished chunks is a file; remove it, or write the results "
            "elsewhere"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError(
            f"cannot create the folder of finished chunks {folder}: {exc.strerror}"
        ) from None


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on ``fd`` without waiting; False if another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except OSError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _holder(path: Path) -> str:
    """`` (process 123 on host)`` from the lock file, or nothing when it cannot be read."""
    with contextlib.suppress(OSError, UnicodeDecodeError, ValueError):
        pid, host = path.read_text(encoding="utf-8").split()
        return f" (process {int(pid)} on {host})"
    return ""


# ---------------------------------------------------------------------- files


def _read_marker(marker: Path, folder: Path) -> dict[str, Any]:
    try:
        stored = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        stored, reason = None, f"{type(exc).__name__}: {exc}"
    else:
        reason = "not a sweep's identity"
    if not isinstance(stored, dict) or "fingerprint" not in stored:
        raise ScenarioError(
            f"{marker}: the sweep marker cannot be read ({reason}); delete it and rerun with "
            f"resume (--resume), which checks each chunk on its own, or remove {folder} to start "
            "over"
        )
    return stored


def _difference(stored: Mapping[str, Any], store: ChunkStore) -> str:
    """What differs between a stored identity and the store's sweep, as far as it shows."""
    for key, what in (("seed", "seed"), ("cases", "case count")):
        if key in stored and stored[key] != store.identity.get(key):
            return f"its {what} is {stored[key]}, this sweep's {store.identity.get(key)}"
    return "another scenario, parameters or leaksim version"


def _chunk_name(start: int, stop: int) -> str:
    return f"rows-{start}-{stop}.npz"


def _last(stop: Any) -> Any:
    return stop - 1 if isinstance(stop, int) else stop


def _storable(values: np.ndarray) -> np.ndarray:
    # npz stores object arrays only by pickling; text columns are stored as fixed unicode.
    return values.astype(str) if values.dtype == object else values


def _restored(values: np.ndarray) -> np.ndarray:
    return values.astype(object) if values.dtype.kind == "U" else values
