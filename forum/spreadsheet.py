"""CSV that a spreadsheet opens as data, never as formulas.

A cell that begins with =, +, -, @, a tab or a carriage return is run by Excel, LibreOffice and
Google Sheets as a formula (CSV injection, OWASP). Exports prefix such text with an apostrophe,
which spreadsheets show as plain text; the register import refuses such names outright.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and looks_like_formula(value) else value


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_cell(value) for key, value in row.items()})
    return out.getvalue()
