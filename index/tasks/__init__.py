"""Assignments found in plans: who leads, who helps, by when, each tied to its passage.

``python -m index.tasks`` (``__main__``) lists them from a built index.
"""
