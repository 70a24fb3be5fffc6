"""What a built index is made of: SQLite records, FAISS vectors, BM25 fields, the embedding model and cache.

A version is a folder with a manifest; ``CURRENT`` names the published one.
"""
