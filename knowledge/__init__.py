"""Versioned knowledge: the method's data files and the pydantic schemas that validate them."""
