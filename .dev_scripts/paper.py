"""The paper's tables (``paper_tables/*.csv``) and the model-zoo tolerance rule."""
import csv

from tools.paths import PAPER_TABLES


def csv_rows(csv_name):
    """All rows of ``paper_tables/<csv_name>`` as dicts of strings."""
    with open(PAPER_TABLES / csv_name, newline='') as f:
        return list(csv.DictReader(f))


def paper_row(csv_name, **match):
    """The row of ``paper_tables/<csv_name>`` whose columns equal ``match``."""
    rows = [r for r in csv_rows(csv_name) if all(r[k] == v for k, v in match.items())]
    if len(rows) != 1:
        raise LookupError(f'{csv_name}: {len(rows)} rows match {match}')
    return rows[0]


def within(ours, paper_str, rel_tol):
    """Pass if within ``rel_tol``, or within half the last printed digit of the paper."""
    paper = float(paper_str)
    decimals = len(paper_str.split('.')[1]) if '.' in paper_str else 0
    half_digit = 0.5 * 10**-decimals
    return abs(ours - paper) <= max(rel_tol * paper, half_digit)
