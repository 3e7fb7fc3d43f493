"""The compiled integrator: each case's whole run in one fused, compiled loop.

The batched loop of :mod:`leaksim.core.solver.integrator` advances every case by one step per
iteration, each operation an array pass over all cases. Here one compiled function (numba,
``nopython``) runs one case from its start to its end with the same method: the RODAS4 step
of :mod:`~leaksim.core.solver.rosenbrock` with the same tableau, error norm and step
controller (:mod:`~leaksim.core.solver.controller`); scheduled events and the knots of growing
areas ending steps exactly, triggers located and retaken as the batched loop does
(:mod:`~leaksim.core.solver.events`, :mod:`~leaksim.core.solver.triggers`); outputs from the
dense output (:mod:`~leaksim.core.solver.dense`); thresholds by the same bisection; and the
right-hand side and analytic Jacobian of :class:`~leaksim.core.model.LeanModel`. A step
touches each case's few numbers once and takes the same steps as the batched loop.

Parts: :mod:`.lean` (the lean model's physics), :mod:`.step` (one Rosenbrock step and its
control), :mod:`.events` (scheduled events and triggers), :mod:`.loop` (one case's run, and
the cases spread over threads).

Cases run in parallel over the machine's cores: chunks of cases on a pool of threads, the
compiled loop releasing the GIL (numba's ``parallel=True`` loops took several times longer to
compile). A case reads only its own rows, so its answer has the same bits alone, in any batch
and on any number of threads. Divisions follow numpy's rules (``error_model="numpy"``): a
zero divisor gives inf or NaN, which the error test rejects, instead of a Python exception
whose checks cost more than half the run time.

The functions are scalar transcriptions of :func:`leaksim.core.flow.regularised_flux_and_slopes`,
:class:`~leaksim.core.model.LeanModel` and the batched loop, which stay the reference that
``tests/test_kernel.py`` holds them to. They are compiled on first use and cached on disk
(``cache=True``), so importing leaksim costs nothing and later processes load the machine code.
"""

from .lean import flux_and_slopes
from .loop import FAIL_STEPS, FAIL_STUCK, integrate_lean

__all__ = ["FAIL_STEPS", "FAIL_STUCK", "flux_and_slopes", "integrate_lean"]
