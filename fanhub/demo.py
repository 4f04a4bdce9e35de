"""Demo data for `flask seed-demo`: people and brands a newcomer can log in as and explore."""

from __future__ import annotations

from dataclasses import dataclass

from fanhub.accounts import services as accounts
from fanhub.brands import services as brands
from fanhub.brands.models import Role
from fanhub.permissions import SYSTEM

# One password for every demo login keeps the printed table short; it is only for the demo.
DEMO_PASSWORD = "fanhub-demo-2026"  # noqa: S105 - printed for the demo on purpose


@dataclass(frozen=True)
class DemoLogin:
    username: str
    what: str


BRANDS = (
    ("northwind", "Northwind Coffee", "Small-batch coffee, roasted every Tuesday."),
    ("acme-outdoor", "Acme Outdoor", "Tents, packs and boots that last."),
)

PEOPLE = (
    # username, display name, is admin, roles
    ("admin", "Site Admin", True, ()),
    ("nora", "Nora Lind", False, (("northwind", Role.OWNER),)),
    ("sam", "Sam Ortiz", False, (("northwind", Role.STAFF),)),
    ("olive", "Olive Grant", False, (("acme-outdoor", Role.OWNER),)),
    ("ted", "Ted Okafor", False, (("acme-outdoor", Role.STAFF),)),
    ("mia", "Mia Chen", False, (("northwind", Role.MODERATOR), ("acme-outdoor", Role.MODERATOR))),
    ("alice", "Alice Moreau", False, ()),
    ("bob", "Bob Novak", False, ()),
    ("carol", "Carol Diaz", False, ()),
)


def demo_logins() -> list[DemoLogin]:
    """Who a newcomer can log in as, and what each login is for."""
    names = {slug: name for slug, name, _ in BRANDS}
    logins = []
    for username, _, is_admin, roles in PEOPLE:
        what = "site admin" if is_admin else "member"
        if roles:
            what = ", ".join(f"{role.value} of {names[slug]}" for slug, role in roles)
        logins.append(DemoLogin(username, what))
    return logins


def seed_demo() -> list[DemoLogin]:
    """Create the demo brands and people (through the services, so every rule holds)."""
    created = {
        slug: brands.create_brand(SYSTEM, brands.BrandDraft(slug, name, tagline))
        for slug, name, tagline in BRANDS
    }
    for username, display_name, is_admin, roles in PEOPLE:
        user = accounts.register(
            accounts.RegistrationDraft(username, f"{username}@example.com", DEMO_PASSWORD),
            is_admin=is_admin,
            verified=True,
        )
        accounts.update_profile(SYSTEM, user, accounts.ProfileDraft(display_name, ""))
        for slug, role in roles:
            brands.add_role(SYSTEM, created[slug], user, role)
    return demo_logins()
