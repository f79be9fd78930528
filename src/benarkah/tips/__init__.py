"""Tips: messages that matched nothing, clustered into rumours for the fact-checkers' dashboard."""
