"""What this machine lets a process use: its memory, for the size guards that refuse a run
before it allocates what it cannot hold.

The physical memory (``os.sysconf``) is not the limit in a container or a CI job, whose control
group may allow far less: the kernel then kills the process instead of refusing it. The limit
read here is the smallest of the physical memory and of the memory limits of the process's
control group and its ancestors, in version 2 of the cgroup interface (``memory.max``) or in
version 1 (``memory.limit_in_bytes``), as the Linux kernel documents them
(``Documentation/admin-guide/cgroup-v2.rst`` and ``cgroup-v1/memory.rst``).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["memory_limit"]

#: Where the control groups are mounted, and the file naming the process's own.
CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")


def memory_limit() -> int | None:
    """Bytes of memory this process may use: the physical memory, or a lower limit of its
    control group; None where the system says neither (Windows)."""
    limits = [n for n in (_physical(), *_cgroup_limits()) if n is not None and n > 0]
    return min(limits, default=None)


def _physical() -> int | None:
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def _cgroup_limits() -> list[int]:
    """The memory limits of the process's control group and of every group above it."""
    try:
        lines = PROC_CGROUP.read_text().splitlines()
    except OSError:
        return []
    limits = []
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if controllers == "":  # version 2: one hierarchy, "0::/path"
            limits += _along(CGROUP_ROOT, path, "memory.max")
        elif "memory" in controllers.split(","):  # version 1: the memory controller's own
            limits += _along(CGROUP_ROOT / "memory", path, "memory.limit_in_bytes")
    return limits


def _along(mount: Path, path: str, name: str) -> list[int]:
    """The limits in file ``name`` of the group ``path`` under ``mount`` and its ancestors
    (a group's path may not exist inside a container, whose root is then its group)."""
    limits = []
    parts = [p for p in path.split("/") if p]
    for depth in range(len(parts), -1, -1):
        value = _read_limit(mount.joinpath(*parts[:depth], name))
        if value is not None:
            limits.append(value)
    return limits


def _read_limit(file: Path) -> int | None:
    """A limit file's bytes; None where it is absent, unreadable or ``max`` (no limit)."""
    try:
        text = file.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
