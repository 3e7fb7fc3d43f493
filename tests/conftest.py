"""Test configuration: hypothesis profiles.

``HYPOTHESIS_PROFILE=long pytest`` runs every property with many more examples.
"""

import os

from hypothesis import settings

# CI runs a fixed set of examples (derandomize) so that a run is reproducible; the long
# profile explores at random.
settings.register_profile("default", deadline=None, max_examples=30, derandomize=True)
settings.register_profile("long", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
