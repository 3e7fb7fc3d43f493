"""What every ``leaksim`` command shares: exit statuses, one-line errors, output checks."""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
import traceback
from typing import TYPE_CHECKING, Any, NoReturn

from ._exit import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, _print_error
from ._exit import _note_a_cold_start as _note_a_cold_start
from ._exit import _one_line as _one_line  # the command modules take both from here

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["EXIT_OK", "EXIT_FAILURE", "EXIT_USAGE", "STDOUT"]

#: Output path meaning standard output (for --json and --csv).
STDOUT = "-"


class _UsageError(Exception):
    """Bad arguments: reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse would print the whole usage block; the contract asks for one line
        raise _UsageError(f"{message} (see '{self.prog} --help')")

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        # argparse drops errors writing --help or --version; a closed pipe must reach main()
        file = file or sys.stderr
        if message and file is not None:
            file.write(message)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse lists the choices; a near miss is named first, as Python 3.14's
        # suggest_on_error does ('leaksim rn' -> did you mean 'run'?)
        choices = action.choices
        if choices is not None and isinstance(value, str) and value not in choices:
            import difflib

            near = difflib.get_close_matches(value, [str(c) for c in choices], n=1)
            if near:
                listed = ", ".join(map(repr, choices))
                message = f"invalid choice: {value!r}; did you mean {near[0]!r}?"
                raise argparse.ArgumentError(action, f"{message} (choose from {listed})")
        super()._check_value(action, value)


def _check_output(option: str, path: str, seen: dict[str, str]) -> None:
    real = os.path.realpath(path)
    if real in seen:
        raise _UsageError(f"--{option}: {path} would overwrite {seen[real]}")
    seen[real] = f"the --{option} output"
    directory = os.path.dirname(real)
    if not os.path.isdir(directory):
        raise _UsageError(f"--{option}: directory {directory} does not exist")
    if os.path.isdir(real):
        raise _UsageError(f"--{option}: {path} is a directory")
    device = os.path.exists(real) and not os.path.isfile(real)  # /dev/stdout is written as is
    if not device and not os.access(directory, os.W_OK):
        # files are written beside their target and renamed: the directory must take them
        raise _UsageError(f"--{option}: cannot write in directory {directory} (not writable)")


def _internal_failure(exc: Exception) -> int:
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if os.environ.get("LEAKSIM_DEBUG"):
        _print_error(f"internal error: {text}")
        traceback.print_exc()
    else:
        _print_error(f"internal error: {text} (set LEAKSIM_DEBUG=1 for a traceback)")
    return EXIT_FAILURE


def _version() -> str:
    import leaksim

    version = getattr(leaksim, "__version__", None)
    if version:
        return str(version)
    try:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as installed_version

        return installed_version("leaksim")
    except PackageNotFoundError:
        return "unknown"


def _load_scenario(path: str) -> Any:
    """Read a scenario file; file-level problems become one-line usage errors."""
    from ..scenario_file import load_scenario

    try:
        return load_scenario(path)
    except OSError as exc:
        raise _UsageError(f"{path}: cannot read the scenario file: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise _UsageError(f"{path}: not a valid TOML file: {exc}") from None
