"""The Jacobian of a batch of cases: analytic, or by complex step a colour group at a time.

For the common station of one gas at one temperature without an energy equation the
Jacobian is analytic (:meth:`leaksim.core.model.LeanModel.jacobian`, one evaluation of the
link law and its two pressure slopes). Otherwise it comes from complex-step differentiation of
the batched right-hand side, ``df/dy_j = Im f(y + i h e_j) / h``, which has no subtractive
cancellation: ``h`` can be 1e-30 of the component and the Jacobian is exact to round-off, which
a Rosenbrock method needs on stiff problems. Forward differences are not enough here: a
pressure perturbation of sqrt(eps) of one atmosphere (1e-3 Pa) is not small beside the 0.01 Pa
pressure differences across open hatches, and the resulting Jacobian errors, multiplied by
stiffness ratios of 1e6, made the step-size control crawl (measured: 8,888 steps instead of a
few hundred). Modules that share no neighbour (a distance-2 colouring of the station graph)
are perturbed together, so a whole colour group costs one evaluation.
"""

from __future__ import annotations

import numpy as np

from ..model import GeneralModel, LeanModel

__all__ = ["Jacobian", "colour_modules"]


def colour_modules(neighbours: list[set[int]]) -> list[list[int]]:
    """Greedy distance-2 colouring of modules: modules of one colour share no neighbour.

    Parameters
    ----------
    neighbours : list of set of int
        For each module, the modules whose state enters its derivative, itself included
        (:meth:`~leaksim.core.model.GeneralModel.neighbours`).

    Returns
    -------
    list of list of int
        The modules of each colour, in increasing order.
    """
    colour: dict[int, int] = {}
    for m in range(len(neighbours)):
        taken = {colour[j] for n in neighbours[m] for j in neighbours[n] if j in colour}
        colour[m] = next(c for c in range(len(neighbours) + 1) if c not in taken)
    groups: dict[int, list[int]] = {}
    for m, c in colour.items():
        groups.setdefault(c, []).append(m)
    return list(groups.values())


class Jacobian:
    """``df/dy`` of the models of one network, by the cheapest exact means.

    Parameters
    ----------
    model : GeneralModel
        The model whose station graph gives the colour groups; :meth:`__call__` takes it or
        any of its :meth:`~leaksim.core.model.GeneralModel.take`.
    """

    def __init__(self, model: GeneralModel) -> None:
        self.neighbours = model.neighbours()
        self.groups = colour_modules(self.neighbours)

    def __call__(
        self,
        model: GeneralModel,
        y: np.ndarray,
        is_open: np.ndarray,
        t: np.ndarray | None,
        floor: np.ndarray,
    ) -> np.ndarray:
        """The Jacobian of every case of ``model``, case axis last.

        Parameters
        ----------
        model : GeneralModel
            The cases, one per row of ``y``.
        y : ndarray, shape (n, F)
            States.
        is_open : ndarray of bool, shape (n, K + J)
            Open links and feeding sources.
        t : ndarray, shape (n,), or None
            Times [s] for growing areas; None without growth.
        floor : ndarray, shape (n, F)
            Smallest magnitude a complex-step perturbation is a fraction of, in state units.

        Returns
        -------
        ndarray, shape (F, F, n)
            ``J[i, j, c] = d f_i / d y_j`` of case ``c``.
        """
        if isinstance(model, LeanModel):
            return model.jacobian(y, is_open, t=t)
        k = model.n_per_module
        n, size = y.shape
        jac = np.zeros((n, size, size))
        for group in self.groups:
            for comp in range(k):
                cols = np.array([m * k + comp for m in group])
                step = 1e-30 * np.maximum(np.abs(y[:, cols]), floor[:, cols])
                y_pert = y.astype(complex)
                y_pert[:, cols] += 1j * step
                df = model.rhs(y_pert, is_open, t=t).imag
                for j, m in enumerate(group):
                    for row_module in self.neighbours[m]:
                        rows = slice(row_module * k, (row_module + 1) * k)
                        jac[:, rows, m * k + comp] = df[:, rows] / step[:, j, None]
        return jac.transpose(1, 2, 0)
