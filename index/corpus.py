"""Adding a file to the corpus: checked first, saved safely, never overwriting silently.

An admin sends a new plan; it must be readable before it enters the corpus
(a corrupt upload leaves corpus and index untouched), its name must be safe
on disk, and a file of the same name is only replaced when asked.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from index.errors import CorruptFile, EmptyDocument, UnsupportedFormat
from index.parse import ParsedDocument, Progress, parse_file
from index.read import SUPPORTED_EXTENSIONS

_UNSAFE = re.compile(r"[^\w.\- ()]+", re.UNICODE)
MAX_NAME = 120


@dataclass(frozen=True)
class SavedFile:
    file: str  # path relative to the corpus
    documents: tuple[ParsedDocument, ...]
    requested_name: str
    replaced: bool  # an older file of the same name was replaced
    renamed: bool  # saved under another name because the name was taken
    duplicate_of: str | None  # identical content already in the corpus under this name


def safe_name(name: str) -> str:
    """A file name that is safe on disk and still readable: ``Kế hoạch 06/2021.docx`` -> ``Kế hoạch 06_2021.docx``."""
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name).strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "van-ban"
    stem = re.sub(r"\s+", " ", stem)[:MAX_NAME]
    ext = _UNSAFE.sub("", ext).lower()
    return f"{stem}.{ext}" if ext else stem


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _free_name(corpus_dir: Path, name: str) -> str:
    stem, _, ext = name.rpartition(".")
    n = 2
    while (corpus_dir / f"{stem} ({n}).{ext}").exists():
        n += 1
    return f"{stem} ({n}).{ext}"


def add_file(corpus_dir: Path, source: Path, requested_name: str, replace: bool = False,
             known: dict[str, str] | None = None, progress: Progress | None = None) -> SavedFile:
    """Check that ``source`` can be read, then save it into the corpus.

    ``known`` maps the sha256 of files already indexed to their names, so an
    identical re-upload is recognised without hashing the whole corpus.
    Raises ``ReadError`` (with a Vietnamese ``user_message``) and leaves the
    corpus unchanged when the file cannot be read or holds no text.
    """
    name = safe_name(requested_name)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise UnsupportedFormat(f"unsupported upload {requested_name!r}")
    digest = _sha256(source)
    if known and digest in known and (corpus_dir / known[digest]).is_file():
        rel = known[digest]
        return SavedFile(rel, (), requested_name, False, False, rel)

    target = corpus_dir / name
    renamed = replaced = False
    if target.exists():
        if replace:
            replaced = True
        else:
            name = _free_name(corpus_dir, name)
            target = corpus_dir / name
            renamed = True

    # Read under the final suffix so that the right reader is chosen.
    readable = source if source.suffix.lower() == suffix else _with_suffix(source, suffix)
    try:
        parsed = parse_file(readable, name, progress=progress)
    finally:
        if readable != source:
            readable.unlink(missing_ok=True)
    if not parsed or not any(p.chunks for p in parsed):
        raise EmptyDocument(f"no text in upload {requested_name!r}")

    corpus_dir.mkdir(parents=True, exist_ok=True)
    tmp = corpus_dir / f".upload-{os.getpid()}-{digest[:8]}"
    tmp.write_bytes(source.read_bytes())
    os.replace(tmp, target)
    return SavedFile(name, tuple(parsed), requested_name, replaced, renamed, None)


def _with_suffix(source: Path, suffix: str) -> Path:
    target = source.with_name(source.stem + "-upload" + suffix)
    target.write_bytes(source.read_bytes())
    return target


def photos_to_pdf(images: list[Path], target: Path) -> Path:
    """Photos of a paper document, in order, as one PDF of A4 pages that the reader OCRs like a scan.

    img2pdf embeds the JPEG bytes as they are (no re-encoding loss) and turns
    each photo by its EXIF orientation; each photo is fitted into an A4 page
    (landscape for a landscape photo), so the OCR renders it at a resolution
    close to a scanned page. Raises ``CorruptFile`` for what is not an image.
    """
    import img2pdf

    a4 = (img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297))
    layout = img2pdf.get_layout_fun(a4, fit=img2pdf.FitMode.into, auto_orient=True)
    try:
        opaque = [_without_alpha(p, target.parent) for p in images]
        data = img2pdf.convert([str(p) for p in opaque], layout_fun=layout, rotation=img2pdf.Rotation.ifvalid)
    except (img2pdf.ImageOpenError, img2pdf.AlphaChannelError, ValueError, OSError) as exc:
        raise CorruptFile(f"cannot turn photos into a PDF: {exc}",
                          user_message="Không đọc được ảnh đã gửi (tệp ảnh hỏng hoặc định dạng lạ).") from exc
    target.write_bytes(data)
    return target


def _without_alpha(image: Path, folder: Path) -> Path:
    """A PDF page has no transparency (img2pdf refuses it): a PNG with alpha is flattened onto white."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(image) as im:
            if im.mode not in ("RGBA", "LA", "PA") and not (im.mode == "P" and "transparency" in im.info):
                return image
            flat = Image.new("RGB", im.size, "white")
            rgba = im.convert("RGBA")
            flat.paste(rgba, mask=rgba.getchannel("A"))
    except (UnidentifiedImageError, OSError):
        return image  # img2pdf reports it
    flat_path = folder / f"{image.stem}-opaque.png"
    flat.save(flat_path)
    return flat_path
