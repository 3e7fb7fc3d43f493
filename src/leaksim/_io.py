"""Atomic file writes: a reader sees the old files or the new ones, never half of one.

Each writer fills a temporary file in the target's own directory and then renames it over the
target with :func:`os.replace`, which is atomic on POSIX and Windows when both paths are on one
file system (hence the same directory, not the system temp folder). On any error, including
``KeyboardInterrupt``, the temporary file is removed and the target is left untouched.

:func:`atomic_files` does the same for a set of files that belong together (a summary and its
series): every temporary is written first, then all are renamed; if a rename fails, those
already renamed are put back from hard links of the old files, so the set is replaced whole or
not at all. A failure is raised as :class:`~leaksim.errors.OutputError` naming the target,
never the hidden temporary.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from typing import IO, Any

from .errors import OutputError

__all__ = ["atomic_open", "atomic_write_text", "atomic_files", "AtomicFiles"]

_MODES = ("w", "wb")


class AtomicFiles:
    """Files written to temporaries and renamed over their targets together.

    Made by :func:`atomic_files`; :meth:`open` gives one file of the set.
    """

    def __init__(self) -> None:
        # (temporary, target) of each file written, in the order they were opened
        self._pending: list[tuple[str, str]] = []

    @contextlib.contextmanager
    def open(
        self,
        path: str | os.PathLike[str],
        mode: str = "w",
        *,
        newline: str | None = None,
        encoding: str | None = "utf-8",
    ) -> Iterator[IO[Any]]:
        """Open ``path`` for writing as part of the set; it is renamed into place at the end.

        Parameters are those of :func:`atomic_open`.
        """
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
        binary = mode == "wb"
        kwargs: dict[str, Any] = {
            "newline": None if binary else newline,
            "encoding": None if binary else encoding,
        }
        # write through a symbolic link, as open() would, instead of replacing the link
        target = os.path.realpath(os.fspath(path))
        if os.path.exists(target) and not os.path.isfile(target):
            # a device or pipe (/dev/stdout) cannot be replaced by renaming: write to it directly
            with _named(target, kept=False), open(target, mode, **kwargs) as f:
                yield f
            return
        with _named(target):
            tmp, fd = _create_temporary(target)
        try:
            with _named(target), os.fdopen(fd, mode, **kwargs) as f:
                yield f
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            _remove(tmp)
            raise
        self._pending.append((tmp, target))

    def commit(self) -> None:
        """Rename every temporary over its target, or restore the old files and raise."""
        pending, self._pending = self._pending, []
        backups: dict[str, str | None] = {}
        renamed: list[str] = []
        try:
            # Only the files renamed before a failing one need putting back: no backup of the last.
            for _, target in pending[:-1]:
                with _named(target):
                    backups[target] = _backup(target)
            for tmp, target in pending:
                with _named(target):
                    os.replace(tmp, target)
                renamed.append(target)
        except BaseException:
            for target in renamed:
                _restore(target, backups.get(target))
            for tmp, _ in pending:
                _remove(tmp)
            for target, backup in backups.items():
                if backup is not None and target not in renamed:
                    _remove(backup)
            raise
        for backup in backups.values():
            if backup is not None:
                _remove(backup)

    def discard(self) -> None:
        """Remove the temporaries; the targets keep their old content."""
        pending, self._pending = self._pending, []
        for tmp, _ in pending:
            _remove(tmp)


@contextlib.contextmanager
def atomic_files() -> Iterator[AtomicFiles]:
    """Write several files so that all of them are replaced, or none.

    Yields
    ------
    AtomicFiles
        Open each file with its :meth:`AtomicFiles.open`; the renames happen when the ``with``
        block ends without error.

    Raises
    ------
    leaksim.errors.OutputError
        If a file cannot be written or renamed, naming it; every target keeps its old content.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with atomic_files() as files:
    ...     with files.open(os.path.join(folder, "a.txt")) as f:
    ...         _ = f.write("a")
    ...     with files.open(os.path.join(folder, "b.txt")) as f:
    ...         _ = f.write("b")
    >>> sorted(os.listdir(folder))
    ['a.txt', 'b.txt']
    """
    files = AtomicFiles()
    try:
        yield files
    except BaseException:
        files.discard()
        raise
    files.commit()


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    newline: str | None = None,
    encoding: str | None = "utf-8",
) -> Iterator[IO[Any]]:
    """Open ``path`` for writing so that it appears complete or not at all.

    Parameters
    ----------
    path : str or os.PathLike
        File to create or replace [-].
    mode : {"w", "wb"}, optional
        Text or binary writing [-].
    newline : str, optional
        As for :func:`open` in text mode; pass ``""`` for the :mod:`csv` module [-].
    encoding : str, optional
        Text encoding in text mode; ignored in binary mode [-].

    Yields
    ------
    file object
        The open temporary file. It replaces ``path`` when the ``with`` block ends without error.

    Raises
    ------
    ValueError
        If ``mode`` is not ``"w"`` or ``"wb"``.
    leaksim.errors.OutputError
        If the file cannot be written (a full disk, a read-only folder), naming ``path``.

    Examples
    --------
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> with atomic_open(target) as f:
    ...     _ = f.write("hello")
    >>> open(target).read()
    'hello'
    """
    with atomic_files() as files, files.open(path, mode, newline=newline, encoding=encoding) as f:
        yield f


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        File to create or replace [-].
    text : str
        Whole content of the file [-].
    encoding : str, optional
        Text encoding [-].
    """
    with atomic_open(path, "w", encoding=encoding) as f:
        f.write(text)


@contextlib.contextmanager
def _named(target: str, kept: bool = True) -> Iterator[None]:
    """Raise an OSError met while writing ``target`` as an OutputError naming ``target``."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        note = "; no earlier file was replaced" if kept else ""
        error = OutputError(f"cannot write {target}: {reason}{note}")
        error.errno = exc.errno
        raise error from None


def _create_temporary(path: str) -> tuple[str, int]:
    """Create an empty, exclusive temporary file beside ``path``; return its name and fd."""
    directory, name = os.path.split(path)
    while True:
        tmp = os.path.join(directory, f".{name}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            # os.open with 0o666 honours the umask, unlike tempfile.mkstemp's fixed 0o600,
            # so the finished file gets the permissions a plain open() would give it.
            fd = os.open(
                tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
            )
        except FileExistsError:
            continue
        break
    with contextlib.suppress(OSError):
        # replacing an existing file keeps its permissions
        os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
    return tmp, fd


def _backup(target: str) -> str | None:
    """A hidden second name of the file at ``target`` (None when there is none yet)."""
    if not os.path.lexists(target):
        return None
    directory, name = os.path.split(target)
    backup = os.path.join(directory, f".{name}.{uuid.uuid4().hex[:12]}.old")
    try:
        os.link(target, backup)
    except OSError:
        # a file system without hard links: a copy keeps the old content as well
        shutil.copy2(target, backup)
    return backup


def _restore(target: str, backup: str | None) -> None:
    """Put the old file back at ``target`` (remove the new one where there was none)."""
    with contextlib.suppress(OSError):
        if backup is None:
            os.unlink(target)
        else:
            os.replace(backup, target)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
