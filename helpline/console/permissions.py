"""Who may see and do what in the console: each view checks the role and the claim."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort
from flask_login import current_user

from helpline.console.models import StaffUser
from helpline.families.models import CallbackRequest

F = TypeVar("F", bound=Callable[..., Any])


def staff() -> StaffUser:
    """The signed-in account (every console view runs after the sign-in guard)."""
    return cast(StaffUser, current_user._get_current_object())  # type: ignore[attr-defined]


def manager_only(view: F) -> F:
    """A manager's page: advisers get 403."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not staff().is_manager:
            abort(403)
        return view(*args, **kwargs)

    return cast(F, guarded)


def can_see(user: StaffUser, callback: CallbackRequest) -> bool:
    """Managers see every callback; an adviser sees unclaimed ones and their own."""
    if user.is_manager:
        return True
    return callback.claimed_by is None or (
        user.adviser_id is not None and callback.claimed_by == user.adviser_id
    )


def is_working(user: StaffUser, callback: CallbackRequest) -> bool:
    """True when this is the adviser who claimed the callback: they alone call, text and close."""
    return user.adviser_id is not None and callback.claimed_by == user.adviser_id


def callback_visible_to(user: StaffUser, callback: CallbackRequest | None) -> CallbackRequest:
    """The callback, or 404 if there is none and 403 if it is another adviser's."""
    if callback is None:
        abort(404)
    if not can_see(user, callback):
        abort(403)
    return callback
