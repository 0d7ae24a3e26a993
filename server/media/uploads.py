"""The multipart body of an upload route, shared by every domain that takes files (directives, tasks)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from server.lib.errors import Invalid

# A mapping, not a bare UploadFile: Litestar fails with a 500 on a multipart body with no file part at all
# when the handler asks for one file; `the_file` then answers that case with a clear 422.
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def the_file(data: dict[str, Any]) -> UploadFile:
    """The uploaded file: the part named `data`, else the only file part there is."""
    named = data.get("data")
    if isinstance(named, UploadFile):
        return named
    files = [value for value in data.values() if isinstance(value, UploadFile)]
    if len(files) != 1:
        raise Invalid("file_required", "Cần chọn một tệp để tải lên")
    return files[0]
