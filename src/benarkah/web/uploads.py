"""Pictures people upload on the web chat and ``POST /api/ask``: read bounded, named, answered.

The body limit (``limits.BodySizeLimit``) already refused anything over ``media_max_upload_bytes``
before it was read; here the file is read from Starlette's spooled upload, and the declared content
type only *names* the file in the reply ("gambar", "video"): what it is gets sniffed from the bytes
by the media pipeline (``media.kinds.sniff``), so a PDF called ``image/jpeg`` is still refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException
from starlette.datastructures import UploadFile

from ..domain.pictures import MediaType
from ..media.pool import ReaderBusy
from ..tipline import HandledMessage, Tipline

BUSY_RETRY_SECONDS = 10


@dataclass(frozen=True)
class Upload:
    media: MediaType
    data: bytes


def read_upload(upload: UploadFile | None, limit: int) -> Upload | None:
    """The uploaded file (None: no file, or an empty file input). Over ``limit``: HTTP 413."""
    if upload is None or not upload.filename and not upload.size:
        return None
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"file too large (limit {limit:,} bytes) / berkas terlalu besar")
    if not data:
        return None
    return Upload(MediaType.declared(upload.content_type), data)


def answer_upload(tipline: Tipline, channel: str, session: str, upload: Upload, caption: str,
                  wait: float, client: str | None = None) -> HandledMessage:
    """Read and answer the file; all readers busy for ``wait`` seconds: HTTP 503 with Retry-After.
    ``client``: the requester's address, which the tips budget counts."""
    try:
        return tipline.handle_media(channel, session, upload.media, upload.data, caption=caption, wait=wait,
                                    client=client)
    except ReaderBusy as exc:
        raise HTTPException(503, f"{exc} / sedang sibuk, coba lagi sebentar lagi",
                            headers={"Retry-After": str(BUSY_RETRY_SECONDS)}) from exc
