"""The passage store: generations on disk, the lock, FAISS and BM25, and the queries over them."""
