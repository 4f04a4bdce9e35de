"""Demo data for `flask seed-demo`: people and brands a newcomer can log in as and explore."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fanhub.accounts import services as accounts
from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand, Role
from fanhub.forums import services as forums
from fanhub.forums.models import Category, CategoryKind, IdeaStatus
from fanhub.permissions import SYSTEM
from fanhub.reviews import services as reviews

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


CATEGORIES = (
    ("announcements", "Announcements", CategoryKind.ANNOUNCEMENTS, "News from the team."),
    ("help", "Help & support", CategoryKind.SUPPORT, "Questions about orders and products."),
    ("lounge", "The lounge", CategoryKind.DISCUSSION, "Talk with other fans."),
    ("ideas", "Ideas", CategoryKind.IDEAS, "Tell us what to make next, and vote."),
)

DESCRIPTIONS = {
    "northwind": "We roast **small batches** every Tuesday and ship them the same week.\n\n"
    "Ask us anything here: the people who roast your coffee answer in the thread.",
    "acme-outdoor": "Gear for long trips, built to be repaired. Our product team reads every "
    "thread, and our support people answer **in the thread**.",
}


def seed_demo(*, now: datetime) -> list[DemoLogin]:
    """Create the demo brands, people and conversations of the week up to `now` (through
    the services, so every rule and counter holds)."""
    created = {
        slug: brands.create_brand(SYSTEM, brands.BrandDraft(slug, name, tagline), now=now)
        for slug, name, tagline in BRANDS
    }
    people: dict[str, User] = {}
    for username, display_name, is_admin, roles in PEOPLE:
        user = accounts.register(
            accounts.RegistrationDraft(username, f"{username}@example.com", DEMO_PASSWORD),
            is_admin=is_admin,
            verified=True,
            now=now,
        )
        accounts.update_profile(SYSTEM, user, accounts.ProfileDraft(display_name, ""), now=now)
        for slug, role in roles:
            brands.add_role(SYSTEM, created[slug], user, role, now=now)
        people[username] = user
    for slug, brand in created.items():
        staff = people["sam" if slug == "northwind" else "ted"]
        _seed_forums(brand, people, staff=staff, now=now)
        _seed_reviews(brand, people, staff=staff, now=now)
    return demo_logins()


# slug, SKU, name, description per brand
PRODUCTS = {
    "northwind": (
        ("house-blend", "NW-HB-250", "House Blend, 250 g",
         "Our everyday coffee: chocolate, hazelnut and a little cherry. Roasted on Tuesdays."),
        ("yirgacheffe", "NW-ET-250", "Ethiopia Yirgacheffe, 250 g",
         "Bright and floral, with notes of bergamot and peach."),
        ("pour-over-kettle", "NW-KT-1", "Pour-over kettle",
         "A gooseneck kettle for a slow, even pour. 1 litre, stovetop and induction."),
    ),
    "acme-outdoor": (
        ("ridge-2-tent", "AO-T2", "Ridge 2 tent",
         "A two-person tent that pitches in four minutes and weighs 1.6 kg."),
        ("trail-40-pack", "AO-P40", "Trail 40 pack",
         "A 40-litre pack with a back panel that breathes, and a lifetime repair promise."),
    ),
}  # fmt: skip

# (product index, reviewer, stars, title, body)
REVIEWS = (
    (0, "alice", 5, "My daily cup",
     "I've tried a dozen coffees this year and keep coming back to this one. Smooth, not "
     "bitter, and it works in the **moka pot** and the French press alike."),
    (0, "bob", 4, "Good, a little dark for me",
     "Tastes great with milk. Black, I find it a touch too roasty, but that is personal. "
     "Arrived two days after roasting, which is impressive."),
    (0, "carol", 2, "Bag arrived split open",
     "The coffee itself is fine, but the bag was split and half of it was all over the box. "
     "I'd like to know how to get a replacement."),
    (1, "alice", 5, "Like drinking tea and coffee at once",
     "Floral, light, and lovely as a pour-over. Grind it a little finer than you think."),
    (2, "bob", 3, "Pours well, handle gets hot",
     "The spout is precise and the kettle looks beautiful, but the handle gets hot on gas "
     "after a few minutes. Use a cloth."),
)  # fmt: skip


def _seed_reviews(brand: Brand, people: dict[str, User], staff: User, *, now: datetime) -> None:
    products = [
        reviews.create_product(
            staff, brand, reviews.ProductDraft(slug, sku, name, description=description), now=now
        )
        for slug, sku, name, description in PRODUCTS[brand.slug]
    ]
    if brand.slug != "northwind":
        for index, reviewer, stars, title, body in REVIEWS[:2]:
            reviews.submit_review(
                people[reviewer], products[index % len(products)],
                reviews.ReviewDraft(stars, title, body), now=now,
            )  # fmt: skip
        return
    written = {
        reviewer + str(index): reviews.submit_review(
            people[reviewer], products[index], reviews.ReviewDraft(stars, title, body), now=now
        )
        for index, reviewer, stars, title, body in REVIEWS
    }
    reviews.vote_helpful(people["bob"], written["alice0"], now=now)
    reviews.vote_helpful(people["carol"], written["alice0"], now=now)
    reviews.vote_helpful(people["alice"], written["carol0"], now=now)
    reviews.set_verified_purchase(staff, written["alice0"], True, now=now)
    reviews.set_verified_purchase(staff, written["carol0"], True, now=now)
    # Closing the loop: the brand answers the unhappy customer, resolves it, and she
    # updates her rating.
    reviews.reply_to_review(
        staff,
        written["carol0"],
        "We're so sorry, Carol. A new bag is on its way today, and we've changed to a "
        "stronger bag for every order from next week. Thank you for telling us.",
        now=now,
    )
    reviews.mark_resolved(staff, written["carol0"], now=now)
    reviews.edit_review(
        people["carol"],
        written["carol0"],
        reviews.ReviewDraft(
            4,
            "Bag arrived split, replaced the same day",
            "The first bag was split open, but Northwind sent a new one the same day and "
            "answered here within hours. The coffee itself is lovely.",
        ),
        now=now,
    )
    reviews.reply_to_review(
        people["alice"], written["bob0"], "Try it as a flat white, it's made for milk!", now=now
    )


def _seed_forums(brand: Brand, people: dict[str, User], staff: User, *, now: datetime) -> None:
    brands.update_brand_page(
        SYSTEM,
        brand,
        brands.BrandPageDraft(
            brand.tagline,
            DESCRIPTIONS[brand.slug],
            "#b5542d" if brand.slug == "northwind" else "#2f7d4f",
        ),
        now=now,
    )
    categories: dict[str, Category] = {
        slug: forums.create_category(
            SYSTEM, brand, forums.CategoryDraft(slug, name, kind, text), now=now
        )
        for slug, name, kind, text in CATEGORIES
    }
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    start = now - timedelta(days=6)

    def at(hours: float) -> datetime:
        return start + timedelta(hours=hours)

    forums.start_topic(
        staff,
        categories["announcements"],
        forums.TopicDraft(
            f"Welcome to the {brand.name} community",
            "This is where you can ask us anything. Our team answers here, in the open, "
            "so everyone benefits from the answer.",
        ),
        now=at(0),
    )
    solved = forums.start_topic(
        alice,
        categories["help"],
        forums.TopicDraft(
            "My order arrived damaged",
            "The box was crushed and one item is broken. What should I do?",
        ),
        now=at(20),
    )
    forums.reply_to_topic(
        bob, solved, forums.ReplyDraft("Same happened to me last month."), now=at(21)
    )
    answer = forums.reply_to_topic(
        staff,
        solved,
        forums.ReplyDraft(
            "So sorry about that, @alice! We've sent a replacement today; you don't need to "
            "return the broken one. You'll get a tracking email within the hour."
        ),
        now=at(22.5),
    )
    forums.reply_to_topic(
        alice, solved, forums.ReplyDraft("Thank you, that was quick!"), now=at(23)
    )
    forums.mark_solution(alice, solved, answer, now=now)
    forums.start_topic(
        carol,
        categories["help"],
        forums.TopicDraft("Can I change my delivery address?", "I moved last week. Order #1042."),
        now=at(130),
    )
    chat = forums.start_topic(
        bob,
        categories["lounge"],
        forums.TopicDraft("What are you all using this week?", "Share your favourites!"),
        now=at(40),
    )
    for hours, (author, text) in enumerate(
        [
            (alice, "The seasonal one, every day."),
            (carol, "Still on the classics."),
            (staff, "We're testing something new for spring. Stay tuned!"),
        ],  # fmt: skip
        start=41,
    ):
        forums.reply_to_topic(author, chat, forums.ReplyDraft(text), now=at(hours))
    idea = forums.start_topic(
        carol,
        categories["ideas"],
        forums.TopicDraft("Offer refill packs", "Less packaging, and a little cheaper."),
        now=at(60),
    )
    for voter in (alice, bob, carol):
        forums.toggle_vote(voter, idea, now=now)
    forums.set_idea_status(
        staff,
        idea,
        IdeaStatus.PLANNED,
        "Great idea. Refill packs are planned for the spring.",
        now=at(70),
    )
    second = forums.start_topic(
        alice,
        categories["ideas"],
        forums.TopicDraft("A loyalty programme", "Points for every order, maybe?"),
        now=at(90),
    )
    forums.toggle_vote(bob, second, now=now)
