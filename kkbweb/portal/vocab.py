"""Labels of the portal pages. Plain data, no Flask.

The portal's own lists (kategori, sasaran, instansi, jenis post, photo types,
Inpres) are data: kkbweb/reference reads them from the copied CSVs. Here are
kkbweb's names for some of those values ("ours", stored beside the portal's
label by the migration) and the field labels in the portal's order.
"""

# kkbweb's own label where it differs from the portal's (DOMAIN.md: the Pokja's
# seksi follow PP 87/2014; the portal says "Pendidikan", "Kasih Sayang").
OUR_LABELS = {
    "kategori": {
        2: "Sosialisasi dan pendidikan",
        6: "Cinta kasih (kasih sayang)",
        7: "Sosial budaya",
        8: "Pembinaan lingkungan",
    },
    "sasaran": {6: "Keluarga balita", 7: "Keluarga remaja", 8: "Keluarga lansia"},
    "instansi": {26: "DP3AP2KB (OPD PPKB)", 27: "Kelurahan"},
    "jenis_post": {1: "Sebelum-sesudah"},
    "gambar_type": {},
}

# The activity's fields in the order of the portal's form (three steps:
# the story, more information, the photos), with the portal's own labels.
FIELDS = (
    ("judul", "Judul Kegiatan"),
    ("tanggal", "Tanggal"),
    ("tempat", "Tempat"),
    ("deskripsi", "Deskripsi"),
    ("kategori", "Seksi Kegiatan"),
    ("inpres", "Kategori Kegiatan"),
    ("sasaran", "Peserta Kegiatan"),
    ("sasaran_lainnya", "Peserta Kegiatan Lainnya"),
    ("instansi", "Instansi"),
    ("instansi_lainnya", "Instansi Lainnya"),
    ("jenis_post", "Jenis Post"),
)
FIELD_LABELS = dict(FIELDS)
# The portal's option for "no Inpres kegiatan".
INPRES_NONE = "* Lainnya"

STATUS_ALL = "semua"
STATUS_PENDING = "belum"
STATUS_DONE = "sudah"
STATUSES = {
    STATUS_PENDING: "Belum diunggah",
    STATUS_DONE: "Sudah diunggah",
    STATUS_ALL: "Semua",
}

# Where a photo of a record came from (the copy keeps its own file).
PHOTO_ORIGINS = {
    "kie": "foto KIE",
    "meeting": "bukti rapat",
    "poktan": "foto pertemuan poktan",
    "upload": "unggahan",
}

# The judul of a Posyandu or PAUD session: this word, then the unit's name
# ("Pelayanan Posyandu Mawar", "Kegiatan belajar PAUD Melati").
SERVICE_TITLES = {"posyandu": "Pelayanan", "paud": "Kegiatan belajar"}
# The counts of a session that count its sasaran (people served): a count above
# zero brings its sasaran; with none, the kind's first one does.
SERVICE_SASARAN = {
    "posyandu": ("balita_present", "ibu_hamil"),
    "paud": ("children_present",),
}
