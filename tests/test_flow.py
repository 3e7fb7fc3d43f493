import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaksim.core.flow import (
    choked_flow_function,
    critical_pressure_ratio,
    flow_function,
    flow_function_constants,
    orifice_mass_flow,
    regularisation_factor,
    regularised_flow_function,
    regularised_orifice_mass_flow,
)

R_AIR, GAMMA = 287.05, 1.4
pressures = st.floats(0.0, 2e5)
temperatures = st.floats(150.0, 400.0)


def test_choked_constants_for_air():
    # Textbook values for gamma = 1.4 (Saad, Table A.1; docs/physics.md).
    assert critical_pressure_ratio(GAMMA) == pytest.approx(0.5283, abs=1e-4)
    assert choked_flow_function(GAMMA) == pytest.approx(0.6847, abs=1e-4)


def test_choked_flux_at_one_atmosphere():
    # docs/physics.md: 238 kg/s per m^2 of Cd A from 1 atm, 295 K air to vacuum.
    flux = orifice_mass_flow(101325.0, 295.0, 0.0, 1.0, 1.0, R_AIR, GAMMA)
    assert flux == pytest.approx(238.0, rel=3e-3)


def test_flow_function_is_flat_when_choked_and_zero_at_equal_pressure():
    r = np.array([0.0, 0.2, 0.5])
    np.testing.assert_allclose(flow_function(r, GAMMA), choked_flow_function(GAMMA))
    assert flow_function(1.0, GAMMA) == 0.0


def test_flow_function_continuous_at_critical_ratio():
    rc = critical_pressure_ratio(GAMMA)
    below, above = flow_function(rc * (1 - 1e-9), GAMMA), flow_function(rc * (1 + 1e-9), GAMMA)
    assert above == pytest.approx(below, rel=1e-8)


def test_subsonic_flow_matches_incompressible_limit():
    # For dp << p the law tends to Cd A sqrt(2 rho dp) (Bernoulli).
    p, t, dp = 1e5, 295.0, 10.0
    rho = p / (R_AIR * t)
    mdot = orifice_mass_flow(p, t, p - dp, 1.0, 1.0, R_AIR, GAMMA)
    assert mdot == pytest.approx(np.sqrt(2 * rho * dp), rel=1e-4)


def test_flow_function_accurate_near_equal_pressure():
    # Psi^2 ~ 2 (1 - r) as r -> 1; no cancellation in 1 - r**((g-1)/g).
    eps = 1e-12
    assert flow_function(1 - eps, GAMMA) ** 2 == pytest.approx(2 * eps, rel=1e-6)


@given(pressures, pressures, temperatures, temperatures)
def test_two_way_flow_is_antisymmetric(pa, pb, ta, tb):
    forward = regularised_orifice_mass_flow(pa, ta, pb, tb, 0.3, 0.7, R_AIR, GAMMA)
    backward = regularised_orifice_mass_flow(pb, tb, pa, ta, 0.3, 0.7, R_AIR, GAMMA)
    assert np.isfinite(forward)
    assert forward == -backward


@given(st.floats(1e3, 2e5), temperatures)
def test_two_way_flow_is_continuous_through_zero(p, t):
    steps = np.array([-1e-3, -1e-6, 0.0, 1e-6, 1e-3])
    mdot = regularised_orifice_mass_flow(p + steps, t, p, t, 1.0, 0.8, R_AIR, GAMMA)
    assert mdot[2] == 0.0
    # Linear with a finite slope inside the regularised band: no sqrt cusp.
    slope = mdot[3:] / steps[3:]
    assert np.all(np.isfinite(slope))
    assert slope[0] == pytest.approx(slope[1], rel=1e-3)
    assert np.all(np.sign(mdot) == np.sign(steps))


def test_regularisation_departs_by_delta_squared_over_four_dp_squared():
    p, dp, delta = 1e5, 500.0, 1.0
    exact = orifice_mass_flow(p, 295.0, p - dp, 1.0, 1.0, R_AIR, GAMMA)
    smooth = regularised_orifice_mass_flow(
        p, 295.0, p - dp, 295.0, 1.0, 1.0, R_AIR, GAMMA, regularisation_pressure=delta
    )
    assert 1 - smooth / exact == pytest.approx(delta**2 / (4 * dp**2), rel=1e-3)


def test_zero_regularisation_gives_source_law():
    args = (8e4, 295.0, 3e4, 280.0, 1e-3, 0.6, R_AIR, GAMMA)
    smooth = regularised_orifice_mass_flow(*args, regularisation_pressure=0.0)
    assert smooth == pytest.approx(
        orifice_mass_flow(8e4, 295.0, 3e4, 1e-3, 0.6, R_AIR, GAMMA), rel=1e-14
    )


def test_regularisation_factor_edges():
    np.testing.assert_array_equal(regularisation_factor([0.0, 5.0], 0.0), [1.0, 1.0])
    assert regularisation_factor(0.0, 1.0) == 0.0
    assert regularisation_factor(1e6, 1.0) == pytest.approx(1.0)


def test_vectorised_over_broadcast_shapes_and_empty_upstream():
    p_a = np.linspace(0.0, 1e5, 5)[:, None]
    p_b = np.array([0.0, 5e4, 1e5])
    mdot = regularised_orifice_mass_flow(p_a, 295.0, p_b, 295.0, 0.1, 0.8, R_AIR, GAMMA)
    assert mdot.shape == (5, 3)
    assert np.all(np.isfinite(mdot))
    assert mdot[0, 0] == 0.0  # both sides empty


def test_orifice_flow_of_empty_upstream_is_zero_not_nan():
    assert orifice_mass_flow(0.0, 295.0, 0.0, 1.0, 1.0, R_AIR, GAMMA) == 0.0


@given(st.floats(1e3, 2e5), st.floats(0.0, 1.0), st.floats(0.01, 100.0))
def test_regularised_flow_function_equals_the_product_it_replaces(p_u, fraction, delta):
    constants = flow_function_constants(GAMMA)
    p_d = p_u * fraction
    smooth = regularised_flow_function(p_u, p_d, delta, constants)
    product = flow_function(p_d / p_u, GAMMA) * regularisation_factor(p_u - p_d, delta)
    # The product loses digits to p_d / p_u rounding when dp << p_u; the smooth form does not.
    assert smooth == pytest.approx(product, rel=1e-9, abs=1e-12)


@given(st.floats(1e3, 2e5), st.floats(-1e-3, 1e-3), st.floats(0.1, 10.0))
def test_complex_step_through_equal_pressures_gives_the_linear_slope(p, dp, delta):
    # Near dp = 0 the law is linear, slope sqrt(2 / (p delta)) (module notes): complex-step
    # differentiation must see it, including at dp = 0 exactly.
    constants = flow_function_constants(GAMMA)
    h = 1e-20
    p_d = p - abs(dp)
    slope = regularised_flow_function(p, p_d - 1j * h, delta, constants).imag / h
    assert slope == pytest.approx(np.sqrt(2 / (p * delta)), rel=1e-3)
