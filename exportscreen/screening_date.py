"""The screening date of an order: the day whose rules and lists decide it.

An export is controlled by the rules and lists in force when it leaves, and an order not yet shipped
leaves today or later. So the screening date is ``as_of`` when the caller names one (a replay for an
auditor, a look ahead), else the order's ``date`` when that is later than today (a planned shipment),
else today. An order dated before today is screened as of today, with a note that says so: screened as
of its own date, an order to a party listed since (SMIC, December 2020, on an order dated 2019) came
out less risky.
"""

from __future__ import annotations

import datetime as dt

from exportscreen._construct import construct
from exportscreen._errors import InputError
from exportscreen.models import Category, Reason

__all__ = ["screening_date", "screening_day"]


def screening_day(order_date: dt.date | None, as_of: dt.date | None, today: dt.date) -> dt.date:
    """The screening date alone (no note): ``as_of``, else the later of ``order_date`` and ``today``."""
    if as_of is not None:
        return as_of
    return order_date if order_date is not None and order_date > today else today


def screening_date(order_date: dt.date | None, as_of: object, today: dt.date) -> tuple[dt.date, Reason | None]:
    """The date to screen an order on and, when it is not the order's own date, the note saying why.

    Raises ``InputError`` when ``as_of`` is given and is not a date (a datetime is refused too)."""
    if as_of is not None:
        if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
            raise InputError(f"as_of must be a date, got {type(as_of).__name__}")
        return as_of, None
    if order_date is None or order_date >= today:
        return order_date or today, None
    note = construct(
        Reason,
        rule_id="order-dated-earlier",
        category=Category.LESS_RISKY,
        message=f"Screened as of {today.isoformat()} (today), not the order's date {order_date.isoformat()}: "
        "an export is controlled by the rules and lists in force when it leaves. "
        f"--as-of {order_date.isoformat()} replays the order's own date.",
        citations=["15 CFR 734.13"],
        evidence={"order_date": order_date.isoformat(), "screened_as_of": today.isoformat()},
    )
    return today, note
