"""Signals that contracts sends for the apps above it."""

from django.dispatch import Signal

# Sent inside the transaction that completes or terminates a contract, with `contract`.
# `ratings` opens the review window.
contract_closed = Signal()

# Sent inside the transaction in which a payment succeeds (online or recorded offline), with `payment` and
# `contract`. `ratings` refreshes the office's payment indicators.
payment_succeeded = Signal()
