"""Test configuration: hypothesis profiles.

``HYPOTHESIS_PROFILE=long pytest`` runs every property with many more examples.
"""

import os

from hypothesis import settings

settings.register_profile("default", deadline=None, max_examples=30)
settings.register_profile("long", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
