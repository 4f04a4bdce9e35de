"""How much to build, and what was built."""

from __future__ import annotations

from dataclasses import dataclass

from fanhub.errors import Invalid


@dataclass(frozen=True)
class Sizes:
    """How much to build: the CLI passes LARGE; tests pass a few dozen rows."""

    topics: int
    posts: int
    long_thread_posts: int
    members: int
    products: int = 1
    # Reviews of the hot product (one per member at most); the rest are spread thinly.
    hot_product_reviews: int = 0
    reviews: int = 0

    def __post_init__(self) -> None:
        if self.topics < 1 or self.members < 2 or self.long_thread_posts < 1:
            raise Invalid("Build at least one topic, one post in it and two members.")
        if self.posts < self.long_thread_posts + self.topics - 1:
            raise Invalid("Every topic needs at least its first post: give more posts.")
        if self.products < 1 or not 0 <= self.hot_product_reviews <= self.members:
            raise Invalid("Build at least one product, and one review per member at most.")
        if self.reviews < self.hot_product_reviews:
            raise Invalid("The hot product's reviews are part of all the reviews.")
        if self.reviews - self.hot_product_reviews > (self.products - 1) * self.members:
            raise Invalid("More reviews than members can write (one per product each).")


LARGE = Sizes(
    topics=10_000,
    posts=100_000,
    long_thread_posts=10_000,
    members=2_000,
    products=200,
    hot_product_reviews=2_000,
    reviews=20_000,
)


@dataclass(frozen=True)
class BenchData:
    """What was built, and where the benchmark's pages are."""

    brand_id: int
    long_topic_id: int
    long_thread_pages: int
    category_slugs: tuple[str, ...]
    members: int
    topics: int
    posts: int
    reactions: int
    votes: int
    products: int
    reviews: int
    seconds: float
