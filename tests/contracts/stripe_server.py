"""The Stripe the tests talk to: localstripe, plus the Connect routes it lacks, on 127.0.0.1.

Run as `python -m tests.contracts.stripe_server`; it prints `READY <port>` once both servers listen. One process
serves two aiohttp apps on free ports:

- localstripe's own app (fresh, empty state: its saved state on disk is never loaded), and
- this front server, which the `stripe` library is pointed at (STRIPE_API_BASE). It serves `/v1/accounts`,
  `/v1/account_links` and `/v1/transfers` itself, honouring `Idempotency-Key` the way Stripe does (same key →
  same response; same key with other parameters → 400 idempotency_error), and proxies everything else to
  localstripe unchanged. localstripe ignores `Idempotency-Key`; the proxy deliberately does NOT add that for
  its routes, so the payment tests show the design holds without it.

Onboarding: an account link's URL is `/_test/onboard/<account>`; opening it completes the account (details
submitted, payouts enabled), as finishing Stripe's hosted form would, and redirects to the return URL.
"""

import argparse
import asyncio
import json
import random
import string
import sys
import time
from urllib.parse import urlencode

from aiohttp import ClientSession, web
from localstripe.server import app as localstripe_app
from localstripe.server import get_api_key, get_post_data

HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


def _id(prefix: str) -> str:
    return prefix + "".join(random.choices(string.ascii_letters + string.digits, k=14))


def _error(status: int, message: str, type_: str = "invalid_request_error", **extra) -> web.Response:
    return web.json_response({"error": {"type": type_, "message": message, **extra}}, status=status)


class Connect:
    def __init__(self):
        self.accounts: dict[str, dict] = {}
        self.transfers: dict[str, dict] = {}
        self.replays: dict[str, tuple[str, int, dict]] = {}  # key -> (request fingerprint, status, body)

    async def idempotent(self, request: web.Request, handler) -> web.Response:
        data = await get_post_data(request) or {}
        key = request.headers.get("Idempotency-Key")
        fingerprint = json.dumps([request.method, request.path, data], sort_keys=True, default=str)
        if key and key in self.replays:
            seen, status, body = self.replays[key]
            if seen != fingerprint:
                return _error(400, "Keys for idempotent requests can only be used with the same parameters they "
                                   "were first used with.", type_="idempotency_error")
            return web.json_response(body, status=status, headers={"Idempotent-Replayed": "true"})
        status, body = handler(request, data)
        if key:
            self.replays[key] = (fingerprint, status, body)
        return web.json_response(body, status=status)

    def create_account(self, request, data):
        if data.get("type") != "express":
            return 400, {"error": {"type": "invalid_request_error", "message": "Only Express accounts here."}}
        account = {"id": _id("acct_"), "object": "account", "type": "express", "country": data.get("country", "CN"),
                   "email": data.get("email"), "metadata": data.get("metadata") or {}, "created": int(time.time()),
                   "charges_enabled": False, "payouts_enabled": False, "details_submitted": False,
                   "capabilities": {"transfers": "inactive"}}
        self.accounts[account["id"]] = account
        return 200, account

    def create_account_link(self, request, data):
        account = self.accounts.get(data.get("account", ""))
        if account is None:
            return 404, {"error": {"type": "invalid_request_error", "message": "No such account"}}
        if not data.get("return_url") or not data.get("refresh_url"):
            return 400, {"error": {"type": "invalid_request_error", "message": "return_url and refresh_url needed"}}
        base = f"{request.scheme}://{request.host}"
        url = f"{base}/_test/onboard/{account['id']}?" + urlencode({"return_url": data["return_url"]})
        return 200, {"object": "account_link", "url": url, "created": int(time.time()),
                     "expires_at": int(time.time()) + 300}

    def create_transfer(self, request, data):
        account = self.accounts.get(data.get("destination", ""))
        if account is None:
            return 404, {"error": {"type": "invalid_request_error", "message": "No such destination account"}}
        if not account["payouts_enabled"]:
            return 400, {"error": {"type": "invalid_request_error",
                                   "message": "The destination account cannot receive transfers yet."}}
        try:
            amount = int(data.get("amount"))
            assert amount > 0
        except (TypeError, ValueError, AssertionError):
            return 400, {"error": {"type": "invalid_request_error", "message": "Invalid amount"}}
        transfer = {"id": _id("tr_"), "object": "transfer", "amount": amount, "currency": data.get("currency"),
                    "destination": account["id"], "transfer_group": data.get("transfer_group"),
                    "metadata": data.get("metadata") or {}, "created": int(time.time()), "reversed": False}
        self.transfers[transfer["id"]] = transfer
        return 200, transfer


def front_app(localstripe_url: str) -> web.Application:
    connect = Connect()

    @web.middleware
    async def auth(request, handler):
        if request.path.startswith("/v1/") and get_api_key(request) is None:
            return _error(401, "Invalid API Key provided")
        return await handler(request)

    async def retrieve(store, request):
        obj = store.get(request.match_info["id"])
        return web.json_response(obj) if obj else _error(404, "No such object")

    async def list_transfers(request):
        items = sorted(connect.transfers.values(), key=lambda t: t["created"])
        dest = request.query.get("destination")
        items = [t for t in items if not dest or t["destination"] == dest]
        return web.json_response({"object": "list", "data": items, "has_more": False, "url": "/v1/transfers"})

    async def onboard(request):
        account = connect.accounts.get(request.match_info["id"])
        if account is None:
            return web.Response(status=404)
        account.update(details_submitted=True, charges_enabled=True, payouts_enabled=True,
                       capabilities={"transfers": "active"})
        raise web.HTTPFound(request.query["return_url"])

    async def proxy(request):
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        async with ClientSession() as session, session.request(
            request.method, localstripe_url + request.path_qs, headers=headers, data=await request.read()
        ) as upstream:
            body = await upstream.read()
            return web.Response(status=upstream.status, body=body,
                                content_type=upstream.content_type or "application/json")

    app = web.Application(middlewares=[auth])
    app.router.add_post("/v1/accounts", lambda r: connect.idempotent(r, connect.create_account))
    app.router.add_get("/v1/accounts/{id}", lambda r: retrieve(connect.accounts, r))
    app.router.add_post("/v1/account_links", lambda r: connect.idempotent(r, connect.create_account_link))
    app.router.add_post("/v1/transfers", lambda r: connect.idempotent(r, connect.create_transfer))
    app.router.add_get("/v1/transfers", list_transfers)
    app.router.add_get("/v1/transfers/{id}", lambda r: retrieve(connect.transfers, r))
    app.router.add_get("/_test/onboard/{id}", onboard)
    app.router.add_route("*", "/{tail:.*}", proxy)
    return app


async def serve() -> None:
    runners = []
    ls_runner = web.AppRunner(localstripe_app)
    await ls_runner.setup()
    ls_site = web.TCPSite(ls_runner, "127.0.0.1", 0)
    await ls_site.start()
    ls_port = ls_site._server.sockets[0].getsockname()[1]
    runners.append(ls_runner)
    front = web.AppRunner(front_app(f"http://127.0.0.1:{ls_port}"))
    await front.setup()
    site = web.TCPSite(front, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    sys.stdout.write(f"READY {port} {ls_port}\n")
    sys.stdout.flush()
    await asyncio.Event().wait()


def main():
    argparse.ArgumentParser(description=__doc__).parse_args()
    asyncio.run(serve())


if __name__ == "__main__":
    main()
