"""Real files of another province (``../shared/realdocs``): metadata, OCR and answers.

    python -m tests.bench.realdocs [--no-build] [--cer-only]

What an official would notice on scanned, signed, handwritten-numbered files:

* metadata per field (type, number, date, issuer, title, signer) against the
  hand-read ``MANIFEST.tsv``: a value that disagrees with the page is
  *wrong* (worse than none); ``None`` is only a miss. A ``?`` in the manifest
  marks a part nobody can read (blank or illegible): ``None`` or the printed
  part alone ("…/UBND-TC") is right there, any digits are wrong;
* the OCR character error rate on the text PDFs, rendered as images and
  compared with their own text layer;
* question hit@1/hit@3 on ``questions.jsonl``, with the key matched as
  written (contract 5) and without diacritics or spaces (OCR text);
* OCR speed, pages per second on all cores.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import shutil
import sys
import time
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from index.language.normalize import fold
from index.records import Document
from index.settings import ROOT, Settings

REALDOCS = ROOT.parent / "shared" / "realdocs"
WORK = ROOT / "var" / "bench"
FIELDS = ("type", "number", "date", "issuer", "title", "signer")
_NOT_DOCUMENTS = {"MANIFEST.tsv", "README.md", "questions.jsonl", "questions_notes.tsv"}
_RANKS = re.compile(r"^(?:đại tướng|thượng tướng|trung tướng|thiếu tướng|đại tá|thượng tá|trung tá|thiếu tá)\s+",
                    re.IGNORECASE)
_ABBREVIATIONS = {"ubnd": "uy ban nhan dan", "mttq": "mat tran to quoc", "hdnd": "hoi dong nhan dan",
                  "tw": "trung uong", "ttdt": "thong tin dien tu"}
_MOTTO = ("cong hoa xa hoi", "doc lap", "tu do", "hanh phuc")


# ---------------------------------------------------------------------------- manifest


def load_manifest(folder: Path = REALDOCS) -> list[dict[str, str]]:
    lines = (folder / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"), strict=False)) for line in lines[1:] if line.strip()]


def _folded_words(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", fold(text))
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def _number_key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).upper().replace("Đ", "D").replace("–", "-")
    return re.sub(r"[\s()]", "", text)


def _printed_part(number: str) -> str:
    """What follows the digits: "…/CT-UBND" and "11/CT-UBND" share "/CT-UBND"."""
    return re.sub(r"^[\d…?.\s]*", "", _number_key(number))


def judge(field_name: str, gold: str, predicted: str | None) -> str:
    """``right``, ``wrong``, ``miss`` (None where the page says it) or ``unknowable`` (None where it does not)."""
    gold = gold.strip()
    unknowable = "?" in gold if field_name in ("number", "date") else gold in ("", "?")
    if predicted is None or not str(predicted).strip():
        return "unknowable" if unknowable else "miss"
    predicted = str(predicted)
    if field_name == "number":
        partial = "…" in predicted
        if unknowable or partial:
            ok = _printed_part(predicted) == _printed_part(gold) and not re.match(r"^\d", _number_key(predicted))
            return "partial" if ok else "wrong"
        return "right" if _number_key(predicted) == _number_key(gold) else "wrong"
    if field_name == "date":
        if unknowable:
            return "wrong"  # any full day is a guess where the page leaves it blank
        return "right" if predicted == gold else "wrong"
    if field_name == "type":
        options = {_folded_words(gold)} | {_folded_words(p) for p in re.findall(r"\(([^)]*)\)", gold)}
        options.add(_folded_words(re.sub(r"\s*\(.*\)", "", gold)))
        return "right" if _folded_words(predicted) in options else "wrong"
    if field_name == "issuer":
        main = _folded_words(gold.split(" - ")[-1])
        got = _folded_words(predicted)
        if any(m in got for m in _MOTTO):
            return "wrong"
        # A lost space ("MÔITRƯỜNG" in a text layer) is a spelling slip, not another body.
        main, bare, whole = main.replace(" ", ""), got.replace(" ", ""), _folded_words(gold).replace(" ", "")
        return "right" if main in bare or (len(bare) >= 8 and bare in whole) else "wrong"
    if field_name == "title":
        from rapidfuzz import fuzz

        def core(text: str) -> str:
            text = re.sub(r"^\(no V/v line\)\s*", "", text)
            return re.sub(r"^(v v|ve viec)\s+", "", _folded_words(text))

        return "right" if fuzz.ratio(core(gold), core(predicted)) >= 85 else "wrong"
    if field_name == "signer":
        name = _folded_words(_RANKS.sub("", gold.split(" (")[0]))
        names = [_folded_words(_RANKS.sub("", n)) for n in predicted.split(";")]
        return "right" if name in names else "wrong"
    raise ValueError(field_name)


@dataclass
class FieldScore:
    right: int = 0
    partial: int = 0
    wrong: int = 0
    miss: int = 0
    unknowable: int = 0
    wrong_list: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        said = self.right + self.partial + self.wrong
        return (self.right + self.partial) / said if said else 1.0

    @property
    def recall(self) -> float:
        knowable = self.right + self.wrong + self.miss + self.partial
        return self.right / knowable if knowable else 1.0


def first_documents(documents: list[Document]) -> dict[str, Document]:
    """The first document of each file: the manifest describes the file's leading document."""
    out: dict[str, Document] = {}
    for doc in sorted(documents, key=lambda d: (d.file, int(d.doc_id.rsplit("-", 1)[-1]))):
        out.setdefault(doc.file, doc)
    return out


def metadata_table(manifest: list[dict[str, str]], documents: dict[str, Document]) -> tuple[str, dict]:
    scores = {f: FieldScore() for f in FIELDS}
    typed_numbers, typed_found = 0, 0
    for row in manifest:
        doc = documents.get(row["file"])
        handwritten_number = "number digits" in row["notes"] or "?" in row["number"]
        for name in FIELDS:
            got = getattr(doc, name, None) if doc else None
            verdict = judge(name, row[name], got)
            s = scores[name]
            setattr(s, verdict, getattr(s, verdict) + 1)
            if verdict == "wrong":
                s.wrong_list.append(f"{row['file']}: {got!r} (page: {row[name]!r})")
        if not handwritten_number:
            typed_numbers += 1
            typed_found += judge("number", row["number"], doc.number if doc else None) == "right"
    lines = ["### Real files: metadata against MANIFEST.tsv", "",
             "| field | right | partial (printed part only) | wrong | None (miss) | None (unknowable) | "
             "precision | recall |", "|---|---|---|---|---|---|---|---|"]
    for name, s in scores.items():
        lines.append(f"| {name} | {s.right} | {s.partial} | {s.wrong} | {s.miss} | {s.unknowable} | "
                     f"{s.precision:.2f} | {s.recall:.2f} |")
    lines.append(f"\nTyped (not handwritten) numbers found: {typed_found}/{typed_numbers}")
    wrong = [f"- {name}: {w}" for name, s in scores.items() for w in s.wrong_list]
    if wrong:
        lines += ["", "Wrong fields:", *wrong]
    summary = {name: {"right": s.right, "partial": s.partial, "wrong": s.wrong, "miss": s.miss}
               for name, s in scores.items()}
    return "\n".join(lines), summary


# --------------------------------------------------------------------------- questions


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def _bare(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def questions_table(engine, questions: list[dict]) -> str:
    counts = {"written": [0, 0], "bare": [0, 0]}
    answerable = refused = negatives = refused_negatives = 0
    misses: list[str] = []
    for q in questions:
        answer = engine.ask(q["q"], k=10)
        if q.get("expect") == "no_answer":
            negatives += 1
            refused_negatives += answer.no_answer
            if not answer.no_answer:
                misses.append(f"{q['id']}:answered")
            continue
        answerable += 1
        refused += answer.no_answer
        for mode, match in (("written", lambda t: _nfc(q["key"]) in _nfc(t)),
                            ("bare", lambda t: _bare(q["key"]) in _bare(t))):
            rank = next((i + 1 for i, h in enumerate(answer.hits)
                         if h.document.file == q["file"] and match(h.chunk.text)), None)
            counts[mode][0] += rank == 1
            counts[mode][1] += bool(rank and rank <= 3)
            if mode == "bare" and rank != 1:
                misses.append(f"{q['id']}:{rank or '-'}")
        if answer.no_answer:
            misses.append(f"{q['id']}:refused")
    n = max(answerable, 1)
    lines = ["### Real files: questions (../shared/realdocs/questions.jsonl, hybrid)", "",
             "| key matched | questions | hit@1 | hit@3 | answerable refused | no-answer R |", "|---|---|---|---|---|---|"]
    for mode, label in (("written", "as written"), ("bare", "without diacritics or spaces")):
        lines.append(f"| {label} | {answerable} | {counts[mode][0] / n:.2f} | {counts[mode][1] / n:.2f} | {refused} | "
                     f"{refused_negatives}/{negatives} |")
    if misses:
        lines += ["", "Misses (id:rank, key without diacritics): " + ", ".join(misses)]
    return "\n".join(lines)


# --------------------------------------------------------------------------------- OCR


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance over the reference's length, after NFC and collapsing white space."""
    from rapidfuzz.distance import Levenshtein

    ref = " ".join(unicodedata.normalize("NFC", reference).split())
    hyp = " ".join(unicodedata.normalize("NFC", hypothesis).split())
    return Levenshtein.distance(ref, hyp) / max(len(ref), 1)


def text_pdf_pages(manifest: list[dict[str, str]], folder: Path = REALDOCS) -> list[tuple[Path, int]]:
    pages = []
    for row in manifest:
        if row["format"] == "text PDF":
            pages += [(folder / row["file"], i) for i in range(int(row["pages"]))]
    return pages


def text_layer(path: Path, index: int) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        page = document[index]
        textpage = page.get_textpage()
        return textpage.get_text_range()
    finally:
        document.close()


_RULE_LINE = re.compile(r"[\s_\-–—.]*")


def clean_reference(text: str) -> str:
    """The text layer as a reader sees it: no underline rules ("_____" under the motto), PDFium's soft-hyphen mark."""
    text = text.replace("\ufffe", "-")
    return "\n".join(line for line in text.splitlines() if not _RULE_LINE.fullmatch(line))


def line_aligned_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance of each reference line to its closest OCR line: blind to the order blocks are read in."""
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import extractOne

    ref_lines = [" ".join(unicodedata.normalize("NFC", x).split()) for x in reference.splitlines()]
    hyp_lines = [" ".join(unicodedata.normalize("NFC", x).split()) for x in hypothesis.splitlines()]
    ref_lines, hyp_lines = [x for x in ref_lines if x], [x for x in hyp_lines if x]
    errors = total = 0
    for line in ref_lines:
        best = extractOne(line, hyp_lines, scorer=Levenshtein.distance) if hyp_lines else None
        errors += min(best[1], len(line)) if best else len(line)
        total += len(line)
    return errors / max(total, 1)


def cer_variants(reference: str, hypothesis: str) -> dict[str, float]:
    """CER as compared before (raw text layer), against the cleaned layer, line-aligned, and without diacritics.

    The raw figure counts the text layer's underline rules and the header's
    column order as errors; the cleaned, line-aligned one is what tesseract
    got wrong in the words; the folded one separates lost diacritics
    ("quôc" for "quốc") from wrong letters.
    """
    ref = clean_reference(reference)
    return {"raw": character_error_rate(reference, hypothesis), "clean": character_error_rate(ref, hypothesis),
            "lines": line_aligned_error_rate(ref, hypothesis), "folded": character_error_rate(fold(ref), fold(hypothesis))}


def cer_table(manifest: list[dict[str, str]]) -> str:
    """OCR of the text PDFs' pages rendered as images, against their own text layer."""
    from index.read import ocr

    import pypdfium2 as pdfium

    lines = ["### Real files: OCR character error rate (text PDFs rendered, vs their text layer)", "",
             "raw = as compared before (the text layer as it is); clean = its underline rules dropped; "
             "lines = each clean line against its closest OCR line (reading order ignored); "
             "folded = clean, without diacritics", "",
             "| file | page | characters | raw CER | clean CER | lines CER | folded CER |",
             "|---|---|---|---|---|---|---|"]
    total_chars, totals = 0, {"raw": 0.0, "clean": 0.0, "lines": 0.0, "folded": 0.0}
    for path, index in text_pdf_pages(manifest):
        reference = text_layer(path, index)
        document = pdfium.PdfDocument(str(path))
        try:
            page_lines = ocr.ocr_pages(document, [index])[index]
        finally:
            document.close()
        hypothesis = "\n".join(ln.text for ln in page_lines)
        variants = cer_variants(reference, hypothesis)
        n = len(" ".join(reference.split()))
        total_chars += n
        for name, value in variants.items():
            totals[name] += value * n
        lines.append(f"| {path.name[:40]} | {index + 1} | {n} | " + " | ".join(f"{variants[k]:.3f}" for k in totals)
                     + " |")
    lines.append(f"| all | | {total_chars} | " + " | ".join(f"{v / max(total_chars, 1):.3f}" for v in totals.values())
                 + " |")
    return "\n".join(lines)


OCR_SETTINGS = [  # (dpi, page segmentation mode, binarise)
    (300, "3", False), (200, "3", False), (400, "3", False), (300, "4", False), (300, "6", False), (300, "3", True),
]


def _binarise(image):
    """Otsu's threshold on the grey page (what OCRmyPDF and scanners' "clean" options do first)."""
    histogram = image.histogram()
    total = sum(histogram)
    sum_all = sum(i * h for i, h in enumerate(histogram))
    best, threshold, weight, sum_back = 0.0, 128, 0, 0.0
    for i, h in enumerate(histogram):
        weight += h
        if weight == 0 or weight == total:
            continue
        sum_back += i * h
        mean_back, mean_fore = sum_back / weight, (sum_all - sum_back) / (total - weight)
        between = weight * (total - weight) * (mean_back - mean_fore) ** 2
        if between > best:
            best, threshold = between, i
    return image.point(lambda v: 255 if v > threshold else 0)


def settings_table(manifest: list[dict[str, str]]) -> str:
    """CER and seconds a page for each OCR setting, on the text PDFs rendered as images."""
    import pypdfium2 as pdfium

    from index.read import ocr

    lines = ["### OCR settings on the real text PDFs (CER vs their text layer; one tesseract process)", "",
             "| dpi | psm | binarised | CER | s/page |", "|---|---|---|---|---|"]
    pages = text_pdf_pages(manifest)
    for dpi, psm, binarise in OCR_SETTINGS:
        chars, errors, seconds = 0, 0.0, 0.0
        for path, index in pages:
            reference = text_layer(path, index)
            document = pdfium.PdfDocument(str(path))
            try:
                image = document[index].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            finally:
                document.close()
            if binarise:
                image = _binarise(image)
            started = time.perf_counter()
            tsv = ocr._tesseract(image, ["--psm", psm, "--dpi", str(dpi)], index + 1)
            seconds += time.perf_counter() - started
            hypothesis = "\n".join(ln.text for ln in ocr.parse_tsv(tsv))
            n = len(" ".join(reference.split()))
            chars += n
            errors += character_error_rate(reference, hypothesis) * n
        lines.append(f"| {dpi} | {psm} | {'yes' if binarise else 'no'} | {errors / max(chars, 1):.3f} | "
                     f"{seconds / max(len(pages), 1):.1f} |")
    return "\n".join(lines)


def ocr_speed(corpus: Path) -> tuple[int, float]:
    """Scanned pages read per second, every PDF of the corpus through ``read_file``."""
    import inspect

    from index.read import read_file

    pages = 0
    started = time.perf_counter()
    if "progress" not in inspect.signature(read_file).parameters:
        return 0, 0.0  # an old reader: the build below reads (and times) the files
    for path in sorted(corpus.glob("*.pdf")):
        seen = [0]

        def progress(done: int, total: int, seen: list[int] = seen) -> None:
            seen[0] = total

        try:
            read_file(path, progress=progress)
        except Exception as exc:  # noqa: BLE001 - a bench reports, it does not stop
            print(f"{path.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        pages += seen[0]
    return pages, time.perf_counter() - started


# ------------------------------------------------------------------------------- build


def prepare_corpus(target: Path, folder: Path = REALDOCS) -> Path:
    """A copy of the real files without the manifest and notes (they are not documents)."""
    corpus = target / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name not in _NOT_DOCUMENTS:
            shutil.copy2(path, corpus / path.name)
    return corpus


def _use_ocr_cache(directory: Path | None) -> bool:
    try:
        from index.read.scan import cache
    except ImportError:  # a reader without an OCR cache
        return False
    cache.use_directory(directory)
    return True


def bench_realdocs(embedder, rows: list[tuple[str, str]], *, build: bool = True, cer: bool = True,
                   reuse_ocr: bool = False) -> dict:
    """Build the real files into ``var/bench/realdocs-index`` and print their tables.

    OCR is timed on a cold cache (the build then reuses what it read); with
    ``reuse_ocr`` the pages recognised by an earlier run are taken from
    ``var/bench/realdocs-ocr/`` and the speed is not measured (for tuning).
    """
    from index.build import build_index
    from index.engine import Engine, has_index
    from tests.bench.quality import load_questions

    if not (REALDOCS / "MANIFEST.tsv").exists():
        rows.append(("real files", f"skipped: {REALDOCS} not found"))
        return {}
    manifest = load_manifest()
    root = WORK / "realdocs"
    settings = replace(Settings.from_env(), corpus_dir=root / "corpus", index_dir=WORK / "realdocs-index")
    if build or not has_index(settings):
        corpus = prepare_corpus(root)
        if not reuse_ocr:
            shutil.rmtree(settings.index_dir, ignore_errors=True)
        if reuse_ocr:
            _use_ocr_cache(WORK / "realdocs-ocr")
            pages, seconds = 0, 0.0
        else:
            _use_ocr_cache(None)
            pages, seconds = ocr_speed(corpus)
        if pages:
            rows.append(("real files: OCR speed (all cores, read_file)",
                         f"{pages / seconds:.2f} pages/s ({pages} scanned pages, {seconds:.0f} s)"))
        t = time.perf_counter()
        # A full build: every file read again (OCR from the cache), unchanged passages not embedded again.
        report = build_index(settings, embedder=embedder, full=True)
        rows.append(("real files: build (29 files, OCR already done)",
                     f"{time.perf_counter() - t:.0f} s, {report.documents} documents, {report.chunks} passages, "
                     f"{len(report.failed)} failed"))
        for failed in report.failed:
            print(f"failed: {failed.file}: {failed.error}", file=sys.stderr)
    engine = Engine(settings, embedder=embedder)
    engine.warm_up()
    table, summary = metadata_table(manifest, first_documents(engine.documents()))
    print(table, "\n", flush=True)
    print(questions_table(engine, load_questions(REALDOCS / "questions.jsonl")), "\n", flush=True)
    if cer:
        print(cer_table(manifest), "\n", flush=True)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.realdocs")
    parser.add_argument("--no-build", action="store_true", help="score the existing realdocs index")
    parser.add_argument("--no-cer", action="store_true")
    parser.add_argument("--cer-only", action="store_true")
    parser.add_argument("--reuse-ocr", action="store_true", help="take OCR from var/bench/realdocs-ocr (no speed)")
    parser.add_argument("--ocr-settings", action="store_true", help="CER for each OCR setting (resolution, psm)")
    parser.add_argument("--prime-ocr", action="store_true", help="OCR every PDF into var/bench/realdocs-ocr, timed")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.cer_only:
        print(cer_table(load_manifest()))
        return 0
    if args.ocr_settings:
        print(settings_table(load_manifest()))
        return 0
    if args.prime_ocr:
        _use_ocr_cache(WORK / "realdocs-ocr")
        pages, seconds = ocr_speed(prepare_corpus(WORK / "realdocs"))
        print(f"| real files: OCR speed (all cores, read_file) | {pages / max(seconds, 1e-9):.2f} pages/s "
              f"({pages} scanned pages, {seconds:.0f} s) |")
        return 0
    from index.store.embed import load_embedder

    rows: list[tuple[str, str]] = []
    summary = bench_realdocs(load_embedder(Settings.from_env()), rows, build=not args.no_build, cer=not args.no_cer,
                             reuse_ocr=args.reuse_ocr)
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    (WORK / "realdocs-summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
