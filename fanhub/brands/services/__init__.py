"""Brand rules: creating brands, appointing owners, staff and moderators, reading them.

One module per part of the job; callers keep writing `services.create_brand`.
"""

from fanhub.brands.services.directory import (
    BrandDraft,
    access_brand,
    access_brand_as,
    create_brand,
    list_brands,
)
from fanhub.brands.services.fan_page import (
    ANSWERABLE_KINDS,
    FAN_PAGE_PRODUCTS,
    RESPONSIVENESS_CACHE_SECONDS,
    RESPONSIVENESS_DAYS,
    FanPage,
    Responsiveness,
    customer_questions,
    fan_page,
    follow,
    responsiveness,
    unfollow,
)
from fanhub.brands.services.news import (
    NEWS_BODY_MAX,
    NEWS_PRODUCTS_MAX,
    NEWS_TITLE_MAX,
    BrandNewsDraft,
    BrandNewsPage,
    brand_news_page,
    send_brand_news,
)
from fanhub.brands.services.settings import (
    ORIGIN_MAX,
    WIDGET_ORIGINS_MAX,
    BrandPageDraft,
    clean_widget_origins,
    update_brand_page,
)
from fanhub.brands.services.team import StaffMember, add_role, brand_team

__all__ = [
    "ANSWERABLE_KINDS",
    "FAN_PAGE_PRODUCTS",
    "NEWS_BODY_MAX",
    "NEWS_PRODUCTS_MAX",
    "NEWS_TITLE_MAX",
    "ORIGIN_MAX",
    "RESPONSIVENESS_CACHE_SECONDS",
    "RESPONSIVENESS_DAYS",
    "WIDGET_ORIGINS_MAX",
    "BrandDraft",
    "BrandNewsDraft",
    "BrandNewsPage",
    "BrandPageDraft",
    "FanPage",
    "Responsiveness",
    "StaffMember",
    "access_brand",
    "access_brand_as",
    "add_role",
    "brand_news_page",
    "brand_team",
    "clean_widget_origins",
    "create_brand",
    "customer_questions",
    "fan_page",
    "follow",
    "list_brands",
    "responsiveness",
    "send_brand_news",
    "unfollow",
    "update_brand_page",
]
