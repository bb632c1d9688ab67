"""Where the repository and the shared fixtures are."""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: the shared fixtures (paper tables, reference outputs): ../shared, or $MOGANET_MM_SHARED
SHARED = Path(os.environ.get('MOGANET_MM_SHARED', REPO.parent / 'shared'))
PAPER_TABLES = SHARED / 'paper_tables'
REFERENCE = SHARED / 'reference'
