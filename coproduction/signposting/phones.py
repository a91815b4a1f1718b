"""Services' phone numbers: checked with `phonenumbers`, stored so a `tel:` link dials them.

A helpline's number may be a short one (116 123, 111): those are checked as short numbers for
the UK and stored as their digits; every other number as E.164 (+448082000247).
"""

import phonenumbers
from phonenumbers import shortnumberinfo

REGION = "GB"


class NotAPhoneNumber(ValueError):
    pass


def normalise(raw: str) -> str:
    """The number to store and dial, or NotAPhoneNumber."""
    value = raw.strip()
    try:
        number = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException:
        raise NotAPhoneNumber(value) from None
    if shortnumberinfo.is_valid_short_number_for_region(number, REGION):
        return str(number.national_number)
    # Possible, not "valid": examples and new ranges (07700 900…) are not in the library's
    # tables yet may be real; a number too short to dial from elsewhere is refused.
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise NotAPhoneNumber(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(stored: str) -> str:
    """How a stored number is written on the card: national format for UK numbers."""
    if not stored or not stored.startswith("+"):
        return stored
    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return stored
    if number.country_code == phonenumbers.country_code_for_region(REGION):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
