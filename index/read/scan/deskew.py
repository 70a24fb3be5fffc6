"""Straighten a tilted scan or photo before OCR, with Leptonica's skew finder.

A page photographed or fed into a scanner at an angle of a degree or two
reads with broken lines: tesseract follows the text lines but its line boxes
(the page-picture outline, the header's two blocks, the column gaps) tilt
with them. Leptonica, the image library tesseract itself is built on (and
what OCRmyPDF's ``--deskew`` calls), measures the skew from the text lines'
projection profiles; the page is turned back only when it is sure and the
angle is worth it, so a straight scan is left untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import logging
from functools import lru_cache

from PIL import Image

logger = logging.getLogger(__name__)

# Below a degree tesseract follows the lines itself and turning the page only blurs it (resampling);
# above Leptonica's search range it cannot tell.
MIN_ANGLE = 1.0
MAX_ANGLE = 7.0
# Leptonica's confidence: the best projection score over the worst; it reports 0 below 3.
MIN_CONFIDENCE = 3.0
_BINARY_THRESHOLD = 130


@lru_cache(maxsize=1)
def _leptonica() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("lept") or "liblept.so.5"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        logger.warning("Leptonica not found: scans are not deskewed")
        return None
    lib.pixReadMem.restype = ctypes.c_void_p
    lib.pixReadMem.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    lib.pixConvertTo1.restype = ctypes.c_void_p
    lib.pixConvertTo1.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.pixFindSkew.restype = ctypes.c_int
    lib.pixFindSkew.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float), ctypes.POINTER(ctypes.c_float)]
    lib.pixDestroy.restype = None
    lib.pixDestroy.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    return lib


def skew_angle(image: Image.Image) -> tuple[float, float] | None:
    """(degrees to turn the page counter-clockwise to straighten it, confidence), or None if unknown."""
    lib = _leptonica()
    if lib is None:
        return None
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PPM")
    data = buffer.getvalue()
    pix = ctypes.c_void_p(lib.pixReadMem(data, len(data)))
    if not pix.value:
        return None
    binary = ctypes.c_void_p(lib.pixConvertTo1(pix, _BINARY_THRESHOLD))
    try:
        if not binary.value:
            return None
        angle, confidence = ctypes.c_float(), ctypes.c_float()
        if lib.pixFindSkew(binary, ctypes.byref(angle), ctypes.byref(confidence)) != 0:
            return None
        # Leptonica's angle is the clockwise turn that deskews; PIL turns counter-clockwise.
        return -float(angle.value), float(confidence.value)
    finally:
        lib.pixDestroy(ctypes.byref(pix))
        if binary.value:
            lib.pixDestroy(ctypes.byref(binary))


def deskew(image: Image.Image) -> tuple[Image.Image, float]:
    """The page turned straight and the angle it was turned by (0.0: left as it was)."""
    found = skew_angle(image)
    if found is None:
        return image, 0.0
    angle, confidence = found
    if confidence < MIN_CONFIDENCE or not MIN_ANGLE <= abs(angle) <= MAX_ANGLE:
        return image, 0.0
    fill = 255 if image.mode == "L" else None
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill), angle
