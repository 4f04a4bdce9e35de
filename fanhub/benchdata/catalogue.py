"""What the large data set holds, fixed: the brand's names, its people, categories, products,
titles and bodies."""

from __future__ import annotations

from fanhub.forums.models import CategoryKind

BRAND_SLUG = "bigbrand"
BRAND_NAME = "Big Brand"
LONG_THREAD_TITLE = "The very long thread"
LONG_THREAD_CATEGORY = "discussion"
STAFF = ("bigbrand-owner", "bigbrand-staff1", "bigbrand-staff2", "bigbrand-staff3")
# The product most reviews are about: the widget benchmark reads its summary.
HOT_PRODUCT_SLUG = "bestseller"
PRODUCT_NAMES = ("Travel mug", "Desk lamp", "Trail backpack", "Wireless earbuds", "Coffee grinder")
# Skewed towards happy customers, as real ratings are: mostly fives and fours.
STAR_WEIGHTS = (5, 4, 8, 25, 58)
REVIEW_BODIES = (
    "Does exactly what it says. Sturdy, well made, and it arrived two days early.",
    "Good value for the money, though the **instructions** could be clearer. "
    "Took me an evening to set up.",
    "Stopped working after three weeks. Support replaced it quickly, but I'd expect it to "
    "last longer than that.",
    "I bought a second one for my sister. We both use it every day:\n\n- light\n- quiet\n"
    "- easy to clean",
    "Not what the photos suggest: the colour is darker and the strap feels cheap.",
)
ANSWER_BODY = (
    "Thank you for taking the time to write this. We've passed it on to the product team, "
    "and our support team will be in touch by email today."
)

# slug, name, kind, share of the topics, description
CATEGORIES = (
    ("support", "Support", CategoryKind.SUPPORT, 40, "Questions about orders and products."),
    ("discussion", "Discussion", CategoryKind.DISCUSSION, 25, "Talk about our products."),
    ("ideas", "Ideas", CategoryKind.IDEAS, 15, "Tell us what to make next, and vote."),
    ("announcements", "Announcements", CategoryKind.ANNOUNCEMENTS, 2, "News from the team."),
    ("off-topic", "Off topic", CategoryKind.DISCUSSION, 18, "Everything else."),
)

QUESTION_BODIES = (
    "My order arrived yesterday but the **lid is cracked**. Order number is in my account.\n\n"
    "What should I do: send it back, or wait for a replacement?",
    "Has anyone managed to pair it with the app on Android 14? I tried:\n\n"
    "1. Resetting the device\n2. Reinstalling the app\n3. Turning Bluetooth off and on\n\n"
    "Nothing works so far.",
    "Quick question: does the *travel edition* fit in the standard case?",
    "I keep getting this error when I sync:\n\n```\nsync failed: code 412 (precondition)\n```\n\n"
    "Any idea what it means? See https://example.com/help/412 which did not help.",
)
REPLY_BODIES = (
    "Same here, following this thread.",
    "I had this last month. Clearing the cache fixed it for me, "
    "see [the help page](https://example.com/help/cache).",
    "+1, would love an answer too.",
    "It fits, but only if you take the strap off first. Works fine otherwise.",
    "> Nothing works so far.\n\nDid you try signing out of the app completely? That was the "
    "missing step for me.",
    "Honestly the old model was better at this. Here's what I compared:\n\n"
    "| | old | new |\n|---|---|---|\n| battery | 12 h | 9 h |\n| weight | 210 g | 180 g |",
)
STAFF_BODIES = (
    "Thanks for reporting this! We've sent you a replacement today; no need to return the "
    "damaged one. You'll get a tracking email within the hour.",
    "Hi all, this is a known issue in app version 3.2. **Version 3.2.1** fixes it and is "
    "rolling out this week. Until then, signing out and in again works around it.",
)
ANNOUNCEMENT_BODIES = (
    "## Spring update\n\nWe're rolling out new colours, a longer warranty and faster shipping. "
    "Details below, and ask us anything in this thread.\n\n- New colours\n- 3-year warranty\n"
    "- Free shipping over 40 €",
)
BODIES = (*QUESTION_BODIES, *REPLY_BODIES, *STAFF_BODIES, *ANNOUNCEMENT_BODIES)
# Where each kind of body starts in BODIES.
REPLY_BODIES_START = len(QUESTION_BODIES)
STAFF_BODIES_START = REPLY_BODIES_START + len(REPLY_BODIES)
ANNOUNCEMENT_BODIES_START = STAFF_BODIES_START + len(STAFF_BODIES)
TITLES = (
    "Order #{n} arrived damaged",
    "App won't pair on Android ({n})",
    "Does the travel edition fit the case? #{n}",
    "Sync error 412 after update ({n})",
    "Favourite setup thread #{n}",
    "Idea: a refill pack, take {n}",
    "Battery life compared, round {n}",
    "What are you using this week? ({n})",
)
