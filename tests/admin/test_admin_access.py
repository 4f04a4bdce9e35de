"""The console's brand and member pages are for site admins only (issue 13): a visitor is
sent to sign in, and owners, staff, moderators and members are refused."""

from __future__ import annotations

import pytest

from tests.stories import login_as

# "{member}" is the member's id: the story's own.
PAGES = [
    "/admin/brands",
    "/admin/brands/new",
    "/admin/brands/northwind",
    "/admin/members",
    "/admin/members/new",
    "/admin/members/{member}",
]


def _path(path: str, shop) -> str:
    return path.format(member=shop.member.id)


@pytest.mark.parametrize("path", PAGES)
def test_a_site_admin_sees_the_page(client, shop, path):
    login_as(client, shop.admin)

    response = client.get(_path(path, shop))

    assert response.status_code == 200
    assert 'aria-label="Admin console"' in response.get_data(as_text=True)


@pytest.mark.parametrize("section", ["brands", "members"])
def test_the_consoles_navigation_marks_the_section_it_is_on(client, shop, section):
    login_as(client, shop.admin)

    page = client.get(f"/admin/{section}").get_data(as_text=True)

    assert f'href="/admin/{section}" aria-current="page"' in page


@pytest.mark.parametrize("who", ["owner", "staff", "moderator", "member"])
@pytest.mark.parametrize("path", PAGES)
def test_anyone_else_signed_in_is_refused(client, shop, path, who):
    login_as(client, shop.person(who))

    assert client.get(_path(path, shop)).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_a_visitor_is_sent_to_sign_in(client, shop, path):
    response = client.get(_path(path, shop))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_brand_or_member_that_does_not_exist_is_a_404(client, shop):
    login_as(client, shop.admin)

    assert client.get("/admin/brands/nowhere").status_code == 404
    assert client.get("/admin/members/999999").status_code == 404
