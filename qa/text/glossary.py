"""The line items a financial metric is read from, for searching filings by what their statements call it.

A question says "net AR", "capex" or "quick ratio"; a statement's rows say "Accounts receivable, net",
"Purchases of property, plant and equipment" and "Total current assets". Neither the embedding nor BM25 bridges
an abbreviation or a metric a filing never names, so the search text of a question that uses one also carries
the rows it is read from. The list holds standard accounting abbreviations and the statement rows of common
metrics (no company's own wording); a question keeps its own words, so a sentence that states the metric by
name still matches.
"""

from __future__ import annotations

import re

_ROWS = [(re.compile(asked, re.I), rows) for asked, rows in (
    (r"\b(?-i:AR)\b|\baccounts receivables?\b", "accounts receivable"),
    (r"\b(?-i:AP|DPO)\b|\baccounts payables?\b|\bdays payables?\b", "accounts payable"),
    (r"\b(?-i:PP&E|PPE|PPNE)\b|\bfixed assets?\b", "property, plant and equipment"),
    (r"\bcapex\b|\bcapital expenditures?\b", "purchases of property, plant and equipment capital expenditures"),
    (r"\b(?-i:COGS)\b", "cost of goods sold cost of sales"),
    (r"\b(?-i:SG&A)\b", "selling, general and administrative"),
    (r"\b(?-i:D&A)\b", "depreciation and amortization"),
    (r"\b(?-i:EPS)\b", "earnings per share"),
    (r"\bworking capital\b|\bquick ratio\b|\bcurrent ratio\b", "total current assets total current liabilities"),
    (r"\boperating cash flows?\b|\bcash from operations\b", "net cash provided by operating activities"),
    (r"\binventory turnover\b", "inventories cost of sales"),
)]


def expanded(question: str) -> str:
    """The question, followed by the statement rows of the abbreviations and metrics it uses."""
    rows = [rows for asked, rows in _ROWS if asked.search(question)]
    return " ".join([question, *rows])
