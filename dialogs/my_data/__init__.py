"""Mijn gegevens: everyone can take along, or erase, what Leerbot keeps about them."""

from dialogs.my_data import my_data

DIALOGS = [my_data.DIALOG]
