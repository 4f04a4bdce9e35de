"""Every mutating route in fanhub, tried by seven kinds of person: who gets through, who not.

The table (`ROUTES`) has one row per route (per variant where a route's URL picks what it
does, as pin/unpin), naming who may. Rows are checked against `app.url_map`: a POST, PUT,
PATCH or DELETE rule without a row fails the run, so no new route slips by untested.

Convention, for each (row, person):

- allowed: exactly the row's `ok` status (302, the redirect after a successful form post,
  unless the row says otherwise), with valid form data, so a 400 for a missing field can't
  pass for a permission answer;
- anonymous on a signed-in route: 302 to /login (rows marked `public` let anonymous in);
- refused: exactly 403, or 404 where the item is hidden from that person (`hidden`, by the
  `access_*` rule: missing or not yours look the same), and no row of any table changed;
- the suspended member on a participation route (posting, reacting, voting, reviewing,
  flagging, following): 403 saying until when and why she is suspended.

Each test builds only the part of the world its row's URL names (see `World`), on the
`shop` story: Northwind with its owner, staff, moderator, a member, another member, Acme's
staff, a site admin, plus a suspended member made through the sanction service.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from fanhub.accounts import services as accounts
from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand, BrandNews, Role
from fanhub.brands.services import lifecycle
from fanhub.db import transaction, utcnow
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Category, Topic
from fanhub.moderation import services as moderation
from fanhub.moderation.models import Decision, ModerationRule
from fanhub.notifications.models import (
    EmailStatus,
    MessageKind,
    Notification,
    NotificationKind,
    OutboundEmail,
)
from fanhub.notifications.preferences import unsubscribe_token
from fanhub.notifications.services import notify
from fanhub.permissions import SYSTEM
from fanhub.reviews import services as reviews
from tests import factories
from tests.moderation.conftest import actions, flag
from tests.reviews.conftest import make_product, write_review
from tests.stories import login_as

PEOPLE = ["anonymous", "member", "suspended", "other_staff", "staff", "moderator", "admin"]
EVERYONE = frozenset(PEOPLE)
SIGNED_IN = EVERYONE - {"anonymous"}
ACTIVE = SIGNED_IN - {"suspended"}  # members in good standing, whatever their roles
KEEPERS = frozenset({"staff", "moderator", "admin"})  # the brand's topic tools
TEAM = frozenset({"staff", "admin"})  # who answers for the brand
MODERATORS = frozenset({"moderator", "admin"})
ADMIN = frozenset({"admin"})
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
SUSPENDED_UNTIL = "Your account is suspended until"


@dataclass(frozen=True)
class Route:
    endpoint: str
    url: str  # placeholders name parts of the World: "{topic}", "{review}" …
    allowed: frozenset[str]
    data: dict[str, str] = field(default_factory=dict)
    ok: int = 302
    # Refused with 404, not 403: the item is hidden from them (not theirs, not published).
    hidden: frozenset[str] = frozenset()
    # Refused with 409, not 403: allowed the action, but her state forbids it now (an
    # owner or moderator deleting her account must hand the role over first).
    conflict: frozenset[str] = frozenset()
    public: bool = False  # anonymous visitors are not sent to log in
    participation: bool = False  # a suspended member is told until when and why
    before: str | None = None  # posted first by the same person (a vote to take back)

    @property
    def name(self) -> str:
        return f"{self.endpoint} {self.url}"


R = "/b/northwind/p/{kettle}/r/{review}"
REVIEW_TEXT = {"stars": "4", "title": "", "body": "A perfectly fine toaster, really."}
PRODUCT = {"sku": "NEW-1", "description": "", "image_url": ""}
NEW_PASSWORD = "a-brand-new-passphrase-42"
# The site settings form, every field filled, the flag threshold changed (issue 13).
SETTINGS_FORM = {
    "flag_hide_threshold": "2",
    "trust0_max_links": "2",
    "trust1_approved_posts": "3",
    "trust1_min_age_hours": "24",
    "spam_duplicate_minutes": "10",
    "spam_words_per_link": "10",
    "ratelimit_post": "10 per minute;60 per hour",
    "ratelimit_post_new": "3 per minute;20 per hour",
    "ratelimit_flag": "10 per minute;50 per hour",
    "registration_mode": "open",
}

# Ownership: "member" wrote `own_post`, `question` and the item of `action`; "other_member"
# (not one of the seven) wrote `topic`, `post`, `answer`, `idea` and every review.
ROUTES = [
    # accounts: the public doors, then her own settings
    Route("accounts.login", "/login", EVERYONE, {"login": "member", "password": factories.PASSWORD}, public=True),  # noqa: E501
    Route("accounts.logout", "/logout", EVERYONE, public=True),
    Route("accounts.register", "/register", EVERYONE, {"username": "newfan", "email": "newfan@example.com", "password": NEW_PASSWORD}, public=True),  # noqa: E501
    Route("accounts.request_password_reset", "/password/reset", EVERYONE, {"email": "member@example.com"}, ok=200, public=True),  # noqa: E501
    Route("accounts.reset_password", "/password/reset/{reset_token}", EVERYONE, {"password": NEW_PASSWORD}, public=True),  # noqa: E501
    Route("accounts.verify_email", "/verify/{verify_token}", EVERYONE, public=True),
    Route("accounts.resend_verification", "/verify/resend", SIGNED_IN),
    # Her name and bio are public words: a suspension stops them too. Her password,
    # watching, muting and notifications are her own business and stay open to her.
    Route("accounts.settings_profile", "/settings/profile", ACTIVE, {"display_name": "Me", "bio": "Hi"}, participation=True),  # noqa: E501
    Route("accounts.change_password", "/settings/password", SIGNED_IN, {"current_password": factories.PASSWORD, "new_password": NEW_PASSWORD}),  # noqa: E501
    # Her data is hers whatever her standing (issue 6): a suspended member may take it, or go.
    Route("accounts.export_data", "/settings/privacy/export", SIGNED_IN, ok=200),
    Route("accounts.delete_account", "/settings/privacy/delete", SIGNED_IN - {"moderator"}, {"content": "keep", "password": factories.PASSWORD, "confirm": "y"}, ok=200, conflict=frozenset({"moderator"})),  # noqa: E501
    # notifications
    Route("notifications.mark_all_read", "/notifications/read", SIGNED_IN),
    Route("notifications.open_notification", "/notifications/{notification}/read", frozenset({"member"}), hidden=SIGNED_IN - {"member"}),  # noqa: E501
    # How she is contacted is hers alone to choose, suspended or not (each changes her own).
    Route("notifications.preference_centre", "/settings/notifications", SIGNED_IN, {"replies__email": "daily", "offers__email": "weekly"}),  # noqa: E501
    Route("notifications.welcome_contact", "/welcome/contact", SIGNED_IN, {"conversation_email": "daily", "offers_email": "yes"}),  # noqa: E501
    # The signed link is the proof, not a login (RFC 8058 one-click): whoever posts it stops
    # exactly the emails it names, for the member it names.
    Route("notifications.unsubscribe", "/unsubscribe/{unsubscribe_token}", EVERYONE, ok=200, public=True),  # noqa: E501
    # brands
    Route("brands.follow", "/b/northwind/follow", ACTIVE, participation=True),
    Route("brands.follow", "/b/northwind/unfollow", ACTIVE, participation=True),
    Route("brands.edit", "/b/northwind/edit", TEAM, {"tagline": "Kettles", "description": "", "accent_color": "#123456"}),  # noqa: E501
    Route("brands.news", "/b/northwind/news", TEAM, {"title": "Winter sale", "body": "10% off", "product": ""}),  # noqa: E501
    # forums: taking part
    Route("forums.new_topic", "/b/northwind/c/discussion/new", ACTIVE, {"title": "A new topic here", "body": "Hi"}, participation=True),  # noqa: E501
    Route("forums.reply", "/t/{topic}/reply", ACTIVE, {"body": "Me too"}, participation=True),
    Route("forums.preview", "/preview", SIGNED_IN, {"body": "*Hi*"}, ok=200),
    Route("forums.react", "/p/{post}/react/like", ACTIVE, participation=True),
    Route("forums.vote", "/t/{idea}/vote", ACTIVE, participation=True),
    Route("forums.watch_topic", "/t/{topic}/watch", SIGNED_IN, {"level": "watching"}),
    Route("forums.watch_category", "/b/northwind/c/discussion/watch", SIGNED_IN, {"level": "muted"}),  # noqa: E501
    # forums: one's own post, one's own question
    Route("forums.edit_post", "/p/{own_post}/edit", frozenset({"member", "moderator", "admin"}), {"body": "Changed"}),  # noqa: E501
    Route("forums.delete_post", "/p/{own_post}/delete", frozenset({"member"})),
    Route("forums.mark_solution", "/p/{answer}/solution", TEAM | {"member"}),
    Route("forums.clear_solution", "/t/{question}/solution/clear", TEAM | {"member"}),
    # forums: the brand's tools
    Route("forums.set_status", "/t/{idea}/status", TEAM, {"status": "planned", "comment": "Soon"}),
    Route("forums.moderate_topic", "/t/{topic}/pin", KEEPERS),
    Route("forums.moderate_topic", "/t/{topic}/unpin", KEEPERS),
    Route("forums.moderate_topic", "/t/{topic}/lock", KEEPERS),
    Route("forums.moderate_topic", "/t/{topic}/unlock", KEEPERS),
    Route("forums.move_topic", "/t/{topic}/move", KEEPERS, {"category": "{support}"}),
    Route("forums.manage_categories", "/b/northwind/categories", ADMIN, {"slug": "extra", "name": "Extra", "kind": "discussion", "description": ""}),  # noqa: E501
    Route("forums.edit_category", "/b/northwind/c/discussion/edit", ADMIN, {"slug": "discussion", "name": "Talk", "kind": "discussion", "description": ""}),  # noqa: E501
    Route("forums.move_category", "/b/northwind/c/ideas/up", ADMIN),
    # reviews: taking part (the brand's own staff don't review or vote on their brand)
    Route("reviews.write_review", "/b/northwind/p/{toaster}/review", ACTIVE - {"staff"}, REVIEW_TEXT, participation=True),  # noqa: E501
    Route("reviews.reply", R + "/reply", ACTIVE, {"body": "Thanks for this."}, participation=True),  # noqa: E501
    Route("reviews.vote_helpful", R + "/helpful", ACTIVE - {"staff"}, participation=True),
    Route("reviews.withdraw_helpful", R + "/helpful/undo", ACTIVE - {"staff"}, participation=True, before=R + "/helpful"),  # noqa: E501
    # reviews: the brand's team
    Route("reviews.resolve", R + "/resolve", TEAM),
    Route("reviews.verify", R + "/verify", TEAM),
    Route("reviews.verify", R + "/unverify", TEAM),
    Route("reviews.new_product", "/b/northwind/products/new", TEAM, {"name": "Teapot", "slug": "teapot", **PRODUCT}),  # noqa: E501
    Route("reviews.edit_product", "/b/northwind/p/{toaster}/edit", TEAM, {"name": "Toaster 2", "slug": "toaster", **PRODUCT}),  # noqa: E501
    # reviews: moderators (a pending or removed review is hidden from everyone else)
    Route("reviews.moderate", R + "/remove", MODERATORS, {"rule": "spam", "note": ""}),
    Route("reviews.moderate", "/b/northwind/p/{mug}/r/{pending}/approve", MODERATORS, hidden=SIGNED_IN - MODERATORS),  # noqa: E501
    Route("reviews.moderate", "/b/northwind/p/{mug}/r/{pending}/reject", MODERATORS, {"rule": "abuse", "note": "x"}, hidden=SIGNED_IN - MODERATORS),  # noqa: E501
    Route("reviews.moderate", "/b/northwind/p/{lamp}/r/{removed}/restore", MODERATORS, hidden=SIGNED_IN - MODERATORS),  # noqa: E501
    # staff desk
    Route("staff.change_claim", "/b/northwind/staff/claim/topic/{question}", TEAM),
    Route("staff.mark_no_reply", "/b/northwind/staff/no-reply/topic/{question}", TEAM, {"reason": "A thank-you"}),  # noqa: E501
    Route("staff.undo_no_reply", "/b/northwind/staff/no-reply/topic/{question}/undo", TEAM),
    # moderation
    Route("moderation.flag", "/flag/post/{post}", ACTIVE, {"reason": "abuse"}, participation=True),  # noqa: E501
    Route("moderation.decide", "/mod/decide", MODERATORS, {"items": "case:{case}", "decision": "hide", "rule": "spam"}),  # noqa: E501
    Route("moderation.appeal", "/mod/appeal/{action}", frozenset({"member"}), {"body": "Please look again"}, hidden=SIGNED_IN - {"member"}),  # noqa: E501
    # A brand's moderators sanction only from their queue; here, site admins. Site admins
    # set any trust level; a brand's team moves a member who takes part in it to 0 or 1.
    Route("moderation.set_trust", "/mod/members/other_member/trust", ADMIN, {"level": "2", "reason": "Helps a lot"}),  # noqa: E501
    Route("moderation.set_trust", "/mod/members/{newcomer}/trust", KEEPERS, {"level": "1", "reason": "Known customer"}),  # noqa: E501
    Route("moderation.member", "/mod/members/other_member", ADMIN, {"sanction": "suspend", "days": "2", "rule": "spam"}),  # noqa: E501
    # admin console, site pages (issue 13, part B): the outbox, the settings, invitations
    Route("admin.retry_email", "/admin/outbox/{failed_email}/retry", ADMIN),
    Route("admin.retry_failed", "/admin/outbox/retry-failed", ADMIN),
    Route("admin.settings", "/admin/settings", ADMIN, SETTINGS_FORM),
    Route("admin.invitations", "/admin/invitations", ADMIN, {"email": "invitee@example.com"}),
    # admin console, brands and members (issue 13, part A): site admins only, whatever a
    # person's role in the brand; "{member_id}" is other_member, a member in good standing
    Route("admin.new_brand", "/admin/brands/new", ADMIN, {"name": "Teapots", "slug": "teapots"}),
    Route("admin.brand", "/admin/brands/northwind", ADMIN, {"name": "Northwind Ltd", "tagline": "", "description": "", "accent_color": "#123456"}),  # noqa: E501
    Route("admin.add_brand_role", "/admin/brands/northwind/roles", ADMIN, {"role-username": "other_member", "role-role": "staff"}),  # noqa: E501
    Route("admin.transfer_brand", "/admin/brands/northwind/transfer", ADMIN, {"transfer-username": "other_member", "transfer-previous": "staff"}),  # noqa: E501
    Route("admin.close_brand", "/admin/brands/northwind/close", ADMIN, {"close-reason": "Gone", "close-confirm": "y"}),  # noqa: E501
    Route("admin.reopen_brand", "/admin/brands/{closed_brand}/reopen", ADMIN),
    Route("admin.new_member", "/admin/members/new", ADMIN, {"username": "newbie", "email": "newbie@example.com", "password": NEW_PASSWORD}),  # noqa: E501
    Route("admin.sanction_member", "/admin/members/{member_id}/suspend", ADMIN, {"suspend-days": "2", "suspend-rule": "spam"}),  # noqa: E501
    Route("admin.sanction_member", "/admin/members/{member_id}/ban", ADMIN, {"ban-rule": "abuse", "ban-confirm": "y"}),  # noqa: E501
    Route("admin.sanction_member", "/admin/members/{sanctioned}/lift", ADMIN),
    Route("admin.set_member_trust", "/admin/members/{member_id}/trust", ADMIN, {"trust-level": "2"}),  # noqa: E501
    Route("admin.send_member_link", "/admin/members/{unconfirmed}/confirmation", ADMIN),
    Route("admin.send_member_link", "/admin/members/{member_id}/password-reset", ADMIN),
    # brand owner's tools (issue 13, points 3-5): the team (owners, and site admins), the
    # invited member's answer, product news (the brand's team), categories (owners) and
    # the bulk move (staff and moderators)
    Route("brands.team", "/b/northwind/team", ADMIN, {"who": "other_member", "role": "staff"}),
    Route("brands.change_role", "/b/northwind/team/{staff_seat}/role", ADMIN, {"role": "moderator"}),  # noqa: E501
    Route("brands.remove_role", "/b/northwind/team/{staff_seat}/remove", ADMIN),
    Route("brands.revoke_invitation", "/b/northwind/team/invitations/{invitation}/revoke", ADMIN),  # noqa: E501
    Route("brands.answer_invitation", "/invitations/{invitation_token}/accept", frozenset({"member"})),  # noqa: E501
    Route("brands.answer_invitation", "/invitations/{invitation_token}/decline", frozenset({"member"})),  # noqa: E501
    Route("brands.edit_news", "/b/northwind/news/{news}/edit", TEAM, {"title": "Winter sale", "body": "", "product": ""}),  # noqa: E501
    Route("brands.test_news", "/b/northwind/news/{news}/test", TEAM),
    Route("brands.send_news", "/b/northwind/news/{news}/send", TEAM, {"audience": "0"}),
    Route("brands.schedule_news", "/b/northwind/news/{news}/schedule", TEAM, {"send_at": "{tomorrow}", "time_zone": "Europe/Paris"}),  # noqa: E501
    Route("brands.cancel_news", "/b/northwind/news/{scheduled_news}/cancel", TEAM),
    Route("brands.delete_news", "/b/northwind/news/{news}/delete", TEAM),
    Route("forums.archive_category", "/b/northwind/c/ideas/archive", ADMIN),
    Route("forums.archive_category", "/b/northwind/c/{archived}/unarchive", ADMIN),
    Route("forums.delete_category", "/b/northwind/c/{empty_category}/delete", ADMIN),
    Route("forums.move_topics", "/b/northwind/c/discussion/move-topics", KEEPERS, {"topics": "{topic}", "category": "{support}"}),  # noqa: E501
    # Answers before asking (issue 14): a composer that showed suggestions says it submitted.
    Route("search.suggestion_submitted", "/b/northwind/search/suggest/submitted", SIGNED_IN, {"s": "0123456789abcdef0123456789abcdef"}, ok=204),  # noqa: E501
]  # fmt: skip


class World:
    """The objects a row's URL names, each built (through the services) only when named."""

    def __init__(self, app: Any, shop: Any) -> None:
        self.app, self.shop = app, shop
        self.built: dict[str, Any] = {}
        self.builders: dict[str, Callable[[], Any]] = {
            "topic": lambda: factories.make_topic(app, shop.discussion, shop.other_member).id,
            "post": lambda: self._reply("topic", shop.other_member),
            "own_post": lambda: self._reply("topic", shop.member),
            "question": lambda: factories.make_topic(app, shop.support, shop.member).id,
            "answer": lambda: self._reply("question", shop.other_member),
            "idea": lambda: factories.make_topic(app, shop.ideas, shop.other_member).id,
            "support": lambda: shop.support.id,
            "kettle": lambda: make_product(app, shop.brand, "kettle").slug,
            "toaster": lambda: make_product(app, shop.brand, "toaster").slug,
            "mug": lambda: make_product(app, shop.brand, "mug").slug,
            "lamp": lambda: make_product(app, shop.brand, "lamp").slug,
            "review": lambda: self._review("kettle"),
            "pending": self._pending_review,
            "removed": self._removed_review,
            "case": lambda: flag(app, shop.owner, "post", self["post"]).id,
            "action": self._hidden_post_decision,
            "notification": self._notification,
            "newcomer": self._newcomer,
            "reset_token": self._reset_token,
            "verify_token": self._verify_token,
            "unsubscribe_token": self._unsubscribe_token,
            "failed_email": self._failed_email,
            # admin console, brands and members (issue 13, part A)
            "member_id": lambda: shop.other_member.id,
            "closed_brand": self._closed_brand,
            "sanctioned": lambda: self._suspended_member().id,
            "unconfirmed": lambda: factories.make_user(app, "awaiting", verified=False).id,
            # brand owner's tools (issue 13, points 3-5)
            "staff_seat": self._staff_seat,
            "invitation": lambda: self._invitation().id,
            "invitation_token": self._invitation_token,
            "news": lambda: self._news().id,
            "scheduled_news": self._scheduled_news,
            "tomorrow": lambda: (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "archived": self._archived_category,
            "empty_category": lambda: factories.make_category(app, shop.brand, slug="empty").slug,
        }

    def __getitem__(self, name: str) -> Any:
        if name not in self.built:
            self.built[name] = self.builders[name]()
        return self.built[name]

    def fill(self, template: str) -> str:
        """The template with the world's ids in it, building what it names."""
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
        return template.format(**{name: self[name] for name in names})

    def _reply(self, topic: str, author: Any, body: str = "Here is what I found.") -> int:
        return factories.reply(
            self.app, factories.load(self.app, Topic, self[topic]), author, body
        ).id

    def _review(self, product: str) -> int:
        slug = self[product]
        return write_review(self.app, _product(self.app, slug), self.shop.other_member, 2).id

    def _newcomer(self) -> str:
        """A level-0 member who asked a question in Northwind: its team may vouch for her."""
        newcomer = factories.make_user(self.app, "newcomer", trust_level=0)
        factories.make_topic(self.app, self.shop.support, newcomer, title="Where is my parcel?")
        return newcomer.username

    def _pending_review(self) -> int:
        with self.app.app_context():
            db.session.get(Brand, self.shop.brand.id).premoderate_new_members = True
            # A new member's review waits (factories make level-1 members unless asked).
            db.session.get(User, self.shop.other_member.id).trust_level = 0
            db.session.commit()
        return self._review("mug")

    def _removed_review(self) -> int:
        review_id = self._review("lamp")
        with self.app.app_context():
            reviews.remove_review(
                db.session.get(User, self.shop.moderator.id),
                reviews.access_review(review_id),
                "spam",
                now=utcnow(),
            )
        return review_id

    def _hidden_post_decision(self) -> int:
        """A moderator hid a post of the member's: the decision she may appeal."""
        post_id = self._reply("topic", self.shop.member, "Earlier words")
        case = flag(self.app, self.shop.owner, "post", post_id)
        with self.app.app_context():
            moderation.decide(
                db.session.get(User, self.shop.moderator.id),
                [f"case:{case.id}"],
                moderation.DecisionDraft(Decision.HIDE, ModerationRule.SPAM),
                now=utcnow(),
            )
        return actions(self.app)[-1].id

    def _notification(self) -> int:
        from_id = self.shop.other_member.id
        with self.app.app_context(), transaction():
            notify(
                [self.shop.member.id],
                kind=NotificationKind.REPLY,
                message="other_member replied",
                url="/",
                actor_id=from_id,
                now=utcnow(),
            )
        with self.app.app_context():
            return db.session.scalar(select(Notification.id).order_by(Notification.id.desc()))

    def _reset_token(self) -> str:
        with self.app.app_context():
            accounts.request_password_reset(self.shop.member.email, now=utcnow())
        [email] = factories.sent_emails(self.app, "password_reset")
        return factories.link_in(email).rsplit("/", 1)[1]

    def _unsubscribe_token(self) -> str:
        """The link in an email to the member about replies."""
        with self.app.app_context():
            return unsubscribe_token(self.shop.member.id, MessageKind.REPLIES, now=utcnow())

    def _closed_brand(self) -> str:
        """A brand a site admin closed (admin console, issue 13)."""
        brand = factories.make_brand(self.app, "shutco", name="Shut Co")
        with self.app.app_context():
            lifecycle.close_brand(
                SYSTEM, db.session.get(Brand, brand.id), "Out of business", now=utcnow()
            )
        return brand.slug

    def _suspended_member(self) -> Any:
        """A member a site admin suspended, for lifting (admin console, issue 13)."""
        person = factories.make_user(self.app, "sanctioned")
        with self.app.app_context():
            moderation.sanction_member(
                SYSTEM, db.session.get(User, person.id),
                moderation.DecisionDraft(None, ModerationRule.SPAM, "", Decision.SUSPEND, 2),
                now=utcnow(),
            )  # fmt: skip
        return person

    def _failed_email(self) -> int:
        """An email the worker gave up on, for a site admin to send again."""
        with self.app.app_context(), transaction():
            email = OutboundEmail(
                to_address="member@example.com", subject="Hi", body_text="Hi", headers={},
                kind="notification", status=EmailStatus.FAILED, attempts=6,
                next_attempt_at=utcnow(), last_error="550 no such mailbox", created_at=utcnow(),
            )  # fmt: skip
            db.session.add(email)
        return email.id

    # brand owner's tools (issue 13, points 3-5)

    def _staff_seat(self) -> int:
        """Northwind's staff member's role, as the team page names it."""
        with self.app.app_context():
            seats = brands.team_page(
                SYSTEM, db.session.get(Brand, self.shop.brand.id), now=utcnow()
            )
            return next(seat.grant_id for seat in seats.seats if seat.username == "staff")

    def _invitation(self) -> Any:
        """The owner's invitation to the member to join Northwind as a moderator."""
        with self.app.app_context():
            return brands.invite_to_team(
                db.session.get(User, self.shop.owner.id),
                db.session.get(Brand, self.shop.brand.id),
                "member",
                Role.MODERATOR,
                now=utcnow(),
            )

    def _invitation_token(self) -> str:
        self["invitation"]
        [email] = factories.sent_emails(self.app, "team_invitation")
        return factories.link_in(email).rsplit("/", 1)[1]

    def _news(self) -> Any:
        """A draft of product news the staff member wrote."""
        with self.app.app_context():
            return brands.save_news_draft(
                db.session.get(User, self.shop.staff.id),
                db.session.get(Brand, self.shop.brand.id),
                brands.BrandNewsDraft("Spring sale", "Ten percent off"),
                now=utcnow(),
            )

    def _scheduled_news(self) -> int:
        news = self._news()
        with self.app.app_context():
            brands.schedule_news(
                db.session.get(User, self.shop.staff.id),
                db.session.get(BrandNews, news.id),
                (utcnow() + timedelta(days=2)).replace(tzinfo=None),
                "UTC",
                now=utcnow(),
            )
        return news.id

    def _archived_category(self) -> str:
        with self.app.app_context():
            forums.set_archived(
                SYSTEM, db.session.get(Category, self.shop.ideas.id), True, now=utcnow()
            )
        return self.shop.ideas.slug

    def _verify_token(self) -> str:
        factories.make_user(self.app, "newcomer", verified=False)
        [email] = factories.sent_emails(self.app, "verify_email")
        return factories.link_in(email).rsplit("/", 1)[1]


def _product(app: Any, slug: str) -> Any:
    with app.app_context():
        return reviews.access_product("northwind", slug)


@pytest.fixture
def suspended(app, shop, now) -> Any:
    """A member an admin suspended for five days, for spam."""
    person = factories.make_user(app, "suspended")
    with app.app_context():
        moderation.sanction_member(
            db.session.get(User, shop.admin.id),
            db.session.get(User, person.id),
            moderation.DecisionDraft(
                None, ModerationRule.SPAM, "Posting links to a shop", Decision.SUSPEND, 5
            ),
            now=now,
        )
    return factories.reload_user(app, person.id)


@pytest.fixture
def world(app, shop, suspended) -> World:
    return World(app, shop)


def _person(shop: Any, suspended: Any, who: str) -> Any:
    if who == "anonymous":
        return None
    return suspended if who == "suspended" else shop.person(who)


def _everything(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: a refused request must leave all of them as they were."""
    with app.app_context():
        return {
            table.name: sorted(map(tuple, db.session.execute(select(table)).all()), key=repr)
            for table in db.metadata.sorted_tables
        }


class _AnyId(dict):  # type: ignore[type-arg]
    """Stand-in values for a row's placeholders: an id, or a product's slug."""

    def __missing__(self, key: str) -> str:
        return "1" if key not in ("kettle", "toaster", "mug", "lamp") else key


def test_every_mutating_route_has_a_row(app):
    routes = {
        rule.endpoint for rule in app.url_map.iter_rules() if MUTATING & set(rule.methods or ())
    }
    adapter = app.url_map.bind("localhost")
    for row in ROUTES:  # each row's URL really reaches the endpoint it claims
        url = row.url.format_map(_AnyId())
        assert adapter.match(url, method="POST")[0] == row.endpoint, row.name
        assert ("anonymous" in row.allowed) == row.public, row.name
        assert row.hidden <= SIGNED_IN - row.allowed, row.name
        assert row.conflict <= SIGNED_IN - row.allowed - row.hidden, row.name
    missing = routes - {row.endpoint for row in ROUTES}
    assert not missing, f"mutating routes without a row in ROUTES: {sorted(missing)}"


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_each_route_lets_in_exactly_the_right_people(
    app, client, shop, suspended, world, route, who
):
    url = world.fill(route.url)
    data = {key: world.fill(value) for key, value in route.data.items()}
    login_as(client, _person(shop, suspended, who))
    if route.before:
        client.post(world.fill(route.before))
    allowed = who in route.allowed
    before = None if allowed else _everything(app)

    response = client.post(url, data=data)

    text = response.get_data().decode(errors="replace")  # a download (the export) is bytes
    if allowed:
        assert response.status_code == route.ok, text[:500]
        return
    if who == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        refused = 404 if who in route.hidden else 409 if who in route.conflict else 403
        assert response.status_code == refused, text[:500]
        if who == "suspended" and route.participation:
            assert SUSPENDED_UNTIL in text and "Posting links to a shop" in text, text[:500]
    assert _everything(app) == before
