"""``python -m leaksim``: the same as the ``leaksim`` command (and ``python -m leaksim.cli``)."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C before main() can catch it: the same line and status
    sys.stderr.write("leaksim: error: interrupted\n")
    raise SystemExit(130) from None

raise SystemExit(main())
