"""The RODAS4 tableau and the Rosenbrock step (leaksim.core.solver.tableau, .rosenbrock, .dense).

The tableau is stored in the transformed form of Hairer and Wanner (Solving ODEs II, Sec. IV.7);
undoing the transformation gives the method's ``alpha``, ``Gamma`` and weights ``b``, which must
satisfy the order conditions of their Table 7.1 (order 4, order 3 for the embedded solution),
stiff accuracy and L-stability. The step itself must converge at order 4 on linear problems,
with and without an explicit time dependence, and its dense output at order 3.
"""

from __future__ import annotations

import numpy as np
import pytest

from leaksim.core.solver.rosenbrock import rosenbrock_step
from leaksim.core.solver.tableau import RODAS4


def untransformed(tableau=RODAS4):
    """``alpha``, ``Gamma``, ``b`` and the embedded ``b_hat`` of a stiffly accurate tableau."""
    s = tableau.n_stages
    a = np.zeros((s, s))
    c = np.zeros((s, s))
    for i, row in enumerate(tableau.a, start=1):
        a[i, : len(row)] = row
    # The last stage is at Y_{s-1} + u_{s-1}; the solution is Y_s + u_s, the embedded one Y_s.
    a[s - 1, : s - 2] = a[s - 2, : s - 2]
    a[s - 1, s - 2] = 1.0
    for i, row in enumerate(tableau.c, start=1):
        c[i, : len(row)] = row
    gamma = np.linalg.inv(np.eye(s) / tableau.gamma - c)
    m = np.append(a[s - 1, : s - 1], 1.0)
    m_hat = np.append(a[s - 1, : s - 1], 0.0)
    return a @ gamma, gamma, m @ gamma, m_hat @ gamma


def order_conditions(alpha, gamma_matrix, b, g):
    """Residuals of the order conditions of Table 7.1 of Hairer and Wanner, up to order 4."""
    beta = alpha + gamma_matrix - np.diag(np.diag(gamma_matrix))
    a_i = alpha.sum(axis=1)
    b_i = beta.sum(axis=1)
    return np.array(
        [
            b.sum() - 1.0,
            b @ b_i - (0.5 - g),
            b @ a_i**2 - 1.0 / 3.0,
            b @ beta @ b_i - (1.0 / 6.0 - g + g**2),
            b @ a_i**3 - 0.25,
            (b * a_i) @ alpha @ b_i - (1.0 / 8.0 - g / 3.0),
            b @ beta @ a_i**2 - (1.0 / 12.0 - g / 3.0),
            b @ beta @ beta @ b_i - (1.0 / 24.0 - g / 2.0 + 1.5 * g**2 - g**3),
        ]
    )


def test_stage_times_and_d_are_the_row_sums_of_alpha_and_gamma():
    alpha, gamma, _, _ = untransformed()
    np.testing.assert_allclose(alpha.sum(axis=1), RODAS4.stage_time, atol=1e-14)
    np.testing.assert_allclose(gamma.sum(axis=1), RODAS4.d, atol=1e-14)
    np.testing.assert_allclose(np.diag(gamma), RODAS4.gamma, rtol=1e-14)


def test_order_conditions_hold_to_round_off():
    alpha, gamma, b, b_hat = untransformed()
    assert np.max(np.abs(order_conditions(alpha, gamma, b, RODAS4.gamma))) < 1e-13
    embedded = order_conditions(alpha, gamma, b_hat, RODAS4.gamma)
    assert np.max(np.abs(embedded[:4])) < 1e-13
    # The embedded solution is one order lower: some fourth-order condition fails.
    assert np.max(np.abs(embedded[4:])) > 1e-3
    assert RODAS4.order == 4 and RODAS4.embedded_order == 3


def test_stiffly_accurate_and_l_stable():
    alpha, gamma, b, b_hat = untransformed()
    beta = alpha + gamma
    # The solution is the last stage's point, the embedded one the stage before.
    np.testing.assert_allclose(beta[-1], b, atol=1e-14)
    np.testing.assert_allclose(beta[-2], b_hat, atol=1e-14)
    # R(z) = 1 + z b (I - z beta)^-1 1 tends to 1 - b beta^-1 1 as z -> infinity.
    ones = np.ones(RODAS4.n_stages)
    assert abs(1.0 - b @ np.linalg.solve(beta, ones)) < 1e-13


def integrate_linear(lam, n_steps, forcing=False, t_end=1.0):
    """Integrate y' = lam y (or y' = lam (y - sin t) + cos t) from y(0) = 1 with fixed steps."""
    h = np.array([t_end / n_steps])
    t = np.zeros(1)
    y = np.ones((1, 1))
    jac = np.full((1, 1, 1), lam)

    def rhs(y, t):
        if not forcing:
            return lam * y
        return lam * (y - np.sin(t)[:, None]) + np.cos(t)[:, None]

    for _ in range(n_steps):
        f_t = (-lam * np.cos(t) - np.sin(t))[:, None] if forcing else None
        y, _, _ = rosenbrock_step(RODAS4, rhs, jac, y, rhs(y, t), t, h, f_t)
        t = t + h
    exact = np.exp(lam * t_end) + (np.sin(t_end) if forcing else 0.0)
    return abs(y[0, 0] - exact)


@pytest.mark.parametrize("forcing", [False, True])
def test_step_converges_at_order_four(forcing):
    errors = [integrate_linear(-1.0, n, forcing) for n in (8, 16, 32)]
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all((orders > 3.7) & (orders < 4.5)), orders


def test_step_is_exact_in_the_stiff_limit():
    """L-stable and stiffly accurate: one step of y' = -1e12 y damps y(0) = 1 to O(1e-12)."""
    assert integrate_linear(-1e12, 1) < 1e-10


def test_dense_output_matches_the_ends_and_has_order_three():
    lam = -1.0
    theta = np.linspace(0.0, 1.0, 21)
    jac = np.full((1, 1, theta.size), lam)
    errors = []
    for h in (0.2, 0.1, 0.05):
        # One row per theta: the same step, interpolated at each.
        y0 = np.ones((theta.size, 1))
        t0, step = np.zeros(theta.size), np.full(theta.size, h)
        y1, error, dense = rosenbrock_step(
            RODAS4, lambda y, t: lam * y, jac, y0, lam * y0, t0, step
        )
        np.testing.assert_allclose(dense(np.zeros(theta.size)), y0, rtol=1e-15)
        np.testing.assert_allclose(dense(np.ones(theta.size)), y1, rtol=1e-15)
        np.testing.assert_allclose(dense.time(theta), theta * h, rtol=1e-15)
        # The estimate is the difference from the embedded order-3 solution: O(h^4).
        assert np.all(np.abs(error) < h**4)
        errors.append(np.max(np.abs(dense(theta)[:, 0] - np.exp(lam * h * theta))))
    # Local error of an order-3 interpolant: O(h^4).
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(orders > 3.7), orders
