"""What a correct result is, shared by the fuzzers of scenario files and of the Python API."""

from __future__ import annotations

import numpy as np

from leaksim.core.gas import MOLAR_GAS_CONSTANT


def check_result(result, volume, closed: bool) -> None:
    """The properties of a correct result (module docstring)."""
    assert np.all(result.ok), result.status
    pressure = result.pressure.m_as("Pa")
    temperature = result.temperature.m_as("K")
    assert not np.any(np.isnan(pressure)), "NaN pressure in a case that finished"
    assert np.all(np.isfinite(pressure)) and np.all(pressure >= 0)
    assert np.all(np.isfinite(temperature)) and np.all(temperature > 0)
    assert np.all(np.isfinite(result.final_pressure.m_as("Pa")))
    # Amount of gas in each module at each output time, p V / (R T), shape (case, module, time).
    amount = pressure * volume[:, :, None] / (MOLAR_GAS_CONSTANT * temperature)
    moles = np.sum(amount, axis=1)
    if closed:
        # Amounts are the integrator's state: a closed station keeps its total to round-off.
        np.testing.assert_allclose(moles, np.broadcast_to(moles[:, :1], moles.shape), rtol=1e-9)
    else:
        # Monotone without supply, to within the solver's absolute tolerance: 1e-9 of the
        # largest initial module content per module (leaksim.core.solver.solve, atol), with a
        # factor 10 for the global error. A nearly empty module refilled through a tiny hatch
        # sits at that level, where its p V / (R T) is noise.
        atol = 1e-9 * np.max(amount[:, :, 0], axis=1, keepdims=True)
        assert np.all(np.diff(moles, axis=1) <= 10 * atol * volume.shape[1])
