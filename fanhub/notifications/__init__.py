"""Notifications: the email outbox now; in-app notifications and preferences later."""
