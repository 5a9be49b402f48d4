"""Signals that tendering sends for the apps above it."""

from django.dispatch import Signal

# Sent inside the transaction that makes an award final, with `tender` and `bid` (the winning bid).
# `contracts` creates the draft contract.
tender_awarded = Signal()
