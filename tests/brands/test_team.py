"""The brand's team in the browser (issue 13, point 3): owners invite people by username or
email (a single-use, expiring link), change roles and remove them; the last owner stays;
every change is on the team's own history."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from fanhub.accounts import privacy
from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand, BrandRole, InvitationStatus, Role, TeamInvitation
from fanhub.errors import Conflict, Forbidden
from fanhub.extensions import db
from fanhub.permissions import SYSTEM
from tests import factories
from tests.stories import login_as

TEAM = "/b/northwind/team"


def roles_of(app, person) -> set[Role]:
    with app.app_context():
        return set(
            db.session.scalars(
                select(BrandRole.role).where(
                    BrandRole.user_id == person.id, BrandRole.brand_id == _brand_id(app)
                )
            )
        )


def _brand_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Brand.id).where(Brand.slug == "northwind"))


def seat_of(app, person, role: Role) -> int:
    with app.app_context():
        return db.session.scalar(
            select(BrandRole.id).where(
                BrandRole.user_id == person.id,
                BrandRole.brand_id == _brand_id(app),
                BrandRole.role == role,
            )
        )


def invitation_link(app) -> str:
    """The path in the newest invitation email."""
    return factories.link_in(factories.sent_emails(app, "team_invitation")[-1])


def invite(client, who: str, role: str = "staff"):
    return client.post(TEAM, data={"who": who, "role": role})


def history(client) -> str:
    page = client.get(TEAM).get_data(as_text=True)
    match = re.search(r'data-testid="team-history">(.*?)</ol>', page, re.S)
    assert match, "the team page shows no history"
    return re.sub(r"\s+", " ", match.group(1))


def test_the_team_page_lists_every_seat_for_the_owners_only(app, client, shop):
    login_as(client, shop.owner)
    page = client.get(TEAM).get_data(as_text=True)
    for seat in ("owner-owner", "staff-staff", "moderator-moderator"):
        assert f'data-seat="{seat}"' in page
    assert f'href="{TEAM}"' in client.get("/b/northwind").get_data(as_text=True)
    assert f'href="{TEAM}"' in client.get("/b/northwind/edit").get_data(as_text=True)
    for who in ("staff", "moderator", "member"):
        client.post("/logout")
        login_as(client, shop.person(who))
        assert client.get(TEAM).status_code == 403
        assert f'href="{TEAM}"' not in client.get("/b/northwind").get_data(as_text=True)


def test_a_member_invited_by_username_accepts_through_the_emailed_link(app, client, shop):
    login_as(client, shop.owner)
    response = invite(client, "Other_Member", "moderator")
    assert response.status_code == 302
    [email] = factories.sent_emails(app, "team_invitation")
    assert email.to_address == shop.other_member.email
    assert email.subject == "owner invited you to the Northwind team on fanhub"
    assert "as a moderator" in email.body_text
    link = invitation_link(app)
    client.post("/logout")

    login_as(client, shop.other_member)
    page = client.get(link).get_data(as_text=True)
    assert "owner invited you to join" in page and "Accept" in page
    response = client.post(link + "/accept")
    assert response.status_code == 302
    assert response.headers["Location"] == "/b/northwind"
    assert roles_of(app, shop.other_member) == {Role.MODERATOR}

    # The link is used up.
    again = client.post(link + "/accept")
    assert again.status_code == 409
    assert "already been accepted" in again.get_data(as_text=True)
    client.post("/logout")
    login_as(client, shop.owner)
    lines = history(client)
    assert "owner invited other_member to join as a moderator." in lines
    assert "other_member accepted the invitation and joined as a moderator." in lines


def test_someone_new_invited_by_email_registers_with_that_address_and_accepts(app, client, shop):
    login_as(client, shop.owner)
    assert invite(client, "Kim@Example.com", "staff").status_code == 302
    [email] = factories.sent_emails(app, "team_invitation")
    assert email.to_address == "kim@example.com"
    assert "create an account with this email address" in email.body_text
    link = invitation_link(app)
    client.post("/logout")

    # A visitor is asked to log in or register, and comes back to the invitation.
    page = client.get(link).get_data(as_text=True)
    assert f"/register?next={link}" in page.replace("%2F", "/")
    assert "Accept" not in page
    kim = factories.make_user(app, "kim", email="kim@example.com")
    login_as(client, kim)
    assert client.post(link + "/accept").status_code == 302
    assert roles_of(app, kim) == {Role.STAFF}


def test_someone_else_cannot_answer_an_invitation(app, client, shop):
    login_as(client, shop.owner)
    invite(client, "member", "staff")
    link = invitation_link(app)
    client.post("/logout")
    login_as(client, shop.other_member)
    response = client.post(link + "/accept")
    assert response.status_code == 403
    assert "This invitation was sent to m•••@example.com" in response.get_data(as_text=True)
    assert roles_of(app, shop.other_member) == set()
    with app.app_context():
        assert db.session.scalars(select(TeamInvitation.status)).all() == [InvitationStatus.PENDING]


def test_an_expired_invitation_is_refused(app, client, shop, now):
    with app.app_context():
        brands.invite_to_team(
            db.session.get(User, shop.owner.id),
            db.session.get(Brand, shop.brand.id),
            "member",
            Role.STAFF,
            now=now - timedelta(days=brands.INVITATION_DAYS, minutes=1),
        )
    link = invitation_link(app)
    login_as(client, shop.member)
    page = client.get(link).get_data(as_text=True)
    assert "This link has expired" in page
    response = client.post(link + "/accept")
    assert response.status_code == 400
    assert roles_of(app, shop.member) == set()
    # The owners see it expired, and may clear it.
    client.post("/logout")
    login_as(client, shop.owner)
    assert "expired" in client.get(TEAM).get_data(as_text=True)


def test_a_declined_or_withdrawn_invitation_can_not_be_used(app, client, shop):
    login_as(client, shop.owner)
    invite(client, "member", "staff")
    declined = invitation_link(app)
    invite(client, "other_member", "moderator")
    withdrawn = invitation_link(app)
    with app.app_context():
        pending = db.session.scalar(
            select(TeamInvitation.id).where(TeamInvitation.email == shop.other_member.email)
        )
    assert client.post(f"{TEAM}/invitations/{pending}/revoke").status_code == 302
    # Withdrawn twice: the second is told, next to its control.
    again = client.post(f"{TEAM}/invitations/{pending}/revoke")
    assert again.status_code == 409
    client.post("/logout")

    login_as(client, shop.member)
    assert client.post(declined + "/decline").status_code == 302
    refused = client.post(declined + "/accept")
    assert refused.status_code == 409
    assert "declined" in refused.get_data(as_text=True)
    client.post("/logout")
    login_as(client, shop.other_member)
    refused = client.post(withdrawn + "/accept")
    assert refused.status_code == 409
    assert "withdrew this invitation" in refused.get_data(as_text=True)
    assert roles_of(app, shop.member) == roles_of(app, shop.other_member) == set()


def test_a_tampered_link_is_not_an_invitation(app, client, shop):
    login_as(client, shop.owner)
    invite(client, "member")
    link = invitation_link(app)
    login_as(client, shop.member)
    assert client.get(link[:-3] + "abc").status_code == 400
    assert client.post(link[:-3] + "abc/accept").status_code == 400


@pytest.mark.parametrize(
    ("who", "role", "status", "message"),
    [
        ("nobody-here", "staff", 400, "No member is called nobody-here."),
        ("not an address@", "staff", 400, "That is not an email address we can write to."),
        ("", "staff", 400, "Give their username or email address."),
        ("staff", "staff", 409, "staff is already staff of Northwind."),
    ],
)
def test_an_invitation_that_can_not_go_is_refused_beside_the_field(
    app, client, shop, who, role, status, message
):
    login_as(client, shop.owner)
    response = invite(client, who, role)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert f'<p class="field__error" id="who-error">{message}' in page
    assert factories.sent_emails(app, "team_invitation") == []


def test_a_second_invitation_while_one_is_open_is_refused(app, client, shop):
    login_as(client, shop.owner)
    invite(client, "member", "staff")
    response = invite(client, "member@example.com", "staff")
    assert response.status_code == 409
    assert "member was already invited as staff" in response.get_data(as_text=True)
    # Another role is another invitation.
    assert invite(client, "member", "moderator").status_code == 302


def test_an_owner_changes_a_role_and_removes_a_seat(app, client, shop):
    login_as(client, shop.owner)
    seat = seat_of(app, shop.staff, Role.STAFF)
    response = client.post(f"{TEAM}/{seat}/role", data={"role": "moderator"})
    assert response.status_code == 302
    assert roles_of(app, shop.staff) == {Role.MODERATOR}
    assert client.post(f"{TEAM}/{seat}/remove").status_code == 302
    assert roles_of(app, shop.staff) == set()
    lines = history(client)
    assert "owner changed staff from a staff member to a moderator." in lines
    assert "owner ended the role of staff as a moderator." in lines
    # A seat gone meanwhile is said so, beside its control.
    gone = client.post(f"{TEAM}/{seat}/remove")
    assert gone.status_code == 409
    assert "changed or ended meanwhile" in gone.get_data(as_text=True)


def test_the_last_owner_can_not_be_removed_or_demoted(app, client, shop, now):
    login_as(client, shop.owner)
    seat = seat_of(app, shop.owner, Role.OWNER)
    for response in (
        client.post(f"{TEAM}/{seat}/remove"),
        client.post(f"{TEAM}/{seat}/role", data={"role": "staff"}),
    ):
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        # The message sits next to the seat's controls, which point at it.
        assert f'id="seat-{seat}-error" role="alert">owner is the last owner of Northwind' in page
        assert f'aria-describedby="seat-{seat}-error"' in page
    assert roles_of(app, shop.owner) == {Role.OWNER}
    with app.app_context(), pytest.raises(Conflict, match="last owner"):
        brands.remove_role(SYSTEM, db.session.get(Brand, shop.brand.id), seat, now=now)


def test_with_a_second_owner_the_first_may_step_down(app, client, shop):
    login_as(client, shop.owner)
    staff_seat = seat_of(app, shop.staff, Role.STAFF)
    client.post(f"{TEAM}/{staff_seat}/role", data={"role": "owner"})
    own = seat_of(app, shop.owner, Role.OWNER)
    response = client.post(f"{TEAM}/{own}/role", data={"role": "staff"})
    # She is no longer an owner: back to the fan page, not to a page she may not see.
    assert response.headers["Location"] == "/b/northwind"
    assert roles_of(app, shop.owner) == {Role.STAFF}
    assert client.get(TEAM).status_code == 403


@pytest.mark.parametrize("who", ["staff", "moderator", "member"])
def test_only_owners_change_the_team(app, shop, who, now):
    actor_id = shop.person(who).id
    with app.app_context():
        actor, brand = db.session.get(User, actor_id), db.session.get(Brand, shop.brand.id)
        seat = db.session.scalar(select(BrandRole.id).where(BrandRole.role == Role.STAFF))
        refusal = "Only the brand's owners can appoint staff and moderators."
        with pytest.raises(Forbidden, match=refusal):
            brands.invite_to_team(actor, brand, "other_member", Role.STAFF, now=now)
        with pytest.raises(Forbidden, match=refusal):
            brands.change_role(actor, brand, seat, Role.OWNER, now=now)
        with pytest.raises(Forbidden, match=refusal):
            brands.remove_role(actor, brand, seat, now=now)


def test_appointments_from_the_command_line_are_on_the_history(app, client, shop):
    login_as(client, shop.owner)
    assert "The command line made owner an owner." in history(client)


def test_the_team_page_costs_the_same_queries_however_big_the_team(
    app, client, shop, make_user, count_queries, now
):
    login_as(client, shop.owner)
    invite(client, "member")
    with count_queries() as few:
        assert client.get(TEAM).status_code == 200
    with app.app_context():
        brand = db.session.get(Brand, shop.brand.id)
        owner = db.session.get(User, shop.owner.id)
        for n in range(5):
            person = make_user(f"helper{n}")
            brands.add_role(owner, brand, db.session.get(User, person.id), Role.STAFF, now=now)
            brands.invite_to_team(owner, brand, f"new{n}@example.com", Role.MODERATOR, now=now)
    with count_queries() as many:
        assert client.get(TEAM).status_code == 200
    assert len(many) == len(few)


def test_deleting_her_account_takes_the_invitations_addressed_to_her(app, client, shop, now):
    login_as(client, shop.owner)
    invite(client, "member", "staff")
    invite(client, "member@example.com", "moderator")
    invite(client, "other_member", "staff")
    with app.app_context():
        member = db.session.get(User, shop.member.id)
        privacy.delete_account(member, member, factories.PASSWORD, False, now=now)
        left = db.session.scalars(select(TeamInvitation.email)).all()
    assert left == [shop.other_member.email]
    # The history still says an invitation went out, without her address.
    assert "member@example.com" not in history(client)
