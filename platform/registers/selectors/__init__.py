"""Reads of the registers (HackSoft's selectors): querysets and small lookups, no writes."""
