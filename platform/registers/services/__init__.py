"""Writes of the registers, one named function per action (Zulip's do_*, HackSoft's services).

Each function is a single transaction that also appends to the audit trail.
"""
