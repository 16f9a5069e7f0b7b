"""Personal data in free text: private e-mail addresses and phone numbers removed before publication.

The generic mailbox of an organisation (``contact@``, ``info@``, ``accueil@``…) is public on
purpose and stays. A mailbox that names a person (``marie.dupont@…``) and every phone number found
in free text go. A "Contact : Marie Dupont, marie.dupont@…, 06 …" clause goes as a whole, the
person's name with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Local parts of the mailboxes an organisation publishes for everybody.
GENERIC_MAILBOXES = frozenset(
    {
        "accueil",
        "admin",
        "administration",
        "asso",
        "association",
        "bonjour",
        "communication",
        "contact",
        "contacts",
        "direction",
        "hello",
        "info",
        "infos",
        "information",
        "informations",
        "mairie",
        "noreply",
        "no-reply",
        "presse",
        "projet",
        "projets",
        "rh",
        "recrutement",
        "secretariat",
        "service",
        "support",
        "webmaster",
    }
)

EMAIL = re.compile(r"\b[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+\b")
#: French numbers: 0X XX XX XX XX (spaces, dots or dashes) or +33 X XX XX XX XX.
PHONE = re.compile(r"(?<![\d+])(?:\+33\s?\(?0?\)?\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
#: "Contact : <anything up to the end of the sentence or line>".
CONTACT_CLAUSE = re.compile(
    r"\s*\b(?:Contact|Contacts|Contacter|Référent(?:e)?)\s*:\s*[^\n]*?(?=(?<=\d)\.\s|\n|$)", re.I
)


@dataclass(frozen=True)
class Scrubbed:
    text: str
    emails: int = 0
    phones: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.emails or self.phones)


def is_generic_mailbox(address: str) -> bool:
    local = address.split("@", 1)[0].casefold()
    return local in GENERIC_MAILBOXES or local.split(".")[0] in GENERIC_MAILBOXES


def scrub(text: str) -> Scrubbed:
    """The text without personal e-mail addresses and phone numbers, and how many were removed."""
    if "@" not in text and not re.search(r"\d{2}", text):
        return Scrubbed(text)
    emails = phones = 0

    def clause(match: re.Match[str]) -> str:
        nonlocal emails, phones
        body = match.group(0)
        private = [m for m in EMAIL.findall(body) if not is_generic_mailbox(m)]
        numbers = PHONE.findall(body)
        if not private and not numbers:
            return body  # "Contact : contact@asso.example.org" is the organisation's own
        emails += len(private)
        phones += len(numbers)
        return ""

    text = CONTACT_CLAUSE.sub(clause, text)

    def email(match: re.Match[str]) -> str:
        nonlocal emails
        if is_generic_mailbox(match.group(0)):
            return match.group(0)
        emails += 1
        return "[adresse retirée]"

    def phone(match: re.Match[str]) -> str:
        nonlocal phones
        phones += 1
        return "[numéro retiré]"

    text = EMAIL.sub(email, text)
    text = PHONE.sub(phone, text)
    return Scrubbed(" ".join(text.split()) if (emails or phones) else text, emails, phones)
