"""Municipality staff's second factor: a TOTP app with backup codes (django-otp), the login step
that asks for it, and the municipality's policy of who must use it."""
