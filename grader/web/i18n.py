"""Indonesian by default, English on request: a small dict-based translation helper.

Templates and views write Indonesian text and wrap it in ``_()``; English
comes from :data:`EN`. The language is chosen with ``?lang=en`` / ``?lang=id``
(remembered in a cookie). Pipeline messages come in both languages already;
:func:`pick` chooses ``message_id`` or ``message_en``.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Flask, current_app, g, has_request_context, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from grader.grading.shown import in_language
from grader.web.i18n_en import EN

LANGS = ("id", "en")
COOKIE = "lang"


def get_lang() -> str:
    return g.get("lang", "id")


def for_trainee() -> bool:
    """The page is a trainee's (the trainee pages' blueprint), where a few words differ from the trainer's: a field
    we left for the trainer "waits for the trainer" (:data:`grader.grading.shown.TRAINEE_STATUS_WORDS`)."""
    return has_request_context() and request.blueprint == "trainee"


CONTEXT_MARK = "@@"


def gettext(text: str, *, lang: str | None = None, **values) -> str:
    """``text`` (Indonesian) in the current language (``lang``, "id" or "en", when given: an export built for the
    trainer's language), with ``{name}`` placeholders filled.

    ``"Latihan@@satu"`` is "Latihan" with a context, for an Indonesian word that English splits in two (one
    exercise, "Exercise", beside the list of them, "Exercises"); Indonesian shows the text before the mark.
    An English text that depends on a count is a pair, ``(singular, plural)``, chosen by the value ``n``
    ("1 pair", "3 pairs"; Indonesian says "1 paslon", "3 paslon").
    """
    shown = text.split(CONTEXT_MARK, 1)[0]
    out = EN.get(text, shown) if (lang or get_lang()) == "en" else shown
    if isinstance(out, tuple):
        out = out[0] if values.get("n") == 1 else out[1]
    return out.format(**values) if values else out


def pick(obj: dict | None, base: str = "message") -> str:
    """``obj[base + "_id"]`` or ``obj[base + "_en"]`` for the current language (falls back to the other)."""
    return in_language(obj, get_lang(), base)


def _choose_lang() -> None:
    asked = request.args.get("lang")
    g.lang_asked = asked if asked in LANGS else None
    g.lang = g.lang_asked or (request.cookies.get(COOKIE) if request.cookies.get(COOKIE) in LANGS else "id")


def _remember_lang(response):
    if g.get("lang_asked"):
        response.set_cookie(COOKIE, g.lang_asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def lang_url(lang: str) -> str:
    """This page in ``lang``: its address with ``?lang=`` set and its other arguments kept (the code a classroom
    QR filled in, ``?kode=``; a table's ``?sort=``).

    A page shown in answer to a form (a refused retake, a wrong code typed again) has an address that only takes
    the form: the link goes to the page the form was sent from, or to the start page.
    """
    path, args = request.script_root + request.path, MultiDict(request.args)
    if request.method != "GET" and not _opens_with_get(request.path):
        came_from = urlsplit(request.referrer or "")
        if came_from.netloc == request.host and came_from.path:
            path, args = came_from.path, MultiDict(parse_qsl(came_from.query, keep_blank_values=True))
        else:
            path, args = request.script_root + "/", MultiDict()
    args.setlist("lang", [lang])
    return f"{path}?{urlencode(list(args.items(multi=True)))}"


def _opens_with_get(path: str) -> bool:
    try:
        current_app.create_url_adapter(request).match(path, method="GET")
    except HTTPException:
        return False
    return True


def init_app(app: Flask) -> None:
    app.before_request(_choose_lang)
    app.after_request(_remember_lang)
    app.jinja_env.globals.update(_=gettext, pick=pick, get_lang=get_lang, lang_url=lang_url)


def error_text(exc) -> str:
    """A :class:`~grader.errors.GraderError`'s message in the current language."""
    return exc.message if get_lang() == "en" else exc.message_id
