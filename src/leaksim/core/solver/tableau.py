"""Coefficients of the Rosenbrock method: RODAS4 in Hairer and Wanner's transformed form.

A Rosenbrock method of ``s`` stages advances ``y' = f(t, y)`` from ``y0`` at ``t0`` by a step
``h`` with one Jacobian ``J`` and one factorisation of ``W = I / (gamma h) - J``. In the
transformed form of Hairer and Wanner [1]_ (the form of their ``rodas.f``, which avoids
matrix-vector products with ``J``) stage ``i`` solves

.. math::

    W u_i = f\\Big(t_0 + c_i h,\\; y_0 + \\sum_{j<i} a_{ij} u_j\\Big)
        + \\sum_{j<i} \\frac{c_{ij}}{h} u_j + d_i h \\frac{\\partial f}{\\partial t},

with stage times ``c_i`` (:attr:`RosenbrockTableau.stage_time`) and ``d_i`` the row sums of
the method's ``Gamma``. RODAS4 is stiffly accurate: its last stage is evaluated at
``Y_6 = Y_5 + u_5`` and the solution is ``y_1 = Y_6 + u_6``, so ``u_6`` is the difference from
the embedded order-3 solution ``Y_6`` and serves as the error estimate. The order-3 dense output
is ``(1 - theta) y0 + theta (y1 + (1 - theta) (k1 + theta k2))`` with ``k1 = sum h1_i u_i`` and
``k2 = sum h2_i u_i`` over the first five stages (:mod:`leaksim.core.solver.dense`).

Order 4 matters: a measured second-order ROS2 needed about 870 steps a case on the two-module
benchmark; RODAS4 needs a few dozen.

References
----------
.. [1] E. Hairer and G. Wanner, Solving Ordinary Differential Equations II, 2nd ed., Springer,
       1996, Sec. IV.7 (RODAS). https://doi.org/10.1007/978-3-642-05221-7
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RODAS4", "RosenbrockTableau"]


@dataclass(frozen=True)
class RosenbrockTableau:
    """Coefficients of a stiffly accurate Rosenbrock method in the transformed form.

    Attributes
    ----------
    gamma : float
        Diagonal ``gamma`` of the method: ``W = I / (gamma h) - J`` [-].
    a : tuple of tuple of float
        ``a_ij`` of stages 2 to ``s - 1``, row ``i - 2`` holding ``j = 1 .. i - 1`` [-]. Stage
        ``s`` is at ``Y_{s-1} + u_{s-1}`` (stiff accuracy), so it needs no row.
    c : tuple of tuple of float
        ``c_ij`` of stages 2 to ``s``, row ``i - 2`` holding ``j = 1 .. i - 1`` [-].
    stage_time : tuple of float
        ``c_i`` of every stage: stage ``i`` is evaluated at ``t0 + c_i h`` [-].
    d : tuple of float
        ``d_i`` of every stage, the weight of ``h df/dt`` in its right-hand side [-].
    h1, h2 : tuple of float
        Weights of the first stages in the dense-output terms ``k1`` and ``k2`` [-].
    order : int
        Order of the solution.
    embedded_order : int
        Order of the embedded solution that the error estimate compares with.
    """

    gamma: float
    a: tuple[tuple[float, ...], ...]
    c: tuple[tuple[float, ...], ...]
    stage_time: tuple[float, ...]
    d: tuple[float, ...]
    h1: tuple[float, ...]
    h2: tuple[float, ...]
    order: int
    embedded_order: int

    @property
    def n_stages(self) -> int:
        """Number of stages ``s``."""
        return len(self.stage_time)


#: RODAS4 of Hairer and Wanner (module references): 6 stages, order 4(3), L-stable, stiffly
#: accurate, with an order-3 dense output; the coefficients of their ``rodas.f``.
RODAS4 = RosenbrockTableau(
    gamma=0.25,
    a=(
        (1.544,),
        (0.9466785280815826, 0.2557011698983284),
        (3.314825187068521, 2.896124015972201, 0.9986419139977817),
        (1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895),
    ),
    c=(
        (-5.6688,),
        (-2.430093356833875, -0.2063599157091915),
        (-0.1073529058151375, -9.594562251023355, -20.47028614809616),
        (7.496443313967647, -10.24680431464352, -33.99990352819905, 11.7089089320616),
        (
            8.083246795921522,
            -7.981132988064893,
            -31.52159432874371,
            16.31930543123136,
            -6.058818238834054,
        ),
    ),
    stage_time=(0.0, 0.386, 0.21, 0.63, 1.0, 1.0),
    d=(0.25, -0.1043, 0.1035, -0.0362, 0.0, 0.0),
    h1=(
        10.12623508344586,
        -7.487995877610167,
        -34.80091861555747,
        -7.992771707568823,
        1.025137723295662,
    ),
    h2=(
        -0.6762803392801253,
        6.087714651680015,
        16.43084320892478,
        24.76722511418386,
        -6.594389125716872,
    ),
    order=4,
    embedded_order=3,
)
