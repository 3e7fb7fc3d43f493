"""Triggers: a module's pressure, or its rate, reaching a level schedules an event.

A trigger fires when ``sign * value`` falls to ``sign * level``, with ``sign = -1`` for one that
watches a rise; its event is then due after the trigger's delay
(:class:`~leaksim.core.solver.events.EventSchedule`), and the trigger it re-arms, if any,
watches again (a relief valve's opening and reseating take turns). A condition that already
holds fires at once: at the start, or after an event that makes a rate jump. Otherwise the
crossing is located inside an accepted step on the dense output
(:func:`~leaksim.core.solver.events.first_at_or_below`); the integrator retakes a step that
crossed well before its end, shortened to the crossing (the dense output of a long stiff step
cannot place a fast transient), and ends a step early at an event due before its end. Rates
are exact, by complex step along the derivative.
"""

from __future__ import annotations

import numpy as np

from ..model import GeneralModel
from ..network import Network
from .dense import DenseOutput
from .events import EventSchedule, crossed, first_at_or_below

__all__ = ["Triggers"]

# Complex step of the pressure rates, as a fraction of the derivative [s].
_RATE_STEP = 1e-20


class Triggers:
    """Which triggers fired in each case, and what they watch.

    Parameters
    ----------
    net : Network
        The compiled station, with at least one trigger.
    events : EventSchedule
        The events the triggers schedule.

    Attributes
    ----------
    fired : ndarray of bool, shape (C, I)
        Which triggers have fired.
    rate : ndarray, shape (C, M)
        Rate of change of each module's pressure at the start of the next step [Pa/s]; zero
        where no trigger watches a rate.
    """

    def __init__(self, net: Network, events: EventSchedule) -> None:
        self.net = net
        self.events = events
        n, i = net.n_cases, net.triggers.module.size
        assert net.triggers.armed is not None and net.triggers.rearms is not None
        # A trigger not armed at the start waits, as if fired, until another re-arms it.
        self.fired = np.broadcast_to(~net.triggers.armed, (n, i)).copy()
        self.fired_at = np.full((n, i), np.nan)
        assert net.triggers.above is not None  # Network.__post_init__ fills it in
        self.sign = np.where(net.triggers.above, -1.0, 1.0)
        self.level = self.sign * net.triggers.level
        self.rate = np.zeros((n, net.n_modules))

    def pressure_rate(
        self, model: GeneralModel, y: np.ndarray, f: np.ndarray, local: np.ndarray
    ) -> np.ndarray:
        """``dp/dt`` of every module [Pa/s], (n, M), of states ``y`` with derivatives ``f``."""
        if not np.any(self.net.triggers.rate):
            return np.zeros((y.shape[0], self.net.n_modules))
        return model.observe(y + 1j * _RATE_STEP * f, local)[0].imag / _RATE_STEP

    def values(self, p: np.ndarray, rate: np.ndarray) -> np.ndarray:
        """``sign * value`` of every trigger, (n, I): its module's pressure [Pa] or rate
        [Pa/s], from pressures ``p`` and rates ``rate`` (n, M)."""
        net = self.net
        value = np.where(net.triggers.rate, rate[:, net.triggers.module], p[:, net.triggers.module])
        return self.sign * value

    def fire_satisfied(
        self,
        model: GeneralModel,
        rows: np.ndarray,
        local: np.ndarray,
        y: np.ndarray,
        f: np.ndarray,
        p: np.ndarray,
        t: np.ndarray,
    ) -> np.ndarray:
        """Take the rates of states ``y`` (derivatives ``f``, pressures ``p``) of cases
        ``rows`` at times ``t`` [s], and fire there the triggers whose condition holds.

        Returns
        -------
        ndarray of bool, shape (n,)
            Whether a trigger fired in each case.
        """
        self.rate[rows] = self.pressure_rate(model, y, f, local)
        values = self.values(p, self.rate[rows])
        satisfied = (~self.fired[rows]) & (values <= self.level[rows])
        if np.any(satisfied):
            self._schedule(rows, satisfied, t)
        return satisfied.any(axis=1)

    def crossings(
        self,
        model: GeneralModel,
        rows: np.ndarray,
        local: np.ndarray,
        dense: DenseOutput,
        is_open: np.ndarray,
        t1: np.ndarray,
        p_before: np.ndarray,
        p_after: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Triggers crossed in the steps ``dense`` of cases ``rows``, and where.

        Parameters
        ----------
        model : GeneralModel
            The model whose rows ``local`` are the cases ``rows``.
        rows, local : ndarray of int, shape (n,)
            Cases of the steps, and their rows in ``model``.
        dense : DenseOutput
            The steps; each ends at ``dense.y1``.
        is_open : ndarray of bool, shape (n, K + J)
            Open links and feeding sources during the steps.
        t1 : ndarray, shape (n,)
            Time at the end of each step [s].
        p_before, p_after : ndarray, shape (n, M)
            Pressures at the start and the end of each step [Pa].

        Returns
        -------
        crossing : ndarray of bool, shape (n, I)
            Which triggers, not fired yet, were crossed in each step.
        theta : ndarray, shape (n, I)
            Fraction of the step at which each crossed trigger first holds; 1 elsewhere [-].
        """
        level = self.level[rows]
        if np.any(self.net.triggers.rate):
            f1 = model.rhs(dense.y1, is_open, local, t=t1)
            rate_after = self.pressure_rate(model, dense.y1, f1, local)
        else:
            rate_after = np.zeros_like(p_after)
        g_before = self.values(p_before, self.rate[rows]) - level
        g_after = self.values(p_after, rate_after) - level
        crossing = (~self.fired[rows]) & crossed(g_before, g_after)
        theta = np.ones(crossing.shape)
        for i in np.flatnonzero(crossing.any(axis=0)):
            hit = np.flatnonzero(crossing[:, i])
            theta[hit, i] = self._bisect(
                model, local[hit], dense.take(hit), is_open[hit], rows[hit], int(i)
            )
        return crossing, theta

    def fire_crossed(
        self,
        crossing: np.ndarray,
        theta: np.ndarray,
        rows: np.ndarray,
        dense: DenseOutput,
        t1: np.ndarray,
    ) -> np.ndarray:
        """Fire the triggers of :meth:`crossings` that cross before the first event they make
        due inside its step; return where each step must end [s], (n,): at that event, or at
        ``t1`` where none is due before it."""
        t_cross = np.where(crossing, dense.t0[:, None] + theta * dense.h[:, None], np.inf)
        event_at = np.where(crossing, t_cross + self.net.triggers.delay[rows], np.inf)
        cut = np.minimum(event_at.min(axis=1), t1)
        # A crossing after an earlier event in the same step has not happened yet.
        self._schedule(rows, crossing & (t_cross <= cut[:, None]), t_cross)
        return cut

    def _bisect(
        self,
        model: GeneralModel,
        where: np.ndarray,
        dense: DenseOutput,
        is_open: np.ndarray,
        cases: np.ndarray,
        i: int,
    ) -> np.ndarray:
        """Fraction of each step of ``dense`` at which trigger ``i`` first holds [-]."""
        net = self.net
        module = net.triggers.module[i]
        sign = self.sign[i]

        def value(y: np.ndarray, theta: np.ndarray) -> np.ndarray:
            if net.triggers.rate[i]:
                f = model.rhs(y, is_open, where, t=dense.time(theta))
                return sign * self.pressure_rate(model, y, f, where)[:, module]
            return sign * model.observe(y, where)[0][:, module]

        return first_at_or_below(dense, value, self.level[cases, i], np.ones(cases.size))

    def _schedule(self, rows: np.ndarray, which: np.ndarray, t_fire: np.ndarray) -> None:
        """Mark the triggers ``which`` (n, I) fired at ``t_fire`` [s], (n,) or (n, I), and set
        their events' times, the delay later."""
        net = self.net
        r, i = np.nonzero(which)
        cases = rows[r]
        self.fired[cases, i] = True
        self.fired_at[cases, i] = t_fire[r, i] if np.ndim(t_fire) == 2 else t_fire[r]
        self.events.schedule(
            cases, net.triggers.event[i], self.fired_at[cases, i] + net.triggers.delay[cases, i]
        )
        assert net.triggers.rearms is not None  # Network.__post_init__ fills it in
        partner = net.triggers.rearms[i]
        again = partner >= 0
        if np.any(again):
            # The other trigger of the pair watches again, and its event may happen again.
            self.fired[cases[again], partner[again]] = False
            self.events.rearm(cases[again], net.triggers.event[partner[again]])
