"""Fixtures of the mail tests."""
