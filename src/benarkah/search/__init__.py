"""Retrieval: lexical and semantic indexes over articles, fused into one ranking. No storage I/O here."""
