"""Products, their ratings and reviews, and the conversations that follow a review."""
