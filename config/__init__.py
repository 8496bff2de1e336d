"""Configuration: the YAML schema, its loader and the validated Settings."""

from config.loader import ConfigError, Settings, build_settings, load_settings

__all__ = ["ConfigError", "Settings", "build_settings", "load_settings"]
