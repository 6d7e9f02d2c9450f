"""A local HTTP stand-in for Stripe's API, for the billing tests.

A threaded ``http.server`` on a free port that records every request and answers with
Stripe-shaped JSON for the endpoints billing uses (customers, subscriptions, invoices with
pay, products, prices, billing portal sessions). State lives in memory: a subscription created
is the one later retrieved. The test drives "what Stripe would do over time" (a trial ends, an
invoice becomes overdue, the municipality pays) through methods that change that state and
return the events Stripe would send; ``signed(...)`` signs them with the real ``stripe`` library.
``unreachable()`` closes the port, as when Stripe cannot be reached.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import stripe

API_VERSION = "2026-10-28.endive"


@dataclasses.dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (``items[0][price]=p``) back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        node = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(node: Any) -> Any:
    if isinstance(node, dict):
        converted = {k: _listify(v) for k, v in node.items()}
        if converted and all(k.isdigit() for k in converted):
            return [converted[k] for k in sorted(converted, key=int)]
        return converted
    return node


class StubError(Exception):
    def __init__(self, status: int, message: str, code: str = "resource_missing") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


class StripeStub:
    """One fake Stripe account. Start with ``start()``; ``url`` is its API base."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.customers: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}
        self.products: dict[str, dict[str, Any]] = {}
        self.prices: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self._idempotent: dict[str, tuple[int, dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self.clock = int(time.time())  # Stripe's "now"; advance() moves it
        self._last_event = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- the server ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StripeStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                stub._handle(self, "GET")

            def do_POST(self) -> None:
                stub._handle(self, "POST")

            def do_DELETE(self) -> None:
                stub._handle(self, "DELETE")

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @contextmanager
    def unreachable(self) -> Iterator[None]:
        """Nothing listens on the port inside the block (connection refused)."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    # --- request handling -----------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        pairs += parse_qsl(body, keep_blank_values=True)
        params = _nest(pairs)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append(Recorded(method, parts.path, params, headers))
            key = headers.get("idempotency-key")
            if method == "POST" and key and key in self._idempotent:
                status, answer = self._idempotent[key]
            else:
                try:
                    status, answer = 200, self._route(method, parts.path, params)
                except StubError as exc:
                    status = exc.status
                    answer = {
                        "error": {
                            "type": "invalid_request_error",
                            "message": exc.message,
                            "code": exc.code,
                        }
                    }
                if method == "POST" and key:
                    self._idempotent[key] = (status, answer)
            data = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Request-Id", f"req_{next(self._ids)}")
        handler.end_headers()
        handler.wfile.write(data)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_stub{next(self._ids):06d}"

    def _route(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        segments = path.strip("/").split("/")
        if segments[0] != "v1":
            raise StubError(404, f"Unrecognized request URL ({method}: {path})", "not_found")
        resource, rest = segments[1], segments[2:]
        if resource == "billing_portal" and rest == ["sessions"] and method == "POST":
            return self._portal_session(params)
        collections = {
            "customers": self.customers,
            "subscriptions": self.subscriptions,
            "invoices": self.invoices,
            "products": self.products,
            "prices": self.prices,
        }
        if resource not in collections:
            raise StubError(404, f"Unrecognized request URL ({method}: {path})", "not_found")
        store = collections[resource]
        if not rest:
            if method == "POST":
                return copy.deepcopy(getattr(self, f"_create_{resource}")(params))
            return self._list(resource, store, params)
        obj = store.get(rest[0])
        if obj is None:
            raise StubError(404, f"No such {resource[:-1]}: '{rest[0]}'")
        if len(rest) == 1 and method == "GET":
            return copy.deepcopy(obj)
        if len(rest) == 1 and method == "POST":
            self._update(resource, obj, params)
            return copy.deepcopy(obj)
        if resource == "invoices" and rest[1:] == ["pay"] and method == "POST":
            return copy.deepcopy(
                self._pay(obj, out_of_band=params.get("paid_out_of_band") == "true")
            )
        raise StubError(404, f"Unrecognized request URL ({method}: {path})", "not_found")

    def _list(
        self, resource: str, store: dict[str, dict[str, Any]], params: dict[str, Any]
    ) -> dict[str, Any]:
        items = list(store.values())
        if "customer" in params:
            items = [i for i in items if i.get("customer") == params["customer"]]
        status = params.get("status")
        if status and status != "all":
            items = [i for i in items if i.get("status") == status]
        elif resource == "subscriptions" and status != "all":
            items = [i for i in items if i.get("status") != "canceled"]
        items.sort(key=lambda i: i.get("created", 0), reverse=True)
        limit = int(params.get("limit") or 10)
        return {
            "object": "list",
            "url": f"/v1/{resource}",
            "has_more": len(items) > limit,
            "data": copy.deepcopy(items[:limit]),
        }

    def _update(self, resource: str, obj: dict[str, Any], params: dict[str, Any]) -> None:
        for key, value in params.items():
            if key == "metadata":
                obj.setdefault("metadata", {}).update(value)
            elif key == "active":
                obj["active"] = value == "true"
            else:
                obj[key] = value

    # --- objects ----------------------------------------------------------------------------

    def _create_customers(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = {
            "id": self._new_id("cus"),
            "object": "customer",
            "created": self.clock,
            "name": params.get("name"),
            "email": params.get("email"),
            "phone": params.get("phone"),
            "address": params.get("address"),
            "preferred_locales": params.get("preferred_locales", []),
            "metadata": params.get("metadata", {}),
            "livemode": False,
        }
        self.customers[customer["id"]] = customer
        return customer

    def _create_products(self, params: dict[str, Any]) -> dict[str, Any]:
        product_id = params.get("id") or self._new_id("prod")
        if product_id in self.products:
            raise StubError(400, f"Product already exists: {product_id}", "resource_already_exists")
        product = {
            "id": product_id,
            "object": "product",
            "created": self.clock,
            "name": params.get("name"),
            "description": params.get("description"),
            "active": params.get("active", "true") == "true",
            "metadata": params.get("metadata", {}),
        }
        self.products[product_id] = product
        return product

    def _create_prices(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("product") not in self.products:
            raise StubError(400, f"No such product: '{params.get('product')}'")
        lookup_key = params.get("lookup_key")
        if lookup_key and params.get("transfer_lookup_key") == "true":
            for other in self.prices.values():
                if other.get("lookup_key") == lookup_key:
                    other["lookup_key"] = None
        price = {
            "id": self._new_id("price"),
            "object": "price",
            "created": self.clock,
            "active": True,
            "currency": params.get("currency"),
            "unit_amount": int(params["unit_amount"]),
            "recurring": {"interval": params["recurring"]["interval"], "interval_count": 1},
            "product": params.get("product"),
            "nickname": params.get("nickname"),
            "lookup_key": lookup_key,
            "type": "recurring",
            "metadata": params.get("metadata", {}),
        }
        self.prices[price["id"]] = price
        return price

    def _period_seconds(self, price: dict[str, Any]) -> int:
        return (365 if price["recurring"]["interval"] == "year" else 30) * 86400

    def _create_subscriptions(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = params.get("customer")
        if customer not in self.customers:
            raise StubError(400, f"No such customer: '{customer}'")
        items = []
        for item in params.get("items", []):
            price = self.prices.get(item.get("price"))
            if price is None:
                raise StubError(400, f"No such price: '{item.get('price')}'")
            items.append(price)
        trial_days = int(params.get("trial_period_days") or 0)
        trial_end = self.clock + trial_days * 86400 if trial_days else None
        start = self.clock
        period_end = trial_end or start + self._period_seconds(items[0])
        subscription = {
            "id": self._new_id("sub"),
            "object": "subscription",
            "created": start,
            "customer": customer,
            "status": "trialing" if trial_days else "active",
            "collection_method": params.get("collection_method", "charge_automatically"),
            "days_until_due": int(params["days_until_due"])
            if params.get("days_until_due")
            else None,
            "payment_settings": params.get("payment_settings", {}),
            "trial_start": start if trial_days else None,
            "trial_end": trial_end,
            "cancel_at_period_end": False,
            "latest_invoice": None,
            "metadata": params.get("metadata", {}),
            "livemode": False,
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": self._new_id("si"),
                        "object": "subscription_item",
                        "price": copy.deepcopy(price),
                        "quantity": 1,
                        "current_period_start": start,
                        "current_period_end": period_end,
                    }
                    for price in items
                ],
            },
        }
        self.subscriptions[subscription["id"]] = subscription
        if not trial_days:
            self._invoice_for(subscription)
        return subscription

    def _invoice_for(self, subscription: dict[str, Any]) -> dict[str, Any]:
        item = subscription["items"]["data"][0]
        amount = item["price"]["unit_amount"]
        number = f"STUB-{len(self.invoices) + 1:04d}"
        days = subscription.get("days_until_due") or 30
        invoice = {
            "id": self._new_id("in"),
            "object": "invoice",
            "created": self.clock,
            "customer": subscription["customer"],
            "number": number,
            "status": "open",
            "currency": "thb",
            "collection_method": subscription["collection_method"],
            "amount_due": amount,
            "amount_paid": 0,
            "amount_remaining": amount,
            "due_date": self.clock + days * 86400,
            "hosted_invoice_url": f"{self.url}/i/{number}",
            "invoice_pdf": f"{self.url}/i/{number}/pdf",
            "period_start": item["current_period_start"],
            "period_end": item["current_period_end"],
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": subscription["id"], "metadata": {}},
            },
            "status_transitions": {"finalized_at": self.clock, "paid_at": None},
            "livemode": False,
        }
        self.invoices[invoice["id"]] = invoice
        subscription["latest_invoice"] = invoice["id"]
        return invoice

    def _subscription_of(self, invoice: dict[str, Any]) -> dict[str, Any] | None:
        parent = invoice.get("parent") or {}
        sub_id = (parent.get("subscription_details") or {}).get("subscription")
        return self.subscriptions.get(sub_id) if sub_id else None

    def _pay(self, invoice: dict[str, Any], *, out_of_band: bool = False) -> dict[str, Any]:
        if invoice["status"] not in ("open", "uncollectible"):
            raise StubError(400, "Invoice is already paid", "invoice_not_open")
        invoice["status"] = "paid"
        invoice["amount_paid"] = invoice["amount_due"]
        invoice["amount_remaining"] = 0
        invoice["status_transitions"]["paid_at"] = self.clock
        if out_of_band:
            invoice["paid_out_of_band"] = True
        subscription = self._subscription_of(invoice)
        if subscription and subscription["status"] in ("past_due", "unpaid"):
            still_open = [
                i
                for i in self.invoices.values()
                if i["status"] == "open"
                and self._subscription_of(i) is subscription
                and i["due_date"] < self.clock
            ]
            if not still_open:
                subscription["status"] = "active"
        return invoice

    def _portal_session(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("customer") not in self.customers:
            raise StubError(400, f"No such customer: '{params.get('customer')}'")
        session_id = self._new_id("bps")
        session = {
            "id": session_id,
            "object": "billing_portal.session",
            "created": self.clock,
            "customer": params["customer"],
            "return_url": params.get("return_url"),
            "locale": params.get("locale"),
            "url": f"{self.url}/p/session/{session_id}",
            "livemode": False,
        }
        self.sessions[session_id] = session
        return session

    # --- what Stripe does over time (each returns the events it would send) -----------------

    def advance(self, days: float) -> None:
        with self._lock:
            self.clock += int(days * 86400)

    def event(self, kind: str, obj: dict[str, Any], **previous: Any) -> dict[str, Any]:
        """An event as Stripe delivers it: a snapshot of ``obj`` now, with a later ``created``."""
        with self._lock:
            self._last_event = max(self._last_event + 1, self.clock)
            data: dict[str, Any] = {"object": copy.deepcopy(obj)}
            if previous:
                data["previous_attributes"] = previous
            return {
                "id": self._new_id("evt"),
                "object": "event",
                "api_version": API_VERSION,
                "created": self._last_event,
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "type": kind,
                "data": data,
            }

    def end_trial(self, subscription_id: str) -> list[dict[str, Any]]:
        """The trial ends: the subscription is active and its first invoice is sent."""
        with self._lock:
            subscription = self.subscriptions[subscription_id]
            self.clock = max(self.clock, subscription["trial_end"] or self.clock)
            subscription["status"] = "active"
            item = subscription["items"]["data"][0]
            item["current_period_start"] = self.clock
            item["current_period_end"] = self.clock + self._period_seconds(item["price"])
            invoice = self._invoice_for(subscription)
            return [
                self.event("invoice.created", invoice),
                self.event("invoice.finalized", invoice),
                self.event("customer.subscription.updated", subscription, status="trialing"),
            ]

    def make_past_due(self, subscription_id: str) -> list[dict[str, Any]]:
        """The open invoice passes its due date unpaid."""
        with self._lock:
            subscription = self.subscriptions[subscription_id]
            invoice = self.invoices[subscription["latest_invoice"]]
            self.clock = max(self.clock, invoice["due_date"] + 1)
            subscription["status"] = "past_due"
            return [
                self.event("invoice.overdue", invoice),
                self.event("customer.subscription.updated", subscription, status="active"),
            ]

    def pay(self, invoice_id: str) -> list[dict[str, Any]]:
        """The municipality pays the invoice (PromptPay or bank transfer)."""
        with self._lock:
            invoice = self._pay(self.invoices[invoice_id])
            events = [self.event("invoice.paid", invoice)]
            subscription = self._subscription_of(invoice)
            if subscription is not None:
                events.append(
                    self.event("customer.subscription.updated", subscription, status="past_due")
                )
            return events

    # --- reading what was asked -----------------------------------------------------------

    def calls(self, method: str, path_prefix: str) -> list[Recorded]:
        with self._lock:
            return [
                r for r in self.requests if r.method == method and r.path.startswith(path_prefix)
            ]


def signed(event: dict[str, Any], secret: str, *, timestamp: int | None = None) -> tuple[str, str]:
    """The body and the Stripe-Signature header Stripe would send, made by the stripe library."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
    return payload, header
