"""What a built index is made of: SQLite records, FAISS vectors, BM25 fields, the embedding model and cache.

One live database publishes generations (one commit per build); each build adds a segment of
vectors and keyword postings, whose checksums the database records.
"""
