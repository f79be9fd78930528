"""Telegram Bot API: the webhook (secret-token checked) and the sending client."""
