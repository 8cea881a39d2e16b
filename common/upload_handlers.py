"""An upload handler that stops keeping a file once it passes the upload limit.

Without it, Django writes the whole of a 60 MB upload to a temporary file
before any check can say that 10 MB is the limit. First in
``FILE_UPLOAD_HANDLERS``: past the limit it passes no more bytes to the
handlers after it, so at most the limit is ever held, in memory or on disk. The
view then gets a small stand-in whose ``size`` is what was sent, and the usual
size check refuses it with its usual message. The rest of the request body is
discarded as it arrives; the reverse proxy's body limit stops it sooner.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from common.files import MAX_UPLOAD_BYTES


class OversizeUpload(SimpleUploadedFile):
    """What stands for a file that was not kept: no content, the size it had."""

    def __init__(self, name: str, content_type: str | None, size: int) -> None:
        super().__init__(name, b"", content_type or "application/octet-stream")
        self.size = size


class SizeLimitedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data: Any, META: dict[str, Any], content_length: int, *args: Any) -> None:
        self.request_length = content_length

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        # None: the handlers after this one get no more of this file.
        return raw_data if self.received <= MAX_UPLOAD_BYTES else None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= MAX_UPLOAD_BYTES:
            return None  # within the limit: the next handler's file is the upload
        # The request's length says better than the bytes read so far how large the file was.
        size = max(self.received, getattr(self, "request_length", 0) or 0)
        return OversizeUpload(self.file_name or "upload", self.content_type, size)
