"""Settings for `make bench-scale` only: the product's settings, plus one bare page.

The bare page (`/bench/bare/`) is the floor each page is measured against: the same middleware,
session and signed-in user as every page, and nothing else.
"""

from coproduction.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench_scale.urls"
