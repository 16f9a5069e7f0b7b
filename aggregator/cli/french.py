"""Click in French: its own messages (errors, usage, help) translated for the people running Carrefour.

Click writes its messages through ``gettext`` (``from gettext import gettext as _`` in each of its
modules, looked up when the message is shown) but ships no French catalogue. ``install()`` gives
those modules a ``gettext`` and an ``ngettext`` that look the English message up in ``MESSAGES``; a
message a later Click adds stays in English rather than failing.
"""

from __future__ import annotations

import importlib

#: Click's English messages (as written in its source, before formatting) and their French.
MESSAGES = {
    "Error: {message}": "Erreur : {message}",
    "Usage:": "Usage :",
    "Options": "Options",
    "Commands": "Commandes",
    "Positional arguments": "Arguments",
    "Show this message and exit.": "Affiche cette aide et s'arrête.",
    "Show the version and exit.": "Affiche la version et s'arrête.",
    "Try '{command} {option}' for help.": "« {command} {option} » pour l'aide.",
    "Aborted!": "Abandon.",
    "Missing command.": "Sous-commande manquante.",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing {param_type}": "{param_type} manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "No such option {name!r}.": "Option inconnue : {name!r}.",
    "No such command {name!r}.": "Sous-commande inconnue : {name!r}.",
    "Did you mean {possibility}?": "Vouliez-vous dire {possibility} ?",
    "(Did you mean one of: {possibilities}?)": "(Vouliez-vous dire l'une de : {possibilities} ?)",
    "Got unexpected extra argument ({args})": "Argument en trop : {args}",
    "Got unexpected extra arguments ({args})": "Arguments en trop : {args}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Option {name!r} requires an argument.": "L'option {name!r} demande une valeur.",
    "Option {name!r} requires {nargs} arguments.": "L'option {name!r} demande {nargs} valeurs.",
    "Option {name!r} does not take a value.": "L'option {name!r} ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "L'argument {name!r} prend {nargs} valeurs.",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un {number_type} valide.",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "{value!r} is not {choice}.": "{value!r} n'est pas {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} n'est pas l'un de {choices}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} n'est pas un booléen. Valeurs reconnues : {states}"
    ),
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    "{name} {filename!r} does not exist.": "{name} {filename!r} introuvable.",
    "{name} {filename!r} is a file.": "{name} {filename!r} est un fichier.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} est un dossier.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} illisible.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} non modifiable.",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir {filename!r} : {message}",
    "unknown error": "erreur inconnue",
    "default: {default}": "défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "Do you want to continue?": "Continuer ?",
    "Error: The two entered values do not match.": "Erreur : les deux valeurs ne concordent pas.",
    "Error: invalid input": "Erreur : saisie invalide",
}

#: Click modules that translate their messages (each imported gettext under its own names).
_MODULES = ("core", "exceptions", "parser", "types", "formatting", "decorators", "termui")

#: Help option of every command: -h as well as --help (sub-commands inherit it from the group).
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return gettext(singular if count == 1 else plural)


def install() -> None:
    """Give Click's modules the French lookup (idempotent; unknown messages stay in English)."""
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


install()
