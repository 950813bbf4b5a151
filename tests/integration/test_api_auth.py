"""Login, tokens, sessions with CSRF, rate limiting, secure headers, request ids, settings."""

import datetime as dt

import pytest
from argon2 import PasswordHasher
from pydantic import ValidationError
from sqlalchemy import func, select

from api_support import (
    FAST_HASHER,
    PASSWORD,
    add_user,
    api_app,
    bearer,
    client,
    fast_password_hashing,
)
from arrears.adapters.store import security_tables as s
from arrears.config import Settings
from arrears.domain.security import Role
from arrears.services import security
from arrears.services.security import revoke_token, verify_audit_chain

pytestmark = pytest.mark.integration


@pytest.fixture
def app(database_url, monkeypatch):
    fast_password_hashing(monkeypatch)
    app = api_app(database_url)
    try:
        yield app
    finally:
        app.engine.dispose()


def test_api_login_returns_a_bearer_token_stored_only_as_a_hash(app):
    add_user(app, "ana", Role.TEAM_LEAD)
    http = client(app)
    response = http.post("/auth/login", json={"username": "ana", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"  # noqa: S105 - the scheme
    assert body["user"]["role"] == "team_lead"
    token = body["token"]
    me = http.get("/auth/me", headers=bearer(token))
    assert me.json()["username"] == "ana"
    with app.engine.connect() as connection:
        stored = connection.execute(select(s.api_tokens.c.token_sha256)).scalars().all()
    assert token not in stored
    assert all(len(value) == 64 for value in stored)


def test_failures_look_alike_then_lock_the_user_and_address_with_retry_after(
    database_url, monkeypatch
):
    fast_password_hashing(monkeypatch)
    app = api_app(database_url, login_max_failures=3, login_window_minutes=15)
    add_user(app, "ana", Role.ANALYST)
    http = client(app)
    # a wrong password and an unknown user look the same
    unknown = http.post("/auth/login", json={"username": "zoe", "password": "not it at all!"})
    assert unknown.status_code == 401
    assert unknown.json()["code"] == "unauthenticated"
    for _ in range(3):
        failed = http.post("/auth/login", json={"username": "ana", "password": "not it at all!"})
        assert failed.status_code == 401
        assert failed.json() == unknown.json()
    limited = http.post("/auth/login", json={"username": "ana", "password": PASSWORD})
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 0 < int(limited.headers["Retry-After"]) <= 15 * 60
    # another user from the same address is not locked out
    add_user(app, "bob", Role.ANALYST)
    assert http.post("/auth/login", json={"username": "bob", "password": PASSWORD}).is_success
    app.engine.dispose()


def test_a_session_cookie_needs_the_csrf_token_for_unsafe_methods(app):
    add_user(app, "ana", Role.TEAM_LEAD)
    http = client(app)
    login = http.post(
        "/auth/login", json={"username": "ana", "password": PASSWORD, "client": "web"}
    )
    assert login.status_code == 200
    csrf = login.json()["csrf_token"]
    assert login.json()["token"] is None
    cookie = login.headers["set-cookie"]
    assert "arrears_session=" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert http.get("/auth/me").status_code == 200  # safe: no token needed
    refused = http.post("/auth/logout")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    wrong = http.post("/auth/logout", headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    assert http.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    http.cookies.clear()
    assert http.get("/auth/me").status_code == 401


def test_login_rehashes_a_password_stored_with_weaker_parameters(app, monkeypatch):
    add_user(app, "ana", Role.ANALYST)  # hashed with the cheap test parameters
    production = PasswordHasher()
    monkeypatch.setattr(security, "_hasher", production)
    with app.engine.connect() as connection:
        before = connection.execute(select(s.users.c.password_hash)).scalar_one()
    assert FAST_HASHER.verify(before, PASSWORD)
    http = client(app)
    assert http.post("/auth/login", json={"username": "ana", "password": PASSWORD}).is_success
    with app.engine.connect() as connection:
        after = connection.execute(select(s.users.c.password_hash)).scalar_one()
    assert after != before
    assert after.startswith("$argon2id$")
    assert not production.check_needs_rehash(after)
    assert production.verify(after, PASSWORD)


def test_revoked_forged_and_logged_out_tokens_are_refused(app):
    token = add_user(app, "ana", Role.ANALYST)
    http = client(app)
    assert http.get("/auth/me", headers=bearer(token)).status_code == 200
    revoke_token(app.uow_factory, prefix=token[4:12], actor="test")
    refused = http.get("/auth/me", headers=bearer(token))
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert http.get("/auth/me", headers=bearer("arr_forged")).status_code == 401
    assert http.get("/auth/me").json()["code"] == "unauthenticated"
    other = add_user(app, "bob", Role.ANALYST)
    assert http.post("/auth/logout", headers=bearer(other)).status_code == 204
    assert http.get("/auth/me", headers=bearer(other)).status_code == 401


def test_secure_headers_and_request_id_on_every_response():
    # no database work: an unmigrated in-memory SQLite is enough
    app = api_app("sqlite://")
    http = client(app)
    for response in (http.get("/health"), http.get("/borrowers"), http.get("/nowhere")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert len(response.headers["X-Request-ID"]) == 32
        assert "Strict-Transport-Security" not in response.headers
    assert http.get("/nowhere").json()["code"] == "not_found"
    given = http.get("/health", headers={"X-Request-ID": "dialer-42"})
    assert given.headers["X-Request-ID"] == "dialer-42"
    odd = http.get("/health", headers={"X-Request-ID": "x" * 65})
    assert odd.headers["X-Request-ID"] != "x" * 65
    secure = client(app)
    secure.base_url = secure.base_url.copy_with(scheme="https")
    assert "max-age=" in secure.get("/health").headers["Strict-Transport-Security"]
    app.engine.dispose()


def test_login_and_credential_changes_are_in_the_audit_chain_with_request_ids(app):
    add_user(app, "ana", Role.TEAM_LEAD)
    http = client(app)
    http.post(
        "/auth/login",
        json={"username": "ana", "password": PASSWORD},
        headers={"X-Request-ID": "req-login-1"},
    )
    with app.engine.connect() as connection:
        rows = connection.execute(
            select(s.audit_log.c.action, s.audit_log.c.actor, s.audit_log.c.request_id).order_by(
                s.audit_log.c.seq
            )
        ).all()
        attempts = connection.execute(select(func.count()).select_from(s.login_attempts))
        assert attempts.scalar() == 1
    assert [r.action for r in rows] == [
        "security:user:created",
        "security:token:issued",
        "security:token:issued",
    ]
    assert rows[-1].request_id == "req-login-1"
    assert rows[-1].actor == "ana"
    assert verify_audit_chain(app.uow_factory).intact


def test_settings_refuse_production_with_default_or_short_secrets():
    with pytest.raises(ValidationError, match="ARREARS_SECRET_KEY"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(environment="production", secret_key="short")  # noqa: S106 - refused
    accepted = Settings(environment="production", secret_key="k" * 8 + "x" * 40)
    assert accepted.environment == "production"
    assert dt.timedelta(minutes=accepted.session_ttl_minutes) > dt.timedelta(0)
