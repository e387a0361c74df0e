"""Rows <-> core values: each module loads rows as the core's values and writes results back.

A records function runs inside the caller's transaction: it never commits, never announces and
never checks a permission. Services (use cases) combine records with the core.
"""
