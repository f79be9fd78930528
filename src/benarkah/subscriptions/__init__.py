"""Digest subscriptions: people who typed "langganan" get the new fact-checks daily or weekly, through
the messaging outbox, once per person and period, until they type "berhenti" (docs/reach.md)."""
