"""The in-app inbox: notify(), the unread count in the header, and marking things read."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from fanhub.accounts.models import User
from fanhub.db import transaction, utcnow
from fanhub.extensions import db
from fanhub.notifications import services
from fanhub.notifications.models import Notification, NotificationKind
from tests.factories import load, login


def tell(app, recipients, count: int = 1, *, actor=None, url: str = "/t/1?post=2") -> None:
    """Commit `count` notifications to each recipient, as a reply would."""
    with app.app_context(), transaction():
        for n in range(count):
            services.notify(
                [person.id for person in recipients],
                kind=NotificationKind.REPLY,
                message=f"Sam Ortiz replied to “Topic {n + 1}”",
                url=url,
                actor_id=actor.id if actor else None,
                now=utcnow(),
            )


def inbox_of(app, person) -> list[Notification]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification)
                .where(Notification.user_id == person.id)
                .order_by(Notification.id)
            )
        )


def unread_count(app, person) -> int:
    return load(app, User, person.id).unread_notification_count


def header_count(client) -> str | None:
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'data-testid="unread-count">(\d+)<', page)
    return match.group(1) if match else None


def test_notify_tells_each_recipient_once_and_never_the_actor(app, make_user, now):
    ana, ben, sam = make_user("ana"), make_user("ben"), make_user("sam")
    with app.app_context(), transaction():
        told = services.notify(
            [ana.id, ben.id, ana.id, sam.id],
            kind=NotificationKind.MENTION,
            message="Sam Ortiz mentioned you in “Beans”",
            url="/t/4?post=7",
            actor_id=sam.id,
            now=now,
        )
    assert told == 2
    assert [n.kind for n in inbox_of(app, ana)] == [NotificationKind.MENTION]
    assert len(inbox_of(app, ben)) == 1
    assert inbox_of(app, sam) == []
    assert (unread_count(app, ana), unread_count(app, ben), unread_count(app, sam)) == (1, 1, 0)


def test_notify_writes_in_the_callers_transaction(app, make_user, now):
    ana = make_user("ana")
    with app.app_context(), pytest.raises(RuntimeError), transaction():
        services.notify(
            [ana.id], kind=NotificationKind.REPLY, message="x", url="/t/1", actor_id=None, now=now
        )
        raise RuntimeError("the post failed after all")
    assert inbox_of(app, ana) == []
    assert unread_count(app, ana) == 0


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "/\\evil", "t/1"])
def test_notify_refuses_links_off_the_site(app, make_user, url, now):
    ana = make_user("ana")
    with app.app_context(), pytest.raises(ValueError):
        services.notify(
            [ana.id], kind=NotificationKind.REPLY, message="x", url=url, actor_id=None, now=now
        )


def test_a_long_message_is_clipped_to_fit(app, make_user, now):
    ana = make_user("ana")
    with app.app_context(), transaction():
        services.notify(
            [ana.id],
            kind=NotificationKind.REPLY,
            message="x" * 400,
            url="/t/1",
            actor_id=None,
            now=now,
        )
    [told] = inbox_of(app, ana)
    assert len(told.message) == 300
    assert told.message.endswith("…")


def test_the_header_shows_the_unread_count(app, client, make_user):
    ana = make_user("ana")
    tell(app, [ana], 3)
    login(client, "ana")
    assert header_count(client) == "3"


def test_the_header_shows_no_count_when_nothing_is_unread(client, make_user):
    make_user("ana")
    login(client, "ana")
    page = client.get("/").get_data(as_text=True)
    assert ">Notifications" in page
    assert header_count(client) is None


def test_visitors_see_no_notifications_link(client):
    assert ">Notifications" not in client.get("/").get_data(as_text=True)


def test_the_inbox_lists_newest_first_with_unread_ones_marked(app, client, make_user, now):
    ana = make_user("ana")
    tell(app, [ana], 2)
    first = inbox_of(app, ana)[0]
    with app.app_context():
        services.mark_read(db.session.get(User, ana.id), first.id, now=now)
    login(client, "ana")
    page = client.get("/notifications").get_data(as_text=True)
    assert page.index("“Topic 2”") < page.index("“Topic 1”")
    assert page.count('data-read="false"') == 1
    assert page.count('data-read="true"') == 1
    assert 'data-testid="inbox-unread">1 unread<' in page


def test_marking_all_read_zeroes_the_count(app, client, make_user):
    ana, ben = make_user("ana"), make_user("ben")
    tell(app, [ana, ben], 4)
    login(client, "ana")
    response = client.post("/notifications/read")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/notifications")
    assert unread_count(app, ana) == 0
    assert all(n.read_at is not None for n in inbox_of(app, ana))
    assert header_count(client) is None
    # Nobody else's notifications change.
    assert unread_count(app, ben) == 4
    assert all(n.read_at is None for n in inbox_of(app, ben))


def test_opening_a_notification_marks_it_read_and_goes_to_its_post(app, client, make_user):
    ana = make_user("ana")
    tell(app, [ana], 2, url="/t/12?post=3")
    target = inbox_of(app, ana)[0]
    login(client, "ana")
    response = client.post(f"/notifications/{target.id}/read")
    assert response.status_code == 302
    assert response.headers["Location"] == "/t/12?post=3"
    assert unread_count(app, ana) == 1
    # Opening it again takes nothing more off the count.
    client.post(f"/notifications/{target.id}/read")
    assert unread_count(app, ana) == 1
    assert header_count(client) == "1"


def test_opening_a_notification_changes_nothing_on_get(app, client, make_user):
    ana = make_user("ana")
    tell(app, [ana])
    [target] = inbox_of(app, ana)
    login(client, "ana")
    assert client.get(f"/notifications/{target.id}/read").status_code == 405
    assert unread_count(app, ana) == 1


def test_the_inbox_pages_thirty_at_a_time(app, client, make_user):
    ana = make_user("ana")
    tell(app, [ana], 35)
    login(client, "ana")
    first = client.get("/notifications").get_data(as_text=True)
    assert first.count('data-read="false"') == 30
    older = re.search(r'href="(/notifications\?before=\d+)"', first)
    assert older
    second = client.get(older.group(1)).get_data(as_text=True)
    assert second.count('data-read="false"') == 5
    assert "“Topic 1”" in second
    assert "?before=" not in second


def test_the_inbox_queries_do_not_grow_with_notifications(app, client, make_user, count_queries):
    few, many = make_user("few"), make_user("many")
    tell(app, [few], 3)
    tell(app, [many], 40)
    reader = app.test_client()
    login(client, "few")
    login(reader, "many")
    with count_queries() as for_few:
        assert client.get("/notifications").status_code == 200
    with count_queries() as for_many:
        assert reader.get("/notifications").status_code == 200
    assert len(for_few) == len(for_many) <= 3


@pytest.mark.parametrize("who", ["anonymous", "owner", "other"])
@pytest.mark.parametrize(
    ("method", "url", "ok"),
    [
        ("get", "/notifications", 200),
        ("post", "/notifications/read", 302),
        ("post", "/notifications/{mine}/read", 302),
    ],
    ids=["inbox", "mark all read", "open one"],
)
def test_the_inbox_routes_let_in_only_the_notifications_owner(
    app, client, make_user, who, method, url, ok
):
    owner = make_user("owner")
    make_user("other")
    tell(app, [owner])
    [mine] = inbox_of(app, owner)
    if who != "anonymous":
        login(client, who)
    response = getattr(client, method)(url.format(mine=mine.id))
    if who == "anonymous":
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    elif who == "other" and "{mine}" in url:
        assert response.status_code == 404
    else:
        assert response.status_code == ok
    # Only the owner's own actions change her notification.
    expected_unread = 0 if who == "owner" and method == "post" else 1
    assert unread_count(app, owner) == expected_unread


def test_opening_a_notification_that_does_not_exist_is_not_found(client, make_user):
    make_user("ana")
    login(client, "ana")
    assert client.post("/notifications/999999/read").status_code == 404
