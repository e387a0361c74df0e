"""The audit trail page for administrators."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from forum.services import audit_pages

bp = Blueprint("audit", __name__)


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "")[:10])
    except ValueError:
        return None


@bp.get("/admin/audit")
@login_required
def audit_trail():
    action, who = request.args.get("action", "")[:60], request.args.get("who", "")[:120]
    page = audit_pages.audit_page(current_user, action, who, _date("since"), _date("until"),
                                  max(request.args.get("page", 1, type=int), 1))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit.html", page=page, action=action, who=who, args=args,
                           since=request.args.get("since", ""), until=request.args.get("until", ""))
