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
  Hairer and Wanner [1]_, with its order-3 dense output: :mod:`~leaksim.core.solver.tableau`
  (the coefficients), :mod:`~leaksim.core.solver.rosenbrock` (one step for a batch of cases)
  and :mod:`~leaksim.core.solver.dense` (the interpolant).
* **Step-size control**, per case: :mod:`~leaksim.core.solver.controller`.
* **Jacobian**: analytic for the common station, else exact by complex step:
  :mod:`~leaksim.core.solver.jacobian`.
* **Events**, scheduled or triggered, end steps exactly; threshold and trigger crossings are
  located by one bisection on the dense output: :mod:`~leaksim.core.solver.events`,
  :mod:`~leaksim.core.solver.triggers`, :mod:`~leaksim.core.solver.thresholds`.
* **Output** at the requested times, from the dense output: :mod:`~leaksim.core.solver.output`.
* **The loop** over all unfinished cases, each with its own time, step, tolerances and failure
  status: :mod:`~leaksim.core.solver.integrator`.
* **Zones** are a layer above (:mod:`leaksim.core.zones`): it cuts runs at hatch events and
  calls :func:`solve_from` on reduced networks, from the state and time the previous interval
  reached, writing the pressures into its own arrays.

References
----------
.. [1] E. Hairer and G. Wanner, Solving Ordinary Differential Equations II, 2nd ed., Springer,
       1996, Sec. IV.7 (RODAS). https://doi.org/10.1007/978-3-642-05221-7
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike

from ..model import GeneralModel, build_model
from ..network import Network
from ._arguments import PressureOut, Start, per_case
from ._solution import Operations, PartialPressures, Solution, check_failure
from .compiled import compiled_applies, run_compiled
from .integrator import Integrator
from .thresholds import RISING_QUANTITIES, THRESHOLD_QUANTITIES, direction

__all__ = [
    "RISING_QUANTITIES",
    "THRESHOLD_QUANTITIES",
    "Operations",
    "PartialPressures",
    "PressureOut",
    "Solution",
    "Start",
    "check_failure",
    "direction",
    "per_case",
    "solve",
    "solve_from",
]


def solve(
    network: Network,
    duration: ArrayLike,
    output_time: ArrayLike,
    thresholds: Iterable[tuple[str, ArrayLike]] = (),
    rtol: ArrayLike = 1e-6,
    atol: ArrayLike = 1e-9,
    max_steps: int = 100_000,
    on_failure: str = "mark",
    reduce_composition: bool = True,
    model: GeneralModel | None = None,
    compiled: bool = True,
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
        ``(quantity, level)`` pairs: ``quantity`` in
        :data:`~leaksim.core.solver.thresholds.THRESHOLD_QUANTITIES`, ``level`` of shape (C,) or
        scalar [Pa]. The solver reports when each module first falls to each level.
    rtol : array_like, shape (C,) or scalar, optional
        Relative tolerance of each case [-]. Default 1e-6.
    atol : array_like, shape (C,) or scalar, optional
        Absolute tolerance of each case as a fraction of its largest initial module content
        [-]. Default 1e-9 (about 1e-4 Pa in a module at one atmosphere).
    max_steps : int, optional
        Accepted plus rejected steps after which a case fails.
    on_failure : {"mark", "raise"}, optional
        ``"mark"`` (default) keeps the other cases and reports the failure in
        ``Solution.status`` and ``Solution.message``; ``"raise"`` raises
        :class:`~leaksim.errors.SolverError` naming the first failed case.
    reduce_composition : bool, optional
        Let :class:`~leaksim.core.model.GeneralModel` collapse uniform compositions (default).
    model : leaksim.core.model.GeneralModel, optional
        The right-hand side of ``network`` if the caller has built it already
        (:func:`leaksim.core.model.build_model` with the same ``reduce_composition``).
    compiled : bool, optional
        Integrate with the compiled kernel (:mod:`~leaksim.core.solver.kernel`) where it
        applies (:func:`~leaksim.core.solver.compiled.compiled_applies`), the default; False
        takes the batched array loop (:mod:`~leaksim.core.solver.integrator`) for every
        station. Both integrate the same equations with the same method and step control.

    Returns
    -------
    Solution
    """
    model = build_model(network, reduce_composition) if model is None else model
    if compiled and compiled_applies(network, model):
        solution, _ = run_compiled(
            network, model, duration, output_time, thresholds, rtol, atol, max_steps
        )
    else:
        integrator = Integrator(
            network,
            duration,
            output_time,
            thresholds,
            rtol,
            atol,
            max_steps,
            reduce_composition,
            model=model,
        )
        integrator.integrate()
        solution = integrator.solution()
    check_failure(solution, on_failure)
    return solution


def solve_from(
    network: Network,
    duration: ArrayLike,
    output_time: ArrayLike,
    start: Start,
    thresholds: Iterable[tuple[str, ArrayLike]] = (),
    rtol: ArrayLike = 1e-6,
    atol: ArrayLike = 1e-9,
    max_steps: int = 100_000,
    reduce_composition: bool = True,
    pressure_out: PressureOut | None = None,
    compiled: bool = True,
    model: GeneralModel | None = None,
) -> tuple[Solution, np.ndarray]:
    """Integrate every case of ``network`` from a given state to its end time.

    Parameters
    ----------
    network : leaksim.core.network.Network
        The compiled station, ``C`` cases.
    duration : array_like, shape (C,) or scalar
        Time at which each case ends [s], > 0 and after its start.
    output_time : array_like, shape (T,)
        As for :func:`solve`; only the times after each case's start are reported (from t = 0
        for a start without a time).
    start : Start
        State, time and step counts of each case at its start.
    thresholds, rtol, atol, max_steps, reduce_composition
        As for :func:`solve`; ``max_steps`` counts the steps of ``start`` too, and failures
        are marked, never raised (:func:`check_failure` raises them).
    pressure_out : PressureOut, optional
        Write the pressures at the output times there; the returned ``Solution.pressure``,
        ``temperature`` and ``partial_pressure_O2`` then have no output times.
    compiled : bool, optional
        As for :func:`solve`.
    model : leaksim.core.model.GeneralModel, optional
        As for :func:`solve`.

    Returns
    -------
    solution : Solution
        The run from the start; ``n_steps`` and ``n_rejected`` include those of ``start``.
    state : ndarray, shape (C, F)
        State of each case at its end, in the layout of ``start.state``.
    """
    model = build_model(network, reduce_composition) if model is None else model
    if compiled and compiled_applies(network, model):
        return run_compiled(
            network,
            model,
            duration,
            output_time,
            thresholds,
            rtol,
            atol,
            max_steps,
            start,
            pressure_out,
        )
    integrator = Integrator(
        network,
        duration,
        output_time,
        thresholds,
        rtol,
        atol,
        max_steps,
        reduce_composition,
        start=start,
        pressure_out=pressure_out,
        model=model,
    )
    integrator.integrate()
    return integrator.solution(), integrator.y
