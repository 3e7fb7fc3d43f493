"""The batched loop: every unfinished case advances by one attempted step per iteration.

* **Per-case everything**: each case has its own time, step size, tolerances, error norm,
  event times and failure status. Each loop iteration advances every unfinished case by one
  attempted step (:mod:`leaksim.core.solver.rosenbrock`); accepted and rejected cases are
  masks. Finished or failed cases drop out, and the model is restricted to the others once per
  change, which beats gathering their parameters in every right-hand-side evaluation.
* **After an accepted step**, in order: triggers crossed in it fire and may end it early
  (:mod:`leaksim.core.solver.triggers`); the output times it passed are reported
  (:mod:`leaksim.core.solver.output`); thresholds crossed in it are dated
  (:mod:`leaksim.core.solver.thresholds`); gas sources add their feed; the events due at its
  end switch links (:mod:`leaksim.core.solver.events`).
* **Robustness**: moles and energy are the state (linear invariants are conserved exactly);
  negative amounts reject the step; NaN or infinite errors reject it; a case that cannot
  advance (60 rejections in a row, or a step too small to change t) or that exceeds
  ``max_steps`` fails alone with a message while the others go on.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike

from ..model import GeneralModel, build_model
from ..network import Network
from ._arguments import PressureOut, Start, check_duration, check_output_time, per_case
from ._solution import Operations, Solution
from .controller import StepController, error_norm, initial_step
from .dense import DenseOutput
from .events import EventSchedule
from .jacobian import Jacobian
from .output import Outputs, observe
from .rosenbrock import rosenbrock_step
from .tableau import RODAS4
from .thresholds import Thresholds, check_thresholds
from .triggers import Triggers

__all__ = ["Integrator", "Progress"]

_CONTROLLER = StepController(RODAS4.embedded_order)
# Consecutive rejections (each shrinking the step by 5x or more) after which a case fails.
_MAX_REJECTIONS = 60
# Complex step in t for df/dt of growing areas, as a fraction of max(t, 1 s).
_TIME_STEP = 1e-20


class Progress:
    """Steps taken by each case, whether it still runs, and why it failed.

    Parameters
    ----------
    n_cases : int
        Number of cases.
    start : Start, optional
        Steps taken before the start (:class:`~leaksim.core.solver.Start`).
    """

    def __init__(self, n_cases: int, start: Start | None = None) -> None:
        self.n_steps = np.zeros(n_cases, dtype=np.intp)
        self.n_rejected = np.zeros(n_cases, dtype=np.intp)
        if start is not None and start.n_steps is not None:
            self.n_steps[:] = start.n_steps
        if start is not None and start.n_rejected is not None:
            self.n_rejected[:] = start.n_rejected
        self.rejected_in_row = np.zeros(n_cases, dtype=np.intp)
        self.active = np.ones(n_cases, dtype=bool)
        self.status = np.zeros(n_cases, dtype=np.int8)
        self.message = [""] * n_cases

    def count(self, cases: np.ndarray, accept: np.ndarray) -> None:
        """Count the attempted steps of ``cases``, accepted where ``accept``."""
        self.n_steps[cases] += accept
        self.n_rejected[cases] += ~accept
        self.rejected_in_row[cases] = np.where(accept, 0, self.rejected_in_row[cases] + 1)

    def check(self, cases: np.ndarray, t: np.ndarray, h: np.ndarray, max_steps: int) -> None:
        """Fail the cases that cannot advance: steps too small to move ``t`` [s] (all cases)
        by the next step ``h`` [s], too many rejections in a row, or too many steps."""
        t_now = t[cases]
        stuck = (t_now + h[cases] <= t_now) | (self.rejected_in_row[cases] > _MAX_REJECTIONS)
        too_many = self.n_steps[cases] + self.n_rejected[cases] >= max_steps
        reasons = (
            (
                stuck,
                "no step could meet the tolerance at t = {t:.6g} s (state not finite or "
                "step size {h:.3g} s too small)",
            ),
            (too_many, f"more than {max_steps} steps by t = {{t:.6g}} s"),
        )
        for flag, why in reasons:
            for c in cases[flag & self.active[cases]]:
                self.active[c] = False
                self.status[c] = -1
                self.message[c] = why.format(t=t[c], h=h[c])


class Integrator:
    """One batched integration of every case of a network to its duration.

    Parameters are those of :func:`leaksim.core.solver.solve` and
    :func:`leaksim.core.solver.solve_from`; :meth:`integrate` runs it and :meth:`solution`
    assembles the result.

    Attributes
    ----------
    y : ndarray, shape (C, F)
        State of each case, at its end after :meth:`integrate`.
    t : ndarray, shape (C,)
        Time each case has reached [s].
    """

    def __init__(
        self,
        network: Network,
        duration: ArrayLike,
        output_time: ArrayLike,
        thresholds: Iterable[tuple[str, ArrayLike]] = (),
        rtol: ArrayLike = 1e-6,
        atol: ArrayLike = 1e-9,
        max_steps: int = 100_000,
        reduce_composition: bool = True,
        start: Start | None = None,
        pressure_out: PressureOut | None = None,
        model: GeneralModel | None = None,
    ) -> None:
        self.net = network
        n = network.n_cases
        self.model = build_model(network, reduce_composition) if model is None else model
        # The model of the unfinished cases, and which cases they are.
        self.packed = self.model
        self.packed_ids = np.arange(n)
        self.duration = check_duration(duration, n)
        t_out = check_output_time(output_time)
        self.rtol = per_case(rtol, n, "rtol")
        levels = check_thresholds(thresholds, n)
        self.max_steps = int(max_steps)
        self._start_state(start, atol)
        self.events = EventSchedule(network)
        self.triggers = Triggers(network, self.events) if network.triggers.module.size else None
        self.events.apply_due(np.arange(n), self.t)
        self.outputs = Outputs(t_out, n, network.n_modules, self.model.analytic, pressure_out)
        self.thresholds = Thresholds(levels, n, network.n_modules)
        self.progress = Progress(n, start)
        self.jacobian = Jacobian(self.model)
        self.growing = network.growth.link.size > 0
        self.source_on_time = np.zeros((n, network.n_sources))
        self.source_amount = np.zeros((n, network.n_sources))
        self.max_dp = np.zeros((n, network.n_links))
        self._report_start(start is not None and start.time is not None)
        self.h = initial_step(self.y, self.f, self.atol, self.rtol, self.duration - self.t)

    def _start_state(self, start: Start | None, atol: ArrayLike) -> None:
        """State, time and absolute tolerance of every case at its start."""
        n = self.net.n_cases
        if start is None:
            self.y = self.model.initial_state()
            self.scale = self.model.state_scale()
            self.t = np.zeros(n)
        else:
            if start.state.shape != (n, self.model.n_state):
                raise ValueError(
                    f"start state must have shape {(n, self.model.n_state)}, "
                    f"got {start.state.shape}"
                )
            self.y = start.state.copy()
            scale = start.state_scale
            self.scale = self.model.state_scale() if scale is None else scale
            self.t = np.zeros(n) if start.time is None else per_case(start.time, n, "start time")
        self.atol = per_case(atol, n, "atol")[:, None] * self.scale

    def _report_start(self, resumed: bool) -> None:
        """Derivatives, observed values, outputs, thresholds and triggers at the start."""
        everyone = np.arange(self.net.n_cases)
        self.f = self.model.rhs(self.y, self.events.is_open, t=self.t)
        self.obs = observe(self.model, self.y, everyone)
        self.outputs.start(self.obs, self.t, resumed)
        if not resumed:
            self.thresholds.start(self.obs)
        if self.triggers is not None:
            p = self.obs["p"][everyone]
            fired = self.triggers.fire_satisfied(
                self.model, everyone, everyone, self.y, self.f, p, self.t.copy()
            )
            if np.any(fired):
                # A condition met at the start with no delay switches its link at once, not
                # in a first step of length zero.
                self._after_events(everyone, everyone, self.t.copy())
        self._track_pressure_difference(everyone)

    # -- the loop -----------------------------------------------------------------------
    def integrate(self) -> None:
        """Advance every case to its duration, or until it fails."""
        # A case gone bad (NaN, overflow) is caught by the error test and fails alone; numpy's
        # warnings for it would only be noise about the other cases.
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            while np.any(self.progress.active):
                cases = np.flatnonzero(self.progress.active)
                if cases.size != self.packed_ids.size:
                    self.packed = self.model.take(cases)
                    self.packed_ids = cases
                self._advance(cases)

    def _advance(self, cases: np.ndarray) -> None:
        """Attempt one step for every case of ``cases`` (the packed model's cases, in order)."""
        model = self.packed
        y0, f0, t0 = self.y[cases], self.f[cases], self.t[cases]
        is_open = self.events.is_open[cases]
        stop = np.minimum(self.duration[cases], self.events.next_stop(cases, t0))
        h = np.minimum(self.h[cases], stop - t0)
        # Land exactly on the stop when the remainder would be a sliver.
        h = np.where(stop - t0 - h < 1e-9 * h, stop - t0, h)
        t = t0 if self.growing else None
        jac = self.jacobian(model, y0, is_open, t, 1e-6 * self.scale[cases])
        f_t = self._time_derivative(model, y0, is_open, t0) if self.growing else None
        y_new, error, dense = rosenbrock_step(
            RODAS4, lambda y, t: model.rhs(y, is_open, t=t), jac, y0, f0, t0, h, f_t
        )
        err = error_norm(error, y0, y_new, self.atol[cases], self.rtol[cases])
        # Negative amounts or energies beyond the absolute tolerance are not physical.
        negative = np.any(y_new < -self.atol[cases], axis=1)
        err = np.where(negative | ~np.isfinite(err), np.inf, err)
        accept = err <= 1.0
        h_next = h * _CONTROLLER.factor(err, accept, self.progress.rejected_in_row[cases])
        if self.triggers is not None and np.any(accept):
            # Retake a step that crossed a trigger well before its end, shortened to the
            # crossing: the dense output of a long stiff step cannot place a fast transient.
            theta = self._first_trigger_crossing(cases, accept, dense)
            retake = accept & (theta < 0.999) & (theta * h > 1e-9 * np.maximum(t0, 1.0))
            accept = accept & ~retake
            h_next = np.where(retake, np.maximum(theta, 1e-3) * h, h_next)
        self.progress.count(cases, accept)
        self.h[cases] = h_next
        if np.any(accept):
            self._accept(cases, accept, dense, stop)
        self.progress.check(cases, self.t, self.h, self.max_steps)

    @staticmethod
    def _time_derivative(
        model: GeneralModel, y: np.ndarray, is_open: np.ndarray, t: np.ndarray
    ) -> np.ndarray:
        """``df/dt`` along the growing areas, (n, F), by complex step in ``t`` [s]."""
        step = _TIME_STEP * np.maximum(t, 1.0)
        return model.rhs(y, is_open, t=t + 1j * step).imag / step[:, None]

    def _first_trigger_crossing(
        self, cases: np.ndarray, accept: np.ndarray, dense: DenseOutput
    ) -> np.ndarray:
        """Fraction of each attempted step at which its first trigger crossing lies; 1 where
        none, or where the step was rejected anyway [-]."""
        assert self.triggers is not None
        local = np.flatnonzero(accept)
        rows = cases[accept]
        sel = dense.take(accept)
        p1 = self.packed.observe(sel.y1, local)[0]
        crossing, theta_i = self.triggers.crossings(
            self.packed,
            rows,
            local,
            sel,
            self.events.is_open[rows],
            sel.t1,
            self.obs["p"][rows],
            p1,
        )
        theta = np.ones(cases.size)
        theta[local] = theta_i.min(axis=1)
        return theta

    # -- after an accepted step -------------------------------------------------------------
    def _accept(
        self, cases: np.ndarray, accept: np.ndarray, dense: DenseOutput, stop: np.ndarray
    ) -> None:
        """Take the accepted steps of ``cases``: report, fire, switch, move on."""
        rows = cases[accept]
        local = np.flatnonzero(accept)
        sel = dense.take(accept)
        t_new = sel.t1
        t_new = np.where(np.abs(t_new - stop[accept]) <= 1e-12 * stop[accept], stop[accept], t_new)
        y1 = sel.y1
        obs_new = observe(self.packed, y1, local)
        if self.triggers is not None:
            y1, t_new, obs_new = self._fire_triggers(rows, local, sel, t_new, obs_new)
        theta_end = np.clip((t_new - sel.t0) / sel.h, 0.0, 1.0)
        self.outputs.fill(self.packed, rows, local, sel, t_new)
        self.thresholds.locate(self.packed, rows, local, sel, self.obs, obs_new, theta_end)
        if self.net.n_sources:
            self._count_feed(rows, local, sel, y1, t_new, theta_end)
        self.y[rows] = y1
        self.t[rows] = t_new
        for key in obs_new:
            self.obs[key][rows] = obs_new[key]
        self._after_events(rows, local, t_new)
        self._track_pressure_difference(rows)
        finished = t_new >= self.duration[rows]
        self.progress.active[rows[finished]] = False

    def _fire_triggers(
        self,
        rows: np.ndarray,
        local: np.ndarray,
        sel: DenseOutput,
        t_new: np.ndarray,
        obs_new: dict[str, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Fire the triggers crossed in the accepted steps ``sel``; end a step early at an
        event due before its end. Returns the state, time and observed values at the ends."""
        assert self.triggers is not None
        y1 = sel.y1
        is_open = self.events.is_open[rows]
        p_before = self.obs["p"][rows]
        crossing, theta = self.triggers.crossings(
            self.packed, rows, local, sel, is_open, t_new, p_before, obs_new["p"]
        )
        if not np.any(crossing):
            return y1, t_new, obs_new
        cut = self.triggers.fire_crossed(crossing, theta, rows, sel, t_new)
        short = cut < t_new
        if np.any(short):
            # The dense output gives the state at the event.
            y1 = y1.copy()
            y1[short] = sel.take(short)((cut[short] - sel.t0[short]) / sel.h[short])
            t_new = np.where(short, cut, t_new)
            fresh = observe(self.packed, y1[short], local[short])
            obs_new = {k: v.copy() for k, v in obs_new.items()}
            for key in obs_new:
                obs_new[key][short] = fresh[key]
        return y1, t_new, obs_new

    def _count_feed(
        self,
        rows: np.ndarray,
        local: np.ndarray,
        sel: DenseOutput,
        y1: np.ndarray,
        t_new: np.ndarray,
        theta_end: np.ndarray,
    ) -> None:
        """Add each source's feed over the accepted steps: time on, and amount by Simpson's
        rule on the dense output (exact for constant feeds, fourth order for regulators)."""
        on = self.events.is_open[rows, self.net.n_links :]
        dt = t_new - self.t[rows]
        self.source_on_time[rows] += on * dt[:, None]
        model = self.packed
        y_mid = sel(0.5 * theta_end)
        feeds = [model.source_feed(model.thermo(y, local), on, local) for y in (sel.y0, y_mid, y1)]
        self.source_amount[rows] += dt[:, None] / 6.0 * (feeds[0] + 4.0 * feeds[1] + feeds[2])

    def _after_events(self, rows: np.ndarray, local: np.ndarray, t: np.ndarray) -> None:
        """Switch the links whose events are due, then refresh derivatives and rates; an event
        may satisfy a trigger at once (a rate jumps), whose own event may be due at once too."""
        self.events.apply_due(rows, t)
        for _ in range(1 + self.net.triggers.module.size):
            y = self.y[rows]
            self.f[rows] = self.packed.rhs(y, self.events.is_open[rows], local, t=t)
            if self.triggers is None:
                return
            fired = self.triggers.fire_satisfied(
                self.packed, rows, local, y, self.f[rows], self.obs["p"][rows], t
            )
            if not np.any(fired) or not np.any(self.events.apply_due(rows, t)):
                return

    def _track_pressure_difference(self, rows: np.ndarray) -> None:
        """Largest |p_a - p_b| each link has seen, at accepted step ends [Pa]."""
        net = self.net
        p = self.obs["p"][rows]
        inner = np.where(net.links.b >= 0, net.links.b, 0)
        p_b = np.where(net.links.b >= 0, p[:, inner], net.links.boundary_pressure[rows])
        self.max_dp[rows] = np.maximum(self.max_dp[rows], np.abs(p[:, net.links.a] - p_b))

    # -- result -----------------------------------------------------------------------------
    def solution(self) -> Solution:
        """The :class:`~leaksim.core.solver.Solution` of the cases as they stand."""
        net = self.net
        failed = self.progress.status != 0
        rates = self.model.observe_rates(self.y, self.f)  # at the end, along the derivative
        out, partial = self.outputs.finish(self.t, net, self.model)
        return Solution(
            time=self.outputs.t_out.copy(),
            pressure=out["p"],
            temperature=out["T"],
            partial_pressures=partial,
            final_pressure=self.obs["p"],
            final_temperature=self.obs["T"],
            final_moles=self.model.species_moles(self.y),
            species=net.species,
            final_pressure_rate=rates[0],
            final_partial_pressure_O2_rate=rates[1],
            final_partial_pressure_CO2_rate=rates[2],
            end_time=self.t.copy(),
            status=np.where(failed, -1, 0).astype(np.int8),
            message=list(self.progress.message),
            n_steps=self.progress.n_steps,
            n_rejected=self.progress.n_rejected,
            operations=Operations(
                threshold_time=self.thresholds.time,
                event_time=self.events.happened(),
                max_pressure_difference=self.max_dp,
                source_on_time=self.source_on_time,
                source_amount=self.source_amount,
                merged_time=np.zeros((net.n_cases, net.n_modules)),
            ),
        )
