"""The JSON API, /api/v1: the same services and permission checks as the pages.

Clients authenticate with a personal token (`Authorization: Bearer cv_...`, made on the profile
page) or with the browser session; a session-authenticated call that changes something must send
the page's CSRF token in `X-CSRFToken`, so another site cannot ride on a member's cookie.
"""
from __future__ import annotations

from forum.api import amendments, ballots, lifecycle, routes  # noqa: F401  (they add their routes to bp)
from forum.api.blueprint import bearer_token, bp

__all__ = ["bp", "bearer_token"]
