"""Where the checkout's own data are: the paper's tables and the reference fixtures."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: the paper's tables as CSV (paper_tables/README.md says what each holds)
PAPER_TABLES = REPO / 'paper_tables'
#: the original implementation's weights, input and outputs (tests/data/reference/)
REFERENCE = REPO / 'tests' / 'data' / 'reference'
