"""Links in people's messages: fetched safely (never a private address), politely and within bounds,
to read what the linked page says it is (title, description, where a shortener leads)."""
