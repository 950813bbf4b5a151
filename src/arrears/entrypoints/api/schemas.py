"""The API's input and output schemas (separate from the domain and the tables)."""

import datetime as dt
from collections.abc import Callable, Collection
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema

from arrears.adapters.store.tables import PAYMENT_CHANNELS
from arrears.domain.contact_policy import LANGUAGES, PRESETS

T = TypeVar("T")


def _member(name: str, values: Collection[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in values:
            raise ValueError(f"unknown {name} {value!r} (expected one of: {', '.join(values)})")
        return value

    return check


def _enum(values: Collection[str]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(values)})


Channel = Annotated[
    str, AfterValidator(_member("channel", PAYMENT_CHANNELS)), _enum(PAYMENT_CHANNELS)
]
Preset = Annotated[str, AfterValidator(_member("preset", tuple(PRESETS))), _enum(tuple(PRESETS))]
Language = Annotated[str, AfterValidator(_member("language", LANGUAGES)), _enum(LANGUAGES)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` as `cursor` for the next (null: last page)."""

    data: list[T]
    next_cursor: str | None


# -- auth --------------------------------------------------------------------------------------


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    client: Literal["api", "web"] = Field(
        "api", description="api: a bearer token in the body; web: a session cookie + CSRF token"
    )


class UserOut(BaseModel):
    username: str
    display_name: str
    role: str
    locale: str
    team: str | None
    permissions: list[str]


class LoginOut(BaseModel):
    user: UserOut
    token: str | None = Field(None, description="client=api: send as `Authorization: Bearer`")
    token_type: Literal["bearer"] | None = None
    csrf_token: str | None = Field(None, description="client=web: send as X-CSRF-Token")
    expires_at: dt.datetime


# -- borrowers ---------------------------------------------------------------------------------


class PhoneOut(BaseModel):
    kind: str
    number: str = Field(description="masked unless unmasked on request by a permitted role")
    time_zones: list[str]


class BorrowerOut(BaseModel):
    external_id: str
    full_name: str
    country: str
    language: str
    region: str | None
    national_id: str | None = Field(description="masked: the last 4 characters")
    phones: list[str] = Field(description="masked numbers")


class AddressOut(BaseModel):
    line: str
    city: str
    postal_code: str
    region: str
    country: str
    time_zone: str | None


class BorrowerDetailOut(BaseModel):
    external_id: str
    full_name: str
    country: str
    language: str
    region: str | None
    occupation: str | None
    employer: str | None
    date_of_birth: dt.date | None
    national_id: str | None
    phones: list[PhoneOut]
    emails: list[str]
    addresses: list[AddressOut]
    loans: list[str]
    unmasked: list[str] = Field(description="the fields shown in full in this response")


# -- loans and payments ------------------------------------------------------------------------


class LoanOut(BaseModel):
    external_id: str
    borrower_id: str
    product: str
    currency: str
    principal: str
    disbursed_on: dt.date
    dpd: int | None = Field(description="from the latest nightly cycle; null before the first")
    bucket: str | None
    status_date: dt.date | None


class InstallmentOut(BaseModel):
    number: int
    due_date: dt.date
    principal: str
    interest: str
    fee: str


class PaymentOut(BaseModel):
    payment_id: str
    paid_on: dt.date
    amount: str
    currency: str


class ChargeOut(BaseModel):
    rule_id: str
    period_key: str
    installment_no: int
    charged_on: dt.date
    amount: str


class StatusOut(BaseModel):
    business_date: dt.date
    dpd: int
    bucket: str
    overdue_total: str
    missed_installments: int
    oldest_unpaid_due_date: dt.date | None
    last_payment_date: dt.date | None


class BucketTagOut(BaseModel):
    bucket: str
    dpd: int
    added_on: dt.date
    lifted_on: dt.date | None


class LoanDetailOut(BaseModel):
    external_id: str
    borrower_id: str
    product: str
    currency: str
    principal: str | None
    disbursed_on: dt.date | None
    annual_interest_rate: str | None
    version: int
    installments: list[InstallmentOut]
    payments: list[PaymentOut]
    charges: list[ChargeOut]
    status: StatusOut | None
    bucket_history: list[BucketTagOut]


class PaymentIn(_In):
    paid_on: dt.date
    amount: str = Field(
        pattern=r"^[0-9]{1,15}(\.[0-9]{1,4})?$",
        description="a positive decimal in the loan's currency, as text (never a float)",
        examples=["125.50"],
    )
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])
    channel: Channel | None = None
    external_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="the payment's id in your system; default: derived from the idempotency key",
    )


class PaymentRecordedOut(BaseModel):
    payment_id: str
    loan_id: str
    paid_on: dt.date
    amount: str
    currency: str
    channel: str | None
    loan_version: int


# -- policy, reports, audit, health ------------------------------------------------------------


class PolicyCheckIn(_In):
    events: list[dict[str, Any]] = Field(
        max_length=10_000,
        description="lines of docs/schemas/contact-events.schema.json: people, history and "
        "one or more contact_request objects; the ledger's history for each person is added",
    )
    presets: list[Preset] = Field(default_factory=lambda: ["us-regf"], min_length=1)
    now: AwareDatetime | None = Field(
        None, description="check requests without their own `at` at this instant"
    )
    lang: Language = "en"


class PolicyCheckOut(BaseModel):
    verdicts: list[dict[str, Any]]


class BucketRowOut(BaseModel):
    bucket: str
    loans: int
    share: float
    borrowers: int
    overdue: dict[str, str]


class BucketReportOut(BaseModel):
    as_of: dt.date
    loans: int
    borrowers: int
    delinquent_loans: int
    currencies: list[str]
    rows: list[BucketRowOut]


class AuditVerifyOut(BaseModel):
    records: int
    intact: bool
    broken_seq: int | None
    reason: str | None


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
