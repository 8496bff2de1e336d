"""The wall: runtime wiring, page shell, routing, live callbacks and HTTP API."""
