"""Reading uploaded zips without trusting them."""
import io
import stat
import zipfile

import pytest

from grader.errors import GraderError
from grader.file_names import split_page
from grader.web.batching import group_by_filename, merge_candidates
from grader.web.safezip import ZipLimits, read_zip


def make_zip(members, compression=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for m in members:
            if isinstance(m, zipfile.ZipInfo):
                zf.writestr(m, b"target.jpg")
            else:
                zf.writestr(*m)
    return buf.getvalue()


def test_regular_members_are_read_with_base_names():
    out = read_zip(make_zip([("a/b/017_1.jpg", b"x1"), ("017_2.jpg", b"x2"), ("dir/", b"")]))
    # (in their paths' order: the later photo of a page is the later name, as in a folder)
    assert out.files == [("017_2.jpg", b"x2"), ("017_1.jpg", b"x1")] and out.skipped == []


def test_members_come_in_the_order_their_names_say_they_were_taken():
    """Which photo of a page is graded (the last) must not hang on the order a zipper wrote its members in; a
    copy's " (1)" comes after its original, and numbered copies count (plain name order put "x (1)" first)."""
    names = ["IMG-20261206-WA0007.jpg", "x (12).jpg", "x (2).jpg", "IMG-20261206-WA0001.jpg", "x.jpg", "x (1).jpg",
             "kelas/Sari/hal1.jpg"]
    out = read_zip(make_zip([(n, n.encode()) for n in names]), keep_folders=True)
    assert [n for n, _ in out.files] == ["IMG-20261206-WA0001.jpg", "IMG-20261206-WA0007.jpg", "kelas/Sari/hal1.jpg",
                                         "x.jpg", "x (1).jpg", "x (2).jpg", "x (12).jpg"]


def test_members_keep_their_folders_when_asked():
    """The CLI names a zip member by its path in the zip (kelas.zip:Lestari/hal1.jpg), whose folder may name the
    trainee; an unsafe path is still skipped."""
    out = read_zip(make_zip([("kelas/Lestari/hal1.jpg", b"1"), ("kelas\\Budi\\hal1.jpg", b"2"),
                             ("kelas/./Budi//hal2.jpg", b"3"), ("kelas/../../x.jpg", b"4")]), keep_folders=True)
    assert [f[0] for f in out.files] == ["kelas/Budi/hal1.jpg", "kelas/Budi/hal2.jpg", "kelas/Lestari/hal1.jpg"]
    assert [s.code for s in out.skipped] == ["zip_path_traversal"]


def test_traversal_absolute_and_symlink_members_are_skipped():
    link = zipfile.ZipInfo("link.jpg")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    out = read_zip(make_zip([("../../etc/x.jpg", b"1"), ("/abs.jpg", b"2"), ("C:/win.jpg", b"3"), link,
                             ("ok.jpg", b"4")]))
    assert [f[0] for f in out.files] == ["ok.jpg"]
    assert sorted(s.code for s in out.skipped) == ["zip_absolute_path", "zip_absolute_path", "zip_link",
                                                   "zip_path_traversal"]


def test_hidden_and_macos_metadata_are_ignored():
    out = read_zip(make_zip([("__MACOSX/._a.jpg", b"1"), (".DS_Store", b"2"), ("a.jpg", b"3")]))
    assert [f[0] for f in out.files] == ["a.jpg"] and out.skipped == []


def test_a_hidden_photo_is_named_among_the_skipped_files_and_macos_metadata_is_not():
    """Input review (h35): every member whose name began with a dot was left out without a word, a real photo
    (``.IMG_001.jpg``, Android's ``.trashed-…``) as well as ``.DS_Store``: its sheet was missing from the batch and
    nothing said why. A photo in a hidden folder (``.thumbnails/``) was graded. macOS's resource forks and hidden
    files that are no photo stay unsaid; so do the resource forks of a chat export's videos (once "not a photo")."""
    out = read_zip(make_zip([
        ("__MACOSX/kelas/._IMG_001.jpg", b"1"), ("kelas/._IMG_002.jpg", b"2"), ("__MACOSX/kelas/._klip.mp4", b"3"),
        (".DS_Store", b"4"), ("kelas/.nomedia", b""),
        ("kelas/.IMG_001.jpg", b"5"), ("kelas/.thumbnails/IMG_002.jpg", b"6"),
        (".trashed-1732680000-IMG_003.jpg", b"7"), ("kelas/.scan.PDF", b"8"),
        ("kelas/IMG_004.jpg", b"9"), ("kelas/klip.mp4", b"10"), ("../.evil.jpg", b"11")]), keep_folders=True)
    assert out.files == [("kelas/IMG_004.jpg", b"9")]
    assert [(s.name, s.code) for s in out.skipped] == [
        ("kelas/.IMG_001.jpg", "zip_hidden"), ("kelas/.thumbnails/IMG_002.jpg", "zip_hidden"),
        (".trashed-1732680000-IMG_003.jpg", "zip_hidden"), ("kelas/.scan.PDF", "zip_hidden"),
        ("kelas/klip.mp4", "not_an_image"), ("../.evil.jpg", "zip_path_traversal")]
    hidden = out.skipped[0]
    assert "diawali titik" in hidden.message_id and "remove the dot" in hidden.message_en


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA])
def test_a_member_with_damaged_compressed_data_is_skipped_and_the_rest_kept(compression):
    """Review (s34): a broken deflate stream raises zlib.error (LZMA: LZMAError), neither of which was caught: the
    web batch answered 500 and stored nothing, the CLI run ended in a traceback, good photos included."""
    photo = bytes(range(256)) * 64
    data = bytearray(make_zip([("a.jpg", photo), ("b.jpg", photo)], compression))
    start = 30 + len("a.jpg")                        # a's compressed data, right after its local header
    data[start:start + 16] = b"\xff" * 16
    out = read_zip(bytes(data))
    assert [f[0] for f in out.files] == ["b.jpg"] and [s.code for s in out.skipped] == ["corrupt_file"]


def test_compression_bomb_member_is_skipped():
    out = read_zip(make_zip([("bomb.jpg", b"\0" * (8 * 1024 * 1024)), ("ok.jpg", b"fine")], zipfile.ZIP_DEFLATED))
    assert [f[0] for f in out.files] == ["ok.jpg"] and out.skipped[0].code == "zip_bomb"


def test_a_scanners_uncompressed_tiff_is_no_bomb_though_it_deflates_far():
    """A zipped folder of an office scanner's scans (h41b): an uncompressed TIFF of a clean white page deflates
    75:1 (grey) to 119:1 (colour), and was skipped as a zip bomb; a raw bitmap is not a photo's JPEG. Its size is
    still held to the member limit as it is read; a photo that deflates so far is still a bomb."""
    clean_page = b"\xff" * (3 * 1024 * 1024)                    # (a white page's raw pixels, as far as deflate sees)
    tiff = b"II*\x00" + clean_page
    out = read_zip(make_zip([("scan/siti_p1.tif", tiff), ("scan/siti_p2.TIFF", tiff), ("foto.jpg", clean_page)],
                            zipfile.ZIP_DEFLATED))
    assert [name for name, _ in out.files] == ["siti_p1.tif", "siti_p2.TIFF"]
    assert [(s.name, s.code) for s in out.skipped] == [("foto.jpg", "zip_bomb")]
    small = read_zip(make_zip([("scan/siti_p1.tif", tiff)], zipfile.ZIP_DEFLATED),
                     limits=ZipLimits(max_member_bytes=1024 * 1024))
    assert [(s.name, s.code) for s in small.skipped] == [("scan/siti_p1.tif", "too_large")]


def test_too_many_members_or_too_much_data_refuses_the_zip():
    with pytest.raises(GraderError) as exc:
        read_zip(make_zip([(f"{i}.jpg", b"x") for i in range(6)]), limits=ZipLimits(max_members=5))
    assert exc.value.code == "bad_zip" and "maksimal 5" in exc.value.message_id
    with pytest.raises(GraderError):
        read_zip(make_zip([("a.jpg", b"x" * 2000)]), limits=ZipLimits(max_total_bytes=1000))


def test_member_over_the_size_limit_is_skipped():
    data = bytearray(make_zip([("a.jpg", b"y" * 5000)]))
    # a member over the per-file limit is skipped, the rest of the zip is kept
    out = read_zip(bytes(data), limits=ZipLimits(max_member_bytes=4000))
    assert out.files == [] and out.skipped[0].code == "too_large"


def test_a_chat_exports_videos_and_voice_notes_are_not_photos_and_do_not_count_against_the_limits():
    """Review: a class group's export with a video had it skipped as 'too large' (read, then refused by size), and
    enough video refused the whole export as too much data."""
    export = make_zip([("IMG-20241127-WA0006.jpg", b"photo"), ("VID-20241127-WA0007.mp4", b"v" * 5000),
                       ("PTT-20241127-WA0008.opus", b"a" * 3000), ("WhatsApp Chat with Kelas.txt", b"chat")])
    out = read_zip(export, limits=ZipLimits(max_member_bytes=4000, max_total_bytes=4000, max_members=2))
    assert out.files == [("IMG-20241127-WA0006.jpg", b"photo")]
    assert [(s.name, s.code) for s in out.skipped] == [("VID-20241127-WA0007.mp4", "not_an_image"),
                                                       ("PTT-20241127-WA0008.opus", "not_an_image"),
                                                       ("WhatsApp Chat with Kelas.txt", "not_an_image")]


def test_a_zip_of_countless_non_photos_is_refused_before_any_is_listed():
    """Review: non-photos left the member count, so a zip of a million tiny texts was listed entry by entry."""
    with pytest.raises(GraderError) as exc:
        read_zip(make_zip([(f"{i}.txt", b"") for i in range(26)]), limits=ZipLimits(max_members=5))
    assert exc.value.code == "bad_zip" and "maksimal 25" in exc.value.message_id


def test_not_a_zip():
    with pytest.raises(GraderError) as exc:
        read_zip(b"PK\x03\x04garbage")
    assert exc.value.code == "bad_zip"


@pytest.mark.parametrize("name, expected", [
    ("017_1.jpg", ("017", 1)), ("017-2.JPG", ("017", 2)), ("Budi hal 2.jpeg", ("budi", 2)),
    ("siti (1).png", ("siti", 1)), ("ani_p2.jpg", ("ani", 2)), ("IMG-20241120-WA0001.jpg", ("img-20241120-wa0001", None)),
    ("trainee12.jpg", ("trainee12", None)), ("p1.jpg", ("p1", None)),
])
def test_page_numbers_from_file_names(name, expected):
    assert split_page(name) == expected


def test_grouping_puts_one_trainees_pages_together_in_order():
    groups = group_by_filename([("017_2.jpg", b"b"), ("021_1.jpg", b"c"), ("017_1.jpg", b"a"), ("x.jpg", b"d"),
                                ("y.jpg", b"e")])
    assert [(g.key, [n for n, _ in g.files]) for g in groups] == [
        ("017", ["017_1.jpg", "017_2.jpg"]), ("021", ["021_1.jpg"]), ("x", ["x.jpg"]), ("y", ["y.jpg"])]
    assert [g.positions for g in groups] == [[2, 0], [1], [3], [4]]       # where each photo stood


def test_merge_candidates_pair_single_pages_of_one_qr_trainee():
    five = {"value": "005", "status": "review"}            # the number read unsure
    rows = [{"id": 1, "exercise": "E", "trainee": "12", "identity_source": "qr", "pages": [1]},
            {"id": 2, "exercise": "E", "trainee": "12", "identity_source": "qr", "pages": [2]},
            {"id": 3, "exercise": "E", "trainee": "13", "identity_source": "qr", "pages": [1]},
            {"id": 4, "exercise": "E", "trainee": "14", "identity_source": "filename", "pages": [2]},
            {"id": 5, "exercise": "E", "trainee": "14", "identity_source": "filename", "pages": [1]},
            # a class printed without a roster: the number written on the sheet, read firmly ("027" is QR 27)
            {"id": 6, "exercise": "E", "trainee": "027", "identity_source": "trainee_number", "pages": [2]},
            {"id": 7, "exercise": "E", "trainee": "27", "identity_source": "qr", "pages": [1]},
            # a firmly named trainee's page 1 photographed twice: one sheet (grading takes the first page 1)
            {"id": 8, "exercise": "E", "trainee": "041", "identity_source": "trainee_number", "pages": [1]},
            {"id": 9, "exercise": "E", "trainee": "041", "identity_source": "trainee_number", "pages": [2]},
            {"id": 10, "exercise": "E", "trainee": "041", "identity_source": "trainee_number", "pages": [1]},
            # ... but unsure numbers never bring a page twice together: which one is misread is not known
            {"id": 11, "exercise": "E", "trainee": "f", "identity_source": "filename", "pages": [1], "trainee_number": five},
            {"id": 12, "exercise": "E", "trainee": "g", "identity_source": "filename", "pages": [1], "trainee_number": five},
            {"id": 13, "exercise": "E", "trainee": "h", "identity_source": "filename", "pages": [2], "trainee_number": five}]
    assert [[r["id"] for r in g] for g in merge_candidates(rows)] == [[1, 2], [7, 6], [8, 10, 9]]
    # a firmly named trainee's page 1 photographed twice and no page 2: one sheet where ``repeats`` (within one
    # batch, as grader grade does), two otherwise; unsure numbers never
    again = rows + [{"id": 14, "exercise": "E", "trainee": "13", "identity_source": "qr", "pages": [1]}]
    assert [[r["id"] for r in g] for g in merge_candidates(again)] == [[1, 2], [7, 6], [8, 10, 9]]
    assert [[r["id"] for r in g] for g in merge_candidates(again, repeats=True)] == [
        [1, 2], [3, 14], [7, 6], [8, 10, 9]]


def test_a_page_sent_again_pairs_with_the_page_its_file_name_names_unless_what_is_read_contradicts():
    """A batch's form sent again after a failure with budi_2.jpg added: its file name pairs it with budi_1.jpg,
    stored the first time (``pairs_with``), as file names pair the pages of one sending; numbers read that disagree
    keep them apart, as they would split such a pair."""
    unsure = lambda n: {"value": n, "status": "review", "sure": n[:-1] + "?"}      # noqa: E731
    rows = [{"id": 1, "exercise": "E", "trainee": "budi", "identity_source": "filename", "pages": [1]},
            {"id": 5, "exercise": "E", "trainee": "budi", "identity_source": "filename", "pages": [2], "pairs_with": 1},
            # two numbers read firmly, 103 and 104: two trainees
            {"id": 2, "exercise": "E", "trainee": "103", "identity_source": "trainee_number", "pages": [1]},
            {"id": 6, "exercise": "E", "trainee": "104", "identity_source": "trainee_number", "pages": [2],
             "pairs_with": 2},
            # 06? and 06? read unsure, as 063 and 068: one box misread is the likelier story
            {"id": 3, "exercise": "E", "trainee": "x", "identity_source": "filename", "pages": [1],
             "trainee_number": unsure("063")},
            {"id": 7, "exercise": "E", "trainee": "x", "identity_source": "filename", "pages": [2],
             "trainee_number": unsure("068"), "pairs_with": 3},
            # (the page it named is no longer single: merged or removed meanwhile)
            {"id": 8, "exercise": "E", "trainee": "y", "identity_source": "filename", "pages": [2], "pairs_with": 4}]
    assert [[r["id"] for r in g] for g in merge_candidates(rows)] == [[1, 5], [3, 7]]


def test_a_count_past_two_is_no_page_number_and_names_pair_only_within_their_zip():
    """QA: Foto 1 / Foto 2 of a folder of Foto 1..12 were taken as one trainee's pages 1 and 2, and budi_p1 of
    one zip was paired with budi_p2 of another."""
    from grader.file_names import named_pages
    entries = [("d", f"Foto {i}.jpg") for i in range(1, 13)] + [("d", f"C.Hasil ({i}).jpg") for i in (1, 2, 3)]
    entries += [("d", "siti (1).jpg"), ("d", "siti (2).jpg"), ("e", "eko 1.jpg"), ("e", "eko 2.jpg")]
    # (a folder of Foto 1 and Foto 2 alone: a camera's count too, no page; file_names._a_count)
    entries += [("f", "Foto 1.jpg"), ("f", "Foto 2.jpg")]
    assert named_pages(entries) == [None] * 15 + [("d", "siti", 1), ("d", "siti", 2), ("e", "eko", 1),
                                                  ("e", "eko", 2), None, None]
    groups = group_by_filename([("budi_p2.jpg", b"a"), ("budi_p1.jpg", b"b"), ("budi_p2.jpg", b"c")],
                               ["A.zip: .", "B.zip: .", "B.zip: ."])
    assert [[d for _, d in g.files] for g in groups] == [[b"a"], [b"b", b"c"]]


def test_a_folder_per_trainee_pairs_its_bare_page_names():
    """QA: Budi/hal1.jpg and Budi/hal2.jpg were not paired (nothing before the page word). Review: not at a zip's
    root, whose members have lost their folders (Budi/hal1 and Siti/hal2 were paired), nor among loose files."""
    from grader.file_names import named_pages
    assert named_pages([("/kelas/Budi", "hal1.jpg"), ("/kelas/Budi", "Hal 2.JPG"), ("/kelas/Siti", "p1.jpg"),
                        ("chat.zip: .", "hal1.jpg"), ("/k/kelas.zip:.", "hal2.jpg"), (".", "hal2.jpg")]) == [
        ("/kelas/Budi", "", 1), ("/kelas/Budi", "", 2), ("/kelas/Siti", "", 1), None, None, None]

