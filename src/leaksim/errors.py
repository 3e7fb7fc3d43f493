"""Exceptions raised by leaksim.

Every exception subclasses :class:`LeaksimError` and a builtin, so callers can catch either
(``except ValueError`` keeps working for bad input).
"""

from __future__ import annotations

__all__ = ["LeaksimError", "ScenarioError", "SolverError", "OutputError"]


class LeaksimError(Exception):
    """Base class of every error leaksim raises on purpose."""


class ScenarioError(LeaksimError, ValueError):
    """A scenario, station or parameter breaks a rule.

    The message names where the value came from (file, table, key), the rule and the value
    received, for example ``two_modules.toml: [[leak]] 1 'hole': diameter must be > 0 m, got
    -2 mm``.

    Parameters
    ----------
    message : str
        The rule and the value received.
    source : str, optional
        Where the value came from: a file name, a table and key, or a parameter path.
    """

    #: Which item broke the rule, as (kind, index) such as ("leak", 1), when known; the scenario
    #: file maps it back to the table that wrote it ("[[leak]] #2 'hole'"). Set by the helpers
    #: that build the error, None otherwise.
    item: tuple[str, int] | None = None

    def __init__(self, message: str, source: str | None = None) -> None:
        self.rule = message
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)

    def located(self, prefix: str) -> ScenarioError:
        """Return the same error with ``prefix`` put in front of its source."""
        source = f"{prefix}: {self.source}" if self.source else prefix
        return ScenarioError(self.rule, source)


class SolverError(LeaksimError, RuntimeError):
    """The integrator could not finish a case (raised only when the caller asks to raise)."""


class OutputError(LeaksimError, OSError):
    """A result file could not be written; the message names the file, never a temporary one.

    Raised by the atomic writers of ``leaksim._io`` on a full disk, a read-only folder or an
    immutable file; the file of that name from before, if any, is left as it was.
    """
