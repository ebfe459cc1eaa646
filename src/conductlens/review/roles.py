"""Roles and what each may do: the one permission table every route and command consults."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    INVESTIGATOR = "investigator"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ANALYST = "analyst"
    ADMIN = "admin"


class Permission(StrEnum):
    VIEW_CASES = "view_cases"  # case metadata and totals, never content
    EDIT_CASE = "edit_case"  # open cases, add exhibits, subjects, hours, notes
    PROPOSE_SCOPE = "propose_scope"
    AUTHORISE_SCOPE = "authorise_scope"
    READ_CONTENT = "read_content"  # message text inside the authorised scope
    DECIDE = "decide"  # record review decisions
    REQUEST_UNMASK = "request_unmask"
    APPROVE_UNMASK = "approve_unmask"
    READ_REGISTER = "read_register"
    MANAGE_REGISTER = "manage_register"
    LINK_PARTICIPANTS = "link_participants"
    READ_AUDIT = "read_audit"
    MANAGE_USERS = "manage_users"
    VIEW_TOTALS = "view_totals"  # key facts: counts only
    ASSIGN_TEAM = "assign_team"  # ask to add or remove case team members
    DECIDE_TEAM = "decide_team"  # approve team changes, confirm accounts (a second person)
    DEFINE_TAGS = "define_tags"  # add a tag name for the whole force
    ESCALATE = "escalate"  # send a finding to a named team member for a second review


P = Permission

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.INVESTIGATOR: frozenset(
        {
            P.VIEW_CASES, P.EDIT_CASE, P.PROPOSE_SCOPE, P.READ_CONTENT, P.DECIDE,
            P.REQUEST_UNMASK, P.READ_REGISTER, P.LINK_PARTICIPANTS, P.VIEW_TOTALS,
            P.ASSIGN_TEAM, P.ESCALATE,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            P.VIEW_CASES, P.AUTHORISE_SCOPE, P.APPROVE_UNMASK, P.READ_CONTENT,
            P.READ_REGISTER, P.VIEW_TOTALS, P.ASSIGN_TEAM, P.DECIDE_TEAM, P.DEFINE_TAGS,
            P.ESCALATE,
        }
    ),
    Role.AUDITOR: frozenset({P.VIEW_CASES, P.READ_AUDIT, P.VIEW_TOTALS}),
    Role.ANALYST: frozenset({P.VIEW_TOTALS}),
    Role.ADMIN: frozenset({P.MANAGE_USERS, P.MANAGE_REGISTER, P.READ_REGISTER, P.ASSIGN_TEAM,
                           P.DECIDE_TEAM, P.DEFINE_TAGS}),
}

# Roles that reach a case only through its team: they see it listed, and may call any of its
# routes, only when assigned to it. Auditors (the log), analysts (totals) and admins (teams,
# accounts) are never on teams and never read content.
CASE_TEAM_ROLES: frozenset[Role] = frozenset({Role.INVESTIGATOR, Role.SUPERVISOR})


def team_bound(role: Role | str) -> bool:
    """Whether ``role`` may reach a case only as a member of its team."""
    return role in CASE_TEAM_ROLES


def allows(role: Role | str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` (unknown roles hold nothing)."""
    try:
        return permission in PERMISSIONS[Role(role)]
    except ValueError:
        return False
