"""The memory a process may use (leaksim._system): physical memory and control-group limits."""

from __future__ import annotations

import pytest

from leaksim import _system

GIB = 2**30


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """A fake /proc/self/cgroup and /sys/fs/cgroup under ``tmp_path``, 64 GiB of RAM."""
    monkeypatch.setattr(_system, "PROC_CGROUP", tmp_path / "proc-self-cgroup")
    monkeypatch.setattr(_system, "CGROUP_ROOT", tmp_path / "cgroup")
    monkeypatch.setattr(_system, "_physical", lambda: 64 * GIB)
    return tmp_path


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_lowest_limit_along_a_version_2_group_and_its_ancestors(machine):
    _write(machine / "proc-self-cgroup", "0::/ci.slice/job-7\n")
    _write(machine / "cgroup" / "ci.slice" / "memory.max", f"{6 * GIB}\n")
    _write(machine / "cgroup" / "ci.slice" / "job-7" / "memory.max", "max\n")
    assert _system.memory_limit() == 6 * GIB


def test_a_version_1_memory_controller_limit(machine):
    _write(machine / "proc-self-cgroup", "5:cpu,cpuacct:/x\n4:memory:/docker/abc\n")
    _write(machine / "cgroup" / "memory" / "docker" / "abc" / "memory.limit_in_bytes", "2147483648")
    assert _system.memory_limit() == 2 * GIB


def test_a_container_sees_its_own_group_at_the_root(machine):
    # Inside a container the group's path from /proc does not exist; the root's file is its own.
    _write(machine / "proc-self-cgroup", "4:memory:/process_api/8005\n")
    _write(machine / "cgroup" / "memory" / "memory.limit_in_bytes", f"{3 * GIB}")
    assert _system.memory_limit() == 3 * GIB


def test_no_limit_or_no_cgroup_gives_the_physical_memory(machine):
    assert _system.memory_limit() == 64 * GIB  # no /proc/self/cgroup at all
    _write(machine / "proc-self-cgroup", "0::/\n")
    _write(machine / "cgroup" / "memory.max", "max\n")
    assert _system.memory_limit() == 64 * GIB
    # Version 1 reports "no limit" as a huge number: the physical memory is lower.
    _write(machine / "proc-self-cgroup", "4:memory:/\n")
    _write(machine / "cgroup" / "memory" / "memory.limit_in_bytes", "9223372036854771712")
    assert _system.memory_limit() == 64 * GIB


def test_a_limit_above_the_physical_memory_does_not_raise_it(machine):
    _write(machine / "proc-self-cgroup", "0::/big\n")
    _write(machine / "cgroup" / "big" / "memory.max", f"{512 * GIB}")
    assert _system.memory_limit() == 64 * GIB


def test_nothing_known_gives_none(machine, monkeypatch):
    monkeypatch.setattr(_system, "_physical", lambda: None)
    assert _system.memory_limit() is None


def test_this_machine_reports_a_positive_limit():
    limit = _system.memory_limit()
    assert limit is None or limit > 0
