"""Winnow's own exception types. The web layer turns each into one page
message or JSON error; the CLI prints it. Messages say what, where and how to fix."""


class WinnowError(Exception):
    """A request Winnow refuses; ``str(error)`` is shown to the user as it is."""


class NotFound(WinnowError):
    """The object does not exist, or the user may not know that it does."""


class PermissionDenied(WinnowError):
    """The user may see the object but not make this change."""


class InvalidInput(WinnowError):
    """The input breaks a rule of the domain; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StorageFull(WinnowError):
    """The server could not store a file (its disk is full); nothing was kept of it."""
