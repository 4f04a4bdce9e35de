"""Forums: categories, topics and posts, where brand staff answer in the thread."""
