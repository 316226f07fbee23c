"""Accounts: creating users, checking passwords, throttling guessers, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, func, select

from app.models import ApiToken, LoginFailure
from screening.review.audit import record_event
from screening.review.errors import InvalidInput, NotFound, WinnowError
from screening.review.models import User, utcnow

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "wn_"


class TooManyAttempts(WinnowError):
    pass


class AccountCreate(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    name: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str) -> str:
        value = value.strip().lower()
        local, _, domain = value.partition("@")
        if not local or "." not in domain or " " in value:
            raise ValueError("must be an email address such as name@example.org")
        return value

    @field_validator("name")
    @classmethod
    def _name_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


def has_any_user(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(User)).one() > 0


def create_user(
    session: Session, data: AccountCreate, *, is_admin: bool = False, actor_id: int | None = None
) -> User:
    if session.exec(select(User).where(User.email == data.email)).first() is not None:
        raise InvalidInput(f"An account with the email {data.email} already exists.", field="email")
    user = User(
        email=data.email, name=data.name, password_hash=_hasher.hash(data.password), is_admin=is_admin
    )
    session.add(user)
    session.flush()
    record_event(
        session, actor_id=actor_id or user.id, action="user.create", object_type="user",
        object_id=user.id, email=user.email, is_admin=is_admin,
    )
    session.commit()
    session.refresh(user)
    return user


def create_first_admin(session: Session, data: AccountCreate) -> User:
    """Only a fresh install with no account at all may create one without logging in."""
    if has_any_user(session):
        raise InvalidInput("Winnow already has accounts: log in, or ask an administrator for one.")
    return create_user(session, data, is_admin=True)


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.name)))


def authenticate(
    session: Session, email: str, password: str, address: str, *, max_failures: int, lockout_minutes: int
) -> User:
    """The user with this email and password; one message for every failure,
    so nobody learns whether an account exists."""
    window_start = utcnow() - timedelta(minutes=lockout_minutes)
    recent_failures = session.exec(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.address == address, LoginFailure.at >= window_start)
    ).one()
    if recent_failures >= max_failures:
        raise TooManyAttempts(
            f"Too many failed log-ins from your address. Wait {lockout_minutes} minutes and try again."
        )
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None or not user.is_active or not _password_matches(user.password_hash, password):
        if user is None:
            # Costs as long as a wrong password, so timing tells nobody whether an account exists.
            _password_matches(_unknown_user_hash(), password)
        session.add(LoginFailure(address=address))
        session.commit()
        raise InvalidInput("Wrong email or password.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
        session.commit()
    return user


@cache
def _unknown_user_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class NewToken:
    record: ApiToken
    secret: str  # shown to the user once, never stored


def create_api_token(session: Session, user_id: int, name: str) -> NewToken:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("Give the token a name of 1 to 100 characters, e.g. 'import script'.", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user_id, name=name, prefix=secret[:10], token_hash=_token_hash(secret))
    session.add(token)
    session.flush()
    record_event(session, actor_id=user_id, action="token.create", object_type="api_token", object_id=token.id)
    session.commit()
    session.refresh(token)
    return NewToken(record=token, secret=secret)


def list_api_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id)
        )
    )


def revoke_api_token(session: Session, user_id: int, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id or token.revoked_at is not None:
        raise NotFound(f"No active API token {token_id} of yours.")
    token.revoked_at = utcnow()
    session.add(token)
    record_event(session, actor_id=user_id, action="token.revoke", object_type="api_token", object_id=token_id)
    session.commit()


def user_for_token(session: Session, secret: str) -> User | None:
    token = session.exec(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(secret), ApiToken.revoked_at.is_(None))
    ).first()
    if token is None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    # Writing on every call would turn each API read into a write; a minute's precision is enough.
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
        session.add(token)
        session.commit()
    return user


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
