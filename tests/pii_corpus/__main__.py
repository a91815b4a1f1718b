"""`python -m tests.pii_corpus`: the PII benchmark alone, without a database."""

import sys

from tests.pii_corpus.benchmark import run

sys.exit(run())
