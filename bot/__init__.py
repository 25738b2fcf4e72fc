"""Lingkar core: platform-agnostic domain services, command grammar, message model, ports, i18n."""
