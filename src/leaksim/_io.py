"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Each writer fills a temporary file in the target's own directory and then renames it over the
target with :func:`os.replace`, which is atomic on POSIX and Windows when both paths are on one
file system (hence the same directory, not the system temp folder). On any error, including
``KeyboardInterrupt``, the temporary file is removed and the target is left untouched.
"""

from __future__ import annotations

import contextlib
import os
import stat
import uuid
from collections.abc import Iterator
from typing import IO, Any

__all__ = ["atomic_open", "atomic_write_text"]

_MODES = ("w", "wb")


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

    Examples
    --------
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> with atomic_open(target) as f:
    ...     _ = f.write("hello")
    >>> open(target).read()
    'hello'
    """
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    binary = mode == "wb"
    # write through a symbolic link, as open() would, instead of replacing the link
    path = os.path.realpath(os.fspath(path))
    if os.path.exists(path) and not os.path.isfile(path):
        # a device or pipe (/dev/stdout) cannot be replaced by renaming: write to it directly
        with open(
            path, mode, newline=None if binary else newline, encoding=None if binary else encoding
        ) as f:
            yield f
        return
    tmp, fd = _create_temporary(path)
    try:
        with os.fdopen(
            fd,
            mode,
            newline=None if binary else newline,
            encoding=None if binary else encoding,
        ) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
