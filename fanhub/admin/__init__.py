"""The site admin console at /admin (issue 13): brands, members, the moderation log, the
email outbox and site settings, for site admins only.

The console owns no content: each page calls the owning domain's services, which check
permission and write the audit log as they do for the command line.
"""
