"""The personal-data registry: every domain's part of a member's data is declared, her
export keeps its files and their order, and `accounts/privacy.py` asks the registry rather
than importing the domains."""

from __future__ import annotations

import ast
import io
import zipfile
from pathlib import Path

from fanhub import PERSONAL_DATA, personal_data
from fanhub.accounts import privacy
from fanhub.accounts.models import User
from fanhub.extensions import db
from tests import factories

PRIVACY = Path(__file__).resolve().parent.parent / "fanhub" / "accounts" / "privacy.py"

# Her export's files, in the order the zip has always held them.
FILES = [
    "README.txt",
    "profile.json",
    "topics.json",
    "posts.json",
    "reviews.json",
    "review_replies.json",
    "votes.json",
    "reactions.json",
    "follows.json",
    "watches.json",
    "preferences.json",
    "consent_events.json",
    "notifications.json",
    "flags.json",
    "moderation_decisions.json",
    "sign_ins.json",
]

README = """\
This is everything fanhub holds about you, as JSON files:

profile.json              your account (never your password)
topics.json               topics you started
posts.json                your posts, in the Markdown you wrote, with their earlier versions
reviews.json              your reviews, with their earlier versions
review_replies.json       what you wrote under reviews
votes.json                your votes for ideas and the reviews you found helpful
reactions.json            your likes, helpful and thanks on posts
follows.json              the brands you follow
watches.json              the topics and categories you watch or muted
preferences.json          how you want to hear from us, per kind of message and channel
consent_events.json       each time you said yes or no to product news and offers
notifications.json        the notifications we sent you
flags.json                what you reported to the moderators
moderation_decisions.json decisions moderators made about you or your content
sign_ins.json             your last sign-ins: when, from which address, with which browser
"""


def test_every_part_is_registered_once_under_its_own_name(app):
    names = [part.name for part in PERSONAL_DATA]

    assert len(set(names)) == len(names)
    assert [part.name for part in personal_data.parts()] == names
    assert set(names) >= {"forums", "reviews", "brands", "notifications", "moderation", "staff"}


def test_the_export_keeps_its_files_in_their_order_and_its_readme(app, shop):
    with app.app_context():
        user = db.session.get(User, shop.member.id)
        data = privacy.export_member_data(user, user)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == FILES
        assert archive.read("README.txt").decode() == README


def test_each_part_writes_exactly_the_files_it_declares(app, shop):
    with app.app_context():
        for part in personal_data.parts():
            assert [name for name, _ in part.export(shop.member.id)] == list(part.files)


def test_a_part_reads_nothing_until_its_records_are_read(app, shop, count_queries):
    with app.app_context(), count_queries() as queries:
        for part in personal_data.parts():
            list(part.export(shop.member.id))

    assert queries == []


def test_the_plan_fields_come_from_the_parts(app, shop):
    factories.make_topic(app, shop.discussion, shop.member, replies=2)  # all three posts hers
    with app.app_context():
        plan = privacy.deletion_plan(db.session.get(User, shop.member.id))

    assert (plan.topics, plan.posts, plan.reviews, plan.follows) == (1, 3, 0, 0)
    assert plan.allowed


def test_privacy_imports_no_other_domain_but_through_the_registry():
    imported = set()
    for node in ast.walk(ast.parse(PRIVACY.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    domains = {"forums", "reviews", "brands", "moderation", "notifications", "staff", "embed"}
    reaching = {
        module
        for module in imported
        if module.split(".")[:2][-1] in domains and not module.endswith(".personal_data")
    }

    assert reaching == set()
