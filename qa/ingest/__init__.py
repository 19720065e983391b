"""Files to chunks: formats, tables, chunking, and the incremental ingest that writes the store."""
