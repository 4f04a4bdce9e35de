"""The embeddable review widget: its script, its data endpoint, its iframe page, and the
staff page with the code to paste."""
