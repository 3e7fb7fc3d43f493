"""``python -m leaksim.cli``: the same as the ``leaksim`` command."""

from . import main

raise SystemExit(main())
