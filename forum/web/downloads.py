"""Every file the app hands out: an attachment that no browser or proxy keeps a copy of."""
from __future__ import annotations

from flask import Response


def attachment(body: str, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })
