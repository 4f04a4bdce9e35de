"""The console's site pages are for site admins only (issue 13): a visitor is sent to sign
in, and staff, moderators and members are refused."""

from __future__ import annotations

import pytest

from tests.stories import login_as

PAGES = ["/admin/log", "/admin/outbox", "/admin/settings", "/admin/invitations"]


@pytest.mark.parametrize("path", PAGES)
def test_a_site_admin_sees_the_page_with_the_consoles_navigation(client, shop, path):
    login_as(client, shop.admin)
    response = client.get(path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'href="{path}" aria-current="page"' in page


@pytest.mark.parametrize("who", ["owner", "staff", "moderator", "member"])
@pytest.mark.parametrize("path", PAGES)
def test_anyone_else_signed_in_is_refused(client, shop, path, who):
    login_as(client, shop.person(who))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_a_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
