"""Resource quantities as the API server parses them (apimachinery `pkg/api/resource/quantity.go`,
`ParseQuantity`): a signed decimal number and an optional suffix, binary (`Ki` ... `Ei`), decimal
SI (`n`, `u`, `m`, `k`, `M`, `G`, `T`, `P`, `E`) or a decimal exponent (`e3`, `E-2`). Anything
else is refused when the object is decoded, with `ErrFormatWrong`'s message, so `"500 m"` never
reaches the cluster. Requests and limits compare as exact decimals (`Quantity.Cmp`).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
_QUANTITY = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?")
_SCALE = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


def parse(value: Any) -> Decimal | None:
    """The quantity's value, None when `value` is not a quantity (a number is: JSON numbers decode)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if not isinstance(value, str):
        return None
    match = _QUANTITY.fullmatch(value)
    if match is None:
        return None
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:
        return None
    suffix = match.group(2) or ""
    if suffix in _BINARY:
        return number * (Decimal(2) ** _BINARY[suffix])
    if suffix[:1] in ("e", "E"):
        return number.scaleb(int(suffix[1:]))
    return number.scaleb(_SCALE[suffix])


def is_quantity(value: Any) -> bool:
    return parse(value) is not None
