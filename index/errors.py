"""The engine's one exception family.

Each error carries a Vietnamese ``user_message`` that a front-end can show an
official as is; the English ``str()`` is for the operator's log.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error the ``index`` package raises on purpose."""

    user_message = "Đã có lỗi khi xử lý yêu cầu."

    def __init__(self, detail: str = "", user_message: str | None = None) -> None:
        super().__init__(detail or self.__class__.__name__)
        if user_message is not None:
            self.user_message = user_message


class ReadError(EngineError):
    """A file could not be turned into text; the build goes on without it."""

    user_message = "Không đọc được tệp."


class UnsupportedFormat(ReadError):
    user_message = "Định dạng tệp chưa được hỗ trợ (chỉ nhận .md, .txt, .docx, .doc, .pdf)."


class EmptyDocument(ReadError):
    user_message = "Tệp không có nội dung văn bản."


class EncodingError(ReadError):
    user_message = "Không nhận ra bảng mã của tệp văn bản; hãy lưu lại tệp ở dạng Unicode (UTF-8)."


class ProtectedFile(ReadError):
    user_message = "Tệp được đặt mật khẩu nên không đọc được; hãy gửi bản không khóa."


class CorruptFile(ReadError):
    user_message = "Tệp bị hỏng hoặc không đúng định dạng nên không đọc được."


class OcrUnavailable(ReadError):
    user_message = (
        "Tệp là bản quét (ảnh) nhưng máy chủ chưa cài công cụ nhận dạng chữ (tesseract, tiếng Việt); "
        "hãy báo quản trị viên hoặc gửi bản có lớp chữ."
    )


class ToolUnavailable(ReadError):
    user_message = "Máy chủ chưa cài công cụ để đọc loại tệp này; hãy báo quản trị viên."


class IndexMissing(EngineError):
    user_message = "Chưa có chỉ mục văn bản. Quản trị viên cần chạy lệnh xây dựng chỉ mục (/reindex)."


class ModelMismatch(EngineError):
    user_message = (
        "Chỉ mục được xây dựng bằng mô hình khác với mô hình đang cấu hình; "
        "cần xây dựng lại toàn bộ chỉ mục (build_index.py --full)."
    )


class ModelUnavailable(EngineError):
    user_message = "Không nạp được mô hình ngôn ngữ; hãy báo quản trị viên."


class BuildInProgress(EngineError):
    user_message = "Chỉ mục đang được cập nhật; vui lòng thử lại sau ít phút."


class IndexDamaged(EngineError):
    """A segment file does not match the checksum its build recorded (disk damage, a stray edit)."""

    user_message = ("Chỉ mục bị hỏng (tệp dữ liệu không khớp mã kiểm tra); đang dựng lại phần hỏng từ cơ sở dữ "
                    "liệu và bộ nhớ đệm vector.")
