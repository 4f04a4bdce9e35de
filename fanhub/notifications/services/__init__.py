"""Tell members what happened (in-app notifications), and queue email in the caller's
transaction to deliver later, each row at most once.

Callers keep writing `services.notify(...)`: each part lives in a module named for what it
does (`fanout`, `inbox`, `outbox`, `delivery`), and everything public is re-exported here.
"""

from __future__ import annotations

from fanhub.notifications.services.delivery import (
    CLAIM_LEASE,
    SMTP_TIMEOUT_SECONDS,
    DeliveryReport,
    FileTransport,
    MailSettingsError,
    PermanentFailure,
    SmtpTransport,
    Transport,
    build_message,
    deliver_due_mail,
    open_transport,
    retry_delay,
)
from fanhub.notifications.services.fanout import (
    Notice,
    notify,
    notify_each,
    quoted_title,
    thread_key_of,
)
from fanhub.notifications.services.inbox import (
    NOTIFICATIONS_PER_PAGE,
    NotificationsPage,
    mark_all_read,
    mark_read,
    notifications_page,
)
from fanhub.notifications.services.outbox import (
    OUTBOX_PAGE_SIZE,
    OutboxPage,
    outbox_page,
    preferences_link,
    queue_email,
    retry_email,
    retry_failed_emails,
    unsubscribe_headers,
    unsubscribe_link,
)

__all__ = [
    "CLAIM_LEASE",
    "NOTIFICATIONS_PER_PAGE",
    "OUTBOX_PAGE_SIZE",
    "SMTP_TIMEOUT_SECONDS",
    "DeliveryReport",
    "FileTransport",
    "MailSettingsError",
    "Notice",
    "NotificationsPage",
    "OutboxPage",
    "PermanentFailure",
    "SmtpTransport",
    "Transport",
    "build_message",
    "deliver_due_mail",
    "mark_all_read",
    "mark_read",
    "notifications_page",
    "notify",
    "notify_each",
    "open_transport",
    "outbox_page",
    "preferences_link",
    "queue_email",
    "quoted_title",
    "retry_delay",
    "retry_email",
    "retry_failed_emails",
    "thread_key_of",
    "unsubscribe_headers",
    "unsubscribe_link",
]
