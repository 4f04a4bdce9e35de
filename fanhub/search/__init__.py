"""Search over everything a reader may see (issue 14): the index, its two engines, the pages."""
