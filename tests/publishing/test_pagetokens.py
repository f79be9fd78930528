"""Page tokens are opaque, bound to their request's parameters, and cannot be forged."""

import base64

import pytest

from benarkah.errors import InvalidParameter
from benarkah.publishing.pagetokens import PageTokens

KEY = b"k" * 32


def test_a_token_gives_back_its_offset_for_the_same_request_only():
    tokens = PageTokens(KEY)
    token = tokens.issue('["vaksin","",0,10,""]', 20)
    assert len(token) < 60 and "=" not in token and "20" not in token
    assert tokens.read(token, '["vaksin","",0,10,""]') == 20
    assert PageTokens(KEY).read(token, '["vaksin","",0,10,""]') == 20  # another process, same secret
    with pytest.raises(InvalidParameter, match="other parameters"):
        tokens.read(token, '["vaksin","",0,20,""]')


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),          # one character changed
    lambda t: t[:10],                                              # cut short
    lambda t: "",                                                  # empty after decoding
    lambda t: "!!!not base64***",
    lambda t: "x" * 5000,
    lambda t: base64.urlsafe_b64encode(b"\x01" + (2**31).to_bytes(4, "big") + b"\x00" * 24).decode(),  # forged
])
def test_tampered_or_foreign_tokens_are_refused(mangle):
    tokens = PageTokens(KEY)
    token = tokens.issue("scope", 10)
    with pytest.raises(InvalidParameter) as caught:
        tokens.read(mangle(token), "scope")
    assert caught.value.parameter == "pageToken"


def test_another_deployments_tokens_are_refused():
    with pytest.raises(InvalidParameter):
        PageTokens(b"other-secret" * 3).read(PageTokens(KEY).issue("scope", 10), "scope")
