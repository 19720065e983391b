"""Question to passages: the ``Retriever`` (hybrid search with filters, and the sentences the model reads)."""
