"""Moderation: flags, the moderators' queue, the audit log, appeals, suspensions and bans."""
