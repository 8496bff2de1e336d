"""Pure domain calculations for the city dashboard: AQI, coordinates, water classes, limits."""
