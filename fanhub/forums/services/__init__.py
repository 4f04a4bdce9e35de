"""Forum rules: categories, topics, replies, official answers, solutions, ideas, and their pages.

One module per section, each named for what it does; this package re-exports their public
names, so callers keep writing `services.reply_to_topic`.
"""

from __future__ import annotations

from fanhub.forums.services.access import (
    access_brand_for_management,
    access_category,
    access_category_for_management,
    access_post,
    access_topic,
    access_visible_topic,
    post_revisions,
    sees_hidden,
)
from fanhub.forums.services.account_deletion import (
    remove_posts_of,
)
from fanhub.forums.services.answers import (
    mark_solution,
    set_idea_status,
    toggle_vote,
)
from fanhub.forums.services.categories import (
    ARCHIVED_MESSAGE,
    BULK_MOVE_MAX,
    CATEGORY_SLUG,
    BulkMove,
    create_category,
    delete_category,
    list_categories,
    move_category,
    move_topics,
    require_not_archived,
    set_archived,
    update_category,
)
from fanhub.forums.services.drafts import (
    CategoryDraft,
    ReplyDraft,
    TopicDraft,
    clean_body,
    clean_title,
    preview,
    render_post,
    slugify,
)
from fanhub.forums.services.held import (
    publish_held_post,
    publish_held_topic,
)
from fanhub.forums.services.pages import (
    WAITING_SHOWN,
    CategoryPage,
    TopicPage,
    category_page,
    forget_visitor_page,
    page_of,
    topic_page,
    visitor_page_key,
)
from fanhub.forums.services.topic_tools import (
    move_topic,
    set_locked,
    set_pinned,
)
from fanhub.forums.services.view_counts import (
    VIEW_BUFFER_KEY,
    count_view,
    flush_views,
)
from fanhub.forums.services.watching import (
    set_category_watch,
    set_topic_watch,
)
from fanhub.forums.services.writing import (
    REACTION_COLUMNS,
    Toggled,
    delete_own_post,
    edit_post,
    reply_to_topic,
    start_topic,
    toggle_reaction,
)

__all__ = [
    "ARCHIVED_MESSAGE",
    "BULK_MOVE_MAX",
    "BulkMove",
    "delete_category",
    "move_topics",
    "require_not_archived",
    "set_archived",
    "CATEGORY_SLUG",
    "CategoryDraft",
    "CategoryPage",
    "REACTION_COLUMNS",
    "ReplyDraft",
    "TopicDraft",
    "TopicPage",
    "Toggled",
    "VIEW_BUFFER_KEY",
    "WAITING_SHOWN",
    "access_brand_for_management",
    "access_category",
    "access_category_for_management",
    "access_post",
    "access_topic",
    "access_visible_topic",
    "category_page",
    "clean_body",
    "clean_title",
    "count_view",
    "create_category",
    "delete_own_post",
    "edit_post",
    "flush_views",
    "forget_visitor_page",
    "list_categories",
    "mark_solution",
    "move_category",
    "move_topic",
    "page_of",
    "post_revisions",
    "preview",
    "publish_held_post",
    "publish_held_topic",
    "remove_posts_of",
    "render_post",
    "reply_to_topic",
    "sees_hidden",
    "set_category_watch",
    "set_idea_status",
    "set_locked",
    "set_pinned",
    "set_topic_watch",
    "slugify",
    "start_topic",
    "toggle_reaction",
    "toggle_vote",
    "topic_page",
    "update_category",
    "visitor_page_key",
]
