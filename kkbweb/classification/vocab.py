"""Labels of the classification. Plain data, no Flask."""

from kkbweb import reference
from kkbweb.classification import formula

CLASS_LABELS = {name: name for name in formula.CLASSES}
# CSS modifier per class (static/app.css).
CLASS_CSS = {
    "Dasar": "k-dasar",
    "Berkembang": "k-berkembang",
    "Mandiri": "k-mandiri",
    "Berkelanjutan": "k-berkelanjutan",
}
# The old hand-set dropdown's keys (pokja.kampung_kb_class).
OLD_CLASS = {
    "dasar": "Dasar",
    "berkembang": "Berkembang",
    "mandiri": "Mandiri",
    "berkelanjutan": "Berkelanjutan",
}
INDEX_LABELS = {"input": "Input", "proses": "Proses", "output": "Output"}
APP_LABEL = "dari aplikasi"


def options(list_name: str) -> list[tuple[int, str]]:
    return list(reference.profil_options(list_name).items())


SUMBER_DANA = options("sumber_dana")
PENGGUNAAN_DATA = options("penggunaan_data")
PROGRAMS = [(i, n) for i, n in options("program") if i <= 7]
OPERASIONAL = options("operasional")
FREKUENSI = options("frekuensi")
KELUARGA = options("keluarga")
KONTRASEPSI = options("kontrasepsi")
NON_KONTRASEPSI = options("non_kontrasepsi")
