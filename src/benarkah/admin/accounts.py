"""Staff accounts and sessions: argon2id password hashes, opaque session tokens, per-session CSRF tokens.

The database never holds a usable secret: passwords are argon2id hashes and session tokens are kept
as SHA-256 digests, so a leaked backup cannot log anyone in. Failed logins are counted per user name
and per client address to slow down guessing (also across processes, since the count is stored).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import AuthError
from ..storage.records import iso, utcnow

SESSION_HOURS = 12
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")

_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("benarkah-dummy-password")  # verified for unknown users: same timing


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    disabled: bool
    created_at: str


@dataclass(frozen=True)
class StaffSession:
    user_id: int
    username: str
    csrf_token: str

    def csrf_ok(self, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(self.csrf_token, submitted or "")


class TooManyAttempts(AuthError):
    """Too many failed logins recently; wait before trying again."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise AuthError("user names are 2-63 characters: lower-case letters, digits, '.', '_' or '-'")
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise AuthError(f"passwords need {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")
    return password


class Accounts:
    def __init__(self, store: Any) -> None:
        self.store = store

    # users ---------------------------------------------------------------------------------------

    def add_user(self, username: str, password: str) -> StaffUser:
        name, digest, now = check_username(username), _HASHER.hash(check_password(password)), utcnow()
        with self.store.transaction() as tx:
            if tx.execute("SELECT 1 FROM staff_users WHERE username = ?", (name,)).fetchone():
                raise AuthError(f"user {name!r} already exists; use `benarkah user passwd {name}`")
            cursor = tx.execute("INSERT INTO staff_users (username, password_hash, disabled, created_at, updated_at) "
                                "VALUES (?, ?, 0, ?, ?)", (name, digest, now, now))
        return StaffUser(int(cursor.lastrowid), name, False, now)

    def set_password(self, username: str, password: str) -> None:
        name, digest = check_username(username), _HASHER.hash(check_password(password))
        with self.store.transaction() as tx:
            row = tx.execute("SELECT id FROM staff_users WHERE username = ?", (name,)).fetchone()
            if row is None:
                raise AuthError(f"no user {name!r}; add one with `benarkah user add {name}`")
            tx.execute("UPDATE staff_users SET password_hash = ?, updated_at = ? WHERE id = ?", (digest, utcnow(), row[0]))
            tx.execute("DELETE FROM staff_sessions WHERE user_id = ?", (row[0],))  # log out everywhere

    def set_disabled(self, username: str, disabled: bool) -> None:
        name = check_username(username)
        with self.store.transaction() as tx:
            row = tx.execute("SELECT id FROM staff_users WHERE username = ?", (name,)).fetchone()
            if row is None:
                raise AuthError(f"no user {name!r}")
            tx.execute("UPDATE staff_users SET disabled = ?, updated_at = ? WHERE id = ?",
                       (int(disabled), utcnow(), row[0]))
            if disabled:
                tx.execute("DELETE FROM staff_sessions WHERE user_id = ?", (row[0],))

    def users(self) -> list[StaffUser]:
        rows = self.store.connection().execute(
            "SELECT id, username, disabled, created_at FROM staff_users ORDER BY username").fetchall()
        return [StaffUser(int(r[0]), r[1], bool(r[2]), r[3]) for r in rows]

    # login ---------------------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, client: str) -> StaffUser | None:
        """The user if the password is right; None otherwise. Raises ``TooManyAttempts`` when the
        name or the client has failed too often lately.

        Every attempt is first *reserved* as a failure, in one exclusive transaction that counts and
        inserts, and only then is the password checked; a right password takes its reservation back.
        So however many guesses arrive at once, at most ``MAX_FAILURES_PER_USER`` passwords per name
        are checked in a window (counting after the check let 40 parallel guesses check 28)."""
        name = username.strip().lower()[:64]
        reserved = self._reserve_attempt(name, client)
        row = self.store.connection().execute(
            "SELECT id, username, disabled, created_at, password_hash FROM staff_users WHERE username = ?",
            (name,)).fetchone()
        if self._verify(row[4] if row else _DUMMY_HASH, password[:MAX_PASSWORD_CHARS]) and row and not row[2]:
            with self.store.transaction(lock="rows") as tx:
                tx.executemany("DELETE FROM staff_login_failures WHERE id = ?", [(i,) for i in reserved])
            return StaffUser(int(row[0]), row[1], False, row[3])
        return None

    def _reserve_attempt(self, name: str, client: str) -> list[int]:
        """Count this attempt against the name and the client, or refuse it; returns the rows' ids."""
        now = datetime.now(timezone.utc)
        since = iso(now - FAILURE_WINDOW)
        keys = ((f"user:{name}", MAX_FAILURES_PER_USER), (f"client:{client[:100]}", MAX_FAILURES_PER_CLIENT))
        with self.store.transaction(lock="store") as tx:  # count-then-insert must exclude other logins
            for key, limit in keys:
                count = tx.execute("SELECT COUNT(*) FROM staff_login_failures WHERE username = ? AND created_at >= ?",
                                   (key, since)).fetchone()[0]
                if count >= limit:
                    raise TooManyAttempts("too many failed logins; wait 15 minutes and try again")
            tx.execute("DELETE FROM staff_login_failures WHERE created_at < ?", (since,))
            return [int(tx.execute("INSERT INTO staff_login_failures (username, created_at) VALUES (?, ?)",
                                   (key, iso(now))).lastrowid) for key, _ in keys]

    @staticmethod
    def _verify(digest: str, password: str) -> bool:
        try:
            return _HASHER.verify(digest, password)
        except (VerificationError, InvalidHashError):
            return False

    # sessions ------------------------------------------------------------------------------------

    def start_session(self, user: StaffUser) -> str:
        token = secrets.token_urlsafe(32)
        now = datetime.now(timezone.utc)
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM staff_sessions WHERE expires_at < ?", (iso(now),))
            tx.execute("INSERT INTO staff_sessions (token_hash, user_id, csrf_token, created_at, expires_at) "
                       "VALUES (?, ?, ?, ?, ?)", (token_digest(token), user.id, secrets.token_urlsafe(32), iso(now),
                                                  iso(now + timedelta(hours=SESSION_HOURS))))
        return token

    def session(self, token: str | None) -> StaffSession | None:
        if not token or len(token) > 128:
            return None
        row = self.store.connection().execute(
            "SELECT s.user_id, u.username, s.csrf_token FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id "
            "WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0", (token_digest(token), utcnow())).fetchone()
        return StaffSession(int(row[0]), row[1], row[2]) if row else None

    def end_session(self, token: str | None) -> None:
        if token:
            with self.store.transaction() as tx:
                tx.execute("DELETE FROM staff_sessions WHERE token_hash = ?", (token_digest(token),))
