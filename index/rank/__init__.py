"""From a question to ranked, marked passages: query parsing, hybrid retrieval, fusion, rerank, no-answer.

Pure ranking maths live in small modules with their formulas in the docstrings.
"""
