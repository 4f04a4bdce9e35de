"""Accounts: registration, login, email verification, password reset, profiles."""
