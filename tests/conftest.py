"""Test configuration: hypothesis profiles.

``HYPOTHESIS_PROFILE=long pytest`` runs every property with many more examples; so do
``LEAKSIM_FUZZ=long pytest`` and ``pytest --long-fuzz``, meant for the fuzzers of
``tests/validation/`` (CI runs the default profile, which finishes in about a minute).
"""

import os

from hypothesis import settings

# CI runs a fixed set of examples (derandomize) so that a run is reproducible; the long
# profile explores at random.
settings.register_profile("default", deadline=None, max_examples=30, derandomize=True)
settings.register_profile("long", deadline=None, max_examples=1000)


def _profile() -> str:
    if os.environ.get("HYPOTHESIS_PROFILE"):
        return os.environ["HYPOTHESIS_PROFILE"]
    return "long" if os.environ.get("LEAKSIM_FUZZ") == "long" else "default"


settings.load_profile(_profile())


def pytest_addoption(parser):
    parser.addoption(
        "--long-fuzz",
        action="store_true",
        help="run the hypothesis properties and fuzzers with the 'long' profile",
    )


def pytest_configure(config):
    if config.getoption("--long-fuzz"):
        settings.load_profile("long")


def pytest_sessionstart(session):
    """Compile the solver's kernels once, before any test (the lean and the general model, and
    the lean model with triggers, which numba compiles apart), so that they are cached on disk when
    the command-line tests start leaksim in subprocesses: a subprocess then loads it in well
    under a second instead of compiling it (tens of seconds on a busy machine), which their
    time limits are not meant to measure."""
    if os.environ.get("LEAKSIM_COMPILED", "1") == "0":
        return
    from leaksim import Module, Scenario, Station, Valve, stations

    stations.teaching_two_modules().run(zones=False)  # the lean model
    stations.safe_haven_2026().run()  # the general model: several gases, a crew
    # The lean model with triggers (a relief valve), which numba compiles apart.
    relief = Station(
        [Module("A", "10 m^3", "110 kPa")],
        valves=[Valve(module="A", area="1 cm^2", opens_above="104 kPa")],
    )
    Scenario(relief, "10 min").run()
