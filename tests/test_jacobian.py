"""The analytic Jacobian and the lean right-hand side against complex-step differentiation of
the general right-hand side, which is exact to round-off (Squire and Trapp, SIAM Rev. 40, 1998)."""

import numpy as np
import pytest
from helpers import ATM, SPECIES, T0, X_AIR, two_modules
from hypothesis import given
from hypothesis import strategies as st

from leaksim.core.flow import (
    flow_function_constants,
    regularised_flow_function,
    regularised_flux_and_slopes,
)
from leaksim.core.gas import MOLAR_GAS_CONSTANT
from leaksim.core.model import build_model
from leaksim.core.network import Links, Modules, Network

STEP = 1e-30


def chain(volumes, hatch_areas, hole_areas, back_pressure, open_hatches, delta=1.0):
    """Modules in a chain joined by hatches, a hole to vacuum in each module and a valve from
    the last module to ``back_pressure``."""
    m = len(volumes)
    hatches = list(range(m - 1))
    return Network(
        species=SPECIES,
        modules=Modules(
            volume=[volumes],
            initial_pressure=ATM,
            initial_temperature=T0,
            initial_mole_fraction=X_AIR,
        ),
        links=Links(
            a=hatches + list(range(m)) + [m - 1],
            b=[k + 1 for k in hatches] + [-1] * m + [-1],
            boundary_pressure=[[0.0] * (2 * m - 1) + [back_pressure]],
            area=[list(hatch_areas) + list(hole_areas) + [1e-3]],
            discharge_coefficient=0.7,
            initially_open=[list(open_hatches) + [True] * (m + 1)],
        ),
        regularisation_pressure=delta,
    )


def complex_step_jacobian(model, y, is_open):
    """d rhs / d y column by column through the general (complex) right-hand side, (F, F, n)."""
    n, size = y.shape
    jac = np.zeros((size, size, n))
    for j in range(size):
        step = STEP * np.maximum(np.abs(y[:, j]), 1.0)
        y_c = y.astype(complex)
        y_c[:, j] += 1j * step
        jac[:, j, :] = (model.rhs(y_c, is_open).imag / step[:, None]).T
    return jac


states = st.lists(
    st.one_of(
        st.floats(1e-9, 1.0),
        st.floats(0.999999, 1.000001),
        # Nearly empty, either side of zero (subnormal amounts are left out: the general
        # law overflows on them in complex arithmetic).
        st.just(0.0),
        st.floats(1e-12, 1e-7),
        st.floats(-1e-7, -1e-12),
    ),
    min_size=3,
    max_size=3,
)


@given(
    fractions=states,
    volumes=st.lists(st.floats(1.0, 200.0), min_size=3, max_size=3),
    hatch=st.lists(st.floats(1e-4, 2.0), min_size=2, max_size=2),
    holes=st.lists(st.one_of(st.just(0.0), st.floats(1e-8, 1e-2)), min_size=3, max_size=3),
    back=st.one_of(st.just(0.0), st.floats(1.0, 2 * ATM)),
    open_hatches=st.lists(st.booleans(), min_size=2, max_size=2),
    delta=st.floats(0.01, 100.0),
)
def test_analytic_jacobian_matches_complex_step(
    fractions, volumes, hatch, holes, back, open_hatches, delta
):
    net = chain(volumes, hatch, holes, back, open_hatches, delta)
    model = build_model(net)
    assert model.analytic
    n_full = ATM * np.array(volumes) / (MOLAR_GAS_CONSTANT * T0)
    y = (np.array(fractions) * n_full)[None, :]
    is_open = net.initially_on
    jac = model.jacobian(y, is_open)
    reference = complex_step_jacobian(model, y, is_open)
    # Relative to each row's scale, its largest entry or |f_i| / max|y| (the slope of a flow
    # that is linear in the state): the slope of a choked flow's regularisation is 1e-9 of
    # that, and the complex step through regularisation_factor, which forms 1 - dp^2 / (dp^2
    # + delta^2) by cancellation, gets it only to about 1e-7 (checked against mpmath).
    f = model.rhs(y, is_open)[0]
    scale = np.max(np.abs(reference), axis=1) + np.abs(f)[:, None] / np.max(n_full)
    np.testing.assert_array_less(np.abs(jac - reference) / (scale + 1e-300), 1e-8)


@given(fractions=states, back=st.one_of(st.just(0.0), st.floats(1.0, 2 * ATM)))
def test_lean_rhs_matches_general_rhs(fractions, back):
    volumes = [60.0, 40.0, 5.0]
    net = chain(volumes, [0.5, 0.05], [1e-4, 0.0, 3e-5], back, [True, True])
    model = build_model(net)
    n_full = ATM * np.array(volumes) / (MOLAR_GAS_CONSTANT * T0)
    y = (np.array(fractions) * n_full)[None, :]
    lean = model.rhs(y, net.initially_on)
    general = model.rhs(y.astype(complex), net.initially_on).real
    # Both compute p = N Ru T / V, rounded in a different order: at equal pressures an open
    # hatch turns a one-ulp difference (1e-11 Pa) into a flow of about 1e-10 mol/s.
    np.testing.assert_allclose(lean, general, rtol=1e-12, atol=1e-9)


@given(
    p_u=st.floats(1e-3, 1e6),
    fraction=st.one_of(st.floats(0.0, 1.0), st.floats(1e-14, 1e-5)),
    delta=st.floats(1e-2, 1e2),
    gamma=st.floats(1.1, 1.67),
)
def test_flux_slopes_match_complex_step(p_u, fraction, delta, gamma):
    constants = flow_function_constants(np.array(gamma))
    p_d = p_u * (1.0 - fraction)
    phi, d_u, d_d = regularised_flux_and_slopes(
        np.array(p_u), np.array(p_d), np.array(delta), constants
    )

    def law(a, b):
        return a * regularised_flow_function(a, b, delta, constants)

    h = STEP * p_u
    ref_u = law(p_u + 1j * h, complex(p_d)).imag / h
    ref_d = law(complex(p_u), p_d + 1j * h).imag / h
    assert phi == pytest.approx(law(p_u, p_d), rel=1e-12, abs=1e-300)
    size = abs(ref_u) + abs(ref_d)
    assert abs(d_u - ref_u) <= 1e-8 * size
    assert abs(d_d - ref_d) <= 1e-8 * size


def test_vacuum_leak_slope_is_the_choked_conductance():
    """A hole to vacuum: d(dN/dt)/dN = -Cd A psi* sqrt(1 / (M Ru T)) Ru T / V, exactly."""
    net = two_modules(hatch_open=False, hole_area=2e-4)
    model = build_model(net)
    y = model.initial_state()
    jac = model.jacobian(y, net.initially_on)
    flow = -model.rhs(y, net.initially_on)[0, 0]
    # The choked flow is linear in N: its slope is flow / N.
    assert jac[0, 0, 0] == pytest.approx(-flow / y[0, 0], rel=1e-14)
    assert jac[1, 1, 0] == 0.0 and jac[0, 1, 0] == 0.0


@pytest.mark.parametrize(
    "change",
    [
        {"energy": "adiabatic"},
        {"temperatures": [T0, T0 + 5.0]},
        {"regularisation_pressure": 0.0},
    ],
)
def test_other_models_keep_the_complex_step_jacobian(change):
    assert not build_model(two_modules(**change)).analytic
