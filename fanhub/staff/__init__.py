"""The brand staff desk: what waits for an answer, who is on it, and how well the brand answers."""
