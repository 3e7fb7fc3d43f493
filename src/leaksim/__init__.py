"""leaksim: simulate air leaking from spacecraft cabins, one case or a hundred thousand at once."""

from __future__ import annotations

__version__ = "0.1.0"
