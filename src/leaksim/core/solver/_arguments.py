"""Arguments of the solver's entry points: per-case values, where cases start and where
pressures go."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["PressureOut", "Start", "check_duration", "check_output_time", "per_case"]


def per_case(value: ArrayLike, n_cases: int, name: str) -> np.ndarray:
    """``value`` as a fresh float array of one value per case.

    Parameters
    ----------
    value : array_like, shape (n_cases,) or scalar
        The values, in any units.
    n_cases : int
        Number of cases.
    name : str
        What ``value`` is, for the error message.

    Returns
    -------
    ndarray, shape (n_cases,)

    Raises
    ------
    ValueError
        If ``value`` is neither a scalar nor ``n_cases`` values; the message names ``name``.
    """
    array = np.asarray(value, dtype=float)
    try:
        return np.broadcast_to(array, (n_cases,)).copy()
    except ValueError:
        raise ValueError(
            f"{name} must be a scalar or have {n_cases} values, got shape {array.shape}"
        ) from None


def check_duration(duration: ArrayLike, n_cases: int) -> np.ndarray:
    """Duration of each case [s], (n_cases,); each must be > 0."""
    array = per_case(duration, n_cases, "duration")
    if np.any(~(array > 0)):
        raise ValueError(f"duration must be > 0 s, got {array.min()}")
    return array


def check_output_time(output_time: ArrayLike) -> np.ndarray:
    """Output times [s], (T,); increasing and >= 0."""
    t_out = np.asarray(output_time, dtype=float).reshape(-1)
    if t_out.size and (np.any(np.diff(t_out) <= 0) or t_out[0] < 0):
        raise ValueError("output_time must be increasing and >= 0")
    return t_out


@dataclass(frozen=True)
class Start:
    """Where the cases of :func:`~leaksim.core.solver.solve_from` start.

    Attributes
    ----------
    state : ndarray, shape (C, F)
        State of each case at its start, in the layout of
        :class:`~leaksim.core.model.GeneralModel` [mol], [J].
    state_scale : ndarray, shape (C, F), optional
        Magnitude of each component that the absolute tolerance is a fraction of; by default
        :meth:`~leaksim.core.model.GeneralModel.state_scale` of the network solved.
    time : ndarray, shape (C,), optional
        Time each case starts at [s]. Outputs and threshold crossings at or before it are left
        to whoever integrated up to it. None starts at t = 0 and reports the state there, as
        :func:`~leaksim.core.solver.solve` does.
    n_steps, n_rejected : ndarray of int, shape (C,), optional
        Accepted and rejected steps taken before the start; they count towards ``max_steps``
        and into :attr:`~leaksim.core.solver.Solution.n_steps` and ``n_rejected``.
    """

    state: np.ndarray
    state_scale: np.ndarray | None = None
    time: np.ndarray | None = None
    n_steps: np.ndarray | None = None
    n_rejected: np.ndarray | None = None


class PressureOut(NamedTuple):
    """Where :func:`~leaksim.core.solver.solve_from` writes the pressures at the output times.

    ``array[m, rows[c], j] = p[c, columns[m], j]``: the pressure of module ``columns[m]`` of
    case ``c`` of the network solved at output time ``j`` goes to module ``m`` and case
    ``rows[c]`` of ``array``, for every module ``m`` of ``array``. Only for a network whose
    model is :attr:`~leaksim.core.model.LeanModel`.
    """

    #: Pressures [Pa], shape (M', C', T): module, case, output time.
    array: np.ndarray
    #: Case of ``array`` of each case solved, shape (C,).
    rows: np.ndarray
    #: Module solved that each module of ``array`` takes its pressure from, shape (M',).
    columns: np.ndarray
