"""A poktan's sessions (pertemuan penyuluhan) and their photos
(poktan.sessions.*). The roll call of a session is roll_call.py."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from kkbweb import database
from kkbweb.access import role_required
from kkbweb.extensions import db
from kkbweb.formtokens import creates, redirect_once
from kkbweb.htmx import render
from kkbweb.images import process_uploads
from kkbweb.images import remove as remove_files
from kkbweb.pagination import paginate
from kkbweb.poktan import pages, queries, rules, service, session_queries
from kkbweb.poktan.forms import ConfirmForm, NewSessionForm, PhotoForm, SessionForm

bp = Blueprint("sessions", __name__)

POKTAN = "/<int:poktan_id>"
SESSION = "/pertemuan/<int:session_id>"


@bp.get(f"{POKTAN}/pertemuan")
@role_required(*rules.VIEWER_ROLES)
def index(poktan_id: int):
    """Every session of a poktan, newest first, with the families present."""
    poktan = queries.get_poktan(poktan_id)
    page = paginate(session_queries.sessions(poktan.id))
    return render(
        "poktan/sessions.html",
        "poktan/_sessions.html",
        poktan=poktan,
        page=page,
        present=session_queries.present_counts([s.id for s in page.items]),
    )


@bp.route(f"{POKTAN}/pertemuan/new", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
@creates
def new(poktan_id: int):
    """Record a session; its roll call follows on the session page."""
    poktan = queries.get_poktan(poktan_id)
    form = NewSessionForm()
    if not form.is_submitted():
        form.date.data = pages.today()
    if form.validate_on_submit():

        def make() -> str:
            session = service.create_session(poktan, form, current_user)
            return url_for("poktan.sessions.detail", session_id=session.id)

        return redirect_once(
            form,
            make,
            "Pertemuan dicatat. Ketuk Hadir untuk tiap keluarga yang datang.",
        )
    return render_template(
        "poktan/session_form.html", form=form, poktan=poktan, session=None
    )


@bp.get(SESSION)
@role_required(*rules.VIEWER_ROLES)
def detail(session_id: int):
    """A session with its one-tap family roll call, walk-ins and photos."""
    return pages.render_session(session_queries.load_session(session_id))


@bp.route(f"{SESSION}/edit", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
def edit(session_id: int):
    """Correct a session's date, place, materi, narasumber, kader."""
    session = session_queries.load_session(session_id)
    form = SessionForm(obj=session)
    if form.validate_on_submit():
        if service.update_session(session, form, current_user):
            db.session.commit()
            flash("Data pertemuan disimpan.", "success")
        return redirect(url_for("poktan.sessions.detail", session_id=session_id), 303)
    return render_template(
        "poktan/session_form.html", form=form, poktan=session.poktan, session=session
    )


@bp.route(f"{SESSION}/hapus", methods=["GET", "POST"])
@role_required(*rules.EDITOR_ROLES)
def delete(session_id: int):
    """Confirm, then delete a session recorded by mistake (with its roll call)."""
    session = session_queries.load_session(session_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        poktan_id = session.poktan_id
        files = [p.filename for p in session_queries.photos(session.id)]
        service.delete_session(session, current_user)
        db.session.commit()
        remove_files(pages.photo_folder(), files)
        flash("Pertemuan dihapus.", "success")
        return redirect(url_for("poktan.detail", poktan_id=poktan_id), 303)
    return render_template("poktan/session_delete.html", session=session, form=form)


@bp.post(f"{SESSION}/foto")
@role_required(*rules.EDITOR_ROLES)
def upload_photos(session_id: int):
    """Attach photos of the session as evidence (works without JavaScript)."""
    session = session_queries.load_session(session_id)
    form = PhotoForm()
    existing = session_queries.photos(session.id)
    if form.validate_on_submit():
        chosen = form.chosen()
        room = service.MAX_PHOTOS - len(existing)
        if not chosen:
            form.photos.errors.append("Pilih foto yang akan dilampirkan.")
        elif len(chosen) > room:
            form.photos.errors.append(
                f"Maksimal {service.MAX_PHOTOS} foto per pertemuan; masih bisa "
                f"{max(room, 0)} lagi."
            )
        else:
            # Decoding photos takes a while: not inside the write transaction.
            database.commit_keeping_loaded()
            processed, problems = process_uploads(chosen)
            if problems:
                form.photos.errors.extend(problems)
                form.photos.errors.append(
                    "Tidak ada yang disimpan. Pilih ulang fotonya."
                )
            else:
                known = {p.sha256 for p in existing}
                added = service.store_photos(
                    session, processed, known, pages.photo_folder(), current_user
                )
                db.session.commit()
                flash(
                    f"{added} foto dilampirkan." if added else "Foto ini sudah ada.",
                    "success",
                )
                return redirect(
                    url_for(
                        "poktan.sessions.detail", session_id=session_id, _anchor="foto"
                    ),
                    303,
                )
    return pages.render_session(session, photo_form=form)


@bp.get("/foto/<int:photo_id>")
@role_required(*rules.VIEWER_ROLES)
def photo(photo_id: int):
    """Serve a photo to users who may see its session's Pokja; never cached."""
    found = session_queries.photo(photo_id)
    if found is None:
        abort(404)
    response = send_from_directory(
        pages.photo_folder(), found.filename, mimetype="image/jpeg", max_age=0
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post(f"{SESSION}/foto/<int:photo_id>/hapus")
@role_required(*rules.EDITOR_ROLES)
def remove_photo(session_id: int, photo_id: int):
    """Remove a photo attached by mistake."""
    found = session_queries.photo_of_session(session_id, photo_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    filename = service.remove_photo(found, current_user)
    db.session.commit()
    remove_files(pages.photo_folder(), [filename])
    flash("Foto dihapus.", "success")
    return redirect(
        url_for("poktan.sessions.detail", session_id=session_id, _anchor="foto"), 303
    )
