"""Each brand's stemming language (issue 14: English by default; the dictionary is a
setting per brand so other languages can follow)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text, update

from fanhub.brands.models import Brand
from fanhub.db import rows_changed, transaction
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.permissions import Action, Actor, require
from fanhub.search.backend import current_engine
from fanhub.search.models import DEFAULT_LANGUAGE, SearchDocument, SearchLanguage

# PostgreSQL's own text search configurations with a stemmer (and `simple`: no stemming).
LANGUAGES = frozenset(
    {"simple", "arabic", "armenian", "basque", "catalan", "danish", "dutch", "english",
     "finnish", "french", "german", "greek", "hindi", "hungarian", "indonesian", "irish",
     "italian", "lithuanian", "nepali", "norwegian", "portuguese", "romanian", "russian",
     "serbian", "spanish", "swedish", "tamil", "turkish", "yiddish"}
)  # fmt: skip


def engine_stems_languages() -> bool:
    """Whether this database's engine stems each brand in its own language."""
    return current_engine().uses_languages


def brand_language(brand: Brand) -> str:
    """The language the brand's words are stemmed in."""
    chosen = db.session.get(SearchLanguage, brand.id)
    return chosen.language if chosen is not None else DEFAULT_LANGUAGE


def set_brand_language(actor: Actor, brand: Brand, language: str, *, now: datetime) -> int:
    """Stem the brand's words in `language` from now on, its documents included (on
    PostgreSQL their vectors are made again in this transaction); how many documents.

    :raises Forbidden: the actor may not edit the brand.
    :raises Invalid: the language is not one this database can stem.
    """
    require(actor, Action.BRAND_EDIT, brand.id, now=now)
    language = language.strip().lower()
    known = language in LANGUAGES
    if known and engine_stems_languages():
        known = bool(
            db.session.scalar(
                text("SELECT count(*) FROM pg_ts_config WHERE cfgname = :name"),
                {"name": language},
            )
        )
    if not known:
        raise Invalid(f"The languages are: {', '.join(sorted(LANGUAGES))}.", field="language")
    with transaction():
        chosen = db.session.get(SearchLanguage, brand.id)
        if chosen is None:
            db.session.add(SearchLanguage(brand_id=brand.id, language=language))
        else:
            chosen.language = language
        return rows_changed(
            db.session.execute(
                update(SearchDocument)
                .where(SearchDocument.brand_id == brand.id)
                .values(language=language)
            )
        )
