"""leaksim.core.solver.solve_from: cases resumed from a state, pressures written elsewhere."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import one_module, two_modules

from leaksim.core.model import build_model
from leaksim.core.solver import PressureOut, Start, solve, solve_from

T_OUT = np.linspace(0.0, 3600.0, 13)


def net():
    return two_modules(hole_area=[1e-4, 3e-4], hatch_area=0.01)


def test_from_the_initial_state_it_is_solve():
    network = net()
    state = build_model(network).initial_state()
    solution, _ = solve_from(network, 3600.0, T_OUT, Start(state))
    reference = solve(network, 3600.0, T_OUT)
    np.testing.assert_array_equal(solution.pressure, reference.pressure)
    np.testing.assert_array_equal(solution.n_steps, reference.n_steps)


def test_two_halves_agree_with_one_run_and_count_every_step():
    network = net()
    whole = solve(network, 3600.0, T_OUT, rtol=1e-8)
    model = build_model(network)
    first, middle = solve_from(network, 1800.0, T_OUT, Start(model.initial_state()), rtol=1e-8)
    start = Start(
        middle,
        time=np.full(2, 1800.0),
        n_steps=first.n_steps,
        n_rejected=first.n_rejected,
    )
    second, end = solve_from(network, 3600.0, T_OUT, start, rtol=1e-8)
    later = T_OUT > 1800.0
    # Outputs at or before the start are left to whoever integrated them.
    assert np.all(np.isnan(second.pressure[:, :, ~later]))
    np.testing.assert_allclose(second.pressure[:, :, later], whole.pressure[:, :, later], rtol=1e-6)
    np.testing.assert_allclose(second.final_pressure, whole.final_pressure, rtol=1e-6)
    np.testing.assert_array_equal(second.end_time, [3600.0, 3600.0])
    assert np.all(second.n_steps > first.n_steps)
    assert end.shape == middle.shape


def test_steps_before_the_start_count_towards_max_steps():
    network = net()
    state = build_model(network).initial_state()
    start = Start(state, n_steps=np.array([0, 99]), n_rejected=np.array([0, 0]))
    solution, _ = solve_from(network, 3600.0, T_OUT, start, max_steps=100)
    np.testing.assert_array_equal(solution.status, [0, -1])
    assert "more than 100 steps" in solution.message[1]


def test_pressures_go_where_pressure_out_says():
    network = net()
    state = build_model(network).initial_state()
    reference = solve(network, 3600.0, T_OUT)
    # Three cases of two modules; case 1 of the array is not solved; module order swapped.
    array = np.full((2, 3, T_OUT.size), -1.0)
    out = PressureOut(array, rows=np.array([2, 0]), columns=np.array([1, 0]))
    solution, _ = solve_from(network, 3600.0, T_OUT, Start(state), pressure_out=out)
    assert solution.pressure.shape == (2, 2, 0)
    np.testing.assert_array_equal(array[0, [2, 0]], reference.pressure[:, 1])
    np.testing.assert_array_equal(array[1, [2, 0]], reference.pressure[:, 0])
    assert np.all(array[:, 1] == -1.0)


def test_a_start_of_the_wrong_shape_or_model_is_refused():
    network = net()
    with pytest.raises(ValueError, match="start state must have shape"):
        solve_from(network, 10.0, T_OUT, Start(np.ones((2, 5))))
    adiabatic = one_module(energy="adiabatic")
    state = build_model(adiabatic).initial_state()
    out = PressureOut(np.zeros((1, 1, T_OUT.size)), np.array([0]), np.array([0]))
    with pytest.raises(ValueError, match="pressure_out needs"):
        solve_from(adiabatic, 10.0, T_OUT, Start(state), pressure_out=out)
