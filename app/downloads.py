"""Files of a review's data sent to the browser. Each is logged in the audit log as it leaves
(``export.<kind>``: who, which format), so no download route can forget to."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response
from sqlmodel import Session

from screening.review.access import ReviewAccess
from screening.review.audit import record_export


def download(session: Session, access: ReviewAccess, kind: str, content: bytes | str, media_type: str, filename: str,
             **detail: Any) -> Response:
    record_export(session, actor_id=access.user_id, review_id=access.review.id, kind=kind,
                  file_format=filename.rsplit(".", 1)[-1], **detail)
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
