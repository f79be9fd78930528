"""Curated Indonesian chat vocabulary: slang and abbreviations people type on WhatsApp, and stopwords.

Kept as plain data so a newsroom can extend it. Mapping targets are standard Indonesian words, which
then go through the same stemming as article text.
"""

from __future__ import annotations

SLANG: dict[str, str] = {
    # negation
    "gk": "tidak", "gak": "tidak", "ga": "tidak", "gaa": "tidak", "nggak": "tidak", "ngga": "tidak",
    "enggak": "tidak", "engga": "tidak", "tdk": "tidak", "tak": "tidak", "kagak": "tidak", "kaga": "tidak",
    "ndak": "tidak", "nda": "tidak", "g": "tidak", "gx": "tidak", "tk": "tidak",
    "blm": "belum", "blum": "belum", "lom": "belum", "belom": "belum",
    # function words
    "yg": "yang", "yng": "yang", "dgn": "dengan", "dg": "dengan", "dngn": "dengan", "krn": "karena",
    "karna": "karena", "krna": "karena", "soalnya": "karena", "utk": "untuk", "untk": "untuk", "buat": "untuk",
    "u/": "untuk", "dr": "dari", "dri": "dari", "pd": "pada", "kpd": "kepada", "sm": "sama", "sma": "sama",
    "ama": "sama", "tp": "tapi", "tpi": "tapi", "jd": "jadi", "jdi": "jadi", "jg": "juga", "jga": "juga",
    "sdh": "sudah", "udh": "sudah", "udah": "sudah", "dah": "sudah", "sudh": "sudah", "tlh": "telah",
    "lg": "lagi", "lgi": "lagi", "bs": "bisa", "bsa": "bisa", "bsk": "besok", "kmrn": "kemarin",
    "kemaren": "kemarin", "skrg": "sekarang", "skrng": "sekarang", "skr": "sekarang", "sekrg": "sekarang",
    "hr": "hari", "tgl": "tanggal", "thn": "tahun", "bln": "bulan", "mgg": "minggu", "jam2": "jam",
    "org": "orang", "orng": "orang", "msh": "masih", "masi": "masih", "aja": "saja", "aj": "saja",
    "doang": "saja", "sj": "saja", "bgt": "banget", "bngt": "banget", "bener": "benar", "bnr": "benar",
    "beneran": "benar", "bnran": "benar", "kalo": "kalau", "klo": "kalau", "kl": "kalau", "klw": "kalau",
    "gmn": "bagaimana", "gimana": "bagaimana", "gmna": "bagaimana", "bgmn": "bagaimana", "knp": "kenapa",
    "napa": "kenapa", "ap": "apa", "apa2": "apa", "apakah": "apa", "brp": "berapa", "dmn": "mana",
    "dimn": "mana", "kmn": "mana", "sy": "saya", "aku": "saya", "gue": "saya", "gw": "saya", "gua": "saya",
    "ane": "saya", "km": "kamu", "lu": "kamu", "lo": "kamu", "elo": "kamu", "kk": "kakak", "kak": "kakak",
    "min": "admin", "mimin": "admin", "adm": "admin", "pak": "bapak", "bu": "ibu", "bpk": "bapak",
    "sprt": "seperti", "kyk": "seperti", "kayak": "seperti", "spt": "seperti",
    "trs": "terus", "trus": "terus", "bnyk": "banyak", "byk": "banyak", "sgt": "sangat", "bkn": "bukan",
    "bukn": "bukan", "emg": "memang", "emang": "memang", "mmg": "memang", "pny": "punya", "pnya": "punya",
    "dpt": "dapat", "dapet": "dapat", "dpet": "dapat", "ngasih": "kasih", "ksh": "kasih", "kasi": "kasih",
    "bls": "balas", "bales": "balas", "blg": "bilang", "blng": "bilang", "ngomong": "bicara",
    "liat": "lihat", "lht": "lihat", "ngeliat": "lihat", "tau": "tahu", "tw": "tahu", "td": "tadi",
    "tdi": "tadi", "ntar": "nanti", "nti": "nanti", "ntr": "nanti", "msk": "masuk", "klr": "keluar",
    "dl": "dulu", "dlu": "dulu", "bbrp": "beberapa", "smua": "semua", "smw": "semua", "sdikit": "sedikit",
    "dikit": "sedikit", "gede": "besar", "gedhe": "besar", "ortu": "orang tua", "duit": "uang",
    "hp": "ponsel", "henpon": "ponsel", "wa": "whatsapp", "wasap": "whatsapp", "watsap": "whatsapp",
    "whatsap": "whatsapp", "ig": "instagram", "fb": "facebook", "yt": "youtube", "tiktok": "tiktok",
    "pesen": "pesan", "psn": "pesan", "infonya": "info", "inpo": "info", "infokan": "info",
    "trnyata": "ternyata", "ternyta": "ternyata", "katanya": "kata", "ktnya": "kata", "ktny": "kata",
    "hoax": "hoaks", "hoak": "hoaks", "hoaxs": "hoaks", "hox": "hoaks", "hoks": "hoaks",
    # domain words people abbreviate
    "pemilu2024": "pemilu 2024", "pilpres": "pilpres", "caleg": "caleg", "capres": "capres",
    "cawapres": "cawapres", "presiden2": "presiden", "pemda": "pemerintah daerah",
    "pemkot": "pemerintah kota", "pemkab": "pemerintah kabupaten", "pemprov": "pemerintah provinsi",
    "pemerinth": "pemerintah", "pmrntah": "pemerintah", "pmrnth": "pemerintah",
    "vaksinasi": "vaksin", "vaxin": "vaksin", "faksin": "vaksin", "vacsin": "vaksin", "vaksen": "vaksin",
    "bansosnya": "bansos", "bantuan sosial": "bansos", "lowker": "lowongan kerja", "loker": "lowongan kerja",
    "rekrut": "rekrutmen", "rekrutment": "rekrutmen", "recruitment": "rekrutmen",
    "rekening2": "rekening", "rek": "rekening", "tf": "transfer", "trf": "transfer", "trnsfer": "transfer",
    "transferan": "transfer", "duit2": "uang", "jtan": "juta", "rb": "ribu", "rbu": "ribu",
    "ribuan": "ribu", "gratisan": "gratis", "grtis": "gratis", "free": "gratis",
    "link2": "link", "linknya": "link", "tautan": "link", "lnk": "link", "klik2": "klik",
    "covid19": "covid 19", "corona": "covid", "korona": "covid", "kovid": "covid",
    "dki": "jakarta", "jkt": "jakarta", "sby": "surabaya", "bdg": "bandung", "jogja": "yogyakarta",
    "sebulan": "bulan", "setahun": "tahun", "seminggu": "minggu", "sehari": "hari", "sejuta": "1000000",
    "seribu": "1000", "seratus": "100",
    # abbreviations that are words in news text: "AS"/"A.S." is Amerika Serikat; provinces and people
    "as": "amerika serikat", "usa": "amerika serikat",
    "jabar": "jawa barat", "jateng": "jawa tengah", "jatim": "jawa timur", "sumut": "sumatera utara",
    "sumbar": "sumatera barat", "sumsel": "sumatera selatan", "kalbar": "kalimantan barat",
    "kaltim": "kalimantan timur", "sulsel": "sulawesi selatan", "sulteng": "sulawesi tengah",
    "ntt": "nusa tenggara timur", "ntb": "nusa tenggara barat", "kdm": "dedi mulyadi", "jkw": "jokowi",
    "yogya": "yogyakarta",
}

# Function words and chat filler that carry no topic. "tidak" is included: a tipline query
# "bener gk ..." asks about the claim, not about a negation of it.
STOPWORDS: frozenset[str] = frozenset(
    """
    ada adalah adanya agar akan akankah akhirnya aku akulah amat amatlah anda andalah antar antara apa
    apaan apabila apakah apalagi atas atau ataukah ataupun bagai bagaimana bagaimanakah bagi bahkan bahwa
    bahwasanya banget baru bawah beberapa begini begitu belum benar benarkah beneran berapa berikut
    biasa bila bilang bisa boleh bukan bukankah cuma dalam dan dapat dari daripada dekat demi dengan
    deh dong di dia dialah dini diri dulu enggak entah guna hal hanya harus hingga ia ialah ini inilah
    itu itulah jadi jangan jika jikalau juga justru kah kak kakak kalau kali kalian kami kamu kan kapan
    karena kata katanya ke kecuali kemudian kenapa kepada kini kita lagi lah lain lalu lebih maka
    mampu mana masih mau melainkan memang mengapa mereka meski min admin mohon mungkin nah namun nanti
    nya oh oleh pada padahal para pasti per perlu pula pun saat saja sambil sampai sana sangat saya
    se sebab sebagai sebelum sedang sedangkan sehingga sejak sekali seketika semua sendiri seperti
    sering serta sesudah setelah setiap sih siapa sini situ suatu sudah supaya tadi tanpa tapi telah
    tentang tentu tersebut terus tetapi tidak toh tolong untuk walau walaupun wah ya yaitu yakni yang
    gan sis bro bapak ibu om tante mas mbak bang halo hai pagi siang sore malam selamat terima kasih
    tuh tu gitu gini aja kok loh lho rp dah deh yah yuk ayo hehe wkwk wkwkwk haha hahaha info informasi
    the a an of to is are was in on and or for this that it be with at by from
    """.split()
)

# Verdict words in a user's message say what they want (a check), not what the rumour is about.
QUERY_NOISE: frozenset[str] = frozenset(
    """hoaks hoax hoak benar bener beneran fakta cek valid asli palsu kah apakah ini itu
    tolong mohon admin min kak info pesan berantai share sebarkan viral""".split()
)

# Spelling variants one word has in Indonesian writing, as (written, key) rewrites applied to stems:
# old orthography (oe, dj, tj), Arabic and English loanword spellings (dh, ch, ph). Doubled letters
# are collapsed after these (Mekkah/Mekah, Muhammad/Muhamad).
SPELLING_RULES: tuple[tuple[str, str], ...] = (
    ("dh", "d"), ("ch", "c"), ("ph", "f"), ("oe", "u"), ("dj", "j"), ("tj", "c"),
)

# Productive prefixes of compounds written as one word: "microchip" also means "chip".
COMPOUND_PREFIXES: tuple[str, ...] = (
    "micro", "mikro", "nano", "anti", "multi", "super", "mega", "ultra", "semi", "auto",
)

# Leetspeak digits as the letters they stand for ("J0K0WI", "b4ns0s", "pk1").
LEET: dict[int, str] = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"})
