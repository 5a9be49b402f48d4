"""Signals that the foundation sends so that higher apps can react without being imported here."""

from django.dispatch import Signal

# Sent after a street office is created, with `office`. The catalogue gives it its purchase-list
# folder and Wagtail permissions.
office_created = Signal()

# Sent after a person's posts in an office change, with `office`, `user` and `roles` (the set now held).
office_staff_changed = Signal()
