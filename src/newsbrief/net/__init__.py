"""Outbound HTTP: the one guarded fetch function every outbound request goes through."""
