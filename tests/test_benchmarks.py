"""Tests of ``benchmarks/peers.py``: its peers integrate leaksim's physics, and it runs.

Benchmarks are not timed here. The compiled peers (numbalsoda, diffrax) need the ``bench``
extra and are skipped without it; the rest needs only leaksim's own dependencies.

Tolerances: leaksim and the peers' right-hand side are compared with both integrated tightly
(relative 1e-10): they agree to 1e-10 (measured), bounded at 1e-8, where they integrate the
same equations; the fans' exchange alone moves the chain's final pressures by 1e-4, so a
missing or wrong term shows.
The contenders themselves run at leaksim's 1e-6, and their final pressures agree with the
reference to a few 1e-6 (the error accumulated over 6 h, 1e-5 at most on these workloads):
1e-4 bounds that.
"""

import importlib.util
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

PEERS_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "peers.py"
TOLERANCE = 1e-4  # contenders at rtol 1e-6 against the reference
SAME_PHYSICS = 1e-8  # leaksim and the peers' equations, both at rtol 1e-10


@pytest.fixture(scope="module")
def peers():
    spec = importlib.util.spec_from_file_location("peers", PEERS_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["peers"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    del sys.modules["peers"]


def _reference(peers, work, cases):
    """The peers' equations with Radau at rtol 1e-10."""
    net = work.peers
    final = []
    for case in cases:
        sols = peers.solve_case(net, case, "Radau", 1e-10, 1e-13 * net.n0.max())
        final.append(sols[-1].y[:, -1] * net.rt_v)
    return np.array(final)


@pytest.mark.parametrize("workload", ["two-modules", "chain", "iss"])
def test_peer_physics_is_leaksims(peers, workload):
    # The peers' right-hand side and leaksim's full network, both integrated at rtol 1e-10.
    n_cases = 2 if workload == "iss" else 4  # a batch per leaking module there
    work = peers.BUILDERS[workload](n_cases)
    tight = {"zones": False, "atol": 1e-13}
    if workload == "iss":
        sweep = work.leaksim_job
        sweep = sweep.replace(scenario=replace(sweep.scenario, relative_tolerance=1e-10))
        rows = sweep.run(progress=False, **tight).rows
        leaksim = rows[[f"final.{m}.pressure_Pa" for m in work.modules]].to_numpy(float)
    else:
        result = replace(work.leaksim_job, relative_tolerance=1e-10).run(**tight)
        leaksim = result.pressure.m_as("Pa")[:, :, -1]
    theirs = _reference(peers, work, np.arange(n_cases))
    assert peers.relative_error(leaksim, theirs, work.peers.p0) < SAME_PHYSICS


def test_fans_matter_on_the_chain(peers):
    # Without the fans' exchange the chain ends elsewhere: the comparison with leaksim above
    # would catch a missing term.
    work = peers.chain(2)
    params = work.peers.params.copy()
    m = work.peers.n_modules
    for field in (3, 4):  # Q / V of each side of every hatch
        params[:, peers.HEAD + m + field :: peers.HATCH] = 0.0
    without = replace(work, peers=replace(work.peers, params=params))
    change = _reference(peers, without, [1]) / _reference(peers, work, [1]) - 1
    assert np.max(np.abs(change)) > 1000 * SAME_PHYSICS


def test_closed_form_is_one_volume(peers):
    # Two modules behind a 0.5 m^2 hatch fall as one volume: the closed form agrees with the
    # network to the regularisation's effect (2e-6 of the pressure, see benchmarks/README.md).
    work = peers.two_modules(5)
    cases = np.arange(5)
    closed, _, _ = peers.run_closed_form(work, cases)
    assert peers.relative_error(closed, _reference(peers, work, cases), work.peers.p0) < 1e-5


def test_spread_nests_the_case_sets(peers):
    args = peers.parse(["--sample", "7", "--reference", "3", "--max-diffrax", "40"])
    sets = peers.case_sets(1000, args)
    assert set(sets["reference"]) <= set(sets["scipy"]) <= set(sets["diffrax"])
    assert (sets["reference"].size, sets["scipy"].size, sets["diffrax"].size) == (3, 7, 40)
    assert sets["leaksim"].size == 1000


def test_quick_run_writes_its_figures(tmp_path):
    # The script end to end in its own processes, on the contenders leaksim itself needs.
    out = tmp_path / "peers.json"
    command = [
        sys.executable,
        str(PEERS_PATH),
        "--quick",
        "--workload",
        "two-modules",
        "--cases",
        "20",
        "--contenders",
        "leaksim",
        "closed-form",
        "--json",
        str(out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(out.read_text())["runs"]
    assert set(run["contenders"]) == {"leaksim", "closed-form"}
    for figures in run["contenders"].values():
        assert figures["failed"] == 0
        assert figures["max_rel_error_final"] < TOLERANCE
        assert len(figures["warm_call_s"]) == 1
    assert "| two-modules | 20 |" in done.stdout


def test_missing_peer_is_skipped_with_a_line(peers, monkeypatch, capsys):
    monkeypatch.setitem(peers.REQUIRES, "numbalsoda", ("no_such_module_here",))
    assert peers.available(["leaksim", "numbalsoda"], "chain") == ["leaksim"]
    assert "gfortran" in capsys.readouterr().out


@pytest.mark.parametrize("workload", ["two-modules", "iss"])
def test_numbalsoda_agrees(peers, workload):
    pytest.importorskip("numbalsoda", reason="the bench extra is not installed")
    work = peers.BUILDERS[workload](3)
    cases = np.arange(3)
    final, ok, _ = peers.run_numbalsoda(work, cases)
    assert ok.all()
    assert peers.relative_error(final, _reference(peers, work, cases), work.peers.p0) < TOLERANCE


def test_diffrax_agrees(peers):
    pytest.importorskip("diffrax", reason="the bench extra is not installed")
    work = peers.chain(3)  # one segment: the two of the ISS-like station compile twice as long
    cases = np.arange(3)
    final, ok, _ = peers.run_diffrax(work, cases)
    assert ok.all()
    assert peers.relative_error(final, _reference(peers, work, cases), work.peers.p0) < TOLERANCE


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--cases", "0"], "--cases: must be a whole number >= 1, got '0'"),
        (["--json", "/no/such/folder/peers.json"], "--json: the folder of"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(arguments, message):
    done = subprocess.run(
        [sys.executable, str(PEERS_PATH), *arguments], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert message in done.stderr.strip().splitlines()[-1]
    assert "Traceback" not in done.stderr
