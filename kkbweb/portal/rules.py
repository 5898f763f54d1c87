"""Who may do what with portal records, and the portal's own rules. No Flask.

Everyone who sees an activity sees its portal record (the Pokja side is
decided by kkbweb.access when the source is loaded); writers confirm, edit and
mark records of their Pokja; admins keep the mapping.
"""

from kkbweb import reference, roles
from kkbweb.portal.defaults import CAPTION_MAX, Draft

MAX_PHOTOS = 5
JUDUL_MAX = 255
TEMPAT_MAX = 255
LAINNYA_MAX = 200
DESKRIPSI_MAX = 20_000
PORTAL_REF_MAX = 300

READER_ROLES = frozenset(
    {roles.ADMIN, roles.STAF, roles.PIMPINAN, roles.PENYELENGGARA, roles.POKJA}
)
WRITER_ROLES = frozenset({roles.ADMIN, roles.STAF, roles.PENYELENGGARA, roles.POKJA})
MAPPING_ROLES = frozenset({roles.ADMIN})
MENU_ROLES = READER_ROLES


def can_write(role: str, pokja_id: int | None) -> bool:
    """Admin and staf write any Pokja's records; Pokja users and scoped
    organisers their own (a city-wide penyelenggara and pimpinan only read)."""
    if role in (roles.ADMIN, roles.STAF):
        return True
    return role in (roles.POKJA, roles.PENYELENGGARA) and pokja_id is not None


def problems(draft: Draft) -> dict[str, str]:
    """The portal's rules for one record: field -> Indonesian message."""
    found: dict[str, str] = {}
    if not draft.judul:
        found["judul"] = "Judul kegiatan wajib diisi."
    elif len(draft.judul) > JUDUL_MAX:
        found["judul"] = f"Judul tidak boleh lebih dari {JUDUL_MAX} karakter."
    if draft.tanggal is None:
        found["tanggal"] = "Tanggal wajib diisi."
    if not draft.tempat:
        found["tempat"] = "Tempat wajib diisi."
    if not draft.deskripsi:
        found["deskripsi"] = "Deskripsi wajib diisi."
    if draft.kategori_id not in reference.names("kategori"):
        found["kategori"] = "Pilih satu Seksi Kegiatan."
    if not draft.sasaran:
        found["sasaran"] = "Sasaran kegiatan minimal satu."
    if not draft.instansi:
        found["instansi"] = "Instansi minimal satu."
    if draft.jenis_post_id not in reference.names("jenis_post"):
        found["jenis_post"] = "Jenis post harus dipilih."
        return found
    photo = photo_problem(draft)
    if photo:
        found["photos"] = photo
    return found


def photo_problem(draft: Draft) -> str | None:
    """The photo rules of the jenis post (portal_intervensi_fields.md)."""
    slots = draft.photos
    if draft.jenis_post_id == reference.JENIS_SEBELUM_SESUDAH:
        types = sorted(slot.type_id for slot in slots)
        if types != [reference.FOTO_SEBELUM, reference.FOTO_SESUDAH]:
            return (
                "Jenis post Sebelum - Sesudah perlu tepat 2 foto: satu "
                "\u201cSebelum\u201d dan satu \u201cSesudah\u201d."
            )
        return None
    if not slots:
        return (
            "Jenis post Kegiatan perlu 1 sampai 5 foto, "
            "masing-masing dengan keterangan."
        )
    if len(slots) > MAX_PHOTOS:
        return "Maksimal lima gambar kegiatan."
    if any(slot.type_id != reference.FOTO_KEGIATAN for slot in slots):
        return "Foto jenis post Kegiatan bertipe \u201cKegiatan\u201d."
    missing = [n for n, slot in enumerate(slots, 1) if not slot.caption.strip()]
    if missing:
        which = ", ".join(str(n) for n in missing)
        return f"Setiap foto kegiatan wajib diberi keterangan (foto {which})."
    if any(len(slot.caption) > CAPTION_MAX for slot in slots):
        return f"Keterangan foto maksimal {CAPTION_MAX} karakter."
    return None
