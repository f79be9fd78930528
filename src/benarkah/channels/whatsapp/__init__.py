"""WhatsApp Business Cloud API: the webhook (verification + signed deliveries) and the sending client."""
