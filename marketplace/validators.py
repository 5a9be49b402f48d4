"""Input validators with messages that say exactly what is wrong."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import uscc


def normalise_uscc(value: str) -> str:
    return uscc.compact(value or "")


def validate_uscc(value: str) -> str:
    """Return the normalised USCC or raise a ValidationError naming the problem: length, character or check."""
    try:
        return uscc.validate(value)
    except stdnum_exceptions.InvalidLength as exc:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="uscc_length",
            params={"count": len(normalise_uscc(value))},
        ) from exc
    except stdnum_exceptions.InvalidChecksum as exc:
        raise ValidationError(
            _("The check character (the 18th) does not match: please check the code for a typing mistake."),
            code="uscc_checksum",
        ) from exc
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(
            _(
                "The code contains a character that is not allowed. It uses digits and capital letters "
                "except I, O, Z, S and V."
            ),
            code="uscc_format",
        ) from exc
