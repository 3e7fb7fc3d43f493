"""How a ``leaksim`` command ends: exit statuses, one-line messages, signals, a closed pipe.

This module imports nothing beyond the standard library's start-up modules, so that the
command line can catch Ctrl-C and a closed pipe before it loads anything that takes time.
"""

from __future__ import annotations

import contextlib
import os
import sys

TYPE_CHECKING = False  # as in leaksim/__init__.py: no typing module before main() runs
if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

__all__ = [
    "EXIT_OK",
    "EXIT_FAILURE",
    "EXIT_USAGE",
    "EXIT_INTERRUPTED",
    "EXIT_PIPE",
    "EXIT_TERMINATED",
]

#: Exit status on success, on an internal failure, and on a bad scenario or bad arguments.
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
#: Exit status after Ctrl-C, a closed standard output and SIGTERM: 128 plus the signal's number
#: (SIGINT 2, SIGPIPE 13, SIGTERM 15), what a shell shows for a program the signal ended.
EXIT_INTERRUPTED, EXIT_PIPE, EXIT_TERMINATED = 130, 141, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the command stands so that it cleans up as after Ctrl-C.

    A subclass of ``KeyboardInterrupt``: the paths that already end an interrupted command
    cleanly (temporary files removed, a sweep's finished chunks kept) serve SIGTERM as well.
    """


def _print_error(message: str, kind: str = "error") -> None:
    print(f"leaksim: {kind}: {_one_line(message)}", file=sys.stderr)


def _note_a_cold_start() -> None:
    """On a terminal, have the first kernel run of this process say that it compiles the
    solver, which takes seconds to a minute before anything else is printed (never where
    stderr is a file or a pipe, whose readers expect the command's own lines; never for a run
    that needs no kernel, as a merged run in closed form)."""
    if not sys.stderr.isatty():
        return
    from ..core.solver import compiled

    def note() -> None:
        _print_error(
            "compiling the solver for this machine, once: about 15 s, a minute for several "
            "gases or an energy equation",
            "note",
        )

    compiled.on_compile = note


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Raise :class:`Terminated` on SIGTERM inside the block; restore the old handler after.

    A handler that someone else installed, or SIGTERM ignored by the parent process, is left
    alone; so is every thread but the main one, where Python cannot set handlers.
    """
    import signal  # here, inside main()'s try: building its enums takes a few milliseconds

    previous = None
    with contextlib.suppress(AttributeError, ValueError):  # no SIGTERM, or not the main thread
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def interrupted(exc: KeyboardInterrupt) -> int:
    """Report Ctrl-C or SIGTERM in one line; the exit status that says which."""
    if isinstance(exc, Terminated):
        _print_error("terminated")
        return EXIT_TERMINATED
    # CPython marks a KeyboardInterrupt that leaves code run from a string (the exec() of
    # dataclasses and namedtuple, busy while modules import) as unhandled even when caught
    # further out, and then ends the process by SIGINT instead of with this status. Running
    # such code once more, without an interrupt, clears the mark.
    exec("")
    _print_error("interrupted")
    return EXIT_INTERRUPTED


def stdout_closed() -> bool:
    """Whether standard output is a pipe whose reader has gone (``leaksim ... | head``).

    Asked after a ``BrokenPipeError``, so that a broken pipe elsewhere stays an internal error.
    Without ``poll`` (Windows) or a file descriptor, the error is taken at its word.
    """
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        events = poller.poll(0)
    except (AttributeError, OSError, ValueError):
        return True
    # the writing end of a pipe without reader polls as POLLERR on Linux, POLLHUP on others
    return any(mask & (select.POLLERR | select.POLLHUP) for _, mask in events)


def closed_pipe() -> int:
    """End quietly after the reader of standard output has gone; exit status 141.

    Nothing is printed: like any Unix tool whose output was cut short (``seq 1e9 | head``),
    the status says it, and ``set -o pipefail`` sees it. As the Python documentation advises
    (``signal`` module, "Note on SIGPIPE"), standard output is pointed at the null device, so
    that the flush at interpreter exit does not fail a second time.
    """
    stdout = sys.stdout
    if stdout is sys.__stdout__ and stdout is not None:  # not a test's capture
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stdout.fileno())
            os.close(devnull)
    return EXIT_PIPE
