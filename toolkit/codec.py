"""Canonical JSON for record values, with type tags so values round-trip exactly.

The ledger compares a record's encoded text with the stored text to decide whether
it changed, so the encoding must be canonical (sorted keys, compact, no ASCII
escaping) and lossless for the types a register holds:

* ``Decimal``   → ``{"$dec": "12.50"}``  (the exact string: trailing zeros are facts)
* ``datetime``  → ``{"$dt": "2024-05-01T09:30:00"}``
* ``date``      → ``{"$date": "2024-05-01"}``
* ``time``      → ``{"$time": "09:30:00"}``
* ``timedelta`` → ``{"$td": [days, seconds, microseconds]}``

Tuples come back as lists. A plain dict whose only key is one of the tags above would
be read back as that type; registers never hold such values.

The text is the standard library's (``json`` with the options above); orjson writes it
when every value is of a type both write alike, which is what registers and findings
hold (text, integers, Decimals, dates and times, nested lists and dicts). Floats (orjson
writes ``1e-5`` and NaN differently), subclasses, non-text keys, lone surrogates and
integers past 64 bits go to the standard encoder, so the text never depends on the path.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import orjson

__all__ = ["encode", "decode"]


def _default(value: Any) -> Any:
    # datetime is a subclass of date, so it must be tested first.
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$td": [value.days, value.seconds, value.microseconds]}
    raise TypeError(f"cannot encode {type(value).__name__}: {value!r}")


# One encoder built once: json.dumps would build a new one (and its C accelerator)
# on every call, which shows at 100,000 records.
_ENCODER = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
)

_DEEP = 64  # deeper than this: the standard encoder (orjson stops at 255 levels)

# For _wrapped values: orjson writes a naive datetime or a date inside its tag itself (its
# text for them is isoformat's, tested), without a call back into Python for each.
_WRAPPED = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS
# Exact types orjson writes as the standard encoder does; the tagged ones are made so by
# _wrapped. float is not among them (orjson writes 1e-5 and NaN differently); bool is
# exact here, never "an int".
_PLAIN = frozenset({str, int, bool, type(None)})


def _wrapped(values: dict[str, Any] | list[Any] | tuple[Any, ...], depth: int = 0) -> Any:
    """``values`` with each tagged type in its tagged form, ready for orjson with
    ``_WRAPPED``; None when a value is of another type than text, integers, booleans,
    None, Decimals, dates and times, and lists and dicts of these (the standard encoder
    writes those).

    The tagged forms are ``_default``'s, but a naive datetime or a date stays an object
    inside its tag: orjson writes it as isoformat would. A time is written here (orjson
    drops a leading zero of its microseconds), and so is an aware datetime (orjson drops
    an offset's seconds).
    """
    if depth > _DEEP:
        return None
    if type(values) is dict:
        # A record's dict is copied only once a value needs its tagged form, and its
        # plain values (most of them) are not stored again one by one.
        changed: dict[str, Any] | None = None
        for k, v in values.items():
            t = type(v)
            if t in _PLAIN:
                continue
            v = _tagged(v, t, depth)
            if v is _REFUSED:
                return None
            if changed is None:
                changed = dict(values)
            changed[k] = v
        return values if changed is None else changed
    out: list[Any] = []
    for v in values:
        t = type(v)
        if t not in _PLAIN:
            v = _tagged(v, t, depth)
            if v is _REFUSED:
                return None
        out.append(v)
    return out


_REFUSED = object()  # _tagged: a value of a type the standard encoder writes


def _tagged(v: Any, t: type, depth: int) -> Any:
    """A value that is not plain, in the form _wrapped hands to orjson; _REFUSED for one
    of a type the standard encoder writes instead."""
    if t is datetime:
        return {"$dt": v if v.tzinfo is None else v.isoformat()}
    if t is date:
        return {"$date": v}
    if t is Decimal:
        return {"$dec": str(v)}
    if t is dict or t is list or t is tuple:
        inner = _wrapped(v, depth + 1)
        return _REFUSED if inner is None else inner
    if t is time:
        return {"$time": v.isoformat()}
    if t is timedelta:
        return {"$td": [v.days, v.seconds, v.microseconds]}
    return _REFUSED


_DECODERS = {
    "$dec": Decimal,
    "$dt": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
    "$td": lambda v: timedelta(days=v[0], seconds=v[1], microseconds=v[2]),
}


_decoder_for = _DECODERS.get


def _object_hook(obj: dict[str, Any]) -> Any:
    # Runs for every JSON object of every record read: kept to the bare minimum.
    if len(obj) == 1:
        ((tag, raw),) = obj.items()
        decoder = _decoder_for(tag)
        if decoder is not None:
            return decoder(raw)
    return obj


_DECODER = json.JSONDecoder(object_hook=_object_hook)


class _Unsafe(Exception):
    """A number orjson may have read differently from the standard decoder."""


_BIG = float(2**63)


def _restore(value: Any) -> Any:
    # Tagged values anywhere inside lists and dicts (finding figures nest them).
    t = type(value)
    if t is dict:
        if len(value) == 1:
            ((tag, raw),) = value.items()
            decoder = _decoder_for(tag)
            if decoder is not None:
                return decoder(raw)
        for k, v in value.items():
            tv = type(v)
            if tv is dict and len(v) == 1:
                # A tagged value (most record values that are not text): restored here,
                # without a call per value.
                ((tag, raw),) = v.items()
                decoder = _decoder_for(tag)
                value[k] = decoder(raw) if decoder is not None else _restore(v)
            elif tv is dict or tv is list or tv is float:
                value[k] = _restore(v)
        return value
    if t is list:
        return [_restore(v) for v in value]
    if t is float and not -_BIG < value < _BIG:
        # orjson reads an integer past 64 bits as a float: let the standard decoder read it.
        raise _Unsafe
    return value


def encode(values: dict[str, Any]) -> str:
    """Canonical JSON text for ``values`` (equal values give equal text)."""
    if type(values) is dict:
        wrapped = _wrapped(values)
        if wrapped is not None:
            try:
                return orjson.dumps(wrapped, option=_WRAPPED).decode("utf-8")
            except TypeError:  # a key that is not text, a lone surrogate, an integer past 64 bits
                pass
    return _ENCODER.encode(values)


def decode(text: str) -> dict[str, Any]:
    """The values ``encode`` was given, with Decimals and dates restored.

    orjson parses (reports decode thousands of records; it is twice as fast as the
    standard decoder with a hook); what it refuses or may misread — NaN, integers
    beyond 64 bits — goes through the standard decoder, which reads everything ``encode`` writes.
    """
    try:
        return _restore(orjson.loads(text))
    except (orjson.JSONDecodeError, _Unsafe):
        return _DECODER.decode(text)
