"""Fixtures for the widget's tests."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from fanhub.reviews.models import Product
from tests.embed.support import add_product


@pytest.fixture
def mug(app: Flask, shop: Any) -> Product:
    """Northwind's travel mug, with no reviews yet."""
    return add_product(app, shop.brand, shop.staff)
