"""Input validators with messages that say exactly what is wrong."""

import re

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


# C0 and C1 control characters and DEL, except tab, line feed and carriage return (text may have lines).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def validate_no_control_characters(value) -> None:
    """Refuse text with an invisible control character (NUL, form feed, escape...): say which one and where.

    Every text field of every form has this validator (see `refuse_control_characters_in_every_text_field`), and the
    views that read a value from the request themselves use marketplace.inputs.text_param, which applies it too.
    """
    if not isinstance(value, str):
        return
    found = CONTROL_CHARACTERS.search(value)
    if found:
        raise ValidationError(
            _("The text contains an invisible control character (U+%(code)s) at position %(position)d. Remove it: "
              "only visible characters, spaces, tabs and line breaks are allowed."),
            code="control_character",
            params={"code": f"{ord(found.group()):04X}", "position": found.start() + 1},
        )


def refuse_control_characters_in_every_text_field() -> None:
    """Make `validate_no_control_characters` a default validator of Django's text form fields (CharField and the
    subclasses that have default validators of their own), so every form refuses such text next to the field, in
    the user's language, and keeps what was typed. Called once when the marketplace app configuration is loaded
    (marketplace.apps); docs/decisions/0011-hostile-input.md says why this rather than a form base class."""
    from django import forms

    for field_class in (forms.CharField, forms.EmailField, forms.URLField):
        if validate_no_control_characters not in field_class.default_validators:
            field_class.default_validators = [*field_class.default_validators, validate_no_control_characters]
