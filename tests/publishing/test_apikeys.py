"""API keys on both storage backends: shown once, stored hashed, revocable, names reusable after revoking."""

import pytest

from benarkah.publishing.apikeys import ApiKeyError, ApiKeys, digest
from benarkah.storage import open_store


@pytest.fixture
def keys(db_url):
    store = open_store(db_url)
    yield ApiKeys(store)
    store.close()


def test_add_verify_revoke(keys):
    record, key = keys.add("peneliti-ui", per_minute=120)
    assert key.startswith("bk_") and len(key) > 40 and record.per_minute == 120 and record.active
    stored = keys.store.connection().execute("SELECT key_hash, prefix FROM api_keys").fetchall()
    assert stored[0][0] == digest(key) and key not in str(stored) and key.startswith(stored[0][1])
    assert keys.verify(key) == record
    assert keys.verify(key + "x") is None and keys.verify("AIzaSyNotOurs") is None and keys.verify("") is None
    with pytest.raises(ApiKeyError, match="exists; revoke it first"):
        keys.add("peneliti-ui", per_minute=10)
    revoked = keys.revoke("peneliti-ui")
    assert not revoked.active and keys.verify(key) is None
    with pytest.raises(ApiKeyError, match="no active key"):
        keys.revoke("peneliti-ui")
    again, new_key = keys.add("peneliti-ui", per_minute=10)  # the name is free again
    assert keys.verify(new_key) == again and new_key != key
    assert [(k.name, k.active) for k in keys.list()] == [("peneliti-ui", False), ("peneliti-ui", True)]


@pytest.mark.parametrize("name", ["", "a b", "x" * 65, "-lead", "nama\x00", "ü"])
def test_bad_names_and_limits(keys, name):
    with pytest.raises(ApiKeyError, match="bad key name"):
        keys.add(name, per_minute=10)


def test_bad_limit(keys):
    with pytest.raises(ApiKeyError, match="per-minute limit"):
        keys.add("ok", per_minute=0)
