"""What a scan or a signed PDF needs beyond its text: layout, handwriting, stamps, signatures.

Real files are mostly scans of signed paper: the header is two blocks side by
side, the number and day are written in by hand, stamps ("SAO Y", "ĐẾN Số: …")
and the signature box sit on top of the text, and the text layer may hold
only the signature stamp or a hidden OCR layer of garbage. Each module here
handles one of those, on OCR words or page lines, without knowing the format.
"""
