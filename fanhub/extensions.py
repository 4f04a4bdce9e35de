"""Flask extensions, created unbound here and bound to the app in create_app()."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose constraints get stable names, so migrations can alter them."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Sessions join an outer transaction through a savepoint when one is open: that is how
# every test runs inside a transaction that is rolled back, while code under test commits.
# Objects stay loaded after a commit: a view redirects to what it just changed, and with
# relationships set to lazy="raise" an expired object could not load them again.
db = SQLAlchemy(
    model_class=Base,
    session_options={"join_transaction_mode": "create_savepoint", "expire_on_commit": False},
)

if TYPE_CHECKING:
    # db.Model is made from Base at run time; to the type checker it is Base itself.
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def member_key() -> str:
    """Rate-limit signed-in routes per member, not per address (an office shares one)."""
    return f"member:{current_user.get_id()}" if current_user.is_authenticated else "anonymous"


# Rendered pages for anonymous readers, most of a forum's traffic (in memory per process by
# default, shared through Redis when REDIS_URL is set).
cache = Cache()
