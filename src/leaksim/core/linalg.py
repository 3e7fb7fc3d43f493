"""Many small dense linear systems solved at once, the case axis last.

numpy's batched ``linalg.solve`` calls LAPACK once per matrix; for the 2x2 to 30x30 systems of a
cabin network that per-call overhead dominates (15 ms for 100,000 2x2 systems, measured). Here
Gaussian elimination with partial pivoting loops over the rows, each operation vectorised over
all cases, and the factorisation is reused for every stage of a Rosenbrock step.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["lu_factor", "lu_solve"]


def lu_factor(a: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
    """LU factorisation with partial pivoting of ``C`` matrices at once.

    Parameters
    ----------
    a : ndarray, shape (F, F, C)
        The matrices, case axis last. Not modified.

    Returns
    -------
    lu : ndarray, shape (F, F, C)
        Unit-lower ``L`` below the diagonal and ``U`` on and above it.
    perm : ndarray of int, shape (F, C)
        Row ``i`` of ``P a`` is row ``perm[i]`` of ``a``.

    Notes
    -----
    A singular matrix gives a zero pivot; the solve then returns inf or NaN for that case only,
    which the solver's error test rejects.
    """
    lu = np.array(a, dtype=float, copy=True)
    size, n = lu.shape[0], lu.shape[2]
    perm = np.repeat(np.arange(size)[:, None], n, axis=1)
    for k in range(size - 1):
        pivot = k + np.argmax(np.abs(lu[k:, k, :]), axis=0)  # (C,)
        if np.all(pivot == k):
            _eliminate(lu, k)
            continue
        # Swap rows k and pivot in every case at once: select, not fancy-index per case.
        row_k = lu[k].copy()
        row_p = np.take_along_axis(lu[k:], pivot[None, None, :] - k, axis=0)[0]
        below = np.arange(k + 1, size)[:, None, None] == pivot[None, None, :]
        lu[k + 1 :] = np.where(below, row_k[None], lu[k + 1 :])
        lu[k] = row_p
        perm_k = perm[k].copy()
        perm_p = np.take_along_axis(perm[k:], pivot[None, :] - k, axis=0)[0]
        perm[k + 1 :] = np.where(below[:, 0], perm_k[None], perm[k + 1 :])
        perm[k] = perm_p
        _eliminate(lu, k)
    return lu, perm


def _eliminate(lu: npt.NDArray[np.float64], k: int) -> None:
    """Eliminate column ``k`` below the diagonal in place, storing the multipliers."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        factor = lu[k + 1 :, k, :] / lu[k, k, :]
    lu[k + 1 :, k, :] = factor
    lu[k + 1 :, k + 1 :, :] -= factor[:, None, :] * lu[k, None, k + 1 :, :]


def lu_solve(
    lu: npt.NDArray[np.float64], perm: npt.NDArray[np.intp], b: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Solve ``a x = b`` for each case from :func:`lu_factor`'s output.

    Parameters
    ----------
    lu, perm : ndarray
        The factorisation.
    b : ndarray, shape (F, C)
        Right-hand sides, case axis last.

    Returns
    -------
    ndarray, shape (F, C)
    """
    size = lu.shape[0]
    x = np.take_along_axis(b, perm, axis=0)
    # Column-oriented substitution: each x[i] receives its terms one column at a time, in a
    # fixed order. A row-wise np.sum would let numpy pick its summation order from the array
    # shape (pairwise for one case, sequential for many), and a case would then get other
    # round-off alone than in a batch.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for j in range(size - 1):
            x[j + 1 :] -= lu[j + 1 :, j, :] * x[j]
        for j in range(size - 1, -1, -1):
            # By the reciprocal, as the compiled kernel does (a product is several times
            # quicker than a quotient on its serial chain), so both give the same bits.
            x[j] *= 1.0 / lu[j, j, :]
            if j:
                x[:j] -= lu[:j, j, :] * x[j]
    return x
