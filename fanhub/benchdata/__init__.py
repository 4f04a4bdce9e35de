"""The large data set the benchmark reads (`flask seed-demo --scale large`): one busy brand.

The services write one post at a time with every rule and notification, which is right for
members and far too slow for 100,000 posts. This builder plans the whole forum in memory,
renders each distinct body once, and bulk-inserts the rows with every denormalised counter
already equal to what the rows say, in one transaction: the database holds all of it or
none of it. `build.py` runs it; `people.py`, `forum.py` and `reviews.py` write each part,
`catalogue.py` holds the fixed names and words, `sizes.py` how much to build.
"""

from fanhub.benchdata.build import LOADED_TABLES, SEED, build_bench_data
from fanhub.benchdata.bulk import BATCH_SIZE
from fanhub.benchdata.catalogue import (
    BRAND_NAME,
    BRAND_SLUG,
    CATEGORIES,
    HOT_PRODUCT_SLUG,
    LONG_THREAD_CATEGORY,
    LONG_THREAD_TITLE,
    STAFF,
)
from fanhub.benchdata.sizes import LARGE, BenchData, Sizes

__all__ = [
    "BATCH_SIZE",
    "BRAND_NAME",
    "BRAND_SLUG",
    "CATEGORIES",
    "HOT_PRODUCT_SLUG",
    "LARGE",
    "LOADED_TABLES",
    "LONG_THREAD_CATEGORY",
    "LONG_THREAD_TITLE",
    "SEED",
    "STAFF",
    "BenchData",
    "Sizes",
    "build_bench_data",
]
