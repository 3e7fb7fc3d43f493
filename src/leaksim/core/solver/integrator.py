"""Batched stiff integration of many leak cases at once.

Why a hand-written integrator
-----------------------------
A cabin network is stiff: an open hatch of about 1 m^2 equalises two modules in milliseconds
while a 1 cm^2 hole empties them over hours (stiffness ratios of 1e6 to 1e11). Explicit methods
take millions of steps. ``scipy.integrate.solve_ivp`` handles one case well with LSODA, BDF or
Radau, but it cannot batch cases: stacking them into one system shares one step size, lets one
event stop all of them and dilutes each case's error in a common norm. A Python loop over cases
costs about 2 ms a case for two modules. No maintained Python library integrates many
independent stiff systems with per-case steps and events, so leaksim carries its own.

Design
------
* **Method**: RODAS4, the 6-stage, order-4(3), L-stable, stiffly accurate Rosenbrock method of
  Hairer and Wanner [1]_ (coefficients of their ``rodas.f``), with its order-3 dense output.
  Rosenbrock methods need one Jacobian and one LU factorisation per step and no Newton
  iteration, which maps well onto array code: every case takes the same sequence of operations
  with different numbers. Order 4 matters: a measured second-order ROS2 needed about 870 steps
  a case on the two-module benchmark; RODAS4 needs a few dozen.
* **Per-case everything**: each case has its own time, step size, tolerances, error norm,
  event times and failure status. Each loop iteration advances every unfinished case by one
  attempted step; accepted and rejected cases are masks. Finished or failed cases drop out.
* **Jacobian**: analytic for the common station of one gas at one temperature without an
  energy equation (:meth:`leaksim.core.network.NetworkModel.jacobian`, one evaluation of the link
  law and its two pressure slopes); otherwise complex-step differentiation of the batched
  right-hand side (exact to round-off, which a Rosenbrock method needs on stiff problems),
  grouping modules that share no neighbour (a distance-2 colouring of the station graph) so a
  whole group is perturbed in one evaluation. Systems are small (one amount per module for a
  uniform-composition station) and are factorised by :mod:`leaksim.core.linalg` with the case axis
  last.
* **Output**: the dense output is evaluated at every output time a step passes, all (case,
  time) pairs at once, and scattered into (module, case, time) arrays one module at a time.
  For one gas at one temperature the pressure is linear in the state, so the cubic is taken
  in pressures per step and only the pressure is stored; temperature and O2 follow at the
  end.
* **Zones** are a layer above (:mod:`leaksim.core.zones`): it cuts runs at hatch events and calls
  this integrator on reduced networks, resuming from a given state and time.
* **Events**: scheduled hatch and leak events are discontinuities. A step never crosses one:
  it is shortened to end exactly on the event time of that case, the link is switched, and the
  integration restarts from there, so a hatch closes exactly when it should in every case.
* **Thresholds**: a sign change of ``value - level`` over an accepted step is located by
  bisection on the dense output to a relative 1e-10 of the step.
* **Robustness**: moles and energy are the state (linear invariants are conserved exactly);
  negative amounts reject the step; NaN or infinite errors reject it; a case that cannot
  advance (60 rejections in a row, or a step too small to change t) or that exceeds
  ``max_steps`` fails alone with a message while the others go on.

References
----------
.. [1] E. Hairer and G. Wanner, Solving Ordinary Differential Equations II, 2nd ed., Springer,
       1996, Sec. IV.7 (RODAS). https://doi.org/10.1007/978-3-642-05221-7
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import SolverError
from ..network import Network, NetworkModel
from .controller import StepController, error_norm, initial_step
from .dense import pressure_at
from .events import EventSchedule, crossed, first_at_or_below
from .rosenbrock import rosenbrock_step
from .tableau import RODAS4

__all__ = ["Solution", "solve", "THRESHOLD_QUANTITIES"]

#: Quantities a threshold can watch.
THRESHOLD_QUANTITIES = ("pressure", "partial_pressure_O2")

_CONTROLLER = StepController(RODAS4.embedded_order)
# Consecutive rejections (each shrinking the step by 5x or more) after which a case fails.
_MAX_REJECTIONS = 60


@dataclass
class Solution:
    """Arrays the solver returns, case axis first, SI units, no quantities.

    Attributes
    ----------
    time : ndarray, shape (T,)
        Output times shared by all cases [s].
    pressure, temperature, partial_pressure_O2 : ndarray, shape (C, M, T)
        Total pressure [Pa], gas temperature [K] and O2 partial pressure [Pa] of each module at
        each output time; NaN after a case's own duration and after a case fails.
    final_pressure, final_temperature : ndarray, shape (C, M)
        Values at each case's own end time (its duration, or the time it failed) [Pa], [K].
    final_moles : ndarray, shape (C, M, S)
        Amount of each species in each module at the end [mol].
    species : tuple of str
        Species names of the last axis of ``final_moles``.
    end_time : ndarray, shape (C,)
        Time each case reached [s].
    threshold_time : ndarray, shape (C, H, M)
        First time each module's value fell to threshold ``h`` or below [s]; NaN if never.
    status : ndarray of int8, shape (C,)
        0 if the case reached its duration, -1 if it failed.
    message : list of str, length C
        Empty for a successful case, else why it failed.
    n_steps, n_rejected : ndarray of int, shape (C,)
        Accepted and rejected steps per case.
    event_time : ndarray, shape (C, E)
        When each scheduled or triggered event happened [s]; NaN if it did not happen before
        the case ended.
    max_pressure_difference : ndarray, shape (C, K)
        Largest pressure difference across each link seen at the solver's steps [Pa].
    event_link, event_open : ndarray, shape (E,)
        The link (0..K-1) or source (K..K+J-1) each event switches, and whether it opens or
        starts it (True) or closes or stops it.
    source_on_time : ndarray, shape (C, J)
        How long each gas source was on [s].
    source_amount : ndarray, shape (C, J)
        Gas each source fed [mol] (negative for a sink such as the crew's O2 use).
    final_pressure_rate, final_partial_pressure_O2_rate : ndarray, shape (C, M)
        Rates of change of pressure and O2 partial pressure at the end [Pa/s].
    link_ends : ndarray of int, shape (K, 2)
        Module indices of the two sides of each link between modules; -1 for a boundary.
    merged_time : ndarray, shape (C, M)
        How long each module was solved as part of a merged zone [s]: zero from
        :func:`solve`, which solves every module on its own; see :func:`leaksim.core.zones.solve`.
    """

    time: np.ndarray
    pressure: np.ndarray
    temperature: np.ndarray
    partial_pressure_O2: np.ndarray
    final_pressure: np.ndarray
    final_temperature: np.ndarray
    final_moles: np.ndarray
    species: tuple[str, ...]
    end_time: np.ndarray
    threshold_time: np.ndarray
    status: np.ndarray
    message: list[str]
    n_steps: np.ndarray
    n_rejected: np.ndarray
    event_time: np.ndarray | None = None
    max_pressure_difference: np.ndarray | None = None
    event_link: np.ndarray | None = None
    event_open: np.ndarray | None = None
    source_on_time: np.ndarray | None = None
    source_amount: np.ndarray | None = None
    final_pressure_rate: np.ndarray | None = None
    link_ends: np.ndarray | None = None
    final_partial_pressure_O2_rate: np.ndarray | None = None
    merged_time: np.ndarray | None = None


def solve(
    network: Network,
    duration,
    output_time,
    thresholds=(),
    rtol=1e-6,
    atol=1e-9,
    max_steps: int = 100_000,
    on_failure: str = "mark",
    reduce_composition: bool = True,
) -> Solution:
    """Integrate every case of ``network`` from t = 0 to its duration.

    Parameters
    ----------
    network : leaksim.core.network.Network
        The compiled station, ``C`` cases.
    duration : array_like, shape (C,) or scalar
        Simulated time of each case [s], > 0.
    output_time : array_like, shape (T,)
        Increasing times at which states are reported [s], shared by all cases; times beyond a
        case's duration are reported as NaN.
    thresholds : sequence of (str, array_like)
        ``(quantity, level)`` pairs: ``quantity`` in :data:`THRESHOLD_QUANTITIES`, ``level`` of
        shape (C,) or scalar [Pa]. The solver reports when each module first falls to each
        level.
    rtol : array_like, shape (C,) or scalar, optional
        Relative tolerance of each case [-]. Default 1e-6.
    atol : array_like, shape (C,) or scalar, optional
        Absolute tolerance of each case as a fraction of its largest initial module content
        [-]. Default 1e-9 (about 1e-4 Pa in a module at one atmosphere).
    max_steps : int, optional
        Accepted plus rejected steps after which a case fails.
    on_failure : {"mark", "raise"}, optional
        ``"mark"`` (default) keeps the other cases and reports the failure in
        ``Solution.status`` and ``Solution.message``; ``"raise"`` raises :class:`SolverError`
        naming the first failed case.
    reduce_composition : bool, optional
        Let :class:`~leaksim.core.network.NetworkModel` collapse uniform compositions (default).

    Returns
    -------
    Solution
    """
    run = _Run(
        network, duration, output_time, thresholds, rtol, atol, max_steps, reduce_composition
    )
    run.integrate()
    solution = run.solution()
    _check_failure(solution, on_failure)
    return solution


def _check_failure(solution: Solution, on_failure: str) -> None:
    """Raise :class:`SolverError` for the first failed case if ``on_failure == "raise"``."""
    if on_failure == "raise" and np.any(solution.status != 0):
        case = int(np.flatnonzero(solution.status != 0)[0])
        raise SolverError(f"case {case} failed: {solution.message[case]}")


def _per_case(value, n_cases: int, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    try:
        return np.broadcast_to(array, (n_cases,)).copy()
    except ValueError:
        raise ValueError(
            f"{name} must be a scalar or have {n_cases} values, got shape {array.shape}"
        ) from None


def _colour_modules(neighbours: list[set[int]]) -> list[list[int]]:
    """Greedy distance-2 colouring: modules of one colour share no neighbour."""
    colour: dict[int, int] = {}
    for m in range(len(neighbours)):
        taken = {colour[j] for n in neighbours[m] for j in neighbours[n] if j in colour}
        colour[m] = next(c for c in range(len(neighbours) + 1) if c not in taken)
    groups: dict[int, list[int]] = {}
    for m, c in colour.items():
        groups.setdefault(c, []).append(m)
    return list(groups.values())


class _Run:
    """State of one batched integration; ``integrate`` advances all cases to their end."""

    def __init__(
        self,
        network,
        duration,
        output_time,
        thresholds,
        rtol,
        atol,
        max_steps,
        reduce_composition=True,
        start_time=None,
        initial_state=None,
        state_scale=None,
        pressure_out=None,
    ):
        """``start_time``, ``initial_state`` and ``state_scale`` (arrays with the case axis
        first) resume cases from a state reached elsewhere (:mod:`leaksim.core.zones`): outputs and
        thresholds before ``start_time`` are left to whoever integrated them. With
        ``pressure_out = (array, rows, columns)`` the pressures of a model with
        :attr:`~leaksim.core.network.NetworkModel.analytic` outputs are written straight into
        ``array[rows[c], time, :] = p[c, time, columns]``, shape (C', T, M'), instead of
        being kept."""
        self.net = network
        self.model = NetworkModel(network, reduce_composition)
        self.packed = self.model
        self.packed_ids = np.arange(network.n_cases)
        n = network.n_cases
        self.duration = _per_case(duration, n, "duration")
        if np.any(~(self.duration > 0)):
            raise ValueError(f"duration must be > 0 s, got {self.duration.min()}")
        self.t_out = np.asarray(output_time, dtype=float).reshape(-1)
        if self.t_out.size and (np.any(np.diff(self.t_out) <= 0) or self.t_out[0] < 0):
            raise ValueError("output_time must be increasing and >= 0")
        self.rtol = _per_case(rtol, n, "rtol")
        self.thresholds = [(q, _per_case(level, n, "threshold level")) for q, level in thresholds]
        for q, _ in self.thresholds:
            if q not in THRESHOLD_QUANTITIES:
                raise ValueError(
                    f"threshold quantity must be one of {THRESHOLD_QUANTITIES}, got {q!r}"
                )
        self.max_steps = int(max_steps)
        self.y = self.model.initial_state() if initial_state is None else initial_state.copy()
        self.scale = self.model.state_scale() if state_scale is None else state_scale
        self.atol = _per_case(atol, n, "atol")[:, None] * self.scale
        self.resumed = start_time is not None
        self.t = np.zeros(n) if start_time is None else _per_case(start_time, n, "start_time")
        self.source_on_time = np.zeros((n, network.n_sources))
        self.source_amount = np.zeros((n, network.n_sources))
        self.events = EventSchedule(network)
        self.is_open = self.events.is_open
        self.fired = np.zeros((n, network.trigger_module.size), dtype=bool)
        # A trigger fires when sign * value falls to sign * level: sign -1 watches a rise.
        self.trigger_sign = np.where(network.trigger_above, -1.0, 1.0)
        self.trigger_level = self.trigger_sign * network.trigger_level
        self.fired_at = np.full((n, network.trigger_module.size), np.nan)
        self.events.apply_due(np.arange(n), self.t)
        m, n_out = network.n_modules, self.t_out.size
        # Outputs are stored (module, case, time) so that one step's reports for one module
        # are a scatter into a flat (case * time) view. With one gas at one temperature the
        # pressure is linear in the state and temperature and O2 follow from it: only it is
        # stored.
        self.lean_output = self.model.analytic
        keys = ("p",) if self.lean_output else ("p", "T", "o2")
        if pressure_out is None:
            self.out = {k: np.full((m, n, n_out), np.nan) for k in keys}
            self.out_row, self.out_column = np.arange(n), np.arange(m)
        else:
            self.out = {"p": pressure_out[0]}
            self.out_row, self.out_column = pressure_out[1], pressure_out[2]
        self.external_output = pressure_out is not None
        self.next_out = np.zeros(n, dtype=np.intp)
        self.threshold_time = np.full((n, len(self.thresholds), m), np.nan)
        self.status = np.zeros(n, dtype=np.int8)
        self.message = [""] * n
        self.n_steps = np.zeros(n, dtype=np.intp)
        self.n_rejected = np.zeros(n, dtype=np.intp)
        self.rejected_in_row = np.zeros(n, dtype=np.intp)
        self.active = np.ones(n, dtype=bool)
        self.groups = _colour_modules(self.model.neighbours())
        self.neighbours = self.model.neighbours()
        everyone = np.arange(n)
        self.growing = network.growth_link.size > 0
        self.f = self.model.rhs(self.y, self.is_open, t=self.t)
        self.obs = self._observe(self.y, everyone)
        self.rate = self._pressure_rate(self.y, self.f, everyone)
        self.max_dp = np.zeros((n, network.n_links))
        self._record_initial(everyone)
        self._fire_satisfied(everyone, everyone, self.t.copy())
        self._track_pressure_difference(everyone)
        self.h = initial_step(self.y, self.f, self.atol, self.rtol, self.duration - self.t)

    # -- set-up helpers -------------------------------------------------------------------
    def _observe(self, y, local):
        p, temperature, o2 = self.packed.observe(y, local)
        return {"p": p, "T": temperature, "o2": o2}

    def _watched(self, obs, q):
        return obs["p"] if q == "pressure" else obs["o2"]

    def _record_initial(self, cases):
        if self.resumed:
            self.next_out[:] = np.searchsorted(self.t_out, self.t * (1 + 1e-12), side="right")
            return
        first = np.flatnonzero(self.t_out <= 0.0)
        for key in self.out:
            for m, column in enumerate(self.out_column):
                self.out[key][m][np.ix_(self.out_row, first)] = self.obs[key][:, column, None]
        self.next_out[:] = np.count_nonzero(first)
        for j, (q, level) in enumerate(self.thresholds):
            below = self._watched(self.obs, q) <= level[:, None]
            self.threshold_time[:, j, :] = np.where(below, 0.0, np.nan)

    # -- the step -------------------------------------------------------------------------
    def integrate(self):
        # A case gone bad (NaN, overflow) is caught by the error test and fails alone; numpy's
        # warnings for it would only be noise about the other cases.
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            while np.any(self.active):
                cases = np.flatnonzero(self.active)
                if cases.size != self.packed_ids.size:
                    # Work on the unfinished cases only: gathering their parameters once per
                    # change beats gathering them in every right-hand-side evaluation.
                    self.packed = self.model.take(cases)
                    self.packed_ids = cases
                self._advance(cases)

    def _jacobian(self, y, is_open, cases):
        """Jacobian (F, F, n), case axis last: analytic where the model has one
        (:meth:`~leaksim.core.network.NetworkModel.jacobian`), else by complex-step differentiation,
        a colour group per evaluation.

        ``df/dy_j = Im f(y + i h e_j) / h`` has no subtractive cancellation, so ``h`` can be
        1e-30 of the component and the Jacobian is exact to round-off. Forward differences
        are not enough here: a pressure perturbation of sqrt(eps) of one atmosphere (1e-3 Pa)
        is not small beside the 0.01 Pa pressure differences across open hatches, and the
        resulting Jacobian errors, multiplied by stiffness ratios of 1e6, made the step-size
        control of a Rosenbrock method crawl (measured: 8,888 steps instead of a few hundred).
        """
        model = self.packed
        if model.analytic:
            return model.jacobian(y, is_open, t=self.t[cases] if self.growing else None)
        k = model.n_per_module
        n, size = y.shape
        jac = np.zeros((n, size, size))
        floor = 1e-6 * self.scale[cases]
        for group in self.groups:
            for comp in range(k):
                cols = np.array([m * k + comp for m in group])
                step = 1e-30 * np.maximum(np.abs(y[:, cols]), floor[:, cols])
                y_pert = y.astype(complex)
                y_pert[:, cols] += 1j * step
                df = model.rhs(y_pert, is_open, t=self.t[cases] if self.growing else None).imag
                for j, m in enumerate(group):
                    for row_module in self.neighbours[m]:
                        rows = slice(row_module * k, (row_module + 1) * k)
                        jac[:, rows, m * k + comp] = df[:, rows] / step[:, j, None]
        return jac.transpose(1, 2, 0)

    def _advance(self, cases):
        """Attempt one step for every case of ``cases`` (the packed model's cases, in order)."""
        model = self.packed
        y0, f0, t0 = self.y[cases], self.f[cases], self.t[cases]
        is_open = self.is_open[cases]
        stop = np.minimum(self.duration[cases], self.events.next_stop(cases, t0))
        h = np.minimum(self.h[cases], stop - t0)
        # Land exactly on the stop when the remainder would be a sliver.
        h = np.where(stop - t0 - h < 1e-9 * h, stop - t0, h)
        jac = self._jacobian(y0, is_open, cases)
        f_t = None
        if self.growing:
            # df/dt along the growing areas, by complex step in t.
            f_t = (
                model.rhs(y0, is_open, t=t0 + 1j * 1e-20 * np.maximum(t0, 1.0)).imag
                / (1e-20 * np.maximum(t0, 1.0))[:, None]
            )
        y_new, error, dense = rosenbrock_step(
            RODAS4, lambda y, t: model.rhs(y, is_open, t=t), jac, y0, f0, t0, h, f_t
        )
        err = error_norm(error, y0, y_new, self.atol[cases], self.rtol[cases])
        # Negative amounts or energies beyond the absolute tolerance are not physical.
        negative = np.any(y_new < -self.atol[cases], axis=1)
        err = np.where(negative | ~np.isfinite(err), np.inf, err)
        accept = err <= 1.0
        h_next = h * _CONTROLLER.factor(err, accept)
        if self.fired.shape[1] and np.any(accept):
            # Retake a step that crossed a trigger well before its end, shortened to the
            # crossing: the dense output of a long stiff step cannot place a fast transient.
            theta = self._trigger_crossing(cases, accept, y_new, dense)
            retake = accept & (theta < 0.999) & (theta * h > 1e-9 * np.maximum(t0, 1.0))
            accept = accept & ~retake
            h_next = np.where(retake, np.maximum(theta, 1e-3) * h, h_next)
        self.n_steps[cases] += accept
        self.n_rejected[cases] += ~accept
        self.rejected_in_row[cases] = np.where(accept, 0, self.rejected_in_row[cases] + 1)
        self.h[cases] = h_next
        if np.any(accept):
            self._accept(cases, accept, y_new, dense, stop)
        self._check_failures(cases, h)

    # -- after an accepted step -------------------------------------------------------------
    def _accept(self, cases, accept, y_new, dense, stop):
        rows = cases[accept]
        local = np.flatnonzero(accept)
        sel = dense.take(accept)
        t_new = sel.t1
        t_new = np.where(np.abs(t_new - stop[accept]) <= 1e-12 * stop[accept], stop[accept], t_new)
        y1 = y_new[accept]
        obs_new = self._observe(y1, local)
        if self.fired.shape[1]:
            y1, t_new, obs_new = self._fire_triggers(rows, local, sel, y1, t_new, obs_new)
        theta_end = np.clip((t_new - sel.t0) / sel.h, 0.0, 1.0)
        self._fill_output(rows, local, sel, t_new)
        self._locate_thresholds(rows, local, sel, obs_new, theta_end)
        if self.net.n_sources:
            self._count_feed(rows, local, sel, y1, t_new, theta_end)
        self.y[rows] = y1
        self.t[rows] = t_new
        for key in obs_new:
            self.obs[key][rows] = obs_new[key]
        self._after_events(rows, local, t_new)
        self._track_pressure_difference(rows)
        finished = t_new >= self.duration[rows]
        self.active[rows[finished]] = False

    def _count_feed(self, rows, local, sel, y1, t_new, theta_end):
        """Add each source's feed over the accepted steps: time on, and amount by Simpson's
        rule on the dense output (exact for constant feeds, fourth order for regulators)."""
        on = self.is_open[rows, self.net.n_links :]
        dt = t_new - self.t[rows]
        self.source_on_time[rows] += on * dt[:, None]
        model = self.packed
        y_mid = sel(0.5 * theta_end)
        feeds = [model.source_feed(model.thermo(y, local), on, local) for y in (sel.y0, y_mid, y1)]
        self.source_amount[rows] += dt[:, None] / 6.0 * (feeds[0] + 4.0 * feeds[1] + feeds[2])

    def _after_events(self, rows, local, t):
        """Switch the links whose events are due, then refresh derivatives and rates; an event
        may satisfy a trigger at once (a rate jumps), whose own event may be due at once too."""
        self.events.apply_due(rows, t)
        for _ in range(1 + self.fired.shape[1]):
            self.f[rows] = self.packed.rhs(self.y[rows], self.is_open[rows], local, t=t)
            self.rate[rows] = self._pressure_rate(self.y[rows], self.f[rows], local)
            fired = self._fire_satisfied(rows, local, t)
            if not np.any(fired) or not np.any(self.events.apply_due(rows, t)):
                return

    # -- triggers ---------------------------------------------------------------------------
    def _pressure_rate(self, y, f, local):
        """d p / d t of every module [Pa/s], exact by complex step along the derivative."""
        if not np.any(self.net.trigger_rate):
            return np.zeros((y.shape[0], self.net.n_modules))
        step = 1e-20
        return self.packed.observe(y + 1j * step * f, local)[0].imag / step

    def _trigger_values(self, obs, rate):
        """Watched value of every trigger, (n, I): the module's pressure or its rate."""
        net = self.net
        pressure = obs["p"][:, net.trigger_module]
        value = np.where(net.trigger_rate, rate[:, net.trigger_module], pressure)
        return self.trigger_sign * value

    def _schedule(self, rows, which, t_fire):
        """Mark triggers fired at ``t_fire`` and set their events' times (plus the delay)."""
        net = self.net
        r, i = np.nonzero(which)
        cases = rows[r]
        self.fired[cases, i] = True
        self.fired_at[cases, i] = t_fire[r, i] if np.ndim(t_fire) == 2 else t_fire[r]
        self.events.schedule(
            cases, net.trigger_event[i], self.fired_at[cases, i] + net.trigger_delay[cases, i]
        )

    def _fire_satisfied(self, rows, local, t):
        """Fire, at time ``t``, the triggers whose condition already holds."""
        values = self._trigger_values({"p": self.obs["p"][rows]}, self.rate[rows])
        satisfied = (~self.fired[rows]) & (values <= self.trigger_level[rows])
        if np.any(satisfied):
            self._schedule(rows, satisfied, t)
        return satisfied.any(axis=1)

    def _fire_triggers(self, rows, local, sel, y1, t_new, obs_new):
        """Find triggers crossed during the accepted steps; end a step early at an event due
        before its end (the dense output gives the state there)."""
        net = self.net
        level = self.trigger_level[rows]
        if np.any(net.trigger_rate):
            f1 = self.packed.rhs(y1, self.is_open[rows], local, t=t_new)
            rate_new = self._pressure_rate(y1, f1, local)
        else:
            rate_new = np.zeros_like(obs_new["p"])
        g_old = self._trigger_values({"p": self.obs["p"][rows]}, self.rate[rows]) - level
        g_new = self._trigger_values(obs_new, rate_new) - level
        crossing = (~self.fired[rows]) & crossed(g_old, g_new)
        if not np.any(crossing):
            return y1, t_new, obs_new
        t0, h = sel.t0, sel.h
        t_cross = np.full(crossing.shape, np.inf)
        for i in np.flatnonzero(crossing.any(axis=0)):
            hit = np.flatnonzero(crossing[:, i])
            theta = self._bisect_trigger(rows, local, sel, hit, i)
            t_cross[hit, i] = t0[hit] + theta * h[hit]
        event_at = np.where(crossing, t_cross + net.trigger_delay[rows], np.inf)
        cut = np.minimum(event_at.min(axis=1), t_new)
        # A crossing after an earlier event in the same step has not happened yet.
        self._schedule(rows, crossing & (t_cross <= cut[:, None]), t_cross)
        short = cut < t_new
        if np.any(short):
            theta = (cut[short] - t0[short]) / h[short]
            y1 = y1.copy()
            y1[short] = sel.take(short)(theta)
            t_new = np.where(short, cut, t_new)
            fresh = self._observe(y1[short], local[short])
            obs_new = {k: v.copy() for k, v in obs_new.items()}
            for key in obs_new:
                obs_new[key][short] = fresh[key]
        return y1, t_new, obs_new

    def _trigger_crossing(self, cases, accept, y_new, dense):
        """theta of the earliest trigger crossing in each attempted step; 1 where none."""
        net = self.net
        local = np.flatnonzero(accept)
        rows = cases[accept]
        sel = dense.take(accept)
        y1 = y_new[accept]
        obs = self._observe(y1, local)
        if np.any(net.trigger_rate):
            t1 = sel.t1
            f1 = self.packed.rhs(y1, self.is_open[rows], local, t=t1)
            rate = self._pressure_rate(y1, f1, local)
        else:
            rate = np.zeros_like(obs["p"])
        level = self.trigger_level[rows]
        g_old = self._trigger_values({"p": self.obs["p"][rows]}, self.rate[rows]) - level
        g_new = self._trigger_values(obs, rate) - level
        crossing = (~self.fired[rows]) & crossed(g_old, g_new)
        theta = np.ones(cases.size)
        first = np.ones(rows.size)
        for i in np.flatnonzero(crossing.any(axis=0)):
            hit = np.flatnonzero(crossing[:, i])
            first[hit] = np.minimum(first[hit], self._bisect_trigger(rows, local, sel, hit, i))
        theta[local] = first
        return theta

    def _bisect_trigger(self, rows, local, sel, hit, i):
        """theta in (0, 1] where trigger ``i`` first holds in the steps of rows ``hit``."""
        net = self.net
        part = sel.take(hit)
        where = local[hit]
        is_open = self.is_open[rows[hit]]
        module = net.trigger_module[i]
        sign = self.trigger_sign[i]

        def value(y, theta):
            if net.trigger_rate[i]:
                f = self.packed.rhs(y, is_open, where, t=part.time(theta))
                return sign * self._pressure_rate(y, f, where)[:, module]
            return sign * self.packed.observe(y, where)[0][:, module]

        level = self.trigger_level[rows[hit], i]
        return first_at_or_below(part, value, level, np.ones(hit.size))

    def _track_pressure_difference(self, rows):
        """Largest |p_a - p_b| each link has seen, at accepted step ends [Pa]."""
        net = self.net
        p = self.obs["p"][rows]
        inner = np.where(net.link_b >= 0, net.link_b, 0)
        p_b = np.where(net.link_b >= 0, p[:, inner], net.boundary_pressure[rows])
        self.max_dp[rows] = np.maximum(self.max_dp[rows], np.abs(p[:, net.link_a] - p_b))

    def _fill_output(self, rows, local, sel, t_new):
        """Report every output time the accepted steps passed, from the dense output."""
        t0, h = sel.t0, sel.h
        first = self.next_out[rows]
        last = np.searchsorted(self.t_out, t_new * (1 + 1e-12), side="right")
        count = np.maximum(last - first, 0)
        if not np.any(count):
            return
        # One (row, output time) pair per reported value, all interpolated at once; per-row
        # values are repeated (cheaper than gathering them).
        shift = first - (np.cumsum(count) - count)
        j = np.arange(count.sum()) + np.repeat(shift, count)
        theta = (self.t_out[j] - np.repeat(t0, count)) * np.repeat(1.0 / h, count)
        theta = np.clip(theta, 0.0, 1.0)
        # Outputs are (module, case, time): each module's reports are one flat scatter.
        flat = j + np.repeat(self.out_row[rows] * self.t_out.size, count)
        if self.lean_output:
            # The cubic in pressures per step, then spread over the output times.
            coef = sel.pressure_coefficients(self.packed.pressure_per_mole(local))
            obs = {"p": pressure_at(np.repeat(coef, count, axis=0), theta)}
        else:
            pair = np.repeat(np.arange(rows.size), count)
            obs = self._observe(sel.take(pair)(theta), local[pair])
        for key in self.out:
            for m, column in enumerate(self.out_column):
                self.out[key][m].reshape(-1)[flat] = obs[key][:, column]
        self.next_out[rows] = np.maximum(first, last)

    def _locate_thresholds(self, rows, local, sel, obs_new, theta_end):
        for j, (q, level) in enumerate(self.thresholds):
            lev = level[rows][:, None]
            g_old = self._watched(self.obs, q)[rows] - lev
            g_new = self._watched(obs_new, q) - lev
            crossing = crossed(g_old, g_new) & np.isnan(self.threshold_time[rows, j, :])
            hit_rows, hit_modules = np.nonzero(crossing)
            if hit_rows.size == 0:
                continue
            theta = self._bisect(
                rows, local, sel, hit_rows, hit_modules, q, level, theta_end[hit_rows]
            )
            self.threshold_time[rows[hit_rows], j, hit_modules] = sel.take(hit_rows).time(theta)

    def _bisect(self, rows, local, sel, hit_rows, hit_modules, q, level, theta_end):
        where = local[hit_rows]
        pick = np.arange(hit_rows.size)

        def value(y, theta):
            return self._watched(self._observe(y, where), q)[pick, hit_modules]

        return first_at_or_below(sel.take(hit_rows), value, level[rows[hit_rows]], theta_end)

    def _check_failures(self, cases, h):
        """Fail the cases that cannot advance: steps too small to move t, or too many."""
        t = self.t[cases]
        stuck = (t + self.h[cases] <= t) | (self.rejected_in_row[cases] > _MAX_REJECTIONS)
        too_many = self.n_steps[cases] + self.n_rejected[cases] >= self.max_steps
        reasons = (
            (
                stuck,
                "no step could meet the tolerance at t = {t:.6g} s (state not finite or "
                "step size {h:.3g} s too small)",
            ),
            (too_many, f"more than {self.max_steps} steps by t = {{t:.6g}} s"),
        )
        for flag, why in reasons:
            for c in cases[flag & self.active[cases]]:
                self.active[c] = False
                self.status[c] = -1
                self.message[c] = why.format(t=self.t[c], h=self.h[c])

    # -- result -----------------------------------------------------------------------------
    def solution(self) -> Solution:
        cases = np.arange(self.net.n_cases)
        failed = self.status != 0
        # Rates at the end, along the final derivative (complex step: exact, no differencing).
        self.packed = self.model
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            p_c, _, o2_c = self.model.observe(self.y + 1j * 1e-20 * self.f, cases)
        final_rate = {"p": p_c.imag / 1e-20, "o2": o2_c.imag / 1e-20}
        if self.external_output:
            self.out = {"p": np.empty((self.net.n_modules, self.net.n_cases, 0))}
        late = self.t_out[None, :] > self.t[:, None] * (1 + 1e-12)
        if np.any(late) and not self.external_output:
            for key in self.out:
                self.out[key][:, late] = np.nan
        if self.lean_output:
            p = self.out["p"]
            temperature = self.net.initial_temperature.T[:, :, None]
            self.out["T"] = np.where(np.isnan(p), np.nan, temperature)
            self.out["o2"] = p * self.model.o2_fraction_initial().T[:, :, None]
        out = {key: value.transpose(1, 0, 2) for key, value in self.out.items()}
        return Solution(
            time=self.t_out.copy(),
            pressure=out["p"],
            temperature=out["T"],
            partial_pressure_O2=out["o2"],
            final_pressure=self.obs["p"],
            final_temperature=self.obs["T"],
            final_moles=self.model.species_moles(self.y, cases),
            species=self.net.species,
            end_time=self.t.copy(),
            threshold_time=self.threshold_time,
            status=np.where(failed, -1, 0).astype(np.int8),
            message=list(self.message),
            n_steps=self.n_steps,
            n_rejected=self.n_rejected,
            event_time=self.events.happened(),
            max_pressure_difference=self.max_dp,
            event_link=self.net.event_link.copy(),
            event_open=self.net.event_open.copy(),
            source_on_time=self.source_on_time,
            source_amount=self.source_amount,
            final_pressure_rate=final_rate["p"],
            link_ends=np.stack([self.net.link_a, self.net.link_b], axis=1),
            final_partial_pressure_O2_rate=final_rate["o2"],
            merged_time=np.zeros((self.net.n_cases, self.net.n_modules)),
        )
