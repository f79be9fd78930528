"""The domain core: pure data and logic, no I/O. Everything else imports from here, never the reverse."""
