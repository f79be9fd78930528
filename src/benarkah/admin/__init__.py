"""The fact-checkers' dashboard: staff accounts, the tip-cluster queue, linking fact-checks, statistics."""
