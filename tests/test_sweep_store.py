"""The chunk store of a sweep: every chunk checked against its sweep, and one sweep at a time.

A store tampered with (a chunk renamed, a marker deleted and the seed changed, bytes corrupted)
must never give rows of uninitialised memory or of another sweep: it is refused naming the file
before any case runs, and once the file named is removed a resumed sweep gives exactly the rows
of an uninterrupted one.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_sweep import cabin_sweep

import leaksim.sweep.engine as engine
from leaksim.errors import ScenarioError
from leaksim.sweep.store import ChunkStore, store_lock
from leaksim.sweep.study import _RowTable

CASES, CHUNK = 50, 10


@pytest.fixture(scope="module")
def uninterrupted():
    return cabin_sweep(cases=CASES).run(progress=False).rows


def interrupted_store(folder, monkeypatch, after: int = 3):
    """A store holding the first ``after`` chunks of the cabin sweep, as Ctrl-C leaves it."""
    real, calls = engine.chunk_rows, []

    def interrupt(**kwargs):
        calls.append(kwargs["start"])
        if len(calls) > after:
            raise KeyboardInterrupt
        return real(**kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(engine, "chunk_rows", interrupt)
        with pytest.raises(KeyboardInterrupt):
            cabin_sweep(cases=CASES).run(progress=False, chunk_size=CHUNK, store=folder)
    return folder


def _forbidden(**kwargs):
    raise AssertionError("no case may run before the store is checked")


def _resume(folder, seed=1):
    return cabin_sweep(cases=CASES, seed=seed).run(progress=False, store=folder, resume=True)


def _rewrite(path, change):
    """Write the chunk at ``path`` again with its arrays passed through ``change``."""
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    change(arrays)
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def _drop_last_row(arrays):
    for name in arrays:
        if name != "__sweep__":
            arrays[name] = arrays[name][:-1]


def _shift_cases(arrays):
    arrays["case"] = arrays["case"] + 1


def _drop_column(arrays):
    del arrays["status"]


def _truncate(path):
    path.write_bytes(path.read_bytes()[:300])


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[200] ^= 0xFF
    path.write_bytes(bytes(data))


TAMPERING = {
    # name: (what is done to the store, the file named in the refusal, the reason given)
    "renamed": (
        lambda s: (s / "rows-10-20.npz").rename(s / "rows-10-30.npz"),
        "rows-10-30.npz",
        "holds cases 10-19, not the 10-29 its name says",
    ),
    "renumbered beyond the sweep": (
        lambda s: (s / "rows-20-30.npz").rename(s / "rows-50-60.npz"),
        "rows-50-60.npz",
        "names cases 50-59, outside this sweep's 0-49",
    ),
    "a row short": (
        lambda s: _rewrite(s / "rows-10-20.npz", _drop_last_row),
        "rows-10-20.npz",
        "holds [9] rows, not 10",
    ),
    "cases shifted": (
        lambda s: _rewrite(s / "rows-10-20.npz", _shift_cases),
        "rows-10-20.npz",
        "case column that is not 10-19",
    ),
    "a column missing": (
        lambda s: _rewrite(s / "rows-10-20.npz", _drop_column),
        "rows-10-20.npz",
        "holds other columns",
    ),
    "truncated": (
        lambda s: _truncate(s / "rows-0-10.npz"),
        "rows-0-10.npz",
        "cannot be read",
    ),
    "a byte flipped": (
        lambda s: _flip_a_byte(s / "rows-0-10.npz"),
        "rows-0-10.npz",
        "cannot be read (BadZipFile",
    ),
    "not an archive": (
        lambda s: (s / "rows-0-10.npz").write_text("garbage"),
        "rows-0-10.npz",
        "cannot be read (not an npz archive)",
    ),
    "corrupt marker": (
        lambda s: (s / "sweep.json").write_text('{"fingerp'),
        "sweep.json",
        "the sweep marker cannot be read (JSONDecodeError",
    ),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_a_tampered_store_is_refused_naming_the_file(tmp_path, monkeypatch, uninterrupted, how):
    store = interrupted_store(tmp_path / "rows.parts", monkeypatch)
    tamper, name, reason = TAMPERING[how]
    tamper(store)
    with monkeypatch.context() as patch:
        patch.setattr(engine, "chunk_rows", _forbidden)
        with pytest.raises(ScenarioError) as info:
            _resume(store)
    message = str(info.value)
    assert message.startswith(f"{store / name}: ") and reason in message, message
    assert "delete it and rerun with resume (--resume)" in message and "\n" not in message
    # As the message says: without that file, the sweep resumes to the uninterrupted rows.
    (store / name).unlink()
    pd.testing.assert_frame_equal(_resume(store).rows, uninterrupted, check_exact=True)


def test_chunks_of_another_seed_are_refused_when_the_marker_is_gone(
    tmp_path, monkeypatch, uninterrupted
):
    store = interrupted_store(tmp_path / "rows.parts", monkeypatch)
    (store / "sweep.json").unlink()
    other = cabin_sweep(cases=CASES, seed=2)
    with pytest.raises(ScenarioError, match="already holds chunks"):
        other.run(progress=False, store=store)
    monkeypatch.setattr(engine, "chunk_rows", _forbidden)
    with pytest.raises(ScenarioError) as info:
        other.run(progress=False, store=store, resume=True)
    message = str(info.value)
    assert message.startswith(f"{store / 'rows-0-10.npz'}: the chunk belongs to another sweep")
    assert "its seed is 1, this sweep's 2" in message and f"remove {store}" in message
    # refused before writing: the store is left for the sweep it belongs to
    assert sorted(p.name for p in store.iterdir()) == [
        "rows-0-10.npz",
        "rows-10-20.npz",
        "rows-20-30.npz",
    ]
    monkeypatch.undo()
    pd.testing.assert_frame_equal(_resume(store).rows, uninterrupted, check_exact=True)


def test_chunks_of_the_same_sweep_resume_without_their_marker(tmp_path, monkeypatch, uninterrupted):
    # Each chunk carries its identity, so the marker is not needed to trust them.
    store = interrupted_store(tmp_path / "rows.parts", monkeypatch)
    (store / "sweep.json").unlink()
    calls = []
    real = engine.chunk_rows
    monkeypatch.setattr(engine, "chunk_rows", lambda **kw: calls.append(kw["start"]) or real(**kw))
    pd.testing.assert_frame_equal(_resume(store).rows, uninterrupted, check_exact=True)
    assert calls == [30]  # the missing cases only, in one chunk of the default size


def test_every_chunk_carries_the_identity_of_its_sweep(tmp_path, monkeypatch):
    store = interrupted_store(tmp_path / "rows.parts", monkeypatch)
    marker = json.loads((store / "sweep.json").read_text())
    with np.load(store / "rows-10-20.npz") as data:
        identity = json.loads(str(data["__sweep__"]))
        assert data["case"].tolist() == list(range(10, 20))
    assert identity == {**marker, "start": 10, "stop": 20}
    assert identity["seed"] == 1 and identity["cases"] == CASES
    with zipfile.ZipFile(store / "rows-10-20.npz") as archive:
        assert "__sweep__.npy" in archive.namelist()


def test_a_store_path_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "rows.parts"
    path.write_text("not a folder")
    with pytest.raises(
        ScenarioError, match=r"rows\.parts: the folder of finished chunks is a file"
    ):
        cabin_sweep(cases=4).run(progress=False, store=path)
    assert path.read_text() == "not a folder"


def test_the_lock_is_taken_again_by_its_process_and_released(tmp_path):
    folder = tmp_path / "rows.parts"
    with store_lock(folder):
        assert (folder / "sweep.lock").exists()
        result = cabin_sweep(cases=4).run(progress=False, store=folder)  # the same process
        assert result.n_cases == 4 and (folder / "sweep.lock").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["rows-0-4.npz", "sweep.json"]
    empty = tmp_path / "empty.parts"
    with store_lock(empty):
        pass
    assert not empty.exists()  # made for a sweep that wrote nothing: not left behind


def test_interrupted_store_keeps_chunks_and_no_lock(tmp_path, monkeypatch):
    store = interrupted_store(tmp_path / "rows.parts", monkeypatch, after=2)
    assert sorted(p.name for p in store.iterdir()) == [
        "rows-0-10.npz",
        "rows-10-20.npz",
        "sweep.json",
    ]


def test_a_row_table_with_a_missing_case_is_never_handed_on():
    table = _RowTable(["case", "x"], 4)
    table.place({"case": np.array([0, 1, 3]), "x": np.array([1.0, 2.0, 4.0])})
    with pytest.raises(RuntimeError, match=r"1 of 4 cases have no row \(first: case 2\)"):
        table.frame()
    table.place({"case": np.array([2]), "x": np.array([3.0])})
    assert table.frame()["x"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_a_chunk_store_refuses_a_second_open_sweep_of_another_identity(tmp_path):
    folder = tmp_path / "rows.parts"
    sweep = cabin_sweep(cases=8)
    sweep.run(progress=False, store=folder, chunk_size=4)  # leaves chunks: keep the folder
    assert sorted(p.name for p in folder.iterdir())[:2] == ["rows-0-4.npz", "rows-4-8.npz"]
    with pytest.raises(ScenarioError, match="different sweep .its seed is 1, this sweep's 3"):
        ChunkStore(folder, {"fingerprint": "x", "seed": 3, "cases": 8}, ["case"], resume=True)
    # the refusal released the lock: the right sweep resumes
    assert sweep.run(progress=False, store=folder, resume=True).n_cases == 8


@given(
    kept=st.sets(st.integers(0, 4), max_size=5),
    chunk_size=st.integers(1, 12),
)
def test_any_kept_chunks_resume_to_the_uninterrupted_rows(
    tmp_path_factory, uninterrupted, kept, chunk_size
):
    # Whichever chunks survived, resumed at any chunk size: the rows of one uninterrupted run.
    folder = tmp_path_factory.mktemp("store")
    cabin_sweep(cases=CASES).run(progress=False, chunk_size=CHUNK, store=folder)
    for k in set(range(5)) - kept:
        (folder / f"rows-{CHUNK * k}-{CHUNK * (k + 1)}.npz").unlink()
    resumed = cabin_sweep(cases=CASES).run(
        progress=False, chunk_size=chunk_size, store=folder, resume=True
    )
    pd.testing.assert_frame_equal(resumed.rows, uninterrupted, check_exact=True)
