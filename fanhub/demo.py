"""Demo data for `flask seed-demo`: people and brands a newcomer can log in as and explore."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fanhub.accounts import services as accounts
from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand, Role
from fanhub.content import ItemKind
from fanhub.demo_content import BRANDS, DemoBrand, DemoReview, DemoTopic
from fanhub.forums import services as forums
from fanhub.forums.models import Category, Topic
from fanhub.moderation import services as moderation
from fanhub.moderation.models import Decision, FlagReason, ModerationRule
from fanhub.permissions import SYSTEM
from fanhub.reviews import services as reviews
from fanhub.reviews.models import Product

# One password for every demo login keeps the printed table short; it is only for the demo.
DEMO_PASSWORD = "fanhub-demo-2026"  # noqa: S105 - printed for the demo on purpose

# The demo's conversations happen in the week up to `now` (demo_content gives hours into it).
WEEK_HOURS = 7 * 24
# The brands opened this many days before `now`; their teams and members joined since.
BRANDS_OPENED_DAYS_AGO = 400


@dataclass(frozen=True)
class DemoLogin:
    username: str
    what: str


PEOPLE = (
    # username, display name, is admin, roles, days before `now` the account was made
    ("admin", "Site Admin", True, (), 400),
    ("nora", "Nora Lind", False, (("northwind", Role.OWNER),), 390),
    ("sam", "Sam Ortiz", False, (("northwind", Role.STAFF),), 380),
    ("olive", "Olive Grant", False, (("acme-outdoor", Role.OWNER),), 370),
    ("ted", "Ted Okafor", False, (("acme-outdoor", Role.STAFF),), 360),
    ("mia", "Mia Chen", False, (("northwind", Role.MODERATOR), ("acme-outdoor", Role.MODERATOR)),
     300),
    ("alice", "Alice Moreau", False, (), 120),
    ("bob", "Bob Novak", False, (), 95),
    ("carol", "Carol Diaz", False, (), 60),
)  # fmt: skip

# Members who are not demo logins: the people the moderation queue is about.
OTHERS = (
    # username, display name, hours into the demo's week the account was made
    ("kurt", "Kurt Brandt", -40 * 24.0),
    ("finn", "Finn Larsen", 157.0),
    ("priya", "Priya Nair", 160.0),
    ("brewdeals", "Brew Deals", 164.0),
)


def demo_logins() -> list[DemoLogin]:
    """Who a newcomer can log in as, and what each login is for."""
    names = {brand.slug: brand.name for brand in BRANDS}
    logins = []
    for username, _, is_admin, roles, _ in PEOPLE:
        what = "site admin" if is_admin else "member"
        if roles:
            what = ", ".join(f"{role.value} of {names[slug]}" for slug, role in roles)
        logins.append(DemoLogin(username, what))
    return logins


@dataclass
class SeededBrand:
    """A demo brand with what its pages are made of, for the moderation story to use."""

    brand: Brand
    script: DemoBrand
    categories: dict[str, Category]
    products: dict[str, Product]
    topics: dict[str, Topic]


class _Week:
    """The demo's clock: hours into the week that ends at `now`."""

    def __init__(self, now: datetime) -> None:
        self.start = now - timedelta(hours=WEEK_HOURS)

    def at(self, hours: float) -> datetime:
        return self.start + timedelta(hours=hours)


def seed_demo(*, now: datetime) -> list[DemoLogin]:
    """Create the demo brands, people and conversations of the week up to `now`, and the
    few cases waiting in the moderators' queue (through the services, so every rule,
    counter and reason holds)."""
    week = _Week(now)
    opened = now - timedelta(days=BRANDS_OPENED_DAYS_AGO)
    created = {
        script.slug: brands.create_brand(
            SYSTEM, brands.BrandDraft(script.slug, script.name, script.tagline), now=opened
        )
        for script in BRANDS
    }
    people: dict[str, User] = {}
    joined: dict[str, datetime] = {}
    for username, display_name, is_admin, roles, days_ago in PEOPLE:
        joined[username] = now - timedelta(days=days_ago)
        people[username] = _join(username, display_name, is_admin, joined[username])
        for slug, role in roles:
            brands.add_role(SYSTEM, created[slug], people[username], role, now=joined[username])
    for username, display_name, hours in OTHERS:
        joined[username] = week.at(hours)
        people[username] = _join(username, display_name, False, joined[username])
    seeded = {
        script.slug: _seed_brand(script, created[script.slug], people, joined, week)
        for script in BRANDS
    }
    _seed_moderation_queue(seeded, people, week)
    return demo_logins()


def _join(username: str, display_name: str, is_admin: bool, at: datetime) -> User:
    user = accounts.register(
        accounts.RegistrationDraft(username, f"{username}@example.com", DEMO_PASSWORD),
        is_admin=is_admin,
        verified=True,
        now=at,
    )
    accounts.update_profile(SYSTEM, user, accounts.ProfileDraft(display_name, ""), now=at)
    return user


def _seed_brand(
    script: DemoBrand,
    brand: Brand,
    people: dict[str, User],
    joined: dict[str, datetime],
    week: _Week,
) -> SeededBrand:
    staff = people[script.staff]
    set_up = joined[script.staff] + timedelta(days=1)
    brands.update_brand_page(
        SYSTEM,
        brand,
        brands.BrandPageDraft(script.tagline, script.description, script.accent_color),
        now=set_up,
    )
    categories = {
        category.slug: forums.create_category(
            SYSTEM,
            brand,
            forums.CategoryDraft(category.slug, category.name, category.kind, category.description),
            now=set_up,
        )
        for category in script.categories
    }
    products = {
        product.slug: reviews.create_product(
            staff,
            brand,
            reviews.ProductDraft(
                product.slug, product.sku, product.name, description=product.description
            ),
            now=set_up,
        )
        for product in script.products
    }
    for username in script.followers:
        brands.follow(people[username], brand, now=joined[username] + timedelta(minutes=5))
    topics = {
        topic.title: _seed_topic(topic, categories, people, staff, week) for topic in script.topics
    }
    for review in script.reviews:
        _seed_review(review, products, people, staff, week)
    return SeededBrand(brand, script, categories, products, topics)


def _seed_topic(
    script: DemoTopic,
    categories: dict[str, Category],
    people: dict[str, User],
    staff: User,
    week: _Week,
) -> Topic:
    author = people[script.author]
    topic = forums.start_topic(
        author,
        categories[script.category],
        forums.TopicDraft(script.title, script.body),
        now=week.at(script.hours),
    )
    for reply in script.replies:
        post = forums.reply_to_topic(
            people[reply.author], topic, forums.ReplyDraft(reply.body), now=week.at(reply.hours)
        )
        for reader, kind in reply.reactions:
            forums.toggle_reaction(people[reader], post, kind, now=week.at(reply.hours + 0.5))
        if reply.solution:
            forums.mark_solution(author, topic, post, now=week.at(reply.hours + 0.5))
    for voter in script.votes:
        forums.toggle_vote(people[voter], topic, now=week.at(script.hours + 1))
    if script.idea_status is not None:
        hours, status, comment = script.idea_status
        forums.set_idea_status(staff, topic, status, comment, now=week.at(hours))
    return topic


def _seed_review(
    script: DemoReview,
    products: dict[str, Product],
    people: dict[str, User],
    staff: User,
    week: _Week,
) -> None:
    author = people[script.author]
    review = reviews.submit_review(
        author,
        products[script.product],
        reviews.ReviewDraft(script.stars, script.title, script.body),
        now=week.at(script.hours),
    )
    if script.verified_purchase:
        reviews.set_verified_purchase(staff, review, True, now=week.at(script.hours + 0.5))
    for voter in script.helpful:
        reviews.vote_helpful(people[voter], review, now=week.at(script.hours + 1))
    for reply in script.replies:
        reviews.reply_to_review(people[reply.author], review, reply.body, now=week.at(reply.hours))
    if script.resolved is not None:
        reviews.mark_resolved(staff, review, now=week.at(script.resolved))
    if script.update is not None:
        update = script.update
        reviews.edit_review(
            author,
            review,
            reviews.ReviewDraft(update.stars, update.title, update.body),
            now=week.at(update.hours),
        )


def _seed_moderation_queue(
    seeded: dict[str, SeededBrand], people: dict[str, User], week: _Week
) -> None:
    """The moderators' morning: four real cases, each made the way members make them,
    so the queue shows why each one waits (issue 13, point 8).

    Northwind: a rude reply two members flagged, by a member a moderator already warned,
    and a spam account's reply held by the spam signal. Acme Outdoor approves new
    members' first words: a new member's review, and another's first topic, wait for it.
    """
    northwind, acme = seeded["northwind"], seeded["acme-outdoor"]
    kurt, bob, carol = people["kurt"], people["bob"], people["carol"]

    # Kurt's earlier put-down, flagged and hidden: the one-line history of his next case.
    put_down = forums.reply_to_topic(
        kurt,
        northwind.topics["What are you all brewing this week?"],
        forums.ReplyDraft(
            "Moka pots burn the coffee. Anyone still using one doesn't care how it tastes."
        ),
        now=week.at(95),
    )
    case = moderation.flag_item(
        carol,
        moderation.access_target(ItemKind.POST, put_down.id),
        moderation.FlagDraft(FlagReason.ABUSE, "Putting down everyone who brews with a moka pot."),
        now=week.at(96),
    )
    moderation.decide(
        people["mia"],
        [case.queue_ref],
        moderation.DecisionDraft(
            Decision.HIDE,
            ModerationRule.ABUSE,
            "Disagree about brewing all you like, but not by putting people down.",
        ),
        now=week.at(99),
    )

    # Case 1: a rude reply, flagged by two members (fewer than hide it on their own).
    rude = forums.reply_to_topic(
        kurt,
        northwind.topics["Milk or no milk with the House Blend?"],
        forums.ReplyDraft(
            "Milk in good coffee is for people with no palate. If you can't drink it "
            "black, buy instant and stop wasting the beans, Bob."
        ),
        now=week.at(150),
    )
    target = moderation.access_target(ItemKind.POST, rude.id)
    moderation.flag_item(
        bob,
        target,
        moderation.FlagDraft(FlagReason.ABUSE, "Calling me names for how I take my coffee."),
        now=week.at(150.5),
    )
    moderation.flag_item(
        carol,
        target,
        moderation.FlagDraft(
            FlagReason.ABUSE, "The second time this week this member has mocked how someone brews."
        ),
        now=week.at(152),
    )

    # Case 2: a spam account's first reply, mostly links: held by the spam signal.
    forums.reply_to_topic(
        people["brewdeals"],
        northwind.topics["Which grind setting for a V60?"],
        forums.ReplyDraft(
            "Best grinder deals of the year: [grinders 70% off]"
            "(https://grinder-deals.example/sale) and "
            "[free delivery today](https://grinder-deals.example/delivery)"
        ),
        now=week.at(164.2),
    )

    # Acme Outdoor's owner turns on pre-moderation of new members' writing.
    script = acme.script
    brands.update_brand_page(
        people["olive"],
        acme.brand,
        brands.BrandPageDraft(
            script.tagline,
            script.description,
            script.accent_color,
            premoderate_new_members=True,
        ),
        now=week.at(120),
    )
    # Case 3: a new member's review, waiting for pre-moderation (a fair one, to approve).
    reviews.submit_review(
        people["finn"],
        acme.products["granite-boots"],
        reviews.ReviewDraft(
            3,
            "Sole started to lift after three months",
            "Comfortable and dry, but the rubber at the left toe started to come away after "
            "about 300 km. Is a resole covered by the repair promise?",
        ),
        now=week.at(158),
    )
    # Case 4: another new member's first topic, waiting for pre-moderation.
    forums.start_topic(
        people["priya"],
        acme.categories["help"],
        forums.TopicDraft(
            "Which sleeping mats fit the Ridge 2 with a dog?",
            "Two of us and a spaniel. Will two 64 cm mats fit, or should we look for "
            "narrower ones?",
        ),
        now=week.at(161),
    )
