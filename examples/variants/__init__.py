"""Variants of the example apps that reproduce a mistake users make (not apps of their own)."""
