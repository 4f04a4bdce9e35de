"""The forum's stored HTML, for `flask rerender`: posts and their public edit history."""

from __future__ import annotations

from fanhub.forums.models import Post, PostRevision
from fanhub.forums.services import render_post
from fanhub.rerender import StoredHtml


def render_post_html(body: str) -> str:
    """A post's HTML as `_append_post` and `edit_post` store it, @mentions linked.

    Mentions link the members who exist at the re-render: a deleted member's name becomes
    plain text, and a name someone has taken since becomes a link (telling nobody).
    """
    return render_post(body).html


# Visitors' cached topic pages are not forgotten: they live ANONYMOUS_PAGE_SECONDS, as
# after an edit_post.
STORED_HTML = (
    StoredHtml("post", Post, Post.body, Post.body_html, render_post_html),
    # A revision keeps the HTML its post had (edit_post copies it), shown on the public
    # history page, so it follows today's rules too.
    StoredHtml(
        "post-revision", PostRevision, PostRevision.body, PostRevision.body_html, render_post_html
    ),
)
