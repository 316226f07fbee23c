"""A ceiling on request bodies, so an upload far over WINNOW_MAX_UPLOAD_MB is refused before it is
read, spooled to disk or parsed, with the same clear message a page or script gets for any error."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Room for the form's other fields beside the file.
FORM_ALLOWANCE = 1 << 20


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int):
        super().__init__(status_code=413, detail=(
            f"The upload is over the limit of {limit / 2**20:.0f} MB. Split the file into smaller ones, "
            "or ask the administrator to raise WINNOW_MAX_UPLOAD_MB."))


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.limit = max_bytes + FORM_ALLOWANCE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        # Refused when the route first reads the body: a request that reads none (a GET) is untouched.
        too_large = declared.isdigit() and int(declared) > self.limit
        received = 0

        async def counted() -> Message:
            nonlocal received
            if too_large:
                raise BodyTooLarge(self.max_bytes)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:  # a body sent without its length, or longer than it said
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)
