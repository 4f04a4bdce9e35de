"""Searching: one search over everything a reader may see (issue 14), and its pages.

`search(viewer, query, filters, now=…)` is the one function the pages call (and, next, the
composer's "answers before asking"). In words, what it does:

1. The engine finds the documents whose words match (`Engine.matches`), each with a score
   where a title match counts TITLE_WEIGHT times a body match.
2. For each searchable kind, those of its documents whose item the viewer may see, by the
   kind's own visibility rule (the pages' rule: `content.Searchable.search_visible`), that
   pass the filters, with the item's live facts (answered, solved, official, category…).
3. One result per thread (a topic with its posts, a review with its replies, a product):
   its best score, boosted when the brand answered it or it is solved; the passage shown
   is the official answer or the solution when one of them matches, else the best match.
4. Best first, then newest; a page of PAGE_SIZE, one more row read to know there is a
   next page. Then the highlighted passages, the links, brands and authors of that page.

Every step is a fixed number of queries, whatever the results or the data.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import (
    Boolean,
    CompoundSelect,
    Integer,
    Select,
    String,
    case,
    cast,
    false,
    func,
    null,
    or_,
    select,
    union_all,
)

from fanhub.accounts import services as accounts
from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.brands.services import access_brand
from fanhub.content import Searchable, SearchFacts, SearchLink, SearchScope, searchables
from fanhub.errors import Invalid, NotFound
from fanhub.extensions import db
from fanhub.inputs import optional_int
from fanhub.permissions import Actor
from fanhub.search.backend import current_engine
from fanhub.search.engine import MARK_END, MARK_START, Engine, Excerpt
from fanhub.search.models import DEFAULT_LANGUAGE, SearchDocument, SearchLanguage
from fanhub.search.query import Query, parse_query

PAGE_SIZE = 20
# Page-number pagination reaches this far; past it, a reader narrows the search instead.
PAGES_MAX = 50
# The best-scored matches a search without filters on the items' rows reads: enough for
# PAGES_MAX pages of PAGE_SIZE threads (docs/search.md).
CANDIDATES = 1000
# A thread the brand answered, or that is solved, ranks this much higher.
ANSWERED_BOOST = 1.5

SECTIONS = {"topic": "Topics", "idea": "Ideas", "review": "Reviews", "product": "Products"}
# One result's kind, as its badge names it.
SECTION_NAMES = {"topic": "Topic", "idea": "Idea", "review": "Review", "product": "Product"}
ANSWERS = {
    "solved": "Solved",
    "answered": "Answered by the brand",
    "unanswered": "Not answered yet",
}
# Solved or answered by the brand: the composer's suggestions (never a page's choice).
HELPED = "helped"
# The query string a search page reads; anything else in it is ignored.
FIELDS = ("q", "kind", "brand", "category", "product", "answer", "stars", "author",
          "after", "before", "page", "live")  # fmt: skip

_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
_USERNAME = re.compile(r"[a-z0-9_-]{1,30}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class SearchFilters:
    """What a search is narrowed to; None: not narrowed."""

    section: str | None = None
    brand_id: int | None = None
    category_id: int | None = None
    product_id: int | None = None
    answer: str | None = None
    stars: int | None = None
    author_id: int | None = None
    # Written on or after `after`, on or before `before` (whole days, UTC).
    after: date | None = None
    before: date | None = None


@dataclass(frozen=True)
class SearchResult:
    """One thread found: its title, the passage that matched, where it lives."""

    section: str
    # The document shown: its kind and item (a post of the topic, a reply to the review).
    kind: str
    item_id: int
    title: Markup
    excerpt: Markup
    url: str
    place: str
    brand_slug: str
    brand_name: str
    author: str | None
    created_at: datetime
    stars: int | None
    official: bool
    solution: bool
    verified: bool
    answered: bool
    solved: bool


@dataclass(frozen=True)
class SearchResults:
    """A page of results."""

    results: list[SearchResult]
    page: int
    has_next: bool
    # No result had every word: these have some of them.
    loosened: bool = False


@dataclass
class SearchPage:
    """What a search page shows: the form as filled in, the results, or what was wrong."""

    args: dict[str, str]
    brand: Brand | None
    results: SearchResults | None = None
    problem: str | None = None
    problem_field: str | None = None
    scopes: dict[str, list[SearchScope]] = field(default_factory=dict)
    brands: list[Brand] = field(default_factory=list)
    product: SearchScope | None = None

    @property
    def searched(self) -> bool:
        return bool(self.args.get("q"))

    def link(self, **changes: str | int | None) -> dict[str, str]:
        """The values for `url_for` of this search with `changes` (None drops a field):
        a new filter starts again from the first page, and a brand's own search keeps
        its brand (the path's, never a filter)."""
        values = {k: v for k, v in self.args.items() if v and k != "page"}
        for name, value in changes.items():
            if value is None or value == "":
                values.pop(name, None)
            else:
                values[name] = str(value)
        if self.brand is not None:
            values["brand"] = self.brand.slug
        return values


def marked(text: str) -> Markup:
    """An engine's highlighted text as HTML: everything escaped first, then each match
    between the engine's marks wrapped in <mark> (never member text marked safe)."""
    html: list[str] = []
    open_mark = False
    for piece in re.split(f"([{MARK_START}{MARK_END}])", text):
        if piece == MARK_START:
            if not open_mark:
                html.append("<mark>")
                open_mark = True
        elif piece == MARK_END:
            if open_mark:
                html.append("</mark>")
                open_mark = False
        else:
            html.append(str(escape(piece)))
    if open_mark:
        html.append("</mark>")
    return Markup("".join(html))  # noqa: S704 - every piece of text was escaped above


def _flag(expression: Any) -> Any:
    return false() if expression is None else cast(expression, Boolean)


def _number(expression: Any) -> Any:
    return cast(null() if expression is None else expression, Integer)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _branch(
    kind: Searchable, matches: Any, viewer: Actor, filters: SearchFilters, now: datetime
) -> Select[Any] | None:
    """The kind's matching documents the viewer may see, with their facts, filtered;
    None when no document of the kind can pass the filters."""
    if filters.section and filters.section not in kind.sections:
        return None
    facts: SearchFacts = kind.search_facts()
    docs = SearchDocument
    where: list[Any] = [docs.kind == kind.search_kind, kind.search_visible(viewer, now=now)]
    if filters.section and len(kind.sections) > 1:
        where.append(facts.section == filters.section)
    for wanted, fact in (
        (filters.category_id, facts.category_id),
        (filters.product_id, facts.product_id),
        (filters.stars, facts.stars),
    ):
        if wanted is not None:
            if fact is None:
                return None
            where.append(fact == wanted)
    if filters.answer is not None:
        if facts.answered is None:
            return None  # nothing to answer (a product)
        solved = _flag(facts.solved)
        if filters.answer == "solved":
            where.append(solved)
        elif filters.answer == HELPED:
            where.append(or_(_flag(facts.answered), solved))
        elif filters.answer == "answered":
            where.append(_flag(facts.answered))
        else:
            where.extend([~_flag(facts.answered), ~solved])
    return (
        select(
            docs.id.label("doc_id"),
            docs.kind,
            docs.item_id,
            docs.thread_kind,
            docs.thread_id,
            docs.brand_id,
            docs.author_id,
            docs.created_at,
            matches.c.score,
            cast(facts.section, String).label("section"),
            _flag(facts.answered).label("answered"),
            _flag(facts.solved).label("solved"),
            _flag(facts.official).label("official"),
            _flag(facts.solution).label("solution"),
            _flag(facts.verified).label("verified"),
            _number(facts.stars).label("stars"),
        )
        .select_from(matches)
        .join(docs, docs.id == matches.c.doc_id)
        .join(facts.source, kind.search_model.id == docs.item_id)
        .where(*where)
    )


def _stored_filters(filters: SearchFilters) -> list[Any]:
    """The filters the index's own columns answer (brand, author, dates, kind)."""
    docs = SearchDocument
    where: list[Any] = []
    if filters.brand_id is not None:
        where.append(docs.brand_id == filters.brand_id)
    if filters.author_id is not None:
        where.append(docs.author_id == filters.author_id)
    if filters.after is not None:
        where.append(docs.created_at >= _day_start(filters.after))
    if filters.before is not None:
        where.append(docs.created_at < _day_start(filters.before + timedelta(days=1)))
    if filters.section:
        kinds = [k.search_kind for k in searchables() if filters.section in k.sections]
        where.append(docs.kind.in_(kinds))
    return where


def _live_filters(filters: SearchFilters) -> bool:
    """Whether a filter is read from the items' own rows (`Searchable.search_facts`)."""
    narrowed = (filters.category_id, filters.product_id, filters.stars, filters.answer)
    if any(value is not None for value in narrowed):
        return True
    # Topics and ideas are one kind of document: which is which is their category's.
    return bool(filters.section) and any(
        filters.section in k.sections and len(k.sections) > 1 for k in searchables()
    )


def _candidates(
    engine: Engine, query: Query, languages: Sequence[str], filters: SearchFilters
) -> Any:
    """The matching documents the rest of the search reads, as a CTE of `doc_id` and
    `score`: those passing the index's own filters, and, when no filter is left to read
    from the items' rows, only the CANDIDATES best (the engine scores every match, the
    page needs a few: a common word then costs a thousand rows' joins, not all of them)."""
    raw = engine.matches(query, languages).subquery("raw")
    candidates = select(raw.c.doc_id, raw.c.score)
    stored = _stored_filters(filters)
    if stored:
        docs = SearchDocument
        candidates = candidates.join(docs, docs.id == raw.c.doc_id).where(*stored)
    if not _live_filters(filters):
        candidates = candidates.order_by(raw.c.score.desc(), raw.c.doc_id.desc()).limit(CANDIDATES)
    return candidates.cte("matches")


def _languages(engine: Engine, filters: SearchFilters) -> list[str]:
    """The stemming languages a search must ask in: the brand's, or every one in use."""
    if not engine.uses_languages:
        return [DEFAULT_LANGUAGE]
    query = select(SearchLanguage.language).distinct()
    if filters.brand_id is not None:
        query = query.where(SearchLanguage.brand_id == filters.brand_id)
    chosen = set(db.session.scalars(query))
    if filters.brand_id is None or not chosen:
        chosen.add(DEFAULT_LANGUAGE)
    return sorted(chosen)


def _ranked_rows(
    engine: Engine,
    query: Query,
    languages: Sequence[str],
    viewer: Actor,
    filters: SearchFilters,
    *,
    now: datetime,
    limit: int,
    page: int,
) -> list[Any]:
    """One page of threads, best first (one query; the rule in this module's docstring)."""
    matches = _candidates(engine, query, languages, filters)
    branches: list[Select[Any]] = [
        branch
        for kind in searchables()
        if (branch := _branch(kind, matches, viewer, filters, now)) is not None
    ]
    if not branches:
        return []
    found: Select[Any] | CompoundSelect[Any] = (
        branches[0] if len(branches) == 1 else union_all(*branches)
    )
    hits = found.subquery("hits")
    thread = (hits.c.thread_kind, hits.c.thread_id)
    featured = case((or_(hits.c.official, hits.c.solution), 1), else_=0)
    ranked = select(
        hits,
        func.row_number()
        .over(
            partition_by=thread,
            order_by=(featured.desc(), hits.c.score.desc(), hits.c.doc_id.desc()),
        )
        .label("pick"),
        func.max(hits.c.score).over(partition_by=thread).label("best"),
    ).subquery("ranked")
    boost = case((or_(ranked.c.answered, ranked.c.solved), ANSWERED_BOOST), else_=1.0)
    return list(
        db.session.execute(
            select(ranked)
            .where(ranked.c.pick == 1)
            .order_by(
                (ranked.c.best * boost).desc(), ranked.c.created_at.desc(), ranked.c.doc_id.desc()
            )
            .limit(limit + 1)
            .offset((page - 1) * limit)
        )
    )


def _links(rows: Sequence[Any]) -> dict[tuple[str, int], SearchLink]:
    """Each row's link, one query per kind on the page."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row.item_id)
    found: dict[tuple[str, int], SearchLink] = {}
    for kind in searchables():
        if by_kind.get(kind.search_kind):
            for item_id, link in kind.search_links(by_kind[kind.search_kind]).items():
                found[(kind.search_kind, item_id)] = link
    return found


def search(
    viewer: Actor,
    query: str,
    filters: SearchFilters,
    *,
    now: datetime,
    limit: int = PAGE_SIZE,
    page: int = 1,
    live: bool = False,
) -> SearchResults:
    """The threads matching `query` that `viewer` may see at `now`, narrowed by
    `filters`: page `page` of `limit`, best first. When no thread has every word, the
    threads with any of them (`loosened`). `live`: the last word is still being typed.

    :raises Invalid: the query is too long, has too many words, or has no word to find;
        or `page` is past PAGES_MAX.
    """
    if not 1 <= page <= PAGES_MAX:
        raise Invalid(f"Results go up to page {PAGES_MAX}: narrow the search instead.")
    parsed = parse_query(query, live=live)
    engine = current_engine()
    languages = _languages(engine, filters)
    rows = _ranked_rows(engine, parsed, languages, viewer, filters, now=now, limit=limit, page=page)
    loosened = False
    if not rows and page == 1 and parsed.can_loosen:
        parsed, loosened = parsed.loosened(), True
        rows = _ranked_rows(
            engine, parsed, languages, viewer, filters, now=now, limit=limit, page=page
        )
    has_next, rows = len(rows) > limit, rows[:limit]
    return SearchResults(_results(engine, parsed, rows), page, has_next, loosened)


def _results(engine: Engine, query: Query, rows: Sequence[Any]) -> list[SearchResult]:
    """The page's rows as results: passages, links, brands and authors, a query each."""
    if not rows:
        return []
    excerpts = engine.excerpts(query, [row.doc_id for row in rows])
    links = _links(rows)
    brands = {
        brand_id: (slug, name)
        for brand_id, slug, name in db.session.execute(
            select(Brand.id, Brand.slug, Brand.name).where(
                Brand.id.in_({row.brand_id for row in rows})
            )
        )
    }
    author_ids = {row.author_id for row in rows if row.author_id is not None}
    authors = (
        {
            user.id: user.name
            for user in db.session.scalars(select(User).where(User.id.in_(author_ids)))
        }
        if author_ids
        else {}
    )
    results = []
    for row in rows:
        link = links.get((row.kind, row.item_id))
        if link is None:  # gone between the two queries
            continue
        excerpt = excerpts.get(row.doc_id, Excerpt("", ""))
        # The thread's title, highlighted when this document is the one that holds it.
        title = marked(excerpt.title) if excerpt.title else escape(link.title)
        slug, name = brands.get(row.brand_id, ("", ""))
        results.append(
            SearchResult(
                section=row.section,
                kind=row.kind,
                item_id=row.item_id,
                title=title,
                excerpt=marked(excerpt.body),
                url=link.url,
                place=link.place,
                brand_slug=slug,
                brand_name=name,
                author=authors.get(row.author_id) if row.author_id is not None else None,
                created_at=row.created_at,
                stars=row.stars,
                official=bool(row.official),
                solution=bool(row.solution),
                verified=bool(row.verified),
                answered=bool(row.answered),
                solved=bool(row.solved),
            )
        )
    return results


def _choice(raw: str, allowed: Mapping[str, str], field: str, message: str) -> str | None:
    if not raw:
        return None
    if raw not in allowed:
        raise Invalid(message, field=field)
    return raw


def _day(raw: str, field: str) -> date | None:
    if not raw:
        return None
    message = "Enter a date as YYYY-MM-DD."
    if not _DATE.fullmatch(raw):
        raise Invalid(message, field=field)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid(message, field=field) from None


def _scope(scopes: Sequence[SearchScope], raw: str, field: str, noun: str) -> SearchScope | None:
    if not raw:
        return None
    for scope in scopes:
        if scope.field == field and scope.slug == raw.lower():
            return scope
    raise Invalid(f"This brand has no {noun} called “{raw}”.", field=field)


def read_filters(
    args: Mapping[str, str], *, brand: Brand | None, scopes: Sequence[SearchScope] = ()
) -> tuple[SearchFilters, SearchScope | None]:
    """The filters a search page's query string asks for (with the product it names).

    :raises Invalid: a value that isn't one of the choices, a date that isn't one, an
        unknown brand, member, category or product; on the field it came in.
    """
    section = _choice(
        args.get("kind", ""), SECTIONS, "kind", "Choose topics, ideas, reviews or products."
    )
    answer = _choice(
        args.get("answer", ""), ANSWERS, "answer", "Choose solved, answered or not answered."
    )
    stars = optional_int(
        args.get("stars"), lo=1, hi=5, field="stars", message="Choose from 1 to 5 stars."
    )
    brand_id = brand.id if brand is not None else None
    raw_brand = args.get("brand", "").strip().lower()
    if brand is None and raw_brand:
        message = f"There is no brand called “{raw_brand[:50]}”."
        if not _SLUG.fullmatch(raw_brand):
            raise Invalid(message, field="brand")
        try:
            brand_id = access_brand(raw_brand).id
        except NotFound:
            raise Invalid(message, field="brand") from None
    author_id = None
    raw_author = args.get("author", "").strip().lstrip("@").lower()
    if raw_author:
        message = f"There is no member called “{raw_author[:30]}”."
        if not _USERNAME.fullmatch(raw_author):
            raise Invalid(message, field="author")
        try:
            author_id = accounts.access_profile(raw_author).id
        except NotFound:
            raise Invalid(message, field="author") from None
    category = _scope(scopes, args.get("category", "").strip(), "category", "category")
    product = _scope(scopes, args.get("product", "").strip(), "product", "product")
    after, before = _day(args.get("after", ""), "after"), _day(args.get("before", ""), "before")
    if after and before and after > before:
        raise Invalid("The first date is after the second.", field="after")
    filters = SearchFilters(
        section=section,
        brand_id=brand_id,
        category_id=category.id if category else None,
        product_id=product.id if product else None,
        answer=answer,
        stars=stars,
        author_id=author_id,
        after=after,
        before=before,
    )
    return filters, product


def _read_args(args: Mapping[str, str]) -> dict[str, str]:
    # Only the fields a search reads, and only text (a repeated field gives its first).
    values = {}
    for name in FIELDS:
        value = args.get(name, "")
        if isinstance(value, str) and value:
            values[name] = value
    return values


# What the form shows back of an over-long value (the search itself refuses it).
SHOWN_BACK_MAX = 300


def search_page(
    viewer: Actor, args: Mapping[str, str], *, brand: Brand | None, now: datetime
) -> SearchPage:
    """A search page (`/search`, or `/b/<brand>/search` with `brand`) for the query
    string `args`; with `problem` set, instead of results, when the input is refused."""
    raw = _read_args(args)
    page = SearchPage(
        args={name: value[:SHOWN_BACK_MAX] for name, value in raw.items()}, brand=brand
    )
    if brand is not None:
        page.scopes = _scopes(brand.id)
    else:
        page.brands = _brands()
    query = raw.get("q", "").strip()
    try:
        filters, page.product = read_filters(
            raw, brand=brand, scopes=[s for group in page.scopes.values() for s in group]
        )
        number = optional_int(
            raw.get("page"),
            lo=1,
            hi=PAGES_MAX,
            default=1,
            field="page",
            message=f"Pages go from 1 to {PAGES_MAX}.",
        )
        if query:
            page.results = search(
                viewer, query, filters, now=now, page=number, live=raw.get("live") == "1"
            )
    except Invalid as err:
        page.problem, page.problem_field = err.message, err.field
    return page


def _scopes(brand_id: int) -> dict[str, list[SearchScope]]:
    """The brand's categories and products, for the filters (a query per kind with some)."""
    scopes: dict[str, list[SearchScope]] = defaultdict(list)
    for kind in searchables():
        for scope in kind.search_scopes(brand_id):
            scopes[scope.field].append(scope)
    return dict(scopes)


def _brands() -> list[Brand]:
    """Every brand a site search can be narrowed to, by name."""
    return list(db.session.scalars(select(Brand).order_by(Brand.name)))
