"""The audit log is not in the Django admin: its summaries name people, and the portal's audit pages
(medinsure/audit/views.py) are the one place it is read, by the roles that may."""
