"""The ``leaksim`` command line.

::

    leaksim run SCENARIO.toml [--json SUMMARY.json] [--csv SERIES.csv] [--plot FIGURE.png]
                              [--plot-kind KIND] [--quiet]
    leaksim sweep SCENARIO.toml [--cases N] [--seed S] [--out RESULTS.csv|.parquet]
                                [--json SUMMARY.json] [--chunk-size K] [--dask ADDRESS]
                                [--resume] [--quiet]
    leaksim stations
    leaksim -V | --version
    leaksim fit LOG.csv --volume VOLUME [--gas air] [--temperature T] [--event TIME[,VOLUME]]...
                        [--pressure-uncertainty P] [--confidence 0.95] [--discharge-coefficient CD]
                        [--rate-pressure P] [--json OUT.json]
    leaksim convert LEAK [--volume V] [--pressure P] [--temperature T] [--gas air]
                         [--discharge-coefficient CD] [--json OUT.json]
    leaksim locate TESTS.csv (--station NAME | --scenario FILE.toml) [--max-leaks 2]
                             [--pressure-uncertainty P] [--next-duration D] [--json OUT.json]
    leaksim budget HISTORY.csv [--trend auto|constant|linear|exponential] [--since DATE]
                               [--until DATE] [--reserve MASS] [--from DATE] [--horizon D]
                               [--relative-uncertainty 0.2] [--confidence 0.9] [--json OUT.json]
    leaksim watch LOG.csv --volume VOLUME [--gas air] [--follow] [--json STATE.json]
                          [--events EVENTS.jsonl] [--pressure-resolution "0.1 mmHg"]
                          [--pressure-noise P] [--temperature-drift DT] [--false-alarm-rate R]
    leaksim detect [LEAK] --volume VOLUME... [--within TIME] [--pressure-resolution P]
                          [--pressure-noise P] [--temperature-drift DT] [--plot FIGURE.png]
                          [--json OUT.json]
    leaksim card [NAME] [--level "490 mmHg"] [--safe-haven "10 min"]

Exit status (a public contract, ``docs/scenario-format.md``): 0 on success, also when some
cases failed (their status is reported); 2 on a bad scenario or bad arguments; 1 on an internal
failure; 130 after Ctrl-C and 143 after SIGTERM, at any moment, the imports included (only in
Python's own start-up, before leaksim's first line runs, does Python report an interrupt
itself); 141, silently, when the reader of standard output has gone
(``leaksim run ... --csv - | head``).
Every error is one line on standard error, ``leaksim: error: <message>``, without a Python
traceback unless the environment variable ``LEAKSIM_DEBUG`` is set.

``--help`` and ``--version`` load no numerical library: the parser is built from modules that
import only the standard library, and each command imports what it needs when it runs."""

from __future__ import annotations

import contextlib
import importlib
import sys
import warnings

from . import _exit
from ._exit import EXIT_FAILURE, EXIT_OK, EXIT_USAGE

TYPE_CHECKING = False  # as in leaksim/__init__.py: typing loads inside main(), if at all
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from ._common import _Parser

__all__ = ["main", "EXIT_OK", "EXIT_FAILURE", "EXIT_USAGE"]

#: The command modules: imported with the parser, inside main(), or on first use as attributes.
_COMMANDS = ("inverse", "run", "sweep", "telemetry")


def __getattr__(name: str) -> Any:
    if name in _COMMANDS:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``leaksim`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when None [-].

    Returns
    -------
    int
        Exit status: 0 success, 1 internal failure, 2 bad scenario or bad arguments, 130
        interrupted, 141 standard output closed, 143 terminated.
    """
    # Everything that takes time, the imports of the numerical libraries included, runs
    # inside this try, so that an interrupt or a closed pipe at any moment ends in one line.
    try:
        with _exit.terminate_as_interrupt(), _one_line_warnings():
            code = _command(argv)
            if sys.stdout is not None:
                sys.stdout.flush()  # a closed pipe shows here rather than at interpreter exit
            return code
    except KeyboardInterrupt as exc:
        return _exit.interrupted(exc)
    except BrokenPipeError:
        return _exit.closed_pipe()


@contextlib.contextmanager
def _one_line_warnings() -> Iterator[None]:
    """Show leaksim's warnings as one line each, ``leaksim: warning: ...``, not with Python's
    file, line and source (the scenario author has no use for them)."""
    shown = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
        if category.__module__.startswith("leaksim"):
            print(f"leaksim: warning: {message}", file=sys.stderr)
        else:
            shown(message, category, *args, **kw)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown


def _command(argv: Sequence[str] | None) -> int:
    """Parse the arguments and run the command; errors become one line and a status."""
    from ..errors import LeaksimError, ScenarioError
    from ._common import _internal_failure, _print_error, _UsageError

    try:
        args = _build_parser().parse_args(argv)
        return args.handler(args)
    except SystemExit as exc:  # --help and --version end through parser.exit()
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except (_UsageError, ScenarioError) as exc:
        _print_error(str(exc))
        return EXIT_USAGE
    except LeaksimError as exc:
        _print_error(str(exc))
        return EXIT_FAILURE
    except BrokenPipeError as exc:
        if _exit.stdout_closed():
            raise  # the reader has gone: an end, not a failure (main's)
        return _internal_failure(exc)
    except Exception as exc:
        return _internal_failure(exc)


def _build_parser() -> _Parser:
    # the command modules import nothing heavy at the top (tests/test_cli_startup.py checks)
    from . import inverse, run, sweep, telemetry
    from ._common import _Parser, _version

    parser = _Parser(
        prog="leaksim",
        description="Simulate air leaking from spacecraft cabins.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"leaksim {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    run.add_commands(commands)
    sweep.add_command(commands)
    inverse.add_commands(commands)
    telemetry.add_commands(commands)
    return parser
