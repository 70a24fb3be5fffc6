"""What an admin is told after an upload or a /reindex, as Telegram HTML.

The admin needs to see at once whether the engine understood the file (which
documents, their number and date, how many passages) and which files it could
not read and why, in the engine's own Vietnamese words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.render.citation import document_header, esc, shorten
from bot.render.html_split import split_html
from index import BuildReport, Document, FileReport

if TYPE_CHECKING:
    from index import SavedFile


def _document_line(doc: Document, chunks: int) -> str:
    line = f"• <b>{esc(shorten(document_header(doc), 250))}</b>: {chunks} đoạn"
    missing = [name for name, value in (("loại văn bản", doc.type), ("số hiệu", doc.number), ("ngày", doc.date),
                                        ("cơ quan ban hành", doc.issuer)) if not value]
    if doc.title:
        line += f"\n   <i>{esc(shorten(doc.title, 200))}</i>"
    if missing:
        # Unknown metadata is left out of citations, never guessed: say so to the admin.
        line += f"\n   (không nhận ra {', '.join(missing)})"
    return line


def _file_report(report: BuildReport | None, file: str) -> FileReport | None:
    if report is None:
        return None
    return next((f for f in report.files if f.file == file), None)


def upload_report(saved: SavedFile, report: BuildReport | None, seconds: float) -> list[str]:
    """The admin's report after an upload: saved where, which documents, how long."""
    if saved.duplicate_of is not None:
        return [(f"ℹ️ Nội dung tệp «{esc(saved.requested_name)}» trùng với tệp đã có trong kho "
                 f"«{esc(saved.duplicate_of)}», nên không lưu thêm.")]
    lines = [f"✅ Đã thêm «{esc(saved.file)}» vào kho và lập chỉ mục ({seconds:.1f} giây)."]
    if saved.renamed:
        lines.append(f"Trong kho đã có một tệp cùng tên, nên tệp mới được lưu thành «{esc(saved.file)}». "
                     "Để thay thế tệp cũ, hãy gửi lại tệp kèm chú thích «thay thế».")
    if saved.replaced:
        lines.append(f"Đã thay thế tệp cũ cùng tên «{esc(saved.file)}».")
    found = _file_report(report, saved.file)
    if found is not None and found.status == "failed":
        lines.append(f"⚠️ Chỉ mục chưa nhận tệp: {esc(found.error)}")
    docs = list(found.documents) if found is not None and found.documents else [
        (pd.document, len(pd.chunks)) for pd in saved.documents]
    lines.append(f"\n<b>Văn bản tìm thấy: {len(docs)}</b>")
    lines += [_document_line(doc, n) for doc, n in docs]
    if report is not None:
        lines.append(f"\nChỉ mục hiện có {report.documents} văn bản, {report.chunks} đoạn.")
    return split_html("\n".join(lines))


def build_report(report: BuildReport) -> list[str]:
    """The admin's report after /reindex: counts, what changed, what failed and why."""
    by_status: dict[str, list[FileReport]] = {}
    for f in report.files:
        by_status.setdefault(f.status, []).append(f)
    failed = by_status.get("failed", [])
    icon = "⚠️" if failed else "✅"
    lines = [(f"{icon} Đã cập nhật chỉ mục trong {report.seconds:.1f} giây: {report.documents} văn bản, "
              f"{report.chunks} đoạn ({report.embedded} đoạn mới được mã hóa).")]
    indexed = by_status.get("indexed", [])
    if indexed:
        lines.append(f"\n<b>Tệp mới hoặc đã sửa: {len(indexed)}</b>")
        for f in indexed:
            lines.append(f"<b>{esc(f.file)}</b>")
            lines += [_document_line(doc, n) for doc, n in f.documents]
    removed = by_status.get("removed", [])
    if removed:
        lines.append(f"\n<b>Tệp đã gỡ khỏi chỉ mục: {len(removed)}</b>")
        lines += [f"• {esc(f.file)}" for f in removed]
    unchanged = by_status.get("unchanged", [])
    if unchanged:
        lines.append(f"\nKhông thay đổi: {len(unchanged)} tệp.")
    if failed:
        lines.append(f"\n<b>Không đọc được: {len(failed)} tệp</b>")
        lines += [f"• {esc(f.file)}: {esc(f.error or 'không rõ lý do')}" for f in failed]
    return split_html("\n".join(lines))
