"""Browser tests: headless Chromium drives a live fanhub server."""
