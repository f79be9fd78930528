-- Facts about the deployment itself. ``key_check`` is a fingerprint of the secret key (an HMAC of a
-- constant under the key: it reveals nothing about it), so a process started with another key, or
-- with the key file lost, refuses to start instead of hashing and sealing people with a new key.
CREATE TABLE benarkah_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
