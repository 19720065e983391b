"""qa: answers with citations from a folder of news and earnings articles."""

from .answering.records import Answer, Citation, Refusal
from .api import QA
from .answering.calculation import Calculation, Operand
from .errors import QAError
from .ingest.pipeline import IngestReport
from .retrieval.search import Passage
from .store.filters import Filters
from .settings import Settings

__all__ = ["QA", "QAError", "Answer", "Calculation", "Citation", "Filters", "IngestReport", "Operand", "Passage",
           "Refusal", "Settings"]
