"""`record_payment`: one payment received on one loan, written once per idempotency key.

The same key with the same request returns the first result again (nothing is written twice);
the same key with a different request is refused with `idempotency_key_reused`. The payment, the
loan's version bump, the stored response and the audit record commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from arrears.domain.errors import CurrencyMismatch, InvalidInput
from arrears.domain.model import Payment
from arrears.domain.security import IdempotencyKeyReused, Role, jsonable
from arrears.services.security import audit_append, store_of

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from arrears.adapters.store.uow import SqlUnitOfWork
    from arrears.domain.money import Money

PAYMENT_STATUS = 201
MAX_KEY_LENGTH = 200


@dataclass(frozen=True, slots=True)
class PaymentResult:
    body: dict[str, Any]
    replayed: bool


def _request_digest(request: dict[str, Any]) -> str:
    """SHA-256 of the request's canonical JSON (sorted keys, Decimal and dates as text)."""
    text = json.dumps(jsonable(request), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_payment(
    uow_factory: Callable[[], SqlUnitOfWork],
    *,
    loan_id: str,
    paid_on: dt.date,
    amount: Money,
    idempotency_key: str,
    actor: str,
    role: Role | None = None,
    channel: str | None = None,
    external_id: str | None = None,
    request_id: str | None = None,
) -> PaymentResult:
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            f"the idempotency key must be 1-{MAX_KEY_LENGTH} characters", field="Idempotency-Key"
        )
    if amount.amount <= 0:
        raise InvalidInput("a payment amount must be positive", field="amount")
    request = {
        "loan_id": loan_id,
        "paid_on": paid_on,
        "amount": amount.amount,
        "currency": amount.currency,
        "channel": channel,
        "external_id": external_id,
    }
    digest = _request_digest(request)
    with uow_factory() as uow:
        store = store_of(uow)
        stored = store.stored_response(actor, key)
        if stored is not None:
            if stored.request_sha256 != digest:
                raise IdempotencyKeyReused(
                    "this idempotency key was used for a different request", key=key
                )
            return PaymentResult(body=stored.response, replayed=True)
        loan = uow.loans.get(loan_id)
        if amount.currency != loan.currency:
            raise CurrencyMismatch(left=amount.currency, right=loan.currency)
        payment_id = (
            external_id or "api-" + hashlib.sha256(f"{actor}:{key}".encode()).hexdigest()[:32]
        )
        version = uow.loans.version(loan_id)
        uow.loans.add_payment(loan_id, Payment(payment_id, paid_on, amount), channel=channel)
        new_version = uow.loans.bump_version(loan_id, expected=version)
        body = {
            "payment_id": payment_id,
            "loan_id": loan_id,
            "paid_on": paid_on.isoformat(),
            "amount": str(amount.amount),
            "currency": amount.currency,
            "channel": channel,
            "loan_version": new_version,
        }
        store.store_response(
            actor=actor,
            key=key,
            request_sha256=digest,
            status=PAYMENT_STATUS,
            response=body,
            now=uow.now(),
        )
        audit_append(
            uow,
            actor=actor,
            role=role,
            action="loan:payment:recorded",
            entity="payment",
            entity_id=payment_id,
            before=None,
            after=body,
            request_id=request_id,
        )
        uow.commit()
    return PaymentResult(body=body, replayed=False)


__all__ = ["PaymentResult", "record_payment"]
