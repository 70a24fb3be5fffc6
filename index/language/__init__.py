"""Vietnamese text: Unicode and tone-placement normalisation, folding, word segmentation, restoring diacritics.

Shared by indexing and querying, so a question typed without diacritics meets the text on equal terms.
"""
