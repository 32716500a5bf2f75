"""Accounts: users and their roles, browser sessions, API keys, the audit log, admin jobs.

Plain functions over a SQLAlchemy session; the caller commits, so an action and its audit
entry land in one transaction or not at all. No Flask here: the API, the dashboard and the
CLI call the same functions.
"""
