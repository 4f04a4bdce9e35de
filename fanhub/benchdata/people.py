"""The brand and its people: owner, staff, members and fans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import insert, select, update
from werkzeug.security import generate_password_hash

from fanhub.accounts.models import User, UserStatus
from fanhub.benchdata.bulk import batches, bulk
from fanhub.benchdata.catalogue import BRAND_NAME, BRAND_SLUG, STAFF
from fanhub.benchdata.sizes import Sizes
from fanhub.brands.models import Brand, BrandRole, Follow, Role
from fanhub.demo import DEMO_PASSWORD
from fanhub.extensions import db
from fanhub.text import render_markdown


def insert_people(
    sizes: Sizes, now: datetime, progress: Callable[[str], None]
) -> tuple[int, list[int], list[int]]:
    """The brand, its owner and staff, and the members; returns their ids."""
    # One hash for everyone: hashing 2,000 passwords with scrypt would take minutes.
    password_hash = generate_password_hash(
        DEMO_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    brand_id = db.session.scalars(
        insert(Brand).returning(Brand.id),
        [
            {
                "slug": BRAND_SLUG,
                "name": BRAND_NAME,
                "tagline": "Everything, for everyone, at scale.",
                "description": "The brand with **the busiest forum** on fanhub.",
                "description_html": render_markdown(
                    "The brand with **the busiest forum** on fanhub."
                ),
                "follower_count": 0,
                "created_at": now - timedelta(days=400),
            }
        ],
    ).one()
    usernames = [*STAFF, *(f"member{n:04d}" for n in range(1, sizes.members + 1))]
    rows = [
        {
            # Lower case, as the users table's CHECK constraints demand.
            "username": username,
            "email": f"{username}@example.com",
            "password_hash": password_hash,
            "display_name": "",
            "bio": "",
            "status": UserStatus.ACTIVE,
            "is_admin": False,
            "trust_level": 1,
            "created_at": now - timedelta(days=400),
            "email_verified_at": now - timedelta(days=400),
            "unread_notification_count": 0,
        }
        for username in usernames
    ]
    for batch in batches(rows):
        db.session.execute(bulk(User), batch)
    # Looked up by name rather than returned: RETURNING in order makes SQLAlchemy send
    # one row per statement on SQLite.
    by_name = dict(
        db.session.execute(select(User.username, User.id).where(User.username.in_(usernames))).all()
    )
    user_ids = [by_name[username] for username in usernames]
    staff_ids, member_ids = user_ids[: len(STAFF)], user_ids[len(STAFF) :]
    roles = [Role.OWNER] + [Role.STAFF] * (len(STAFF) - 1)
    db.session.execute(
        insert(BrandRole),
        [
            {"user_id": uid, "brand_id": brand_id, "role": role, "created_at": now}
            for uid, role in zip(staff_ids, roles, strict=True)
        ],
    )
    # Three members in five are fans of the brand.
    fans = member_ids[: len(member_ids) * 3 // 5]
    if fans:
        db.session.execute(
            insert(Follow),
            [{"user_id": uid, "brand_id": brand_id, "created_at": now} for uid in fans],
        )
    db.session.execute(update(Brand).where(Brand.id == brand_id).values(follower_count=len(fans)))
    progress(f"inserted brand /b/{BRAND_SLUG}, {len(staff_ids)} staff, {len(member_ids):,} members")
    return brand_id, staff_ids, member_ids
