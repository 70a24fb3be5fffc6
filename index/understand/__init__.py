"""Understanding a document: debris removed, documents split, metadata, sections, passages, citations.

Takes the readers' ``Block`` records and gives the records the store keeps.
"""
