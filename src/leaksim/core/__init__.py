"""The SI core: what never sees a unit.

Everything here takes and returns float64 arrays in SI units with the case axis first, and
imports no units library, plotting or data-frame package (an import-linter contract in
``pyproject.toml`` checks it). The layers, imports pointing down:

* :mod:`~leaksim.core.zones`: modules joined by open hatches solved as one volume;
* :mod:`~leaksim.core.solver`: the batched RODAS4 integrator;
* :mod:`~leaksim.core.network`: the compiled station as SI arrays and its right-hand side;
* :mod:`~leaksim.core.linalg`: batched LU factorisation of small systems;
* :mod:`~leaksim.core.flow`: the compressible orifice law and its regularisation;
* :mod:`~leaksim.core.gas`: ideal-gas species and mixtures.
"""
