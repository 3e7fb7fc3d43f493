"""The ``leaksim`` command line.

::

    leaksim run SCENARIO.toml [--json SUMMARY.json] [--csv SERIES.csv] [--plot FIGURE.png]
                              [--plot-kind KIND] [--quiet]
    leaksim sweep SCENARIO.toml [--cases N] [--seed S] [--out RESULTS.csv|.parquet]
                                [--json SUMMARY.json] [--chunk-size K] [--dask ADDRESS]
                                [--resume] [--quiet]
    leaksim stations
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

Exit status (a public contract, ``docs/scenario-format.md``): 0 on success, also when some
cases failed (their status is reported); 2 on a bad scenario or bad arguments; 1 on an internal
failure. Every error is one line on standard error, ``leaksim: error: <message>``, without a
Python traceback unless the environment variable ``LEAKSIM_DEBUG`` is set."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import LeaksimError, ScenarioError
from . import inverse, run, sweep
from ._common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    _internal_failure,
    _Parser,
    _print_error,
    _UsageError,
    _version,
)

__all__ = ["main", "EXIT_OK", "EXIT_FAILURE", "EXIT_USAGE"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``leaksim`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when None [-].

    Returns
    -------
    int
        Exit status: 0 success, 1 internal failure, 2 bad scenario or bad arguments.
    """
    try:
        args = _build_parser().parse_args(argv)
        return args.handler(args)
    except SystemExit as exc:  # --help and --version end through parser.exit()
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except (_UsageError, ScenarioError) as exc:
        _print_error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _print_error("interrupted")
        return 130  # the shell's convention for SIGINT
    except LeaksimError as exc:
        _print_error(str(exc))
        return EXIT_FAILURE
    except Exception as exc:
        return _internal_failure(exc)


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="leaksim",
        description="Simulate air leaking from spacecraft cabins.",
    )
    parser.add_argument("--version", action="version", version=f"leaksim {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    run.add_commands(commands)
    sweep.add_command(commands)
    inverse.add_commands(commands)
    return parser
