"""The time a request reached the application, stamped before anything else runs.

A sealed bid's time is the moment its request arrived, not the moment a worker got to it or the tender's lock
was free: so a bid sent before the deadline is not refused for waiting in a queue (see
docs/decisions/0010-bid-commitment-and-arrival-time.md). The middleware comes first in MIDDLEWARE and touches
nothing but the clock; the time is also sent back in the `X-Arrived-At` header of unsafe requests, so a bidder
(or a test) can see which side of the deadline the server put their request.
"""

import datetime as dt

from django.utils import timezone

ARRIVED_AT_HEADER = "X-Arrived-At"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class ArrivalTimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.arrived_at = timezone.now()
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            response[ARRIVED_AT_HEADER] = request.arrived_at.isoformat()
        return response


def arrival_time(request) -> dt.datetime:
    """The request's arrival time; now for a request that did not pass the middleware (a test's factory)."""
    return getattr(request, "arrived_at", None) or timezone.now()
