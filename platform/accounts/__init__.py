"""Tenant plane (and vendor staff in the public schema): staff users, org units, roles."""
