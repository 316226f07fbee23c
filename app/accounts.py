"""Accounts: creating users, checking passwords, throttling guessers, server-side sessions,
password changes and resets, deactivation, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, func, select, update

from app.models import ApiToken, LoginFailure, UserSession
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


class PasswordChange(BaseModel):
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)


# --- sessions held on the server ------------------------------------------------------------------

def start_session(session: Session, user_id: int) -> str:
    """A new log-in; the key goes in the signed cookie, only its hash in the database."""
    key = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user_id, key_hash=_token_hash(key)))
    session.commit()
    return key


def user_for_session(session: Session, user_id: int, key: str) -> User | None:
    """The user of a live session, or None when it was ended (log-out, password change,
    reset, deactivation) or never existed."""
    # One query, on the unique key_hash index: every page and API call makes it.
    return session.exec(select(User).join(UserSession, UserSession.user_id == User.id).where(
        UserSession.key_hash == _token_hash(key), UserSession.user_id == user_id, UserSession.ended_at.is_(None),
        User.is_active,
    )).first()


def end_session(session: Session, key: str) -> None:
    session.exec(update(UserSession).where(UserSession.key_hash == _token_hash(key), UserSession.ended_at.is_(None))
                 .values(ended_at=utcnow()))
    session.commit()


def _end_sessions(session: Session, user_id: int, *, keep_key: str | None = None) -> None:
    query = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep_key is not None:
        query = query.where(UserSession.key_hash != _token_hash(keep_key))
    session.exec(query.values(ended_at=utcnow()))


def live_session_count(session: Session, user_id: int) -> int:
    return session.exec(select(func.count()).select_from(UserSession)
                        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))).one()


# --- passwords and deactivation -------------------------------------------------------------------

def change_password(session: Session, user: User, current: str, new: str, *, keep_key: str | None) -> None:
    """The user's own change: the current password first; every other session of theirs ends
    (a thief's copied cookie among them), the one making the change stays."""
    if not _password_matches(user.password_hash, current):
        raise InvalidInput("Your current password is not right: type it again.", field="current_password")
    _set_password(session, user, new)
    _end_sessions(session, user.id, keep_key=keep_key)
    record_event(session, actor_id=user.id, action="user.password_change", object_type="user", object_id=user.id)
    session.commit()


def reset_password(session: Session, admin_id: int, user_id: int, new: str) -> User:
    """An administrator sets a new password for someone who lost theirs: all their sessions end."""
    user = _user(session, user_id)
    _set_password(session, user, new)
    _end_sessions(session, user.id)
    record_event(session, actor_id=admin_id, action="user.password_reset", object_type="user", object_id=user.id)
    session.commit()
    return user


def set_active(session: Session, admin_id: int, user_id: int, active: bool) -> User:
    """Deactivating ends the account's sessions and stops its log-ins and API tokens; the account
    and all it decided stay, so every decision, coding and audit entry keeps its author."""
    user = _user(session, user_id)
    if not active and user.id == admin_id:
        raise InvalidInput("You cannot deactivate your own account: ask another administrator.", field="active")
    user.is_active = active
    session.add(user)
    if not active:
        _end_sessions(session, user.id)
    record_event(session, actor_id=admin_id, action="user.activate" if active else "user.deactivate",
                 object_type="user", object_id=user.id)
    session.commit()
    session.refresh(user)
    return user


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No account {user_id}.")
    return user


def _set_password(session: Session, user: User, new: str) -> None:
    try:
        checked = PasswordChange(password=new)
    except ValueError:
        raise InvalidInput(f"The new password must be {MIN_PASSWORD_LENGTH} to 200 characters long.",
                           field="password") from None
    user.password_hash = _hasher.hash(checked.password)
    session.add(user)


# --- API tokens -----------------------------------------------------------------------------------

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
