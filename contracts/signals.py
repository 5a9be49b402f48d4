"""Signals that contracts sends for the apps above it."""

from django.dispatch import Signal

# Sent inside the transaction that completes or terminates a contract, with `contract`.
# `ratings` opens the review window.
contract_closed = Signal()
