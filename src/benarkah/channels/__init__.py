"""Messaging channels (WhatsApp Cloud API, Telegram Bot API): webhooks in, API clients out.

Each channel parses its own payloads into ``messaging.Inbound`` and renders neutral outgoing parts
into its own requests; the queue, worker and sender in ``benarkah.messaging`` are shared.
"""
