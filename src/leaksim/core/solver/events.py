"""Events: scheduled switches that steps end on, and crossings located inside a step.

Scheduled hatch and leak events are discontinuities. A step never crosses one: it is shortened
to end exactly on the event time of that case (:meth:`EventSchedule.next_stop`), the link is
switched (:meth:`EventSchedule.apply_due`), and the integration restarts from there, so a hatch
closes exactly when it should in every case. The knots of a growing hole's area end steps
the same way. Events that a trigger schedules wait at ``+inf`` until it fires.

Thresholds and triggers watch a value that must fall to a level: where ``value - level`` goes
from positive to zero or below over an accepted step (:func:`crossed`), the first ``theta``
at which ``value <= level`` holds is found by bisection on the dense output
(:func:`first_at_or_below`), to ``2^-34`` (6e-11) of the step. Bisection takes the same
evaluations in every row, so all the crossings of a batch are located together.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..network import Network
from .dense import DenseOutput

__all__ = ["BISECTIONS", "EventSchedule", "crossed", "first_at_or_below"]

#: Halvings of the bracket in :func:`first_at_or_below`: ``2^-34`` of the step.
BISECTIONS = 34


def crossed(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Where ``g = value - level`` went from above zero (``before``) to zero or below."""
    return (before > 0) & (after <= 0)


def first_at_or_below(
    dense: DenseOutput,
    value: Callable[[np.ndarray, np.ndarray], np.ndarray],
    level: np.ndarray,
    theta_end: np.ndarray,
    bisections: int = BISECTIONS,
) -> np.ndarray:
    """First fraction of each step at which ``value <= level``, by bisection.

    Parameters
    ----------
    dense : DenseOutput
        The steps, one per row (n rows).
    value : callable
        ``value(y, theta)``: the watched value, (n,), of the states ``y`` (n, F) at the
        fractions ``theta`` (n,) of the steps.
    level : ndarray, shape (n,)
        Level of each row, in the units of ``value``.
    theta_end : ndarray, shape (n,)
        Where each row's search ends; ``value <= level`` must hold there, and not at 0.
    bisections : int, optional
        Halvings of the bracket ``[0, theta_end]``.

    Returns
    -------
    ndarray, shape (n,)
        The upper end of the last bracket: ``value <= level`` holds there [-].
    """
    lo = np.zeros(level.shape[0])
    hi = np.array(theta_end, dtype=float)
    for _ in range(bisections):
        mid = 0.5 * (lo + hi)
        below = value(dense(mid), mid) <= level
        hi = np.where(below, mid, hi)
        lo = np.where(below, lo, mid)
    return hi


class EventSchedule:
    """Scheduled events of every case, which of them happened, and what is open.

    Parameters
    ----------
    net : Network
        The compiled station: its events, triggers and growth knots.

    Attributes
    ----------
    is_open : ndarray of bool, shape (C, K + J)
        Which links are open and which sources feed, in each case, now.
    time : ndarray, shape (C, E)
        Time of each event [s]; ``+inf`` for a triggered event whose trigger has not fired.
    done : ndarray of bool, shape (C, E)
        Which events have happened.
    """

    def __init__(self, net: Network) -> None:
        self.net = net
        self.is_open = net.initially_on  # links, then sources
        self.done = np.zeros(net.schedule.time.shape, dtype=bool)
        self.time = net.schedule.time.copy()
        # When each event last happened: a re-armed event may happen again.
        self.last = np.full(net.schedule.time.shape, np.nan)
        self.time[:, net.triggers.event] = np.inf
        self.breakpoints = net.breakpoints

    def apply_due(self, cases: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Switch what the events due by ``t`` (``<= t``) switch in ``cases``, in event order.

        Returns
        -------
        ndarray of bool, shape (n,)
            Whether an event happened in each case.
        """
        net = self.net
        if net.schedule.target.size == 0 or cases.size == 0:
            return np.zeros(cases.size, dtype=bool)
        due = (~self.done[cases]) & (self.time[cases] <= t[:, None])
        for e in np.flatnonzero(due.any(axis=0)):
            rows = cases[due[:, e]]
            self.is_open[rows, net.schedule.target[e]] = net.schedule.opens[e]
            self.done[rows, e] = True
            self.last[rows, e] = self.time[rows, e]
        return due.any(axis=1)

    def next_stop(self, cases: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Time of each case's next event or growth knot after ``t`` (n,) [s]; inf if none."""
        times = np.where(self.done[cases], np.inf, self.time[cases])
        nxt = times.min(axis=1) if times.shape[1] else np.full(cases.size, np.inf)
        if self.breakpoints.shape[1]:
            t = t[:, None]
            bp = self.breakpoints[cases]
            ahead = np.where(bp > t + 1e-12 * np.maximum(np.abs(t), 1.0), bp, np.inf)
            nxt = np.minimum(nxt, ahead.min(axis=1))
        return nxt

    def schedule(self, cases: np.ndarray, events: np.ndarray, time: np.ndarray) -> None:
        """Set the time of event ``events[i]`` of case ``cases[i]`` to ``time[i]`` [s]."""
        self.time[cases, events] = time

    def rearm(self, cases: np.ndarray, events: np.ndarray) -> None:
        """Let event ``events[i]`` of case ``cases[i]`` happen again, when its trigger next
        fires (its time waits at ``+inf`` until then)."""
        self.done[cases, events] = False
        self.time[cases, events] = np.inf

    def happened(self) -> np.ndarray:
        """Time each event last happened, NaN for those that never did, (C, E) [s]."""
        return self.last.copy()
