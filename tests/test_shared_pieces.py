"""The pieces every domain shares (issue 12, point 4), each written once: the "only the member
herself" rule, the held-post message and the button check, control characters, colours, and
a command's refusal."""

from __future__ import annotations

import click
import pytest

from fanhub.accounts import services as accounts
from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand
from fanhub.command_errors import domain_errors
from fanhub.errors import Conflict, Forbidden, Invalid, NotFound
from fanhub.extensions import db
from fanhub.forms import held_message
from fanhub.inputs import has_control_characters, parse_colour
from fanhub.permissions import (
    OWN_ACCOUNT,
    OWN_CONTACT_CHOICES,
    OWN_DATA,
    OWN_PASSWORD,
    SYSTEM,
    require_self,
)
from tests import factories
from tests.stories import login_as, shop  # noqa: F401 - the fixture

PLAIN = "The kettle switches itself off before the water boils, every time."


class _Anonymous:
    is_authenticated = False


def test_her_profile_is_hers_or_a_site_admins(app, make_user, now):
    her, other, admin = make_user(), make_user(), make_user(admin=True)
    draft = accounts.ProfileDraft("Ada", "")
    with app.app_context():
        member = db.session.get(User, her.id)
        with pytest.raises(Forbidden, match="^You can only change your own account.$"):
            accounts.update_profile(db.session.get(User, other.id), member, draft, now=now)
        accounts.update_profile(db.session.get(User, admin.id), member, draft, now=now)
        assert member.display_name == "Ada"


def test_her_password_is_hers_alone_even_against_an_admin(app, make_user, now):
    her, admin = make_user(), make_user(admin=True)
    with (
        app.app_context(),
        pytest.raises(Forbidden, match="^You can only change your own password"),
    ):
        accounts.change_password(
            db.session.get(User, admin.id),
            db.session.get(User, her.id),
            factories.PASSWORD,
            "a-brand-new-secret-42",
        )


def test_the_settings_page_changes_the_signed_in_members_own_password(app, client, make_user):
    her = make_user()
    factories.login(client, her.username)
    response = client.post(
        "/settings/password",
        data={"current_password": factories.PASSWORD, "new_password": "a-brand-new-secret-42"},
    )
    assert response.status_code == 302
    client.post("/logout")
    assert factories.login(client, her.username, "a-brand-new-secret-42").status_code == 302


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (OWN_ACCOUNT, "You can only change your own account."),
        (OWN_PASSWORD, "You can only change your own password."),
        (OWN_DATA, "You can only do this for your own account."),
        (OWN_CONTACT_CHOICES, "Only the member can change how they are contacted."),
    ],
)
def test_each_rule_refuses_someone_else_in_its_own_words(app, make_user, now, rule, words):
    her, other = make_user(), make_user()
    with app.app_context(), pytest.raises(Forbidden) as refused:
        require_self(db.session.get(User, other.id), db.session.get(User, her.id), rule, now=now)
    assert refused.value.message == words
    assert refused.value.status == 403


def test_a_visitor_is_asked_to_log_in_to_choose_how_she_is_contacted(app, make_user, now):
    her = make_user()
    with app.app_context(), pytest.raises(Forbidden, match="^Log in to choose how we contact"):
        require_self(_Anonymous(), db.session.get(User, her.id), OWN_CONTACT_CHOICES, now=now)


@pytest.mark.parametrize(
    ("rule", "error", "status"),
    [(OWN_DATA, Conflict, 409), (OWN_CONTACT_CHOICES, NotFound, 404)],
)
def test_a_deleted_account_answers_as_each_rule_says(app, make_user, now, rule, error, status):
    her = make_user()
    with app.app_context():
        member = db.session.get(User, her.id)
        member.status = UserStatus.DELETED  # not committed: the rolled-back test undoes it
        actor = SYSTEM if rule.operator else member
        with pytest.raises(error) as refused:
            require_self(actor, member, rule, now=now)
    assert refused.value.status == status


def test_only_the_contact_choices_let_the_operator_act_for_her(app, make_user, now):
    her = make_user()
    with app.app_context():
        member = db.session.get(User, her.id)
        require_self(SYSTEM, member, OWN_CONTACT_CHOICES, now=now)
        with pytest.raises(Forbidden):
            require_self(SYSTEM, member, OWN_DATA, now=now)


def test_a_held_topic_and_a_held_review_say_the_same_words(app, client, shop, make_user):  # noqa: F811
    with app.app_context():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.commit()
    newbie = make_user("newbie", trust_level=0)
    login_as(client, newbie)
    response = client.post(
        f"/b/northwind/c/{shop.discussion.slug}/new",
        data={"title": "Kettle clicks off early", "body": PLAIN},
        follow_redirects=True,
    )
    assert held_message("topic") in response.get_data(as_text=True).replace("&#39;", "'")
    assert held_message("review").startswith("Your review is waiting for a moderator: ")


def test_a_button_posted_without_its_token_is_refused(app, client, shop, monkeypatch):  # noqa: F811
    login_as(client, shop.member)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/b/northwind/follow").status_code == 400
    with app.app_context():
        assert db.session.get(Brand, shop.brand.id).follower_count == 0


@pytest.mark.parametrize(
    ("text", "kind", "refused"),
    [
        ("two\nlines\tand a tab", "text", False),
        ("a NUL \x00 here", "text", True),
        ("a lone \ud800 surrogate", "text", True),
        ("two\nlines", "line", True),
        ("a C1 \x85 control", "line", True),
        ("a line\u2028separator", "line", True),
        ("Kettle clicks off early", "line", False),
        ("a tab\tin a query", "address", True),
        ("plain-query", "address", False),
    ],
)
def test_control_characters_are_refused_by_kind_of_text(text, kind, refused):
    assert has_control_characters(text, kind=kind) is refused


def test_a_control_character_in_a_form_is_a_400_on_its_field(client, shop):  # noqa: F811
    login_as(client, shop.member)
    response = client.post("/settings/profile", data={"display_name": "Ada\x00", "bio": ""})
    assert response.status_code == 400
    assert "without control characters" in response.get_data(as_text=True)


def test_a_control_character_in_a_query_string_is_a_400(client, shop):  # noqa: F811
    assert client.get("/b/northwind?x=%07").status_code == 400


@pytest.mark.parametrize(
    ("raw", "hash_optional", "colour"),
    [
        ("#5B3DF5", False, "#5b3df5"),
        ("  #5b3df5 ", False, "#5b3df5"),
        ("5b3df5", False, None),
        ("5B3DF5", True, "#5b3df5"),
        ("#abc", True, None),
        ("red", True, None),
        ("##5b3df5", True, None),
        ("#5b3df5;}", False, None),
    ],
)
def test_one_colour_rule_for_brands_and_the_widget(raw, hash_optional, colour):
    assert parse_colour(raw, hash_optional=hash_optional) == colour


def test_a_brand_colour_that_is_not_one_is_refused_on_its_field(app, client, shop):  # noqa: F811
    login_as(client, shop.owner)
    response = client.post(
        "/b/northwind/edit", data={"tagline": "", "description": "", "accent_color": "red"}
    )
    assert response.status_code == 400
    assert "Give the colour as #rrggbb" in response.get_data(as_text=True)


def test_a_command_prints_a_rules_refusal_and_exits_1(runner, make_user):
    make_user("taken")
    result = runner.invoke(
        args=["create-user", "taken", "t2@example.com", "--password", "some-long-secret-1"]
    )
    assert result.exit_code == 1
    assert "Error: That username is taken" in result.output
    assert "Traceback" not in result.output


def test_domain_errors_turns_a_refusal_into_a_click_error():
    @domain_errors
    def refuses() -> None:
        raise Invalid("No such thing.")

    with pytest.raises(click.ClickException, match="^No such thing.$"):
        refuses()


def test_brand_commands_refuse_in_the_rules_words(runner, shop):  # noqa: F811
    result = runner.invoke(args=["brand", "add-role", "nowhere", "member", "staff"])
    assert result.exit_code == 1
    assert "Error: There is no brand at that address." in result.output
