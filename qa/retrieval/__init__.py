"""Question to passages: hybrid search with filters, and the sentences the model reads."""
