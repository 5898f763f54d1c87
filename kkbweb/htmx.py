"""The few htmx rules every view follows (see STYLE.md "Pages and fragments")."""

from flask import Response, make_response, redirect, render_template, request


def is_htmx() -> bool:
    """Tell whether htmx sent this request."""
    return request.headers.get("HX-Request") == "true"


def wants_partial() -> bool:
    """True for an htmx request that swaps a fragment, not a boosted page load."""
    return (
        is_htmx()
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render(page: str, partial: str, /, _status: int = 200, **context) -> Response:
    """Render the fragment for htmx swaps and the full page otherwise."""
    template = partial if wants_partial() else page
    response = make_response(render_template(template, **context), _status)
    # Caches must not hand a fragment to a full-page request or vice versa.
    response.vary.add("HX-Request")
    return response


def render_fragment(template: str, /, _status: int = 200, **context) -> Response:
    """Render a fragment that only htmx asks for, still marked as varying on it."""
    return render(template, template, _status=_status, **context)


# A refused form answers 200 whether htmx sent it or not: htmx 2 swaps only 2xx,
# and the messages must show where the user typed (STYLE.md).
REFUSED_FORM_STATUS = 200


def render_refused(page: str, partial: str, /, **context) -> Response:
    """Render a form again with its messages, after a refused submission."""
    return render(page, partial, _status=REFUSED_FORM_STATUS, **context)


def hx_redirect(location: str) -> Response:
    """Redirect: a full navigation for htmx (HX-Redirect), a 303 otherwise."""
    if is_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, 303)
