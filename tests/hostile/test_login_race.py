"""Case 7: the login limit holds when guesses arrive in parallel.

The failure count was read before the password was checked and written after, so 40 guesses at once
all saw "fewer than 5" and 28 passwords were checked. A 401 ("wrong password") is only ever answered
after a password check, a 429 before any: so the 401s count the checks. Both backends.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from benarkah.admin.accounts import MAX_FAILURES_PER_USER, Accounts
from benarkah.web.app import create_app
from tests.support.servers import serve_app

pytestmark = pytest.mark.case(7)
PASSWORD = "kopi-tubruk-2026"


def test_sixty_wrong_logins_forty_at_once_check_at_most_five_passwords(any_services):
    Accounts(any_services.store).add_user("editor", PASSWORD)
    with serve_app(create_app(any_services)) as url:
        def guess(n: int) -> int:
            with httpx.Client(base_url=url, timeout=60) as client:
                client.cookies.set("benarkah_login_csrf", "c" * 32)
                return client.post("/admin/login", data={"username": "editor", "password": f"tebakan-{n:04d}",
                                                         "csrf_token": "c" * 32}).status_code

        with ThreadPoolExecutor(40) as pool:
            statuses = list(pool.map(guess, range(60)))
        checked = statuses.count(401)
        assert checked <= MAX_FAILURES_PER_USER, f"{checked} passwords checked"
        assert statuses.count(429) == 60 - checked
        with httpx.Client(base_url=url) as client:  # and the right password waits out the lockout too
            client.cookies.set("benarkah_login_csrf", "c" * 32)
            assert client.post("/admin/login", data={"username": "editor", "password": PASSWORD,
                                                     "csrf_token": "c" * 32}).status_code == 429


def test_a_right_password_does_not_count_as_a_failure(any_services):
    accounts = Accounts(any_services.store)
    accounts.add_user("editor", PASSWORD)
    for _ in range(MAX_FAILURES_PER_USER + 3):
        assert accounts.authenticate("editor", PASSWORD, "127.0.0.1") is not None
    for _ in range(MAX_FAILURES_PER_USER - 1):
        assert accounts.authenticate("editor", "salah-sekali-1", "127.0.0.1") is None
    assert accounts.authenticate("editor", PASSWORD, "127.0.0.1") is not None
