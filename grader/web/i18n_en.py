"""English for every Indonesian UI string (keys are the Indonesian text as written in the code)."""
from __future__ import annotations

from grader.grading.shown import STATUS_WORDS, TRAINEE_STATUS_WORDS

EN: dict[str, str | tuple[str, str]] = {     # (singular, plural): chosen by the count n (i18n.gettext)
    # layout and navigation
    "Latihan C.Hasil": "C.Hasil practice",
    "Latihan C.Hasil KPPS": "KPPS C.Hasil practice",
    "Latihan": "Exercises",
    "Latihan@@satu": "Exercise",
    "Lembar@@satu": "Sheet",
    "Keluar": "Log out",
    "Kirim foto": "Send a photo",
    "Pelatih": "Trainer",
    "Kesalahan": "Error",
    "Maaf": "Sorry",
    "Kembali ke halaman kirim foto": "Back to sending a photo",
    "Kembali ke isian ini": "Back to this entry",
    "Kembali ke hasil dan kirim lagi": "Back to the result, to send it again",
    # errors
    "Permintaan tidak valid.": "The request is not valid.",
    "Anda tidak berhak membuka halaman ini.": "You may not open this page.",
    "Halaman tidak ditemukan.": "Page not found.",
    "Cara membuka halaman ini tidak didukung.": "This page cannot be opened that way.",
    "Berkas terlalu besar. Batasnya {mb} MB per unggahan; kirim foto ponsel biasa.":
        "The upload is too large. The limit is {mb} MB per upload; send an ordinary phone photo.",
    "Terjadi kesalahan pada server. Coba lagi sebentar lagi.": "The server had a problem. Try again in a moment.",
    "Terjadi kesalahan.": "Something went wrong.",
    "Server baru dinyalakan ulang dan masih bersiap. Coba lagi sebentar lagi.":
        "The server has just restarted and is still getting ready. Try again in a moment.",
    "Formulir kedaluwarsa. Muat ulang halaman lalu kirim lagi.":
        "This form has expired. Reload the page and send it again.",
    "Server belum dapat memeriksa sesi masuk Anda. Tidak ada yang hilang: coba lagi sebentar lagi.":
        "The server could not check your login just now. Nothing is lost: try again in a moment.",
    "Server belum dapat mencatat Anda masuk. Coba lagi sebentar lagi.":
        "The server could not log you in just now. Try again in a moment.",
    "Server belum dapat mengakhiri sesi masuk Anda, jadi Anda belum keluar. Coba lagi sebentar lagi.":
        "The server could not end your login just now, so you are not logged out yet. Try again in a moment.",
    "Server belum dapat mengakhiri sesi masuk di semua perangkat, jadi belum ada perangkat yang keluar. Tidak ada "
    "yang hilang: coba lagi sebentar lagi.":
        "The server could not end the logins on every device just now, so no device is logged out yet. Nothing is "
        "lost: try again in a moment.",
    # trainee upload
    "Kirim foto lembar latihan": "Send a photo of your practice sheet",
    "Kode latihan": "Exercise code",
    "mis. TJTDFX": "e.g. TJTDFX",
    "nilai lembar kini {score}": "sheet score now {score}",
    "{n} isian yang perlu dicek belum dihitung dalam nilai; nilai bisa berubah setelah pelatih memeriksanya.": (
        "{n} entry waiting to be checked is not counted in the score yet; it may change once a trainer checks it.",
        "{n} entries waiting to be checked are not counted in the score yet; it may change once a trainer checks them.",
    ),
    "Cetak umpan balik (1 halaman)": "Printable feedback (1 page)",
    "Simpan angka {id}": "Save the number of {id}",
    "Buka lembar {trainee} di tab baru": "Open sheet {trainee} in a new tab",
    "Foto terlalu besar: setiap foto paling besar {mb} MB. Kirim foto ponsel biasa.":
        "The photo is too large: each photo may be at most {mb} MB. Send an ordinary phone photo.",
    "Tertera pada soal. Boleh dikosongkan jika lembar Anda dicetak untuk latihan ini (kodenya tercetak di bagian atas "
    "lembar, setelah tulisan KODE, dan ada di kode QR).":
        "It is on the exercise handout. Leave it empty if your sheet was printed for this exercise (the code is "
        "printed at the top of the sheet, after the word KODE, and is in its QR code).",
    "Nama atau nomor peserta": "Your name or trainee number",
    "Foto halaman {n}@@kotak": "Photo of page {n}",      # the upload form's inputs (a result's button: "Photograph")
    "Foto setiap halaman secara utuh dari atas, di tempat terang; keempat kotak hitam di sudutnya harus terlihat.":
        "Photograph each page whole from above, in good light, with its four black corner squares visible.",
    "PDF dari aplikasi pemindai juga bisa; satu PDF boleh berisi kedua halaman.":
        "A scanner app's PDF works too; one PDF may hold both pages.",
    "Kirim dan nilai": "Send and grade",
    "Mengunggah…": "Uploading…",
    "Koneksi terputus atau macet.": "The connection dropped or stalled.",
    "Server tidak menjawab (kode {status}).": "The server did not answer (code {status}).",
    "Berkas yang dipilih masih di sini: ketuk “Unggah dan nilai” lagi.":
        "The files you chose are still here: tap “Upload and grade” again.",
    "Foto, kode, dan nama Anda masih di sini: ketuk “Kirim dan nilai” lagi.":
        "Your photos, code and name are still here: tap “Send and grade” again.",
    "Foto sudah terkirim semua; server masih memprosesnya. Tunggu sebentar dan jangan tutup halaman ini.":
        "All photos are sent; the server is still processing them. Wait a little and keep this page open.",
    "Sedang diproses…": "Processing…",
    "Semua sudah terkirim dan kemungkinan besar sudah sampai, tetapi server belum menjawab. Kirim lagi untuk membuka hasilnya: yang sudah sampai tidak disimpan dua kali.":
        "Everything was sent and has most likely arrived, but the server has not answered. Send again to open the result: what arrived is not stored twice.",
    # a file past the server's limits, refused before it is sent ({name} and {size} are the file's)
    "{name} berukuran {size} MB, padahal satu foto paling besar {mb} MB. Pilih foto lembar dari kamera ponsel, bukan video atau berkas lain.":
        "{name} is {size} MB, but a photo may be at most {mb} MB. Choose a photo of the sheet from the phone's camera, not a video or another file.",
    "PDF {name} berukuran {size} MB, padahal PDF paling besar {mb} MB. Simpan PDF-nya lebih kecil di aplikasi pemindai, atau kirim foto lembarnya.":
        "The PDF {name} is {size} MB, but a PDF may be at most {mb} MB. Save it smaller in the scanner app, or send photos of the sheet.",
    "TIFF {name} berukuran {size} MB, padahal TIFF paling besar {mb} MB. Pindai ulang dengan resolusi lebih rendah atau dengan kompresi (JPEG atau LZW), atau kirim foto lembarnya.":
        "The TIFF {name} is {size} MB, but a TIFF may be at most {mb} MB. Scan it again at a lower resolution or with compression (JPEG or LZW), or send photos of the sheet.",
    "Ukuran semua berkas yang dipilih {size} MB, padahal satu kiriman paling besar {mb} MB. Kirim satu foto per halaman, atau satu PDF yang berisi kedua halaman.":
        "The files you chose come to {size} MB together, but one sending may be at most {mb} MB. Send one photo per page, or one PDF holding both pages.",
    # ... and in a trainer's batch, which takes zips too
    "{name} berukuran {size} MB, padahal satu foto paling besar {mb} MB. Pilih lagi tanpa berkas itu: foto lembar dari ponsel jauh lebih kecil.":
        "{name} is {size} MB, but a photo may be at most {mb} MB. Choose the files again without it: a phone's photo of a sheet is much smaller.",
    "PDF {name} berukuran {size} MB, padahal satu PDF paling besar {mb} MB. Pindai ulang dengan resolusi lebih rendah, atau bagi PDF-nya menjadi beberapa berkas.":
        "The PDF {name} is {size} MB, but a PDF may be at most {mb} MB. Scan it again at a lower resolution, or split it into several files.",
    "TIFF {name} berukuran {size} MB, padahal satu TIFF paling besar {mb} MB. Pindai ulang dengan resolusi lebih rendah atau dengan kompresi (JPEG atau LZW), atau bagi TIFF-nya menjadi beberapa berkas.":
        "The TIFF {name} is {size} MB, but a TIFF may be at most {mb} MB. Scan it again at a lower resolution or with compression (JPEG or LZW), or split it into several files.",
    "Zip {name} berukuran {size} MB, padahal satu unggahan paling besar {mb} MB. Bagi fotonya ke beberapa zip, lalu unggah satu per satu.":
        "The zip {name} is {size} MB, but one upload may be at most {mb} MB. Split its photos into several zips and upload them one at a time.",
    "Ukuran semua berkas yang dipilih {size} MB, padahal satu unggahan paling besar {mb} MB. Unggah dalam beberapa bagian.":
        "The files you chose come to {size} MB together, but one upload may be at most {mb} MB. Upload them in several parts.",
    "Kiriman dari perangkat ini": "Sent from this device",
    "ada kiriman lebih baru": "sent again since",
    "nilai sementara": "provisional score",
    "Diganti foto terakhirnya": "Replaced by its last photo",
    "Dinilai dari foto lain": "Graded from another photo",
    "Halaman {n} sudah dinilai dari foto {file}; foto ini tidak perlu diulang.":
        "Page {n} is graded from the photo {file}; this photo need not be taken again.",
    "Waktu": "Time",
    "Kode": "Code",
    "Nilai": "Score",
    "Lihat": "View",
    "Unduh lembar latihan kosong untuk latihan {code}": "Download a blank practice sheet for exercise {code}",
    "lembar lain": "other sheets",
    "Unduh lembar latihan kosong": "Download a blank practice sheet",
    "Halaman {page}: ": "Page {page}: ",
    "Pilih foto lembar latihan (minimal satu halaman).": "Choose a photo of the practice sheet (at least one page).",
    "Halaman yang akan difoto ulang tidak dikenal.": "Unknown page to retake.",
    # pending and result
    "Sedang dinilai…": "Grading…",
    "Foto Anda sudah tersimpan. Hasil muncul di sini dalam beberapa detik; halaman ini boleh dimuat ulang.":
        "Your photo is saved. The result appears here in a few seconds; you may reload this page.",
    "Hasil": "Result",
    "Hasil {who}": "Result for {who}",
    "Hasil penilaian": "Your result",
    "Lembar belum dinilai": "Your sheet is not graded yet",
    "Penilaian ulang gagal": "Grading again failed",
    "Lembar ini sudah pernah dinilai, tetapi penilaiannya diulang dan kali ini gagal. Hasil sebelumnya tidak hilang, tetapi belum berlaku lagi dan isiannya belum bisa disanggah sampai lembar ini berhasil dinilai ulang.":
        "This sheet was graded before, but its grading was run again and this time it failed. The earlier result is "
        "not lost, but it does not count again, and its entries cannot be disputed, until the sheet is graded again.",
    "Foto tidak dapat dinilai": "The photo could not be graded",
    "Server gagal menilai lembar ini": "The server could not grade this sheet",
    "Kirim ulang": "Send again",
    "Coba proses lagi": "Try processing again",
    "Foto yang sudah tersimpan diproses lagi, tanpa perlu dikirim ulang. Sisa kesempatan: {n}.":
        "The photos already stored are processed again; you do not need to send them again. Tries left: {n}.",
    "Anda sudah {n} kali meminta lembar ini diproses lagi, tetapi server gagal lagi.": (
        "You asked for this sheet to be processed again once, and the server failed again.",
        "You asked for this sheet to be processed again {n} times, and the server failed again.",
    ),
    "Kesempatan dari halaman ini sudah habis. Minta pelatih menilai ulang lembar ini dari foto yang tersimpan; Anda tidak perlu mengirim foto lagi.":
        "No tries are left from this page. Ask the trainer to grade this sheet again from the stored photos; you do not "
        "need to send the photos again.",
    "Lembar Anda diproses lagi dari foto yang sudah tersimpan.": "Your sheet is being processed again from the stored photos.",
    "Lembar ini tidak bisa diproses lagi dari sini; lihat keterangannya di bawah.":
        "This sheet cannot be processed again from here; see the explanation below.",
    "Kode latihan tidak terbaca dari lembar. Kirim ulang dengan mengetik kode latihan.":
        "The exercise code could not be read from the sheet. Send again and type the exercise code.",
    "Percobaan sebelumnya pada latihan ini": "Your earlier attempts at this exercise",
    "Sekarang": "Now",
    "Kirim lembar lain": "Send another sheet",
    "Peserta": "Trainee",
    "Dikirim": "Sent",
    "Foto perlu diulang": "Please retake this photo",
    "Sebaiknya foto ulang": "A retake is advised",
    "Halaman ini tidak dinilai": "This page was not graded",
    "Latihan {code} tidak ada di server ini (sudah dihapus, atau lembarnya dicetak dari server lain), jadi halaman ini "
    "tidak dapat dinilai di sini.":
        "Exercise {code} is not on this server (it was removed, or the sheet was printed from another server), so this "
        "page cannot be graded here.",
    "Latihan {code} tidak ada di server ini (sudah dihapus, atau lembarnya dicetak dari server lain), jadi lembar itu "
    "tidak dapat dinilai di sini.":
        "Exercise {code} is not on this server (it was removed, or the sheets were printed from another server), so "
        "they cannot be graded here.",
    "Nilai dengan latihan {code}": "Grade it under exercise {code}",
    "Lembar ini tidak dicetak untuk latihan itu.": "This sheet was not printed for that exercise.",
    "Halaman {pages} belum dikirim.": "Page {pages} was not sent.",
    "Halaman {pages} belum dinilai.": "Page {pages} is not graded yet.",
    "Foto ini bukan halaman {pages}": "This photo is not page {pages}",
    "Foto yang Anda kirim adalah halaman {sent}, bukan halaman {pages}.": "The photo you sent is page {sent}, not page {pages}.",
    "Halaman {sent} tetap dinilai dari foto sebelumnya; foto ini tidak menggantikannya.": "Page {sent} is still graded from the earlier photo; this photo does not replace it.",
    "Foto halaman {pages} sebelumnya ditolak:": "The earlier photo of page {pages} was refused:",
    "Foto yang Anda kirim sudah dinilai di lembar ini, jadi tidak dinilai lagi sebagai kiriman baru. Untuk "
    "memperbaiki satu halaman, ambil foto baru halaman itu dengan kamera.":
        "The photos you sent were already graded on this sheet, so they are not graded again as a new sending. To "
        "fix a page, take a new photo of it with the camera.",
    "Lengkapi lembar ini": "Complete this sheet",
    "{n} lembar di unggahan ini dicetak untuk latihan {code}, bukan {this}.": (
        "{n} sheet in this upload was printed for exercise {code}, not {this}.",
        "{n} sheets in this upload were printed for exercise {code}, not {this}."),
    "Nilai semuanya dengan latihan {code}": ("Grade it under exercise {code}", "Grade them all under exercise {code}"),
    "Nilai lembar itu dengan latihan {code}": "Grade it under exercise {code}",
    "{n} lembar dinilai ulang dengan latihan {code}.": ("{n} sheet graded again under exercise {code}.",
                                                        "{n} sheets graded again under exercise {code}."),
    "Dipindah ke latihan {code}": "Moved to exercise {code}",
    "Dikirim ulang oleh peserta": "Sent again by the trainee",
    "Lihat lembar terbaru": "See the newest sheet",
    "Sedang dinilai dengan latihan {code}.": "Being graded under exercise {code}.",
    "Lihat di hasil kelas {code}": "See it in the class results of {code}",
    "Unduh untuk Excel (XLSX)": "Download for Excel (XLSX)",
    "CSV untuk program lain (pemisah koma):": "CSV for other programs (comma-separated):",
    "Ada hasil yang lebih baru untuk lembar ini ({when}).": "There is a newer result for this sheet ({when}).",
    "Lihat hasil terbaru": "See the latest result",
    "Kiriman ini sudah diganti oleh kiriman Anda berikutnya ({when}), dengan nama, kode latihan atau foto yang dibetulkan. Pelatih hanya melihat kiriman yang baru.":
        "This sending was replaced by your later sending from the same form ({when}), with the name, exercise code "
        "or photo corrected. Your trainer sees only the later one.",
    "Lihat kiriman terbaru": "See the latest sending",
    "Kiriman ini sudah diganti oleh kiriman Anda berikutnya; buka kiriman terbaru Anda dan kirim dari sana.":
        "This sending was replaced by your later one; open your latest sending and send from there.",
    "Isian {field}: ": "Entry {field}: ",
    "Ke isian {id}, untuk membetulkan sanggahan Anda ↓": "To entry {id}, to mend your dispute ↓",
    "{n} kiriman foto disisihkan: server berhenti mendadak sebelum mencatatnya, dan kiriman itu tidak bisa dicatat ulang atau sudah dikirim lagi. Pengirimnya tidak pernah diberi tahu bahwa kirimannya tersimpan: bila ada peserta yang belum melihat hasilnya, minta ia mengirim ulang; bila lembar dari unggahan banyak lembar Anda tidak ada di tabel kelas, unggah lagi foto lembar itu. Fotonya disimpan di server (folder quarantine/submissions) untuk diperiksa pengelola server.":
        "{n} photo sending(s) were set aside: the server stopped suddenly before recording them, and they could not "
        "be recorded again or were sent again. Their senders were never told they were stored: if a trainee has not seen their result, "
        "ask them to send again; if a sheet of a batch you uploaded is missing from the class table, upload its photos "
        "again. The photos are kept on the server (folder quarantine/submissions) for the "
        "administrator to check.",
    "Kiriman yang menunggu kode latihan": "Uploads waiting for an exercise code",
    "Kode latihan kiriman ini salah atau tidak diketahui. Fotonya disimpan; pesertanya bisa membetulkan kodenya, "
    "atau Anda memilihkan latihannya di halaman lembar.": "These uploads' exercise code is wrong or unknown. The "
    "photos are kept; the trainee can correct the code, or you can pick the exercise on the sheet's page.",
    "Menunggu kode latihan": "Waiting for an exercise code",
    "Foto yang dikirim": "Photos as sent",
    "Foto ke-{n} yang dikirim ({file})": "Photo {n} as sent ({file})",
    "Foto halaman {n} yang ditolak ({file})": "The refused photo of page {n} ({file})",
    "Foto ke-{n} yang ditolak ({file})": "Refused photo {n} as sent ({file})",
    # which photo a refused one is, by the input it was chosen in (the upload form's box, a result's button)
    "Foto yang dikirim di kotak “{box}” ({file})": "The photo sent in the “{box}” box ({file})",
    "Foto yang dikirim dengan tombol “{button}” ({file})": "The photo sent with the “{button}” button ({file})",
    "Nilai dengan latihan": "Grade under exercise",
    "Pilih latihannya dulu.": "Choose the exercise first.",
    "kiriman terakhir {when}": "latest sending {when}",
    "Semua halaman lembar ini sudah dinilai dari foto lain; foto ini tidak perlu diulang.":
    "Every page of the sheet is graded from the other photos; this photo need not be taken again.",
    "Halaman {pages} tidak ada di kiriman ini. Lengkapi di sini agar semua halaman dinilai bersama.":
    "Page {pages} is not in this upload. Complete it here to have all pages graded together.",
    "Halaman {pages} tidak ada di kiriman ini. Pelatih melihat kiriman terakhir Anda, jadi lengkapi di sini agar "
    "semua halaman dinilai bersama.": "Page {pages} is not in this upload. Your trainer sees your latest upload, so "
    "complete it here to have all pages graded together.",
    "Foto halaman {kept} sudah tersimpan dan dinilai di bawah; tidak perlu dikirim lagi. Tambahkan halaman {pages} "
    "di sini agar semua halaman dinilai bersama.": "The photo of page {kept} is stored and graded below; there is no "
    "need to send it again. Add page {pages} here to have all pages graded together.",
    # a dispute saying a number other than the key's: the field is wrong whatever we read
    "Isian {field}: Anda menulis {written}, padahal seharusnya {expected}, jadi isian ini tetap salah, apa pun yang "
    "kami baca. Tidak perlu dicek pelatih; periksa lagi hitungan Anda.": "Entry {field}: you wrote {written}, "
    "but it should be {expected}, so the entry is wrong whatever we read. There is nothing for a trainer to "
    "check; go over your count again.",
    # a refused photo's card, when the sending's other photos were read: a retake keeps them
    "Foto halaman {pages} sudah tersimpan dan dinilai di bawah; tidak perlu dikirim lagi. Cukup foto ulang yang "
    "ini.": "The photo of page {pages} is stored and graded below; there is no need to send it again. Just retake "
    "this one.",
    "Halaman {page} belum dinilai ({file}).": "Page {page} was not graded ({file}).",
    "Foto yang sama ({file}) dipilih untuk halaman {first} dan halaman {page}, jadi hanya dinilai sekali.":
        "The same photo ({file}) was chosen for page {first} and page {page}, so it was graded once.",
    "Berkas yang tidak ikut dinilai": "Files that were not graded",
    "Setelah hasilnya muncul, tambahkan foto halaman {pages} di layar hasil; foto yang sudah terkirim tidak perlu "
    "dikirim lagi.": "Once the result is shown, add page {pages} on the result page; the photos already sent need "
    "not be sent again.",
    "Pakai halaman {n} dari kiriman {when}": "Use page {n} from your upload of {when}",
    "Lihat kiriman itu": "See that upload",
    "Foto halaman {n}": "Photograph page {n}",
    "Halaman dari kiriman itu tidak bisa dipakai untuk lembar ini.": "The page from that upload cannot be used for "
    "this sheet.",
    "Foto halaman {pages} ditolak (lihat di atas).": "The photo of page {pages} was refused (see above).",
    "Halaman {pages} belum terbaca.": "Page {pages} has not been read.",
    "belum terbaca": "not read yet",
    "Belum terbaca": "Not read yet",
    "Nilai ini hanya dari halaman yang terbaca; nilai lengkap setelah semua halaman terbaca.":
        "This score is from the pages read only; the full score comes once every page is read.",
    "halaman {n}": "page {n}",
    "halaman {pages}": ("page {pages}", "pages {pages}"),     # (n: how many)
    "Halaman {n}": "Page {n}",
    "Foto ulang": "Retake photo",
    "Foto ulang Anda masih di sini: ketuk “Kirim ulang”, tanpa memilih foto lagi.":
        "Your new photo is still here: tap “Send again”, without choosing the photo again.",
    "Foto halaman {n} Anda masih di sini: ketuk “Kirim ulang”, tanpa memilih foto lagi.":
        "Your photo of page {n} is still here: tap “Send again”, without choosing the photo again.",
    "Kirim": "Send",
    "Tiga hal yang perlu diperbaiki": "The three things to fix",
    "Yang perlu diperbaiki": "What to fix",
    "Aturan hitungan yang dilanggar": "Arithmetic rules broken",
    "tertulis": "written",
    "isian terkait": "entries",
    "Catatan lain": "Other notes",
    "Peringatan": "Warning",
    "Catatan": "Note",
    "Lembar Anda, dengan tanda": "Your sheet, marked",
    "Lembar bertanda": "The sheet, marked",
    "Halaman {n} bertanda": "Page {n}, marked",
    "Isian per bagian": "Entries by section",
    "perlu diperbaiki": "to fix",
    "perlu dicek": "to check",
    "Maksud Anda kode ini?": "Did you mean this code?",
    "Halaman hasil untuk peserta": "The trainee's result page",
    "Cetak umpan balik semua peserta": "Print every trainee's feedback",
    "Dibuka lewat {host}, alamat yang tidak bisa dibuka ponsel: cetakan tanpa kode QR ke halaman hasil peserta.":
        "Opened at {host}, an address phones cannot open: printouts carry no QR code to the trainee's result page.",
    "Belum ada lembar yang dinilai untuk dicetak.": "No graded sheet to print yet.",
    "Nomor {n} juga ada di lembar lain latihan ini ({who}): keduanya kini dihitung sebagai percobaan peserta yang "
    "sama, dan tabel kelas memakai yang terbaru. Bila salah ketik, ganti nomornya.": "Number {n} is also on another "
    "sheet of this exercise ({who}): both now count as attempts of the same trainee, and the class table uses the "
    "latest. If it was a typing slip, change the number.",
    "Kode yang mirip dengan yang Anda ketik. Pilih bila sama dengan kode pada soal Anda; lembar langsung dinilai.":
        "A code like the one you typed. Choose it if it is the code on your exercise; the sheet is graded at once.",
    "{n} isian yang menunggu pelatih belum dihitung dalam nilai; nilai bisa berubah setelah pelatih memeriksanya.": (
        "{n} entry waiting for the trainer is not counted in the score yet; it may change once the trainer checks it.",
        "{n} entries waiting for the trainer are not counted in the score yet; it may change once the trainer checks "
        "them.",
    ),
    "semua benar": "all correct",
    "Uraian": "Description",
    "Isian": "Entry",
    "Terbaca": "Read as",
    "sementara": "provisional",
    "Seharusnya": "Expected",
    "Status": "Status",
    "Koreksi": "Correction",
    "Angka yang benar untuk {id}": "Correct number for {id}",
    # statuses, sections, kinds
    "Antre": "Queued", "Sedang dinilai": "Being graded", "Selesai": "Done", "Gagal": "Failed",
    "angka": "digits", "bulatan": "bubbles", "turus": "tally",
    "I. Data pemilih dan pengguna hak pilih": "I. Voters and voters who voted",
    "II. Data penggunaan surat suara": "II. Ballots",
    "III. Pemilih disabilitas": "III. Voters with disabilities",
    "IV. Perolehan suara": "IV. Votes per candidate pair",
    "V. Suara sah dan tidak sah": "V. Valid and invalid votes",
    "Periksa kode latihan": "Check the exercise code",
    "Mengirim…": "Sending…",
    "Foto Anda sudah tersimpan; tidak perlu memilihnya lagi. Setelah pelatih menambahkan latihan yang tercetak pada lembar, ketik kodenya di sini.":
        "Your photos are saved; you need not choose them again. Once your trainer has added the exercise printed on "
        "the sheet, type its code here.",
    "Lembar ini untuk latihan lain": "This sheet is for another exercise",
    "Latihan Anda {code}?": "Is your exercise {code}?",
    "Lembar yang Anda foto dicetak untuk latihan lain, jadi tidak bisa dinilai untuk {code}. Isi lembar latihan "
    "{code} (minta kepada pelatih bila belum punya), lalu kirim fotonya.":
        "The sheet you photographed is printed for another exercise, so it cannot be graded for {code}. Fill in a "
        "sheet of exercise {code} (ask your trainer if you have none), then send its photos.",
    "Kirim foto lembar lain": "Send photos of another sheet",
    "Latihan Anda memang {code}?": "Is your exercise really {code}?",
    "Foto Anda sudah tersimpan; tidak perlu memilihnya lagi. Kosongkan kode agar lembar dinilai untuk latihan yang "
    "tercetak di kode QR-nya ({code}), atau ketik kode yang benar.":
        "Your photos are saved; you need not choose them again. Leave the code empty to grade the sheet for the "
        "exercise its QR code names ({code}), or type the right code.",
    "Foto Anda sudah tersimpan; tidak perlu memilihnya lagi. Ketik kode latihan (tertera pada soal).":
        "Your photos are saved; you need not choose them again. Type the exercise code (it is on the handout).",
    "Foto Anda sudah tersimpan; tidak perlu memilihnya lagi. Ketik kode latihan yang benar (tertera pada soal), atau "
    "kosongkan agar kode dibaca dari kode QR di lembar.":
        "Your photos are saved; you need not choose them again. Type the right exercise code (it is on the "
        "handout), or leave it empty to read it from the sheet's QR code.",
    "Nilai sekarang": "Grade now",
    # trainer: login
    "Masuk sebagai pelatih": "Trainer log in",
    "Anda belum masuk sebagai pelatih. Masuk lagi, lalu coba lagi.":
        "You are not logged in as a trainer. Log in again, then try again.",
    "Nama Anda": "Your name",
    "Kata sandi pelatih": "Trainer password",
    "Masuk": "Log in",
    "Isi nama Anda (dicatat pada setiap koreksi).": "Fill in your name (it is recorded with every correction).",
    "Kata sandi salah.": "Wrong password.",
    "Keluar dari semua perangkat": "Log out on every device",
    "Anda sudah keluar di perangkat ini. Perangkat lain yang masuk tetap masuk; untuk mengakhirinya, masuk lalu pilih "
    "“Keluar dari semua perangkat” di bagian bawah halaman pelatih.":
        "You are logged out on this device. Other devices logged in stay logged in; to end them, log in and choose "
        "“Log out on every device” at the foot of the trainer page.",
    "Lupa keluar di komputer pinjaman, atau ponsel Anda hilang? Ini mengakhiri setiap sesi masuk pelatih di semua "
    "perangkat, termasuk yang ini; setiap pelatih masuk lagi dengan kata sandi pelatih.":
        "Forgot to log out on a borrowed computer, or lost your phone? This ends every trainer login on every "
        "device, this one included; each trainer logs in again with the trainer password.",
    "Bila kata sandinya mungkin diketahui orang lain, minta pengelola server menggantinya: kata sandi baru juga "
    "mengakhiri semua sesi masuk.":
        "If someone else may know the password, ask whoever runs the server to change it: a new password ends every "
        "login too.",
    "Ya, keluarkan semua perangkat, termasuk yang ini": "Yes, log out every device, this one included",
    "Centang konfirmasi dulu untuk keluar dari semua perangkat.":
        "Tick the confirmation first to log out on every device.",
    "Anda sudah keluar dari semua perangkat: setiap sesi masuk pelatih berakhir, termasuk yang ini.":
        "You are logged out on every device: every trainer login has ended, this one included.",
    # trainer: exercises
    "Daftar latihan": "All exercises",
    "Pemilihan": "Contest",
    "Paslon": "Pairs",
    "Lembar": "Sheets",
    "Rata-rata": "Average",
    "Belum ada latihan. Buat yang pertama di sebelah.": "No exercises yet. Create the first one here.",
    "Buat latihan baru": "New exercise",
    "Jenis pemilihan": "Contest",
    "Lembar latihan": "Practice sheets",
    "Cetak lembar latihan untuk bimtek KPPS. Setiap lembar berisi dua halaman dengan penanda sudut dan kode QR.":
        "Print practice sheets for the KPPS briefing. Each sheet has two pages with corner markers and a QR code.",
    "Templat {id} versi {version}": "Template {id}, version {version}",
    "{n} paslon": ("{n} pair", "{n} pairs"),
    "Jumlah paslon": "Number of candidate pairs",
    "Nomor variasi soal (opsional)": "Exercise variant number (optional)",
    "kosong = dipilih acak": "empty = chosen at random",
    "Nomor yang sama memberi soal yang sama (misalnya untuk kelas kedua).":
        "The same number gives the same exercise (for a second class, say).",
    "Belum ada latihan untuk menilainya.": "There is no exercise to grade it with yet.",
    "Jebakan": "Traps",
    "surat suara rusak": "damaged ballots",
    "pemilih DPTb": "DPTb voters",
    "kolom kosong (satu paslon)": "empty column (single pair)",
    "dibuat {when}": "made {when}",
    "Kolom kosong hanya ada bila paslon tunggal: latihan ini dibuat dengan {n} paslon, bukan {chosen}.":
        "An empty column (kolom kosong) exists only where a single pair runs: this exercise was made with {n} pair, "
        "not {chosen}.",
    "Buat latihan": "Create exercise",
    "Nomor variasi soal harus berupa angka.": "The exercise variant number must be a number.",
    "Latihan {code} dibuat.": "Exercise {code} created.",
    "Hasil kelas": "Class results",
    "Periksa": "Review",
    "Antrean periksa": "Review queue",
    "Rekap kelas": "Class insight",
    "Nilai banyak lembar": "Grade many sheets",
    "Pilih banyak foto sekaligus, satu berkas zip, atau hasil pindaian PDF atau TIFF (satu halaman lembar per "
    "halaman berkas). Foto satu peserta dikelompokkan menurut kode QR, nomor peserta yang tertulis di lembar, atau "
    "nama berkas (mis. 017_1.jpg dan 017_2.jpg).":
        "Choose many photos at once, one zip file, or scans as PDF or TIFF (one sheet page per page of the file). One "
        "trainee's photos are grouped by their QR code, the trainee number written on the sheet, or file name (e.g. "
        "017_1.jpg and 017_2.jpg).",
    "Berkas di kotak “{box}” sudah berisi {m} halaman; dengan kotak lainnya ada {k} halaman, padahal lembar ini {n} "
    "halaman. Kirim berkas itu saja, atau satu foto per halaman.":
        "The file in the “{box}” box already holds {m} pages; with the other box that makes {k} pages, but this sheet "
        "has {n}. Send that file alone, or one photo per page.",
    "Setiap berkas yang dipilih berisi beberapa halaman: semuanya {k} halaman, padahal lembar ini {n} halaman. Kirim "
    "satu berkas saja yang berisi halaman lembar ini, atau satu foto per halaman.":
        "Each file chosen holds several pages: {k} pages in all, but this sheet has {n}. Send one file holding this "
        "sheet's pages only, or one photo per page.",
    "Foto atau zip": "Photos or a zip",
    "Unggah dan nilai": "Upload and grade",
    "Unggahan sebelumnya": "Earlier uploads",
    "Unggahan sebelumnya sudah sampai, walau jawabannya terputus. Unggah lagi untuk melengkapinya: yang sudah sampai "
    "tidak disimpan dua kali.":
        "Your earlier upload arrived, though its answer was cut off. Upload again to complete it: what arrived is not "
        "stored twice.",
    "Lihat unggahan itu": "See that upload",
    "{n} lembar": ("{n} sheet", "{n} sheets"),
    "Cetak": "Print",
    "Halaman ini dibuka lewat alamat komputer ini sendiri ({host}), yang tidak bisa dibuka ponsel, jadi soal dicetak "
    "tanpa kode QR untuk mengirim foto. Buka halaman ini lewat alamat jaringan komputer ini (lihat “Tampilkan di layar "
    "kelas”) sebelum mencetak soal.":
        "This page was opened at this computer's own address ({host}), which phones cannot open, so the handout prints "
        "without the QR code for sending photos. Open this page at the computer's network address (see “Show on the "
        "classroom screen”) before printing the handout.",
    "Soal (PDF)": "Handout (PDF, in Indonesian)",
    "Lembar kosong (PDF)": "Blank sheet (PDF)",
    "Lembar bernama dari daftar peserta (CSV dengan kolom no dan nama)":
        "Named sheets from a roster (a CSV with columns no and name)",
    "Unduh lembar bernama": "Download named sheets",
    "Ekspor": "Export",
    "Lembar (CSV)": "Sheets (CSV)",
    "Isian (CSV)": "Entries (CSV)",
    "Pilih berkas CSV daftar peserta.": "Choose the roster CSV file.",
    "Daftar peserta terlalu panjang (maksimal {n} orang per unduhan).":
        "The roster is too long (at most {n} people per download).",
    # trainer: batches
    "Penilaian banyak lembar": "Batch grading",
    "{finished} / {total} lembar selesai": "{finished} / {total} sheets done",
    "Selesai; {n} lembar sedang dinilai ulang": ("Done; {n} sheet being graded again",
                                                 "Done; {n} sheets being graded again"),
    "{read} / {total} foto dibaca": "{read} / {total} photos read",
    "Setelah semua foto dibaca, halaman 1 dan 2 tiap peserta dipasangkan menjadi satu lembar, lalu dinilai bersama.":
        "Once every photo is read, each trainee's page 1 and page 2 are paired into one sheet and graded together.",
    "Halaman {pages} dicari di antara foto lain unggahan ini.": "Page {pages} is being looked for among this "
                                                                "upload's other photos.",
    "gagal": "failed",
    "ditolak": "refused",
    "sebagian": "partial",
    "Pengiriman unggahan ini terputus sebelum semua fotonya tersimpan (server berhenti atau gagal menyimpan), jadi mungkin ada foto yang tidak tercantum di bawah. Yang tersimpan sudah dinilai.":
        "Sending this upload was cut short before all its photos were stored (the server stopped or could not store "
        "them), so some photos may be missing below. What was stored is graded.",
    "Pengiriman unggahan ini terputus sebelum semua fotonya tersimpan (server berhenti atau gagal menyimpan), jadi mungkin ada foto yang tidak tercantum di bawah. Yang tersimpan sedang dinilai.":
        "Sending this upload was cut short before all its photos were stored (the server stopped or could not store "
        "them), so some photos may be missing below. What was stored is being graded.",
    "Kirim lagi folder atau zip yang sama dari halaman latihan {code}": "Send the same folder or zip again from exercise {code}'s page",
    "foto yang sudah tersimpan tidak dinilai dua kali.": "photos already stored are not graded twice.",
    "terputus: kirim lagi": "cut short: send it again",
    "Nomor peserta": "Trainee number",
    "Laki-laki": "Men",
    "Peserta ini mengirim lembar lagi sesudah lembar ini; tabel kelas, rekap kelas dan ekspor memakai yang terakhir.":
        "This trainee sent a sheet again after this one; the class table, the insight and the exports use the last one.",
    "Ini percobaan terakhir peserta ini; tabel kelas, rekap kelas dan ekspor memakai lembar ini.":
        "This is this trainee's latest attempt; the class table, the insight and the exports use this sheet.",
    "Peserta ini mengirim lagi sesudah lembar ini, tetapi semua foto kiriman itu ditolak; tabel kelas, rekap kelas dan "
    "ekspor tetap memakai lembar ini.":
        "This trainee sent again after this sheet, but every photo of that sending was refused; the class table, the "
        "insight and the exports still use this sheet.",
    "Peserta ini mengirim lagi sesudah lembar ini, tetapi kiriman itu belum lengkap (tidak semua halamannya terbaca); "
    "tabel kelas, rekap kelas dan ekspor tetap memakai lembar ini, yang lengkap.":
        "This trainee sent again after this sheet, but that sending is incomplete (not every page of it was read); the "
        "class table, the insight and the exports still use this sheet, which is complete.",
    "Tidak semua halaman kiriman ini terbaca; tabel kelas, rekap kelas dan ekspor tetap memakai lembar lengkap "
    "peserta ini sebelumnya, yang bertanda “yang dihitung”, sampai kiriman ini dilengkapi.":
        "Not every page of this sending was read; the class table, the insight and the exports still use this "
        "trainee's earlier complete sheet, the one marked “the one counted”, until this sending is completed.",
    "Semua foto kiriman ini ditolak, jadi tidak ada yang dinilai; tabel kelas, rekap kelas dan ekspor tetap memakai "
    "lembar peserta ini sebelumnya, yang bertanda “yang dihitung”.":
        "Every photo of this sending was refused, so nothing was graded; the class table, the insight and the exports "
        "still use this trainee's earlier sheet, the one marked “the one counted”.",
    "Peserta ini mengirim lembar lagi sesudah lembar ini; tabel kelas, rekap kelas dan ekspor memakai yang bertanda "
    "“yang dihitung”.":
        "This trainee sent a sheet again after this one; the class table, the insight and the exports use the one "
        "marked “the one counted”.",
    "lembar ini": "this sheet",
    "yang dihitung": "the one counted",
    "nilai": "score",
    "Perempuan": "Women",
    "Jumlah": "Total",
    "Buka halaman ini lagi lewat alamat jaringan komputer ini; kode QR-nya akan muncul:":
        "Open this page again at this computer's network address; its QR code will show:",
    "Simpan nomor": "Save the number",
    "Lembar tanpa nomor peserta ({n})": "Sheets with no trainee number ({n})",
    "{n} tanpa nomor": "{n} with no number",
    "{n} lembar tanpa nomor peserta menunggu nomornya, di bawah antrean":
        ("{n} sheet with no trainee number waits for its number, below the queue",
         "{n} sheets with no trainee number wait for their numbers, below the queue"),
    "Nomor peserta di lembar ini belum terbaca dengan pasti, jadi tabel kelas mencatatnya dengan nama berkas fotonya. Ketik nomornya seperti tertulis di lembar (ganti ? dengan angkanya) agar lembar masuk ke baris pesertanya.":
        "The trainee numbers on these sheets were not read surely, so the class table lists them under their photos' "
        "file names. Type each number as written on the sheet (replace ? with its digit) to put the sheet in its "
        "trainee's row.",
    "Nomor ini diketik pelatih dari gambar lembar, bukan terbaca dari lembar.":
        "A trainer typed this number off the sheet's picture; it was not read from the sheet.",
    "Nomor yang tertulis di lembar belum terbaca dengan pasti, jadi lembar ini dicatat dengan nama berkasnya. Ketik nomornya agar lembar ini masuk ke baris pesertanya di tabel kelas.":
        "The number written on the sheet was not read surely, so this sheet is listed under its file name. Type the "
        "number to put the sheet in its trainee's row of the class table.",
    "Ketik nomor peserta dengan angka saja (paling banyak {n} angka), seperti tertulis di lembar.":
        "Type the trainee number in digits only (at most {n}), as written on the sheet.",
    "Ganti setiap tanda ? dengan angka yang tertulis di lembar.": "Replace each ? with the digit written on the sheet.",
    "Nomor peserta lembar ini kini {n}.": "This sheet's trainee number is now {n}.",
    "Nomor peserta lembar {sheet} kini {n}.": "Sheet {sheet}'s trainee number is now {n}.",
    "Lembar {sheet} digabung dengan halaman lain peserta {n} ({mates}) menjadi satu lembar, yang sedang dinilai.":
        "Sheet {sheet} is joined with trainee {n}'s other page ({mates}) into one sheet, being graded now.",
    "Lembar {sheet} sudah digabung ke lembar lain atau diganti: nomor {n} tidak disimpan. Ketik nomornya di lembar "
    "yang menggantikannya.":
        "Sheet {sheet} was merged into another sheet or replaced: number {n} is not saved. Type it on the sheet that "
        "replaced it.",
    "Selesai.": "Done.",
    "Lihat hasil kelas": "See the class results",
    "Muat ulang untuk melihat kemajuan": "Reload to see progress",
    "Berkas yang dilewati": "Files skipped",
    "Foto ini sudah pernah dikirim dan ada di lembar {sheet}; tidak dinilai dua kali.":
        "This photo was already sent and is on sheet {sheet}; it is not graded twice.",
    "Berkas": "Files",
    "Tidak ada foto yang bisa dinilai dalam unggahan ini.": "This upload has no photo that can be graded.",
    "Semua foto dalam unggahan ini sudah pernah dikirim dan dinilai; tidak ada yang dinilai lagi.":
        "Every photo in this upload was sent and graded before; none is graded again.",
    "Tertulis di lembar": "Written on the sheet",
    "kode latihan {code}": "exercise code {code}",
    "nomor peserta {n}": "trainee number {n}",
    "Hapus lembar ini": "Remove this sheet",
    "Untuk foto uji coba atau lembar yang salah kirim. Lembar, fotonya, koreksi dan sanggahannya dihapus untuk selamanya; peserta tidak bisa membukanya lagi.":
        "For a test photo or a sheet sent by mistake. The sheet, its photos, corrections and disputes are removed for "
        "good; the trainee can no longer open it.",
    "Ya, hapus lembar ini beserta fotonya": "Yes, remove this sheet and its photos",
    "Ya, hapus lembar ini beserta fotonya dan kiriman sebelumnya yang digantikannya":
        "Yes, remove this sheet and its photos, and the earlier sendings it replaced",
    "Begitu juga kiriman sebelumnya yang digantikannya.": "So are the earlier sendings it replaced.",
    "Lembar ini diganti oleh kiriman berikutnya ({when}): peserta membetulkan nama, kode latihan atau foto lalu mengirim lagi. Lembar ini tidak dihitung di tabel kelas, antrean periksa, rekap kelas, maupun ekspor.":
        "This sheet was replaced by a later sending from the same form ({when}): the trainee corrected the name, "
        "exercise code or photo and sent it again. This sheet does not count in the class table, the review queue, "
        "the class insight or the exports.",
    "Lihat lembar penggantinya": "See the sheet that replaced it",
    "Lembar ini menggantikan kiriman sebelumnya ({when}) yang namanya, kode latihannya atau fotonya dibetulkan.":
        "This sheet replaces an earlier sending ({when}) whose name, exercise code or photo it corrects.",
    "Lihat kiriman sebelumnya": "See the earlier sending",
    "Hapus": "Remove",
    "Centang konfirmasi dulu untuk menghapus lembar ini.": "Tick the confirmation first to remove this sheet.",
    "Lembar ini sedang dinilai; hapus setelah selesai.": "This sheet is being graded; remove it once it is done.",
    "Lembar {name} dan fotonya sudah dihapus.": "Sheet {name} and its photos were removed.",
    "Hapus latihan ini": "Remove this exercise",
    "Kembali ke daftar latihan": "Back to the exercises",
    "Unggahan ini sudah dihapus bersama latihannya.": "This upload was removed with its exercise.",
    "Lembar ini sudah dihapus oleh pelatih, beserta fotonya.": "A trainer removed this sheet, with its photos.",
    "Setelah pelatihan selesai. Kunci jawaban dan semua lembar kelas ini ({n}), dengan foto, koreksi dan sanggahannya, dihapus untuk selamanya; peserta tidak bisa membuka hasilnya lagi, dan lembar yang dicetak dengan kode ini tidak bisa dinilai lagi. Unduh ekspornya dulu bila masih perlu.":
        "Once the training is over. The answer key and every sheet of this class ({n}), with their photos, corrections "
        "and disputes, are removed for good; trainees can no longer open their results, and sheets printed with this "
        "code can no longer be graded. Download the exports first if you still need them.",
    "Ketik kode latihan ({code}) untuk memastikan": "Type the exercise code ({code}) to confirm",
    "Ketik kode latihan {code} untuk memastikan, lalu tekan Hapus lagi.":
        "Type the exercise code {code} to confirm, then press Remove again.",
    "Masih ada lembar latihan ini yang sedang dinilai; hapus setelah semuanya selesai.":
        "Some sheets of this exercise are still being graded; remove it once they are all done.",
    "Latihan {code} dihapus, beserta {n} lembar dan fotonya.": (
        "Exercise {code} was removed, with {n} sheet and its photos.",
        "Exercise {code} was removed, with {n} sheets and their photos."),
    "Hal. {n}": "P. {n}",
    "Nomor dan nama yang ditulis peserta": "The number and name the trainee wrote",
    "Penyimpanan server penuh: {n} dari {total} lembar tersimpan; kirim lagi foto yang dilewati.":
        "The server's storage is full: {n} of {total} sheets were stored; send the skipped photos again.",
    "Server gagal menyimpan: {n} dari {total} lembar tersimpan; kirim lagi foto yang sama.":
        "The server failed to store them all: {n} of {total} sheets were stored; send the same photos again.",
    "Foto yang belum tersimpan sebelumnya kini tersimpan di unggahan ini: {n} foto.": (
        "The photo not stored before is now stored in this upload: {n} photo.",
        "The photos not stored before are now stored in this upload: {n} photos."),
    # trainer: the exports' worksheets and headers (grader.web.export; the rest are the pages' words)
    "lembar": "sheets",
    "isian": "entries",
    "Nama": "Name",
    "Penilaian": "Grading",
    "Nilai halaman yang terbaca": "Score of the pages read",
    "Nilai sementara": "Provisional score",
    "ya": "yes",
    "Percobaan": "Attempts",
    "Dikirim oleh": "Sent by",
    "Halaman": "Page",
    "Bagian": "Section",
    "Jenis": "Kind",
    "Keyakinan": "Confidence",
    "Menurut peserta": "The trainee says",
    "Waktu sanggahan": "Disputed at",
    "Dikoreksi oleh": "Corrected by",
    "Waktu koreksi": "Corrected at",
    "{column} (kode)": "{column} (code)",
    # trainer: results, sheet, review, insight
    "Belum ada lembar untuk latihan ini.": "No sheets for this exercise yet.",
    "Urutkan menurut:": "Sort by:",
    "Tidak dapat dinilai": "Could not be graded",
    "Lembar ini sudah pernah dinilai, tetapi penilaiannya diulang dan kali ini gagal. Hasil sebelumnya masih tersimpan, tetapi tidak dihitung (di tabel kelas, rata-rata kelas dan ekspor) dan belum bisa dikoreksi atau disanggah sampai lembar ini dinilai ulang dari foto yang tersimpan; koreksi yang sudah disimpan ikut dihitung lagi.":
        "This sheet was graded before, but its grading was run again and this time it failed. The earlier result is "
        "still stored, but it does not count (in the class table, the class mean and the exports) and cannot be "
        "corrected or disputed until the sheet is graded again from its stored photos; the corrections already saved "
        "count again then.",
    "hasil lama, tidak dihitung": "earlier result, not counted",
    "Sedang dinilai ulang": "Being graded again",
    "Sedang dinilai ulang…": "Being graded again…",
    "hasil lama, tidak dihitung sampai selesai dinilai ulang": "earlier result, not counted until graded again",
    "Sedang dinilai ulang: hasil sebelumnya (nilai {score}) tidak dihitung sampai selesai dinilai ulang.":
        "Being graded again: the earlier result (score {score}) does not count until it is graded again.",
    "Sedang dinilai ulang: hasil sebelumnya tidak dihitung sampai selesai dinilai ulang.":
        "Being graded again: the earlier result does not count until it is graded again.",
    "Hasil sebelumnya (nilai {score}) tidak dihitung sampai selesai dinilai ulang.":
        "The earlier result (score {score}) does not count until it is graded again.",
    "Hasil sebelumnya tidak dihitung sampai selesai dinilai ulang.":
        "The earlier result does not count until it is graded again.",
    "Penilaian ulang gagal: hasil sebelumnya (nilai {score}) tidak dihitung sampai lembar ini dinilai ulang.":
        "Grading again failed: the earlier result (score {score}) does not count until the sheet is graded again.",
    "Penilaian ulang gagal: hasil sebelumnya tidak dihitung sampai lembar ini dinilai ulang.":
        "Grading again failed: the earlier result does not count until the sheet is graded again.",
    "Nilai ulang dari foto yang tersimpan": "Grade again from the stored photos",
    "Sebelum": "Before",
    "Sesudah": "After",
    "Oleh": "By",
    "Periksa isian yang meragukan": "Review uncertain entries",
    "Ketik angka yang benar lalu tekan": "Type the correct number and press",
    "Enter saja untuk menyetujui bacaan; ganti ? dengan isi kotak yang belum terbaca pasti; kosongkan untuk kotak kosong; "
    "X dan tanda - seperti di lembar (XXX = 0).":
        "Enter alone confirms; replace ? with what a box not read surely holds; empty means a blank box; X and dashes "
        "as on the sheet (XXX = 0).",
    "tanpa gambar": "no image",
    # a refused page's reason in a few words (present.REFUSAL_SHORT), in a class table row
    "Bukan foto": "Not a photo", "Berkas rusak": "Damaged file", "Berkas terlalu besar": "File too large",
    "Pindaian hitam-putih": "Black-and-white scan", "Foto kabur": "Blurry photo", "Foto terlalu gelap": "Photo too dark",
    "Foto silau": "Glare on the photo", "Lembar terlalu kecil untuk dibaca": "Sheet too small to read",
    "Lembar terpotong": "Sheet cut off", "Sudut lembar tertutup": "Sheet corner covered", "Sudut lembar tidak terlihat": "Sheet corners not found",
    "Foto terlalu miring": "Photo taken at a steep angle",
    "Foto terbalik kiri-kanan": "Mirrored photo",
    "Lembar latihan tidak ditemukan di foto": "No practice sheet found in the photo", "Jenis lembar tidak dikenal": "Unknown sheet type",
    "Kode lembar tidak terbaca": "Sheet code unreadable", "Lembar latihan lain": "Another exercise's sheet",
    "Lembar peserta lain": "Another trainee's sheet", "Halaman terkirim dua kali": "Page sent twice",
    "Simpan tulisan peserta: {v}": "Save what the trainee wrote: {v}",
    "{id} {label}: terbaca {value}": "{id} {label}: read as {value}",
    "{id} {label}: belum terbaca": "{id} {label}: not read yet",
    "terbaca": "read",
    "Kami menyatakan isian salah hanya bila bacaan kami hampir pasti. Isian di sini belum sepasti itu, walau "
    "bacaannya mungkin benar: Anda yang memutuskan.":
        "We mark an entry wrong only when we are almost certain of our reading. The entries here fall short of "
        "that, though the reading may well be right: you decide.",
    "Tidak ada isian yang perlu dicek.": "Nothing to review.",
    "Selesai: semua isian di antrean ini sudah Anda cek.": "Done: every entry in this queue has been checked.",
    "Isian di halaman ini sudah Anda cek. Isian lain yang kini perlu dicek: {n}.":
        "The entries on this page are checked. Other entries that now need checking: {n}.",
    "Muat ulang antrean": "Reload the queue",
    "Sementara: {n} isian pada lembar {k} peserta masih perlu dicek, jadi angka di halaman ini masih bisa berubah.": (
        "Provisional: {n} entry still needs checking, on {k} of the sheets counted here, so the figures on this "
        "page may still change.",
        "Provisional: {n} entries still need checking, on {k} of the sheets counted here, so the figures on this "
        "page may still change."),
    "Ketik angka saja (atau kosongkan untuk kotak kosong).": "Type digits only (or leave empty for a blank box).",
    "Ganti setiap tanda ? dengan isi kotak itu seperti tertulis di lembar.":
        "Replace each ? with what that box holds on the sheet.",
    "Koreksi {field} disimpan.": "Correction of {field} saved.",
    "Terima kasih. Anda menulis {written}, padahal seharusnya {expected}, jadi isian {field} tetap dihitung salah; "
    "pelatih akan memeriksa hitungan yang memakai isian ini.":
        "Thank you. You wrote {written}, but it should be {expected}, so entry {field} still counts as wrong; a trainer "
        "will check the sums that use this entry.",
    "Terima kasih. Isian {field} tidak dihitung salah sampai pelatih memeriksanya.":
        "Thank you. Entry {field} will not count as wrong until a trainer has checked it.",
    "Bukan ini yang saya tulis?": "Not what I wrote?",
    "(isian {id}, {label})": "(entry {id}, {label})",
    "yang saya tulis": "what I wrote",
    "Yang saya tulis di {id}": "What I wrote in {id}",
    "Minta dicek pelatih": "Ask the trainer to check",
    "Disanggah peserta": "Disputed by the trainee",
    "Anda menyanggah bacaan ini": "You disputed this reading",
    "Anda menulis": "you wrote",
    "Sanggahan peserta ({n})": "Disputes from trainees ({n})",
    "Isian lain yang meragukan": "Other uncertain entries",
    "lembar sebelumnya": "earlier sheet",
    "kiriman berikutnya, belum lengkap": "later sending, incomplete",
    "Kiriman ini belum lengkap, jadi tabel kelas memakai lembar lengkap peserta ini sebelumnya; sanggahan pada lembar "
    "ini tetap menunggu jawaban Anda.":
        "This sending is incomplete, so the class table uses this trainee's earlier complete sheet; the dispute on "
        "this sheet still waits for your answer.",
    "Kunci jawaban": "Answer key",
    "Untuk pelatih: jangan dibagikan sebelum peserta selesai. Turus dan bulatan setiap paslon sama dengan angkanya.":
        "For the trainer: do not hand it out before the trainees are done. Each pair's tally and bubbles equal its number.",
    "Terlalu banyak berkas dalam satu unggahan: paling banyak {n}. Unggah dalam beberapa bagian.":
        "Too many files in one upload: at most {n}. Upload them in several parts.",
    "Formulir ini tidak bisa diterima: terlalu banyak berkas atau isian terlalu panjang. Muat ulang halaman, pilih foto lembar Anda, lalu kirim lagi.":
        "This form cannot be accepted: too many files or an entry too long. Reload the page, choose the photos of your sheet, and send again.",
    "Dipilih {n} berkas, padahal satu unggahan paling banyak {max}. Unggah dalam beberapa bagian.":
        "{n} files chosen, but one upload may hold at most {max}. Upload them in several parts.",
    "Peserta ini sudah mengirim lembar lain sesudahnya; sanggahan pada lembar ini tetap menunggu jawaban Anda.":
        "This trainee has sent another sheet since; the dispute on this sheet still waits for your answer.",
    "{id} beres oleh koreksi tadi": "{id} settled by that correction",
    "{n} isian lain kini perlu dicek; muat ulang halaman": ("{n} more entry now needs checking; reload the page",
                                                                 "{n} more entries now need checking; reload the page"),
    "Belum tersimpan. Coba lagi.": "Not saved. Try again.",
    "menulis": "wrote",
    "menunggu pelatih": "waiting for the trainer",
    "sudah dijawab pelatih": "answered by the trainer",
    "Alasan": "Why",
    "ada kotak yang belum kami baca dengan yakin": "we could not read a box surely",
    "ada kotak bertinta pucat (pena hampir habis?) yang bisa terbaca lain": "a box has pale ink (a pen running dry?) that could read otherwise",
    "kotak tercetak di isian ini atau di dekatnya tidak terlihat di tempatnya (kertas terlipat atau melengkung? garis kotak tertutup cairan koreksi?)":
        "the printed boxes of this entry or of one near it are not seen in their place (folded or bent paper? box lines under correction fluid?)",
    "cetakan halaman ini di foto tidak terlihat di tempatnya (kertas terlipat? garis kotak tertutup cairan koreksi?): bila kertas terlipat, foto ulang halaman ini dengan kertas rata":
        "this page's print is not seen in its place on the photo (folded paper? box lines under correction fluid?): if the sheet is folded, photograph this page again with it flat",
    "kami belum yakin membaca kotak ke-{ns}": ("we are not sure how to read box {ns}", "we are not sure how to read boxes {ns}"),
    "dan": "and",
    "kami belum yakin menghitung turus di kotak {places}": ("we are not sure of the count in the tally cell at {places}",
                                                           "we are not sure of the count in the tally cells at {places}"),
    "baris {row}, kolom {col} (terbaca {read})": "row {row}, column {col} (read as {read})",
    "belum terbaca dengan yakin": "not read surely",
    "Kebiasaan menulis yang perlu dibahas": "Writing habits to go over with the class",
    "Turus, angka dan bulatan satu paslon (atau kolom kosong) tidak sama": "A pair's (or the empty column's) tally, digits and bubbles disagree",
    "Kotak depan dibiarkan kosong, bukan diisi X": "Unused leading boxes left blank instead of X",
    "Isian dibiarkan kosong": "Entries left blank",
    "Tidak ada: setiap lembar mengikuti cara menulis formulir.": "None: every sheet follows the form's writing rules.",
    "ada kotak yang kami ragukan: bisa terbaca sebagai dua angka yang berbeda":
        "a box we are unsure of: it could be either of two digits",
    "angka tampak ditulis melintasi garis kotak (tulis satu angka per kotak)":
        "the number looks written across the box borders (write one digit per box)",
    "ada X di antara dua angka (mis. 4X7)": "impossible box pattern (digit, X, digit)",
    "kotak paling kanan kosong": "a trailing box is blank",
    "tidak ada bulatan terisi": "no bubble filled",
    "lebih dari satu bulatan terisi": "more than one bubble filled",
    "bulatan dihitamkan terlalu tipis": "a light bubble fill",
    "ada tanda di sekeliling bulatan, bukan dihitamkan (dilingkari?)": "a mark around a bubble, not a fill (circled?)",
    "ada bekas bulatan yang dihapus": "an erased bubble",
    "bulatan tercetak tidak di tempatnya (kertas melengkung?)": "printed bubbles out of place (curled paper?)",
    "cetakan bulatan terlalu pucat (fotokopi pudar?)": "printed bubbles too pale (a faded photocopy?)",
    "berbeda dengan bacaan lain pasangan ini": "disagrees with this pair's other readings",
    "disanggah peserta": "disputed by the trainee",
    "berbeda dengan kunci, tetapi kami belum cukup yakin dengan bacaannya untuk menyatakannya salah":
        "differs from the key, but not read surely enough to call it wrong",
    "aturan hitungan tidak cocok dan kami kurang yakin membaca isian ini":
        "an arithmetic rule fails and this entry is one of its unsure readings",
    "berbeda dengan kunci, tetapi hitungannya memuat isian lain yang belum kami baca dengan yakin; pelatih memeriksanya dulu":
        "differs from the key, but its sum holds another entry we could not read surely; a trainer checks it first",
    "berbeda dengan kunci, tetapi turus dan bulatan pasangan ini sama dengan kunci; pelatih memeriksanya dulu":
        "differs from the key, but this pair's tally and bubbles match the key; a trainer checks it first",
    "angka yang terbaca pasti sudah berbeda dengan kunci (? = angka yang belum terbaca pasti)":
        "the digits read surely already differ from the key (? = a digit we could not read surely)",
    "angka yang terbaca pasti sudah berbeda dengan kunci": "the digits read surely already differ from the key",
    "menurut peserta sendiri, angka yang ditulis berbeda dengan kunci; pelatih tetap memeriksa bacaannya":
        "by the trainee's own word, the number written differs from the key; a trainer still checks our reading",
    "ada kelompok turus yang tidak berisi lima garis": "a tally group is not a group of five",
    "dua garis turus bersentuhan": "two tally strokes touch",
    "garis turus bertumpuk": "tally strokes drawn over each other",
    "jumlah garis yang terlihat tidak cocok dengan hitungan": "the amount of ink does not fit the count",
    "garis silang kelompok terakhir kurang jelas": "the last group's crossing stroke is unclear",
    "garis turus terakhir pendek atau terpotong garis": "the last strokes are short or cut by a line",
    "kotak turus tercetak tidak di tempatnya (kertas melengkung?)": "printed tally grid out of place (curled paper?)",
    "mungkin ada garis turus tipis": "there may be a faint stroke",
    "ada garis tercetak yang melintasi kotak turus (goresan mesin fotokopi?)":
        "a line printed across the tally cells (a copier streak?)",
    "kotak turus tidak diisi berurutan": "tally cells not filled in order",
    "garis turus kurang jelas": "unclear tally strokes",
    "{n} peserta dinilai": ("{n} trainee graded", "{n} trainees graded"),
    "{n} peserta": ("{n} trainee", "{n} trainees"),
    "{n} foto ditolak": ("{n} photo refused", "{n} photos refused"),
    "Foto yang ditolak tanpa nama peserta: ada di tabel, tidak dihitung sebagai peserta.":
        "Photos refused that name no trainee: in the table, not counted as trainees.",
    "Setiap peserta dihitung sekali, dari lembar yang dipakai tabel kelas untuknya: lembar terakhirnya, kecuali "
    "kiriman yang ditolak seluruhnya atau yang terbaca sebagian sesudah lembar lengkapnya.":
        "Each trainee counts once, by the sheet the class table uses for them: their latest, but for a sending "
        "refused whole or read in part after their complete sheet.",
    "Tidak dihitung di sini: lembar {n} peserta yang dipakai tabel kelas gagal dinilai. Buka lembarnya lalu nilai "
    "lagi agar dihitung:": (
        "Not counted here: the sheet the class table uses for {n} trainee failed to be graded. Open the sheet and "
        "grade it again to count it:",
        "Not counted here: the sheets the class table uses for {n} trainees failed to be graded. Open each sheet and "
        "grade it again to count it:"),
    "Belum di sini: lembar baru {n} peserta sedang dinilai, seperti di tabel kelas; lembar sebelumnya tidak dihitung "
    "lagi. Isiannya muncul di sini setelah selesai dinilai:": (
        "Not here yet: {n} trainee's newer sheet is being graded, as the class table shows; their earlier sheet no "
        "longer counts. It shows here once it is graded:",
        "Not here yet: {n} trainees' newer sheets are being graded, as the class table shows; their earlier sheets no "
        "longer count. They show here once they are graded:"),
    "Belum di sini: lembar {n} peserta sedang dinilai ulang, seperti di tabel kelas. Isiannya muncul di sini setelah "
    "selesai dinilai:": (
        "Not here yet: {n} trainee's sheet is being graded again, as the class table shows. It shows here once it is "
        "graded:",
        "Not here yet: {n} trainees' sheets are being graded again, as the class table shows. They show here once "
        "they are graded:"),
    "no. peserta {n}": "trainee no. {n}",
    "juga dengan nama: {names}": "also named: {names}",
    "Juga dengan nama": "Also named",
    "juga lembar latihan {code}:": "also a sheet of exercise {code}:",
    "juga lembar latihan lain:": "also a sheet of another exercise:",
    "Kiriman berikutnya ditolak": "Later sending refused",
    "kiriman berikutnya ditolak ({when}; {why}):": "a later sending refused ({when}; {why}):",
    "kiriman berikutnya belum lengkap ({when}; {why}):": "a later sending incomplete ({when}; {why}):",
    "Pelatih tetap menghitung lembar Anda sebelumnya yang sudah dinilai sampai ada kiriman yang terbaca.":
        "The trainer still counts your earlier graded sheet until a sending of yours is read.",
    "Pelatih tetap menghitung lembar lengkap Anda sebelumnya sampai kiriman ini dilengkapi.":
        "The trainer still counts your earlier complete sheet until this sending is completed.",
    "Lembar Anda sebelumnya yang sudah dinilai sedang dinilai ulang; nilainya belum dihitung sampai selesai "
    "dinilai. Setelah itu, pelatih tetap menghitung lembar itu sampai ada kiriman yang terbaca.":
        "Your earlier graded sheet is being graded again; its score is not counted until that is done. Then the "
        "trainer still counts that sheet until a sending of yours is read.",
    "Lembar lengkap Anda sebelumnya sedang dinilai ulang; nilainya belum dihitung sampai selesai dinilai. Setelah "
    "itu, pelatih tetap menghitung lembar itu sampai kiriman ini dilengkapi.":
        "Your earlier complete sheet is being graded again; its score is not counted until that is done. Then the "
        "trainer still counts that sheet until this sending is completed.",
    "Penilaian ulang lembar Anda sebelumnya yang sudah dinilai gagal, jadi nilainya belum dihitung sampai lembar "
    "itu berhasil dinilai ulang; setelah itu, pelatih tetap menghitung lembar itu sampai ada kiriman yang terbaca. "
    "Beri tahu pelatih Anda agar lembar itu dinilai ulang.":
        "Grading your earlier graded sheet again failed, so its score is not counted until it is graded again; then "
        "the trainer still counts that sheet until a sending of yours is read. Tell your trainer, so that it is "
        "graded again.",
    "Penilaian ulang lembar lengkap Anda sebelumnya gagal, jadi nilainya belum dihitung sampai lembar itu berhasil "
    "dinilai ulang; setelah itu, pelatih tetap menghitung lembar itu sampai kiriman ini dilengkapi. Beri tahu "
    "pelatih Anda agar lembar itu dinilai ulang.":
        "Grading your earlier complete sheet again failed, so its score is not counted until it is graded again; "
        "then the trainer still counts that sheet until this sending is completed. Tell your trainer, so that it is "
        "graded again.",
    "Lembar ini sudah pernah dinilai dan sedang dinilai ulang dari foto yang tersimpan; Anda tidak perlu mengirim "
    "apa pun.": "This sheet was graded before and is being graded again from its stored photos; you need not send "
                "anything.",
    "Hasil barunya muncul di sini; halaman ini boleh dimuat ulang.":
        "Its new result shows here; you may reload this page.",
    "Kiriman berikutnya belum lengkap": "Later sending incomplete",
    "halaman {n} belum dikirim": "page {n} not sent",
    "halaman {n}: {why}": "page {n}: {why}",
    "halaman {pages} belum terbaca": ("page {pages} not read yet", "pages {pages} not read yet"),
    "Peserta ini mengirim lagi sesudah lembar ini, tetapi semua foto kiriman itu ditolak, jadi tidak ada yang dinilai. "
    "Lembar ini tetap yang dihitung sampai peserta mengirim lembar yang tidak ditolak.":
        "This trainee sent again after this sheet, but every photo of that sending was refused, so nothing was "
        "graded. This sheet is still the one counted until the trainee sends one that is not refused.",
    "Peserta ini mengirim lagi sesudah lembar ini, tetapi tidak semua halaman kiriman itu terbaca. Lembar ini tetap "
    "yang dihitung sampai peserta mengirim lembar yang lengkap.":
        "This trainee sent again after this sheet, but not every page of that sending was read. This sheet is still "
        "the one counted until the trainee sends a complete one.",
    "buka": "open",
    "Foto lembar latihan lain dengan nomor peserta ini ada di kiriman. Tidak dihitung di latihan ini; bukalah untuk "
    "memindahkannya ke latihan yang benar.":
        "A photo of another exercise's sheet with this trainee number was sent. It does not count in this exercise; "
        "open it to move it to the right exercise.",
    "Kiriman dengan nomor peserta ini juga memakai nama ini (diketik di formulir atau tercetak di lembar). Bila bukan "
    "orang yang sama, buka lembarnya.":
        "Sendings under this trainee number also carried these names (typed on the form or printed on the sheet). If "
        "they are not the same person, open the sheets.",
    "diketik di formulir: {name}": "typed on the form: {name}",
    "Lembar ini menyebut pesertanya sendiri (kode QR atau nomor peserta yang tertulis); nama yang diketik di formulir "
    "hanya keterangan.": "The sheet names its own trainee (its QR code or the trainee number written on it); the name "
                         "typed on the form is only shown beside it.",
    "rata-rata": "average",
    "rata-rata {score} dari {n} peserta yang lembarnya lengkap": (
        "average {score} over the {n} trainee whose sheet is complete",
        "average {score} over the {n} trainees whose sheet is complete"),
    "Tanpa nilai karena lembarnya belum lengkap: {n} peserta": (
        "No score yet, their sheet missing a page: {n} trainee", "No score yet, their sheets missing a page: {n} trainees"),
    "Isian yang paling sering salah": "Entries most often wrong",
    "Kesalahan yang sama di angka, turus dan bulatan satu paslon (salah hitung, atau dibiarkan kosong) dihitung sekali, pada angkanya.":
        "The same mistake in a pair's digits, tally and bubbles (a miscount, or left blank) counts once, at its "
        "digits.",
    "Tidak ada isian yang salah.": "No entry is wrong.",
    "Aturan yang paling sering dilanggar": "Rules most often broken",
    "Tidak ada aturan yang dilanggar.": "No rule is broken.",
    "Belum ada aturan yang dilanggar di antara yang sudah bisa dicek.": "No rule broken so far among those checked.",
    "Belum bisa dicek: {n} aturan pada lembar {k} peserta, karena isiannya masih perlu dicek pelatih. Aturan itu bisa saja dilanggar.": (
        "Not checkable yet: {n} rule, on {k} of the sheets counted here, as entries in it still need a trainer's "
        "check. It may be broken.",
        "Not checkable yet: {n} rules, on {k} of the sheets counted here, as entries in them still need a "
        "trainer's check. They may be broken."),
    "Belum bisa dicek: {n} aturan pada lembar {k} peserta, karena halamannya belum terbaca (belum dikirim atau fotonya ditolak).": (
        "Not checkable yet: {n} rule, on {k} of the sheets counted here, as its page is not read (not sent, or "
        "its photo refused).",
        "Not checkable yet: {n} rules, on {k} of the sheets counted here, as their pages are not read (not sent, "
        "or their photos refused)."),
    "Sebaran nilai": "Score distribution",
    "Belum ada lembar yang dinilai.": "No sheet graded yet.",
    "Tampilkan di layar kelas": "Show on the classroom screen",
    "Pindai untuk mengirim foto lembar": "Scan to send the photos of your sheet",
    "atau buka": "or open",
    "atau": "or",
    "Ponsel peserta belum bisa membuka alamat ini": "The trainees' phones cannot open this address yet",
    "Anda membuka aplikasi lewat {url}: alamat itu hanya ada di komputer ini. Di ponsel, alamat yang sama berarti "
    "ponsel itu sendiri.": "You opened the app at {url}: that address exists on this computer only. On a phone, the "
    "same address means the phone itself.",
    "Sambungkan komputer ini dan ponsel peserta ke Wi-Fi yang sama (atau hotspot ponsel Anda).":
        "Connect this computer and the trainees' phones to the same Wi-Fi (or your phone's hotspot).",
    "Jalankan server untuk jaringan itu:": "Serve the app on that network:",
    "Buka halaman ini lagi lewat alamat jaringan komputer ini (mis. http://192.168.1.20:{port}/trainer); kode QR-nya "
    "akan muncul.": "Open this page again at this computer's network address (e.g. http://192.168.1.20:{port}/trainer); "
    "its QR code will show.",
    "{n} dari {total} isian dinilai": "{n} of {total} entries graded",
    "belum lengkap": "incomplete",
    "sementara {score} / 100 untuk halaman yang terbaca": "provisionally {score} / 100 for the pages read",
}
# a result's and a field's statuses, in the words the printable sheet uses too: one table, grader.grading.shown
EN.update(STATUS_WORDS.values())
EN.update(TRAINEE_STATUS_WORDS.values())
