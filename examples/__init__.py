"""Example apps: the background-sync patterns of the seed posts, each with tests and scenarios."""
