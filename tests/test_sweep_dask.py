"""The Dask engine on a LocalCluster of two worker processes gives the in-process rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leaksim import cli
from leaksim.cli import sweep as cli_sweep
from leaksim.sweep import Choice, LogUniform, Sweep, Uniform, load_sweep

distributed = pytest.importorskip("distributed")

from test_cli_sweep import SWEEP_FILE  # noqa: E402
from test_sweep import two_module_scenario  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


def test_dask_rows_equal_in_process_rows(client):
    sweep = Sweep(
        two_module_scenario(),
        {
            "leak.hole.module": Choice(["A", "B"], weights=[2, 1]),
            "leak.hole.diameter": LogUniform("5 mm", "50 mm"),
            "leak.hole.isolate_after": Uniform("1 min", "10 min"),
        },
        cases=24,
        seed=8,
    )
    local = sweep.run(progress=False, chunk_size=24).rows
    remote = sweep.run(progress=False, chunk_size=5, client=client).rows
    pd.testing.assert_frame_equal(remote, local, check_exact=True)


def test_cli_dask_address(client, tmp_path):
    path = tmp_path / "mc.toml"
    path.write_text(SWEEP_FILE)
    out = tmp_path / "rows.csv"
    address = client.scheduler.address
    args = ["sweep", str(path), "-q", "--out", str(out), "--dask", address, "--chunk-size", "7"]
    assert cli.main(args) == 0
    expected = load_sweep(path).run(progress=False).rows
    pd.testing.assert_frame_equal(pd.read_csv(out), expected, check_dtype=False, check_exact=True)


def test_unreachable_scheduler_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli_sweep, "DASK_CONNECT_TIMEOUT", 2.0)
    path = tmp_path / "mc.toml"
    path.write_text(SWEEP_FILE)
    assert cli.main(["sweep", str(path), "-q", "--dask", "tcp://127.0.0.1:9"]) == 2
    assert "cannot reach the scheduler" in capsys.readouterr().err


def test_two_sweeps_at_once_on_one_cluster_keep_their_own_inputs(client):
    # Each sweep's scenario and parameters go to the workers under keys of their own: two
    # sweeps in flight on one cluster (two users, or a notebook and a command line) must not
    # take each other's inputs, nor lose them when the other finishes.
    from leaksim.sweep.engine import run_chunks

    def work_of(sweep):
        return {
            "scenario": sweep.scenario,
            "parameters": sweep.kinds,
            "seed": sweep.seed,
            "solve_options": {},
        }

    base = two_module_scenario()
    small = Sweep(base, {"leak.hole.diameter": LogUniform("5 mm", "10 mm")}, cases=12, seed=1)
    large = Sweep(base, {"leak.hole.diameter": LogUniform("30 mm", "50 mm")}, cases=12, seed=2)
    ranges = [(0, 4), (4, 8), (8, 12)]
    first = run_chunks(work_of(small), ranges, store=None, client=client, progress=False)
    got_small = [next(first)]  # the first sweep's inputs are on the workers, chunks in flight
    got_large = list(run_chunks(work_of(large), ranges, store=None, client=client, progress=False))
    got_small += list(first)
    for sweep, got in ((small, got_small), (large, got_large)):
        expected = list(run_chunks(work_of(sweep), ranges, store=None, client=None, progress=False))
        by_start = dict(got)
        for start, columns in expected:
            for name, values in columns.items():
                np.testing.assert_array_equal(by_start[start][name], values, err_msg=name)
