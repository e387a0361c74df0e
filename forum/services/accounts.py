"""Members: registration, login, the member register import, roles, groups and API tokens."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from deliberation.errors import Conflict, DomainError, NotFound
from forum.extensions import db, transaction
from forum.models import Affiliate, Ballot, LocalGroup, RoleGrant, User
from forum.permissions import GRANTABLE, Role, require
from forum.records import audit, conventions
from forum.spreadsheet import looks_like_formula

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
# A fixed hash to compare against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL.match(email) or len(email) > 254:
        raise DomainError("email_invalid", "Enter an email address like name@example.org.")
    return email


def _clean_name(name: str, missing: str = "Enter your name.") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("name_missing", missing)
    if len(name) > 120:
        raise DomainError("name_too_long", "Names are limited to 120 characters.")
    return name


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise DomainError("password_too_short", f"Choose a password of at least {MIN_PASSWORD} characters.")
    if len(password) > 200:
        raise DomainError("password_too_long", "Passwords are limited to 200 characters.")


def register(name: str, email: str, password: str, local_group_id: int | None = None) -> User:
    """Create an account, or claim the one the member register import created for this email."""
    email = normalise_email(email)
    name = _clean_name(name)
    _check_password(password)
    with transaction():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and user.has_password:
            raise Conflict("email_taken", "An account with this email already exists. Log in instead.")
        if user is None:
            group = db.session.get(LocalGroup, local_group_id) if local_group_id else None
            user = User(name=name, email=email, local_group_id=group.id if group else None,
                        region=group.region if group else "")
            db.session.add(user)
        user.password_hash = generate_password_hash(password)
    return user


def create_admin(name: str, email: str, password: str) -> User:
    """The first administrator of a fresh install (`flask create-admin`); refuses an existing address."""
    email = normalise_email(email)
    name = _clean_name(name)
    _check_password(password)
    with transaction():
        if db.session.scalar(select(User).where(User.email == email)) is not None:
            raise Conflict("email_taken", f"There is already an account for {email}.")
        user = User(name=name, email=email, password_hash=generate_password_hash(password))
        user.grants = [RoleGrant(role=Role.ADMIN.value)]
        db.session.add(user)
        db.session.flush()
        audit.record(None, "admin_created", f"member {user.id}", f"{name} was made the first administrator "
                     "from the command line.")
    return user


def authenticate(email: str, password: str) -> User:
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    if not check_password_hash(stored, password or "") or user is None or not user.password_hash:
        raise DomainError("login_failed", "That email and password do not match an account.")
    return user


def user_by_token(token: str) -> User | None:
    if not token:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    return db.session.scalar(select(User).where(User.api_token_hash == digest))


def issue_api_token(user_id: int) -> str:
    """A new personal API token; only its hash is stored, so it is shown once."""
    token = "cv_" + secrets.token_urlsafe(32)
    with transaction():
        user = db.session.get(User, user_id)
        user.api_token_hash = hashlib.sha256(token.encode()).hexdigest()
    return token


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    groups_created: int
    errors: tuple[str, ...]


REGISTER_COLUMNS = ("name", "email", "local group", "region")
JOINED_COLUMNS = ("joined on", "joined", "joining date", "date joined")  # any one of these names


def _joined_on(text: str, today: date) -> date:
    """A joining date as registers write them: 2021-03-14 or 14/03/2021."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            value = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if value > today:
            raise DomainError("joined_on_future", f"the joining date {text} is in the future.")
        return value
    raise DomainError("joined_on_invalid", f"“{text[:40]}” is not a date; write it as 2021-03-14 or 14/03/2021."
                      if text else "the joining date is empty.")


def _plain_cell(value: str, column: str) -> str:
    if looks_like_formula(value):
        raise DomainError("register_formula", f"the {column} “{value[:40]}” begins like a spreadsheet formula "
                                              f"(=, +, -, @); correct it in the register.")
    return value


def import_register(actor, data: str) -> ImportReport:
    """Import the member register (CSV: name, email, local group, region, and the joining date,
    which a ballot's eligibility cut-off reads). All rows or none."""
    require(actor, "manage_members")
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REGISTER_COLUMNS if c not in header]
    if missing:
        raise DomainError("register_columns_missing",
                          f"The CSV needs the columns name, email, local group, region; missing: {', '.join(missing)}.")
    joined_column = next((c for c in JOINED_COLUMNS if c in header), None)
    today = conventions.now().date()
    if joined_column is None and _ballot_cutoff_ahead(today):
        raise DomainError("register_joined_missing",
                          "A ballot's eligibility depends on when members joined, so the register needs a "
                          "“joined on” column (2021-03-14 or 14/03/2021); nothing was imported.")
    rows, errors = [], []
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        try:
            email = normalise_email(row["email"])
            name = _plain_cell(_clean_name(row["name"]), "name")
            group_name = _plain_cell(row["local group"][:120], "local group")
            region = _plain_cell(row["region"][:80], "region")
            joined = _joined_on(row[joined_column], today) if joined_column else None
        except DomainError as err:
            errors.append(f"Line {line}: {err.message[0].upper()}{err.message[1:]}")
            continue
        if email in seen:
            errors.append(f"Line {line}: {email} appears twice.")
            continue
        seen.add(email)
        rows.append((name, email, group_name, region, joined))
    if errors:
        raise DomainError("register_invalid", "Nothing was imported. " + " ".join(errors[:10]),
                          errors=errors)
    if not rows:
        raise DomainError("register_empty", "The CSV has no members in it.")
    created = updated = groups_created = 0
    with transaction():
        groups = {g.name.lower(): g for g in db.session.scalars(select(LocalGroup))}
        users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(list(seen))))}
        for name, email, group_name, region, joined in rows:
            group = None
            if group_name:
                group = groups.get(group_name.lower())
                if group is None:
                    group = LocalGroup(name=group_name, region=region)
                    db.session.add(group)
                    groups[group_name.lower()] = group
                    groups_created += 1
            user = users.get(email)
            if user is None:
                user = User(name=name, email=email)
                db.session.add(user)
                created += 1
            else:
                updated += 1
            user.name, user.region, user.local_group = name, region, group
            if joined is not None:
                user.joined_on = joined
            elif user.joined_on is None:
                user.joined_on = today
    return ImportReport(created, updated, groups_created, ())


def _ballot_cutoff_ahead(today: date) -> bool:
    """A ballot that has not closed yet decides eligibility by joining date."""
    return db.session.scalar(select(Ballot.id).where(Ballot.closes_at > conventions.now()).limit(1)) is not None


def set_roles(actor, user_id: int, roles: set[str]) -> User:
    require(actor, "manage_members")
    allowed = {r.value for r in GRANTABLE}
    unknown = roles - allowed
    if unknown:
        raise DomainError("role_unknown", f"There is no role called {', '.join(sorted(unknown))}.")
    with transaction():
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFound("user_not_found", "There is no such member.")
        if user.id == actor.id and Role.ADMIN.value not in roles:
            raise DomainError("cannot_drop_own_admin", "You cannot remove your own administrator role.")
        current = {g.role: g for g in user.grants}
        before = sorted(user.roles)
        for role in set(current) - roles:
            user.grants.remove(current[role])
        for role in roles - set(current):
            user.grants.append(RoleGrant(role=role, granted_by_id=actor.id))
        if set(current) != roles:
            after = sorted(user.roles)
            audit.record(actor, "roles_changed", f"member {user.id}", f"Roles of {user.name}: {', '.join(after)}.",
                         before={"roles": before}, after={"roles": after})
    return user


def set_member_group(actor, user_id: int, group_id: int | None) -> User:
    require(actor, "manage_members")
    with transaction():
        user = db.session.get(User, user_id)
        if user is None:
            raise NotFound("user_not_found", "There is no such member.")
        group = db.session.get(LocalGroup, group_id) if group_id else None
        if group_id and group is None:
            raise NotFound("group_not_found", "There is no such local group.")
        user.local_group = group
        if group is not None and group.region:
            user.region = group.region
    return user


def save_local_group(actor, name: str, region: str, group_id: int | None = None) -> LocalGroup:
    require(actor, "manage_members")
    name = _clean_name(name, "Enter a name.")
    with transaction():
        clash = db.session.scalar(select(LocalGroup).where(func.lower(LocalGroup.name) == name.lower()))
        if clash is not None and clash.id != group_id:
            raise Conflict("group_exists", f"There is already a local group called {clash.name}.")
        group = db.session.get(LocalGroup, group_id) if group_id else LocalGroup()
        if group is None:
            raise NotFound("group_not_found", "There is no such local group.")
        group.name, group.region = name, " ".join((region or "").split())[:80]
        db.session.add(group)
    return group


AFFILIATE_KINDS = {"trade_union": "Trade union", "sister_organisation": "Sister organisation in the nations"}


def save_affiliate(actor, name: str, kind: str, affiliate_id: int | None = None) -> Affiliate:
    require(actor, "manage_members")
    name = _clean_name(name, "Enter a name.")
    if kind not in AFFILIATE_KINDS:
        raise DomainError("affiliate_kind_unknown", "Choose trade union or sister organisation.")
    with transaction():
        clash = db.session.scalar(select(Affiliate).where(func.lower(Affiliate.name) == name.lower()))
        if clash is not None and clash.id != affiliate_id:
            raise Conflict("affiliate_exists", f"There is already an affiliate called {clash.name}.")
        affiliate = db.session.get(Affiliate, affiliate_id) if affiliate_id else Affiliate()
        if affiliate is None:
            raise NotFound("affiliate_not_found", "There is no such affiliate.")
        affiliate.name, affiliate.kind = name, kind
        db.session.add(affiliate)
    return affiliate


def delete_affiliate(actor, affiliate_id: int) -> None:
    require(actor, "manage_members")
    with transaction():
        affiliate = db.session.get(Affiliate, affiliate_id)
        if affiliate is None:
            raise NotFound("affiliate_not_found", "There is no such affiliate.")
        db.session.delete(affiliate)
