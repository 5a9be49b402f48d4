"""Typed domain errors. Each carries a code and the HTTP status that says what it means."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """An error the user can cause. `message` is shown to them, in their language."""

    status = 400
    code = "invalid"
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, code: str | None = None, reasons: list | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.reasons = list(reasons or [])
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    status = 400
    code = "invalid"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("You do not have permission to do this.")


class NotFound(DomainError):
    """Raised both for a missing object and for one the user may not see, so ids cannot be probed."""

    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Conflict(DomainError):
    """The request was valid but the object's state no longer allows it (for example after a deadline)."""

    status = 409
    code = "conflict"
    default_message = _("This can no longer be done in the current state.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
