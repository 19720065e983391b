"""qa: answers with citations from a folder of news and earnings articles."""

from .api import QA
from .errors import QAError
from .index import IngestReport
from .search import Filters, Passage
from .settings import Settings

__all__ = ["QA", "QAError", "Filters", "IngestReport", "Passage", "Settings"]
