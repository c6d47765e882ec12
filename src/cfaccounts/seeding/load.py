"""Loading seed documents.

A document is checked whole before anything is written, and written in one
transaction, so a bad document changes nothing. Loading is an upsert: an object whose id
(or, for users, email) already exists is updated with the fields the document gives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml
from sqlalchemy import Connection, select

from .. import times
from ..auth.secrets import (
    ACCOUNT_TOKEN_PREFIX,
    USER_TOKEN_PREFIX,
    SecretHasher,
    is_global_key_format,
    is_token_format,
    mint_token,
)
from ..catalog import Catalogue
from ..faults.rules import FaultError, FaultRule, parse_rules
from ..ids import derived_id, is_id, new_id
from ..storage import schema as s
from ..storage.database import Database
from ..tokens.policies import PolicyError, normalize_condition, normalize_policies

TOKEN_STATUSES = ("active", "disabled", "expired")
MEMBER_STATUSES = ("accepted", "pending")
ACCOUNT_TYPES = ("standard", "enterprise")


class SeedError(ValueError):
    """A seed document that cannot be loaded; the message names the field."""


@dataclass
class LoadReport:
    users: int = 0
    accounts: int = 0
    members: int = 0
    tokens: int = 0
    minted: list[dict[str, str]] = field(default_factory=list)
    # Fault rules of the documents: checked here, applied by the running server (they
    # live in its memory, not in the database).
    faults: list[FaultRule] = field(default_factory=list)


def read_file(path: str | Path) -> dict[str, Any]:
    """Parse a seed file, JSON or YAML (JSON is YAML, but its errors read better)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"{p}: cannot read: {exc.strerror}") from None
    try:
        doc = json.loads(text) if p.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SeedError(
            f"{p}: not valid {'JSON' if p.suffix == '.json' else 'YAML'}: {exc}"
        ) from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise SeedError(f"{p}: a seed document is an object with users and accounts")
    return doc


def load_files(
    db: Database, hasher: SecretHasher, catalogue: Catalogue, paths: list[str]
) -> LoadReport:
    docs = [read_file(p) for p in paths]
    report = LoadReport()
    with db.write() as conn:
        for doc in docs:
            _Loader(conn, hasher, catalogue, report).load(doc)
    return report


def load_document(
    db: Database, hasher: SecretHasher, catalogue: Catalogue, doc: Any
) -> LoadReport:
    report = LoadReport()
    with db.write() as conn:
        _Loader(conn, hasher, catalogue, report).load(doc)
    return report


# -- field checks ----------------------------------------------------------------------
def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SeedError(f"{where}: must be an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SeedError(f"{where}: must be a list")
    return value


def _str(
    d: dict[str, Any],
    key: str,
    where: str,
    *,
    required: bool = False,
    max_len: int = 255,
) -> str | None:
    value = d.get(key)
    if value is None:
        if required:
            raise SeedError(f"{where}.{key}: is required")
        return None
    if not isinstance(value, str):
        raise SeedError(f"{where}.{key}: must be a string")
    if len(value) > max_len:
        raise SeedError(f"{where}.{key}: at most {max_len} characters")
    return value


def _id(d: dict[str, Any], where: str) -> str | None:
    value = d.get("id")
    if value is None:
        return None
    if not isinstance(value, str) or not is_id(value):
        raise SeedError(f"{where}.id: must be 32 lowercase hex characters")
    return value


def _bool(d: dict[str, Any], key: str, where: str) -> bool | None:
    value = d.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise SeedError(f"{where}.{key}: must be true or false")


def _choice(
    d: dict[str, Any], key: str, where: str, choices: tuple[str, ...], default: str
) -> str:
    value = d.get(key, default)
    if value not in choices:
        raise SeedError(f"{where}.{key}: must be one of {', '.join(choices)}")
    return str(value)


def _time(d: dict[str, Any], key: str, where: str) -> str | None:
    value = d.get(key)
    if value is None:
        return None
    if hasattr(value, "isoformat"):  # YAML reads unquoted timestamps as datetimes
        value = value.isoformat()
    if not isinstance(value, str):
        raise SeedError(f"{where}.{key}: must be an RFC 3339 time")
    try:
        return times.to_db(times.parse(value))
    except ValueError:
        raise SeedError(f"{where}.{key}: {value!r} is not an RFC 3339 time") from None


class _Loader:
    def __init__(
        self,
        conn: Connection,
        hasher: SecretHasher,
        catalogue: Catalogue,
        report: LoadReport,
    ) -> None:
        self.conn = conn
        self.hasher = hasher
        self.catalogue = catalogue
        self.report = report
        self.now = times.now_db()

    def load(self, doc: Any) -> None:
        doc = _obj(doc, "document")
        unknown = set(doc) - {"users", "accounts", "faults"}
        if unknown:
            raise SeedError(f"document: unknown key {sorted(unknown)[0]!r}")
        try:
            self.report.faults.extend(parse_rules(doc.get("faults")))
        except FaultError as exc:
            raise SeedError(str(exc)) from None
        users = _list(doc.get("users"), "users")
        accounts = _list(doc.get("accounts"), "accounts")
        for i, user in enumerate(users):
            self._user(_obj(user, f"users[{i}]"), f"users[{i}]")
        for i, account in enumerate(accounts):
            self._account(_obj(account, f"accounts[{i}]"), f"accounts[{i}]")

    # -- users -------------------------------------------------------------------------
    def _user(self, d: dict[str, Any], where: str) -> str:
        email = _str(d, "email", where, required=True, max_len=90)
        assert email is not None
        email = email.strip().lower()
        if "@" not in email:
            raise SeedError(f"{where}.email: {email!r} is not an email address")
        uid = _id(d, where)
        u = s.users.c
        existing = None
        if uid is not None:
            existing = self.conn.execute(
                select(u.id, u.email).where(u.id == uid)
            ).first()
        if existing is None:
            existing = self.conn.execute(
                select(u.id, u.email).where(u.email == email)
            ).first()
            if existing is not None and uid is not None and existing.id != uid:
                raise SeedError(f"{where}: email {email} belongs to user {existing.id}")
        values: dict[str, Any] = {"email": email, "modified_on": self.now}
        for key, limit in (
            ("first_name", 60),
            ("last_name", 60),
            ("telephone", 20),
            ("country", 30),
            ("zipcode", 20),
        ):
            if key in d:
                values[key] = _str(d, key, where, max_len=limit)
        for key, column in (
            ("tenant_admin", "tenant_admin"),
            ("two_factor_authentication_enabled", "two_factor_enabled"),
            ("suspended", "suspended"),
        ):
            flag = _bool(d, key, where)
            if flag is not None:
                values[column] = flag
        api_key = _str(d, "api_key", where)
        if api_key is not None:
            if not is_global_key_format(api_key):
                raise SeedError(
                    f"{where}.api_key: a global API key is 32 to 45 lowercase hex"
                    " characters"
                )
            values["api_key_hash"] = self.hasher.hash(api_key)
        elif d.get("api_key_hash") is not None:
            values["api_key_hash"] = _str(d, "api_key_hash", where, max_len=64)
        if existing is None:
            uid = uid or new_id()
            values.setdefault("tenant_admin", False)
            values.setdefault("two_factor_enabled", False)
            values.setdefault("suspended", False)
            self.conn.execute(
                s.users.insert().values(id=uid, created_on=self.now, **values)
            )
        else:
            uid = existing.id
            self.conn.execute(s.users.update().where(u.id == uid).values(**values))
        self.report.users += 1
        for j, token in enumerate(_list(d.get("tokens"), f"{where}.tokens")):
            self._token(
                _obj(token, f"{where}.tokens[{j}]"),
                f"{where}.tokens[{j}]",
                kind="user",
                user_id=uid,
                account_id=None,
                creator=email,
            )
        return uid

    # -- tokens ------------------------------------------------------------------------
    def _token(
        self,
        d: dict[str, Any],
        where: str,
        *,
        kind: str,
        user_id: str | None,
        account_id: str | None,
        creator: str | None,
    ) -> None:
        tid = _id(d, where) or new_id()
        name = _str(d, "name", where, max_len=120) or "token"
        value = _str(d, "value", where)
        if value is not None:
            if not is_token_format(value):
                raise SeedError(
                    f"{where}.value: a token value is 40 or more of A-Z a-z 0-9 _ -"
                )
            value_hash = self.hasher.hash(value)
        elif d.get("value_hash") is not None:
            value_hash = str(_str(d, "value_hash", where, max_len=64))
        else:
            value = mint_token(
                USER_TOKEN_PREFIX if kind == "user" else ACCOUNT_TOKEN_PREFIX
            )
            value_hash = self.hasher.hash(value)
            self.report.minted.append({"token_id": tid, "name": name, "value": value})
        try:
            policies = normalize_policies(
                d.get("policies"), self.catalogue, where=f"{where}.policies"
            )
            condition = normalize_condition(
                d.get("condition"), where=f"{where}.condition"
            )
        except PolicyError as exc:
            raise SeedError(str(exc)) from None
        values = {
            "kind": kind,
            "user_id": user_id,
            "account_id": account_id,
            "name": name,
            "status": _choice(d, "status", where, TOKEN_STATUSES, "active"),
            "value_hash": value_hash,
            "issued_on": _time(d, "issued_on", where) or self.now,
            "modified_on": _time(d, "modified_on", where) or self.now,
            "last_used_on": _time(d, "last_used_on", where),
            "not_before": _time(d, "not_before", where),
            "expires_on": _time(d, "expires_on", where),
            "policies": orjson.dumps(policies).decode(),
            "condition": orjson.dumps(condition).decode() if condition else None,
            "creator_email": _str(d, "creator_email", where, max_len=90) or creator,
        }
        t = s.tokens.c
        clash = self.conn.execute(
            select(t.id).where(t.value_hash == value_hash, t.id != tid)
        ).first()
        if clash is not None:
            raise SeedError(
                f"{where}.value: the same value is already token {clash.id}"
            )
        if self.conn.execute(select(t.id).where(t.id == tid)).first() is None:
            self.conn.execute(s.tokens.insert().values(id=tid, **values))
        else:
            self.conn.execute(s.tokens.update().where(t.id == tid).values(**values))
        self.report.tokens += 1

    # -- accounts ----------------------------------------------------------------------
    def _account(self, d: dict[str, Any], where: str) -> None:
        aid = _id(d, where) or new_id()
        a = s.accounts.c
        exists = self.conn.execute(select(a.id).where(a.id == aid)).first() is not None
        values: dict[str, Any] = {}
        if "name" in d or not exists:
            name = _str(d, "name", where, required=True, max_len=100)
            values["name"] = name
        if "type" in d or not exists:
            values["type"] = _choice(d, "type", where, ACCOUNT_TYPES, "standard")
        if "created_on" in d or not exists:
            values["created_on"] = _time(d, "created_on", where) or self.now
        if "settings" in d or not exists:
            settings = _obj(d.get("settings") or {}, f"{where}.settings")
            settings = {"enforce_twofactor": False, **settings}
            if not isinstance(settings["enforce_twofactor"], bool):
                raise SeedError(
                    f"{where}.settings.enforce_twofactor: must be true or false"
                )
            values["settings"] = orjson.dumps(settings).decode()
        if "managed_by" in d:
            managed = d.get("managed_by")
            if managed is not None:
                managed = _obj(managed, f"{where}.managed_by")
                for key in managed:
                    if key not in ("parent_org_id", "parent_org_name"):
                        raise SeedError(f"{where}.managed_by: unknown key {key!r}")
            values["managed_by"] = orjson.dumps(managed).decode() if managed else None
        if exists:
            if values:
                self.conn.execute(
                    s.accounts.update().where(a.id == aid).values(**values)
                )
        else:
            self.conn.execute(s.accounts.insert().values(id=aid, **values))
            ensure_account_resource_group(self.conn, aid)
        self.report.accounts += 1
        for j, role in enumerate(_list(d.get("roles"), f"{where}.roles")):
            self._role(aid, _obj(role, f"{where}.roles[{j}]"), f"{where}.roles[{j}]")
        for j, group in enumerate(
            _list(d.get("resource_groups"), f"{where}.resource_groups")
        ):
            self._resource_group(
                aid,
                _obj(group, f"{where}.resource_groups[{j}]"),
                f"{where}.resource_groups[{j}]",
            )
        for j, member in enumerate(_list(d.get("members"), f"{where}.members")):
            self._member(
                aid, _obj(member, f"{where}.members[{j}]"), f"{where}.members[{j}]"
            )
        for j, token in enumerate(_list(d.get("tokens"), f"{where}.tokens")):
            self._token(
                _obj(token, f"{where}.tokens[{j}]"),
                f"{where}.tokens[{j}]",
                kind="account",
                user_id=None,
                account_id=aid,
                creator=None,
            )

    def _role(self, account_id: str, d: dict[str, Any], where: str) -> None:
        rid = _id(d, where) or new_id()
        if rid in self.catalogue.roles_by_id:
            raise SeedError(f"{where}.id: {rid} is a built-in role")
        permissions = _obj(d.get("permissions") or {}, f"{where}.permissions")
        for key, grant in permissions.items():
            grant = _obj(grant, f"{where}.permissions.{key}")
            for flag, v in grant.items():
                if flag not in ("read", "write", "edit") or not isinstance(v, bool):
                    raise SeedError(
                        f"{where}.permissions.{key}: grants are read / write / edit"
                        " booleans"
                    )
        values = {
            "name": _str(d, "name", where, required=True, max_len=120),
            "description": _str(d, "description", where, max_len=1000) or "",
            "permissions": orjson.dumps(permissions).decode(),
        }
        r = s.roles.c
        this_role = (r.account_id == account_id) & (r.id == rid)
        if self.conn.execute(select(r.id).where(this_role)).first() is None:
            self.conn.execute(
                s.roles.insert().values(account_id=account_id, id=rid, **values)
            )
        else:
            self.conn.execute(s.roles.update().where(this_role).values(**values))

    def _resource_group(self, account_id: str, d: dict[str, Any], where: str) -> None:
        gid = _id(d, where) or new_id()
        scope = _obj(d.get("scope"), f"{where}.scope")
        key = _str(scope, "key", f"{where}.scope", required=True)
        objects = _list(scope.get("objects"), f"{where}.scope.objects")
        for k, o in enumerate(objects):
            _str(
                _obj(o, f"{where}.scope.objects[{k}]"),
                "key",
                f"{where}.scope.objects[{k}]",
                required=True,
            )
        values = {
            "account_id": account_id,
            "name": _str(d, "name", where) or key,
            "scope": orjson.dumps({"key": key, "objects": objects}).decode(),
            "meta": orjson.dumps(d["meta"]).decode() if d.get("meta") else None,
        }
        g = s.resource_groups.c
        row = self.conn.execute(select(g.account_id).where(g.id == gid)).first()
        if row is None:
            self.conn.execute(s.resource_groups.insert().values(id=gid, **values))
        elif row.account_id != account_id:
            raise SeedError(
                f"{where}.id: resource group {gid} belongs to another account"
            )
        else:
            self.conn.execute(
                s.resource_groups.update().where(g.id == gid).values(**values)
            )

    def _member(self, account_id: str, d: dict[str, Any], where: str) -> None:
        email = _str(d, "email", where, required=True, max_len=90)
        assert email is not None
        email = email.strip().lower()
        status = _choice(d, "status", where, MEMBER_STATUSES, "accepted")
        roles = []
        for k, role in enumerate(_list(d.get("roles"), f"{where}.roles")):
            rid = role.get("id") if isinstance(role, dict) else role
            if not isinstance(rid, str) or not self._role_exists(account_id, rid):
                raise SeedError(f"{where}.roles[{k}]: no role {rid!r} in this account")
            roles.append(rid)
        policies = self._member_policies(
            account_id, d.get("policies"), f"{where}.policies"
        )
        if roles and policies:
            raise SeedError(f"{where}: a member has roles or policies, not both")
        u = s.users.c
        user = self.conn.execute(select(u.id).where(u.email == email)).first()
        user_id = user.id if user is not None else None
        if user_id is None and status == "accepted":
            user_id = self._user({"email": email}, where)
            self.report.users -= 1  # created implicitly, not declared
        m = s.members.c
        mid = _id(d, where)
        existing = None
        if mid is not None:
            existing = self.conn.execute(
                select(m.id, m.account_id).where(m.id == mid)
            ).first()
            if existing is not None and existing.account_id != account_id:
                raise SeedError(f"{where}.id: member {mid} belongs to another account")
        if existing is None:
            existing = self.conn.execute(
                select(m.id, m.account_id).where(
                    m.account_id == account_id, m.email == email
                )
            ).first()
            if existing is not None and mid is not None and existing.id != mid:
                raise SeedError(f"{where}: {email} is already member {existing.id}")
        values = {
            "account_id": account_id,
            "user_id": user_id,
            "email": email,
            "status": status,
            "roles": orjson.dumps(roles).decode(),
            "policies": orjson.dumps(policies).decode() if policies else None,
        }
        if existing is None:
            self.conn.execute(
                s.members.insert().values(
                    id=mid or new_id(), created_on=self.now, **values
                )
            )
        else:
            self.conn.execute(
                s.members.update().where(m.id == existing.id).values(**values)
            )
        self.report.members += 1

    def _role_exists(self, account_id: str, role_id: str) -> bool:
        if role_id in self.catalogue.roles_by_id:
            return True
        r = s.roles.c
        return (
            self.conn.execute(
                select(r.id).where(r.account_id == account_id, r.id == role_id)
            ).first()
            is not None
        )

    def _member_policies(
        self, account_id: str, value: Any, where: str
    ) -> list[dict[str, Any]]:
        out = []
        for i, p in enumerate(_list(value, where)):
            here = f"{where}[{i}]"
            p = _obj(p, here)
            access = _choice(p, "access", here, ("allow", "deny"), "allow")
            groups = []
            for j, g in enumerate(
                _list(p.get("permission_groups"), f"{here}.permission_groups")
            ):
                gid = g.get("id") if isinstance(g, dict) else None
                if gid not in self.catalogue.roles_by_id:
                    raise SeedError(
                        f"{here}.permission_groups[{j}]: unknown permission group"
                        f" {gid!r}"
                    )
                groups.append({"id": gid})
            rgs = []
            for j, g in enumerate(
                _list(p.get("resource_groups"), f"{here}.resource_groups")
            ):
                gid = g.get("id") if isinstance(g, dict) else None
                rg = s.resource_groups.c
                if (
                    not isinstance(gid, str)
                    or self.conn.execute(
                        select(rg.id).where(rg.id == gid, rg.account_id == account_id)
                    ).first()
                    is None
                ):
                    raise SeedError(
                        f"{here}.resource_groups[{j}]: unknown resource group {gid!r}"
                    )
                rgs.append({"id": gid})
            if not groups or not rgs:
                raise SeedError(f"{here}: needs permission_groups and resource_groups")
            out.append(
                {
                    "id": _id(p, here) or new_id(),
                    "access": access,
                    "permission_groups": groups,
                    "resource_groups": rgs,
                }
            )
        return out


def account_resource_group_id(account_id: str) -> str:
    return derived_id(account_id, "account-resource-group")


def ensure_account_resource_group(conn: Connection, account_id: str) -> None:
    """Every account has a resource group covering the whole account."""
    key = f"com.cloudflare.api.account.{account_id}"
    gid = account_resource_group_id(account_id)
    g = s.resource_groups.c
    if conn.execute(select(g.id).where(g.id == gid)).first() is None:
        conn.execute(
            s.resource_groups.insert().values(
                id=gid,
                account_id=account_id,
                name=key,
                scope=orjson.dumps({"key": key, "objects": [{"key": "*"}]}).decode(),
                meta=orjson.dumps({"editable": "false"}).decode(),
            )
        )
