"""The HTTP edge: the JSON API, the public page, and (later) webhooks and the dashboard."""
