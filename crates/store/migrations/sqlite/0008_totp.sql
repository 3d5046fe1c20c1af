-- The second factor (TOTP, RFC 6238). `totp_secret` is the confirmed secret (base32;
-- NULL: not enrolled), `totp_pending` an enrolment not yet confirmed with a code, and
-- `totp_last_step` the last time step a code was accepted for (a code is used once).
ALTER TABLE officers ADD COLUMN totp_secret TEXT;
ALTER TABLE officers ADD COLUMN totp_pending TEXT;
ALTER TABLE officers ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- Which roles require the second factor, as an administrator set it. A role without a
-- row has the built-in default (administrators outside the demo).
CREATE TABLE totp_role_policy (
    role       TEXT PRIMARY KEY,
    required   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- When the session last proved who holds it (sign-in, re-entered password or code):
-- unmasking and exports need it recent. A session signed in with the password whose
-- code is still to come (the browser's second step) is `second_factor_pending`.
ALTER TABLE sessions ADD COLUMN authenticated_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN second_factor_pending INTEGER NOT NULL DEFAULT 0;
