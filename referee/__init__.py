"""Referee: decides who is responsible for a cancelled home-services booking, and says why."""

__version__ = "0.1.0"
