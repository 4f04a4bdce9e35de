"""What each demo brand's community says (`flask seed-demo`): its products, reviews and
conversations, written for that brand alone.

Each brand has its own words: a coffee roaster's customers talk about grinders and roast
days, an outdoor brand's about tent poles and boot wax. Text repeated across brands is what
the duplicate-text spam signal looks for, so copying one brand's conversations into the
other filled the moderation queue with false positives (issue 13, point 8);
`tests/test_demo.py` checks that no post or review body is shared between brands.

Times are hours into the demo's week (`demo.WEEK_HOURS` long, ending at `now`); a
negative hour is before the week began.
"""

from __future__ import annotations

from dataclasses import dataclass

from fanhub.forums.models import CategoryKind, IdeaStatus, ReactionKind


@dataclass(frozen=True)
class DemoReply:
    """A reply in a thread, or a message under a review."""

    hours: float
    author: str
    body: str
    # The topic's author marks this reply as the answer to the question.
    solution: bool = False
    reactions: tuple[tuple[str, ReactionKind], ...] = ()


@dataclass(frozen=True)
class DemoTopic:
    hours: float
    category: str
    author: str
    title: str
    body: str
    replies: tuple[DemoReply, ...] = ()
    # Members who vote for an idea.
    votes: tuple[str, ...] = ()
    # An idea's status, set by the brand's staff with an official comment: hour, status, comment.
    idea_status: tuple[float, IdeaStatus, str] | None = None


@dataclass(frozen=True)
class DemoReviewUpdate:
    """The reviewer's second look, after the brand answered."""

    hours: float
    stars: int
    title: str
    body: str


@dataclass(frozen=True)
class DemoReview:
    hours: float
    product: str
    author: str
    stars: int
    title: str
    body: str
    verified_purchase: bool = False
    helpful: tuple[str, ...] = ()
    replies: tuple[DemoReply, ...] = ()
    # When the brand marked the conversation resolved.
    resolved: float | None = None
    update: DemoReviewUpdate | None = None


@dataclass(frozen=True)
class DemoProduct:
    slug: str
    sku: str
    name: str
    description: str


@dataclass(frozen=True)
class DemoCategory:
    slug: str
    name: str
    kind: CategoryKind
    description: str


@dataclass(frozen=True)
class DemoBrand:
    slug: str
    name: str
    tagline: str
    description: str
    accent_color: str
    # The team member who writes the brand's answers, product pages and idea statuses.
    staff: str
    categories: tuple[DemoCategory, ...]
    products: tuple[DemoProduct, ...]
    topics: tuple[DemoTopic, ...]
    reviews: tuple[DemoReview, ...]
    followers: tuple[str, ...]


def _categories(
    announcements: str, help_: str, lounge: str, ideas: str
) -> tuple[DemoCategory, ...]:
    """The four categories every demo brand has, described in its own words."""
    return (
        DemoCategory("announcements", "Announcements", CategoryKind.ANNOUNCEMENTS, announcements),
        DemoCategory("help", "Help & support", CategoryKind.SUPPORT, help_),
        DemoCategory("lounge", "The lounge", CategoryKind.DISCUSSION, lounge),
        DemoCategory("ideas", "Ideas", CategoryKind.IDEAS, ideas),
    )


NORTHWIND = DemoBrand(
    slug="northwind",
    name="Northwind Coffee",
    tagline="Small-batch coffee, roasted every Tuesday.",
    description=(
        "We roast **small batches** every Tuesday and ship them the same week.\n\n"
        "Ask us anything here: the people who roast your coffee answer in the thread."
    ),
    accent_color="#b5542d",
    staff="sam",
    categories=_categories(
        "Roast days, new coffees and news from the roastery.",
        "Orders, deliveries, subscriptions and brewing questions.",
        "Talk coffee with other Northwind drinkers.",
        "Tell us what to roast or make next, and vote.",
    ),
    products=(
        DemoProduct("house-blend", "NW-HB-250", "House Blend, 250 g",
                    "Our everyday coffee: chocolate, hazelnut and a little cherry. Roasted on "
                    "Tuesdays."),
        DemoProduct("yirgacheffe", "NW-ET-250", "Ethiopia Yirgacheffe, 250 g",
                    "Bright and floral, with notes of bergamot and peach."),
        DemoProduct("pour-over-kettle", "NW-KT-1", "Pour-over kettle",
                    "A gooseneck kettle for a slow, even pour. 1 litre, stovetop and induction."),
        DemoProduct("burr-grinder", "NW-GR-1", "Hand burr grinder",
                    "Steel conical burrs with 40 click settings, from espresso to cold brew. "
                    "Holds 30 g of beans."),
    ),
    topics=(
        DemoTopic(
            0, "announcements", "sam", "Welcome to the Northwind Coffee community",
            "This is where you can ask the people who roast your coffee anything: brewing, "
            "orders, subscriptions, the beans we're cupping next. We answer here, in the "
            "open, so everyone benefits from the answer.",
        ),
        DemoTopic(
            8, "announcements", "sam", "Roast day moves to Wednesday next week",
            "Our roaster is being serviced on Tuesday, so next week's beans are roasted on "
            "**Wednesday** and ship a day later. Subscriptions move with it; you don't need "
            "to do anything.",
            replies=(
                DemoReply(9, "carol", "Thanks for the heads-up. Does that include the decaf?"),
                DemoReply(10, "sam", "It does, @carol: every coffee moves to Wednesday for one "
                          "week only."),
            ),
        ),
        DemoTopic(
            20, "help", "alice", "My order arrived damaged",
            "The box was crushed and the lid of my new pour-over kettle is dented. The beans "
            "are fine. What should I do?",
            replies=(
                DemoReply(21, "bob", "Same happened to my grinder in the autumn. Post a photo "
                          "of the box, they sorted mine in a day."),
                DemoReply(22.5, "sam", "So sorry about that, @alice! A new kettle left the "
                          "roastery today; you don't need to send the dented one back. The "
                          "tracking email arrives within the hour.", solution=True,
                          reactions=(("alice", ReactionKind.THANKS),
                                     ("bob", ReactionKind.HELPFUL))),
                DemoReply(23, "alice", "Thank you, that was quick! The kettle arrived this "
                          "morning."),
            ),
        ),
        DemoTopic(
            30, "lounge", "kurt", "Anyone tried the Yirgacheffe as cold brew?",
            "Coarse grind, 1 part coffee to 8 of water, 18 hours in the fridge. It comes out "
            "like peach iced tea.",
            replies=(
                DemoReply(32, "alice", "Trying this tonight. Do you dilute it afterwards?",
                          reactions=(("kurt", ReactionKind.LIKE),)),
                DemoReply(33, "kurt", "Half and half with cold water, and a lot of ice."),
            ),
        ),
        DemoTopic(
            40, "lounge", "bob", "What are you all brewing this week?",
            "Share your bean and your method. I'm on the House Blend in an AeroPress.",
            replies=(
                DemoReply(41, "alice", "The Yirgacheffe as a pour-over, every morning."),
                DemoReply(42, "carol", "Still the House Blend, in my grandmother's moka pot."),
                DemoReply(43, "sam", "We're cupping a Colombian decaf for spring. Stay tuned!",
                          reactions=(("bob", ReactionKind.LIKE), ("carol", ReactionKind.LIKE))),
            ),
        ),
        DemoTopic(
            50, "help", "bob", "Which grind setting for a V60?",
            "I just got the hand burr grinder. Where should I start for a V60 with 15 g of "
            "coffee?",
            replies=(
                DemoReply(51, "alice", "I'm on 18 clicks from zero, 15 g to 250 g of water."),
                DemoReply(52, "kurt", "Weigh your water too. Scoops and guesses are why most "
                          "pour-overs taste flat."),
                DemoReply(54, "sam", "18 clicks is a good start. If the water takes longer "
                          "than three minutes to drain, go two clicks coarser; if it rushes "
                          "through in under two, go finer.", solution=True,
                          reactions=(("bob", ReactionKind.HELPFUL),)),
            ),
        ),
        DemoTopic(
            60, "ideas", "carol", "Offer refill packs",
            "Less packaging, and a little cheaper: a 1 kg bag to refill the tins we already "
            "have.",
            votes=("alice", "bob", "carol"),
            idea_status=(70, IdeaStatus.PLANNED,
                         "Great idea. 1 kg refill bags are planned for the spring."),
        ),
        DemoTopic(
            90, "ideas", "alice", "A loyalty programme",
            "Points for every bag, and maybe a free one every tenth order?",
            votes=("bob",),
        ),
        DemoTopic(
            100, "lounge", "bob", "Milk or no milk with the House Blend?",
            "I drink it as a flat white and love it. Am I missing out by not trying it black?",
            replies=(
                DemoReply(102, "carol", "Try both on the same morning, half a cup each. I like "
                          "it black, but milk brings out the chocolate."),
                DemoReply(104, "alice", "Flat white here too. Drink it the way you enjoy it."),
            ),
        ),
        DemoTopic(
            130, "help", "carol", "Can I change my delivery address?",
            "I moved last week and my subscription bag still goes to the old flat. "
            "Order #1042.",
        ),
    ),
    reviews=(
        DemoReview(
            -200, "house-blend", "alice", 5, "My daily cup",
            "I've tried a dozen coffees this year and keep coming back to this one. Smooth, "
            "not bitter, and it works in the **moka pot** and the French press alike.",
            verified_purchase=True, helpful=("bob", "carol"),
        ),
        DemoReview(
            -150, "house-blend", "bob", 4, "Good, a little dark for me",
            "Tastes great with milk. Black, I find it a touch too roasty, but that is "
            "personal. Arrived two days after roasting, which is impressive.",
            replies=(DemoReply(-140, "alice", "Try it as a flat white, it's made for milk!"),),
        ),
        DemoReview(
            12, "house-blend", "carol", 2, "Bag arrived split open",
            "The coffee itself is fine, but the bag was split and half of it was all over "
            "the box. I'd like to know how to get a replacement.",
            verified_purchase=True, helpful=("alice",),
            # Closing the loop: the brand answers the unhappy customer, resolves it, and
            # the reviewer updates the rating.
            replies=(
                DemoReply(14, "sam", "We're so sorry, Carol. A new bag is on its way today, "
                          "and we've changed to a stronger bag for every order from next "
                          "week. Thank you for telling us."),
            ),
            resolved=14.5,
            update=DemoReviewUpdate(
                30, 4, "Bag arrived split, replaced the same day",
                "The first bag was split open, but Northwind sent a new one the same day and "
                "answered here within hours. The coffee itself is lovely.",
            ),
        ),
        DemoReview(
            -60, "yirgacheffe", "alice", 5, "Like drinking tea and coffee at once",
            "Floral, light, and lovely as a pour-over. Grind it a little finer than you think.",
        ),
        DemoReview(
            -90, "pour-over-kettle", "bob", 3, "Pours well, handle gets hot",
            "The spout is precise and the kettle looks beautiful, but the handle gets hot on "
            "gas after a few minutes. Use a cloth.",
            replies=(
                DemoReply(-80, "sam", "Thanks, Bob. On gas, keep the flame under the base: "
                          "we're adding a silicone handle sleeve to every kettle from the "
                          "next batch, and we'll post you one."),
            ),
        ),
        DemoReview(
            80, "burr-grinder", "carol", 5, "Worth every turn",
            "Even grounds at every setting, and it takes 40 seconds for a cup. My pour-overs "
            "finally taste like the ones in the café.",
        ),
    ),
    followers=("alice", "bob", "carol", "kurt"),
)  # fmt: skip


ACME_OUTDOOR = DemoBrand(
    slug="acme-outdoor",
    name="Acme Outdoor",
    tagline="Tents, packs and boots that last.",
    description=(
        "Gear for long trips, built to be repaired. Our product team reads every thread, "
        "and our support people answer **in the thread**."
    ),
    accent_color="#2f7d4f",
    staff="ted",
    categories=_categories(
        "New gear, repair days and news from the workshop.",
        "Fit, care, spare parts and repairs under the promise.",
        "Trip reports, routes and camp-kitchen talk.",
        "What should we design next? Suggest it and vote.",
    ),
    products=(
        DemoProduct("ridge-2-tent", "AO-T2", "Ridge 2 tent",
                    "A two-person tent that pitches in four minutes and weighs 1.6 kg."),
        DemoProduct("trail-40-pack", "AO-P40", "Trail 40 pack",
                    "A 40-litre pack with a back panel that breathes, and a lifetime repair "
                    "promise."),
        DemoProduct("granite-boots", "AO-B-GR", "Granite mid boots",
                    "Waterproof full-grain leather walking boots with a sole that can be "
                    "replaced. Sizes 36 to 48."),
        DemoProduct("ember-stove", "AO-S1", "Ember canister stove",
                    "A 78 g gas stove that boils a litre in under four minutes, with a "
                    "push-button igniter."),
    ),
    topics=(
        DemoTopic(
            2, "announcements", "ted", "Welcome to the Acme Outdoor community",
            "Trip reports, gear questions and repairs all belong here. Our product team "
            "reads every thread, and the support team answers in the thread, so the next "
            "person with the same broken zip finds the fix.",
        ),
        DemoTopic(
            5, "announcements", "ted", "The repair bench is open to everyone",
            "Bring any tent, pack or pair of boots to the shop on the first Saturday of the "
            "month. We replace zips, splint poles and reseal seams for free, **whatever "
            "the brand**.",
            replies=(
                DemoReply(6, "bob", "Any brand? My old rucksack from the nineties will be "
                          "there."),
            ),
        ),
        DemoTopic(
            15, "help", "bob", "Tent pole snapped on the second night",
            "A gust snapped the middle section of a Ridge 2 pole on Dartmoor. Can I buy just "
            "that section, or do I need a whole new pole?",
            replies=(
                DemoReply(16, "carol", "Slide the repair sleeve from the pole bag over the "
                          "break and tape both ends. It got me through a week in Norway."),
                DemoReply(18, "ted", "Just the section, @bob, and it's free under the repair "
                          "promise. Send us the colour of the pole's end caps and we'll post "
                          "it today.", solution=True,
                          reactions=(("bob", ReactionKind.THANKS),
                                     ("carol", ReactionKind.HELPFUL))),
                DemoReply(19, "bob", "End caps are grey. Sent, thanks Ted!"),
            ),
        ),
        DemoTopic(
            35, "help", "alice", "How do I re-proof the Granite boots?",
            "After a muddy winter they soak through at the toes. Which wax or spray do you "
            "recommend?",
            replies=(
                DemoReply(37, "ted", "Wash them with warm water and a soft brush, let them "
                          "dry slowly away from the radiator, then work in a wax made for "
                          "full-grain leather. Skip silicone sprays: they stop the membrane "
                          "from breathing.", solution=True,
                          reactions=(("alice", ReactionKind.HELPFUL),)),
                DemoReply(60, "alice", "Done, and dry feet on a wet walk this weekend."),
            ),
        ),
        DemoTopic(
            45, "lounge", "alice", "Where did you camp this month?",
            "Share the place, and a link to a photo if you like. We spent two nights beside "
            "a loch in the Cairngorms and saw an osprey.",
            replies=(
                DemoReply(47, "bob", "Wild camping on Dartmoor. Wind all night, and the Ridge "
                          "didn't mind.", reactions=(("alice", ReactionKind.LIKE),)),
                DemoReply(49, "carol", "Three huts in the Dolomites with the Trail 40. It "
                          "carried everything and my back thanked me."),
                DemoReply(52, "ted", "Lovely trips. We'd like to feature a few of these in "
                          "our newsletter: say so here if you're happy for us to."),
            ),
        ),
        DemoTopic(
            65, "ideas", "bob", "A Ridge 3 for families",
            "The same design with room for one more person, and a bigger porch for muddy "
            "boots.",
            votes=("alice", "bob", "carol"),
            idea_status=(75, IdeaStatus.UNDER_REVIEW,
                         "The design team is sketching a three-person Ridge now. Tell us "
                         "how big a porch you need."),
        ),
        DemoTopic(
            85, "ideas", "carol", "Sell spare buckles and straps",
            "I'd happily fix my own pack if I could order the parts.",
            votes=("alice",),
        ),
        DemoTopic(
            140, "help", "carol", "Does the Trail 40 fit airline cabin limits?",
            "Flying with hand luggage only next month. Will it fit 55 × 40 × 20 cm if I "
            "don't fill the lid?",
        ),
    ),
    reviews=(
        DemoReview(
            -300, "ridge-2-tent", "alice", 5, "Pitched it in the rain in five minutes",
            "Two hoops, colour-coded clips, and the fly goes up first so the inner stays "
            "dry. We had a wet weekend in the Lakes and woke up dry.",
            verified_purchase=True, helpful=("bob", "carol"),
        ),
        DemoReview(
            -120, "ridge-2-tent", "bob", 3, "Roomy for one, snug for two",
            "Well made, but two people on wide sleeping mats touch the walls, and there is "
            "condensation on cold nights unless both vents are open.",
            replies=(
                DemoReply(-110, "ted", "Thanks for the honest review, Bob. Opening both top "
                          "vents and the door's mesh panel helps a lot; two 51 cm mats fit "
                          "side by side."),
            ),
        ),
        DemoReview(
            25, "trail-40-pack", "carol", 2, "Hip belt buckle snapped on day two",
            "The buckle broke on the second day of a hut-to-hut walk and I carried the "
            "weight on my shoulders for three days. I expected better at this price.",
            verified_purchase=True,
            replies=(
                DemoReply(27, "ted", "That buckle should never fail, Carol, and we're sorry "
                          "it spoiled your walk. A new hip belt is in the post, free, and "
                          "the repair promise covers it for life."),
            ),
            resolved=27.5,
        ),
        DemoReview(
            -40, "granite-boots", "alice", 4, "Comfortable from the first day",
            "No blisters on a 20 km first walk. Go half a size up if you wear thick socks.",
            helpful=("carol",),
        ),
        DemoReview(
            70, "ember-stove", "bob", 5, "Boils fast, packs tiny",
            "Fits inside my mug with a small gas canister. Coffee in four minutes at 900 m, "
            "in the wind.",
        ),
        DemoReview(
            95, "ember-stove", "carol", 4, "The igniter gave up, the stove didn't",
            "After about thirty uses the push-button stopped sparking. Carry a lighter; the "
            "flame is still steady and easy to turn down.",
        ),
    ),
    followers=("alice", "bob", "carol", "finn", "priya"),
)  # fmt: skip


BRANDS = (NORTHWIND, ACME_OUTDOOR)
