# Placeholder: the package config (find_package(Adapt)) is written by the foundation work.
