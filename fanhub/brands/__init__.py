"""Brands: fan pages, follows and the per-brand roles of staff and moderators."""
