"""Notifications: in-app notifications and the email outbox; preferences later."""
