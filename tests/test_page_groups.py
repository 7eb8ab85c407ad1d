"""Grouping a batch's photos into sheets, on hand-made evidence (grader.page_groups)."""
from grader.page_groups import PageEvidence as E
from grader.page_groups import group_pages, may_be_one, normalise_id, number_evidence


def test_an_unsure_trainee_number_joins_the_page_whose_number_was_read_firmly():
    # s0004 in sample_scans: page 1's number read firmly, page 2's unsure; neither file name alone decided it
    ev = [E(page=1, exercise="A", trainee="103", file_key=("d", "s0004")),
          E(page=2, exercise="A", trainee_guess="103", file_key=("d", "s0004-x"))]
    assert group_pages(ev) == [[0, 1]]


def test_chat_export_names_are_scoped_to_their_zip_and_unsure_numbers_pair_the_pages():
    ev = [E(page=1, exercise="A", trainee_guess="41", file_key=("a.zip:.", "IMG-WA0001")),
          E(page=2, exercise="A", trainee_guess="41", file_key=("a.zip:.", "IMG-WA0002")),
          E(page=1, exercise="A", trainee_guess="61", file_key=("b.zip:.", "IMG-WA0001")),
          E(page=2, exercise="A", trainee_guess="61", file_key=("b.zip:.", "IMG-WA0002"))]
    assert group_pages(ev) == [[0, 1], [2, 3]]


def test_a_misread_number_never_merges_two_trainees_sheets():
    # two page 1s that both seem to say 41: at least one is misread, so they stay apart
    ev = [E(page=1, exercise="A", trainee_guess="41", file_key=("d", "x")),
          E(page=1, exercise="A", trainee_guess="41", file_key=("d", "y"))]
    assert group_pages(ev) == [[0], [1]]
    # an unsure number never joins another firmly identified trainee's pages
    ev = [E(page=1, exercise="A", trainee="61", file_key=("d", "x")),
          E(page=2, exercise="A", trainee="62", file_key=("d", "y")),
          E(page=2, exercise="A", trainee_guess="61", file_key=("d", "z"))]
    assert group_pages(ev) == [[0, 2], [1]]


def test_same_file_stem_but_two_firm_trainees_or_two_exercises_stay_apart():
    ev = [E(page=1, exercise="A", trainee="5", file_key=("d", "budi")),
          E(page=2, exercise="A", trainee="6", file_key=("d", "budi")),
          E(page=2, exercise="B", file_key=("d", "budi"))]
    assert group_pages(ev) == [[0], [1], [2]]


def test_one_trainee_two_exercises_are_two_sheets_and_the_qr_number_matches_a_written_one():
    ev = [E(page=1, exercise="A", trainee=normalise_id("27")),
          E(page=1, exercise="B", trainee=normalise_id("27")),
          E(page=2, exercise="B", trainee=normalise_id("027")),
          E(page=2, exercise="A", trainee=normalise_id(" 27 "))]
    assert group_pages(ev) == [[0, 3], [1, 2]]


def test_a_refused_photo_joins_its_file_name_mates_and_the_same_page_twice_stays_together():
    ev = [E(file_key=("d", "budi")),                                   # too blurry: nothing read
          E(page=2, exercise="A", trainee_guess="9", file_key=("d", "budi")),
          E(page=1, exercise="A", trainee="9", file_key=("d", "other")),
          E(page=1, exercise="A", trainee="9", file_key=("d", "again"))]  # duplicate_page is said later
    assert group_pages(ev) == [[0, 1, 2, 3]]


def test_normalise_id():
    assert [normalise_id(x) for x in ("007", "Sri  Siregar", None, "", "²")] == ["7", "sri siregar", None, None, "²"]


def test_an_unsure_number_joins_all_its_photos_or_none_whatever_their_order():
    """Review: a trainee 47 page 1 misread as 41 joined trainee 41's page 2 when it came first."""
    p1_47_misread = E(page=1, exercise="A", trainee_guess="41")
    p1_41 = E(page=1, exercise="A", trainee_guess="41")
    p2_41 = E(page=2, exercise="A", trainee="41")
    p2_47 = E(page=2, exercise="A", trainee_guess="47")
    for ev in ([p1_47_misread, p1_41, p2_41, p2_47], [p2_41, p1_41, p1_47_misread, p2_47]):
        groups = group_pages(ev)
        assert all(len(g) == 1 for g in groups)              # page 1 twice for "41": nothing is joined on it
    # unambiguous: the one page 1 that shows 41 joins the firm 41's page 2, in any order
    assert group_pages([p1_41, p2_47, p2_41]) == [[0, 2], [1]]
    assert group_pages([p2_41, p1_41]) == [[0, 1]]


def test_a_file_name_never_joins_photos_whose_numbers_or_pages_disagree():
    """Review: generic names (Foto 1 ... Foto 12 reduced to 'Foto') drew other trainees' pages into a sheet."""
    ev = [E(page=1, exercise="A", trainee="9", file_key=("d", "foto")),
          E(page=2, exercise="A", trainee_guess="103", file_key=("d", "foto")),   # another trainee, by its number
          E(page=1, exercise="A", trainee_guess="61", file_key=("d", "foto"))]    # page 1 again
    assert group_pages(ev) == [[0], [1], [2]]
    # retakes of one page of one firmly identified trainee stay together (duplicate_page is said later)
    ev = [E(page=1, exercise="A", trainee="9"), E(page=1, exercise="A", trainee="9"),
          E(page=2, exercise="A", trainee_guess="9", file_key=("d", "budi"))]
    assert group_pages(ev) == [[0, 1, 2]]


def test_an_unsure_number_is_judged_within_each_exercise():
    """QA: trainee 5 did two exercises, number read unsure on all four photos: all-or-none joined none."""
    ev = [E(page=1, exercise="A", trainee_guess="5"), E(page=2, exercise="B", trainee_guess="5"),
          E(page=2, exercise="A", trainee_guess="5"), E(page=1, exercise="B", trainee_guess="5")]
    assert group_pages(ev) == [[0, 2], [1, 3]]


def test_unsure_numbers_that_differ_in_one_box_read_unsure_keep_a_named_pair_together():
    """QA: a pair named s0008-p1/-p2 read 063 (last box unsure) and 069 and was split into two partial sheets."""
    p1 = E(page=1, exercise="A", file_key=("d", "s0008"), **number_evidence("063", "review", "06?"))
    p2 = E(page=2, exercise="A", file_key=("d", "s0008"), **number_evidence("069", "review", "069"))
    assert group_pages([p1, p2]) == [[0, 1]]
    sure_68 = E(page=2, exercise="A", file_key=("d", "s0008"), **number_evidence("068", "review", "?68"))
    assert group_pages([E(page=1, exercise="A", file_key=("d", "s0008"), **number_evidence("063", "review", "?63")),
                        sure_68]) == [[0], [1]]            # 3 and 8 both read surely: two trainees
    # without the sure digits (a result stored before they were kept) every digit counts, as before
    old = E(page=1, exercise="A", file_key=("d", "s0008"), trainee_guess="63")
    assert group_pages([old, p2]) == [[0], [1]]
    # an unsure box never joins by itself: photos with no file name in common stay apart
    assert group_pages([E(page=1, exercise="A", **number_evidence("063", "review", "06?")),
                        E(page=2, exercise="A", **number_evidence("069", "review", "069"))]) == [[0], [1]]


def test_a_firm_number_or_two_differing_boxes_keep_pages_a_file_name_pairs_apart():
    """Review: C.Hasil (1).jpg / C.Hasil (2).jpg (a browser's download count) paired trainee 063's page 1, read
    firmly, with trainee 066's page 2 read 06?; and 0?3 with 06? joined numbers that differ in two boxes."""
    from grader.file_names import named_pages
    keyed = named_pages([("kelas", "C.Hasil.jpg"), ("kelas", "C.Hasil (1).jpg"), ("kelas", "C.Hasil (2).jpg")])
    p1 = E(page=1, exercise="A", file_key=keyed[1][:2], **number_evidence("063", "ok"))
    p2 = E(page=2, exercise="A", file_key=keyed[2][:2], **number_evidence("066", "review", "06?"))
    assert group_pages([p1, p2]) == [[0], [1]]
    p1 = E(page=1, exercise="A", file_key=("d", "foto"), **number_evidence("023", "review", "0?3"))
    p2 = E(page=2, exercise="A", file_key=("d", "foto"), **number_evidence("069", "review", "06?"))
    assert group_pages([p1, p2]) == [[0], [1]]


def test_may_be_one():
    assert may_be_one(("63", "06?"), ("69", "069")) and may_be_one(("69", "?69"), ("169", "169"))
    assert may_be_one(("sri", None), ("sri", None))
    assert not may_be_one(("69", "069"), ("68", "068")) and not may_be_one(("23", "0?3"), ("69", "06?"))
    assert not may_be_one(("63", None), ("69", "069"))              # no sure digits kept: every digit counts
    assert number_evidence("063", "ok") == {"trainee": "63"} and number_evidence(None, "blank") == {}


def test_names_that_say_their_pages_plainly_pair_a_firm_number_with_an_unsure_one_that_may_be_it():
    """Review (s34): s0000-p1.jpg / s0000-p2.jpg, page 1's number read 057 with only its first box sure (0??),
    page 2's 037 firmly: two partial sheets, each told its other page was never sent. Names a person gave as one
    sheet's pages pair them when the numbers may be one (they differ only where one was read unsure); a download's
    count "(1)" / "(2)" still does not, nor do plain names whose numbers differ in two boxes, or in a sure one."""
    from grader.file_names import page_said_plainly
    assert page_said_plainly("s0000-p1.jpg") and page_said_plainly("Budi_hal2.jpg") and page_said_plainly("hal1.jpg")
    assert not page_said_plainly("C.Hasil (2).jpg") and not page_said_plainly("IMG-20241127-WA0006.jpg")

    def pair(first, second, named=True):
        return group_pages([E(page=1, exercise="A", file_key=("d", "s0000"), named_page=named, **first),
                            E(page=2, exercise="A", file_key=("d", "s0000"), named_page=named, **second)])
    firm, unsure = number_evidence("037", "ok"), number_evidence("057", "review", "0??")
    assert pair(unsure, firm) == pair(firm, unsure) == [[0, 1]]
    assert pair(unsure, firm, named=False) == [[0], [1]]                              # "(1)" / "(2)"
    assert pair(number_evidence("058", "review", "0??"), firm) == [[0], [1]]            # two boxes differ
    assert pair(number_evidence("057", "review", "05?"), firm) == [[0], [1]]            # the 5 was read surely
    assert pair(firm, number_evidence("038", "ok")) == [[0], [1]]                       # two firm numbers


def test_a_firm_number_misread_as_another_trainees_keeps_their_plainly_named_sheets_apart():
    """h42a (synth seed 4211): trainee 119's number on s0013-p1 read firmly as 111, another trainee's. By the number
    the page joined trainee 111's sheet, whose own page 1 (s0064-p1) was then refused as a duplicate: 111 was graded on
    119's page 1. Names that say two sheets' pages plainly keep the two page 1s apart: 111's sheet is its own two
    pages, and the misread page stays a partial sheet of its own (its firm 111 contradicts its page 2's 119)."""
    ev = [E(page=1, exercise="A", trainee="111", file_key=("d", "s0013"), named_page=True),
          E(page=2, exercise="A", trainee="119", file_key=("d", "s0013"), named_page=True),
          E(page=1, exercise="A", trainee="111", file_key=("d", "s0064"), named_page=True),
          E(page=2, exercise="A", trainee="111", file_key=("d", "s0064"), named_page=True)]
    assert group_pages(ev) == [[0], [1], [2, 3]]
    # a retake of one trainee's page, under names that do not say two sheets, still joins (duplicate_page later)
    ev = [E(page=1, exercise="A", trainee="111", file_key=("d", "IMG_0001")),
          E(page=1, exercise="A", trainee="111", file_key=("d", "IMG_0002")),
          E(page=2, exercise="A", trainee="111", file_key=("d", "IMG_0003"))]
    assert group_pages(ev) == [[0, 1, 2]]
    # and so does a page named as the same sheet's twice (budi_p1, budi_hal1: one name)
    ev = [E(page=1, exercise="A", trainee="7", file_key=("d", "budi"), named_page=True),
          E(page=1, exercise="A", trainee="7", file_key=("d", "budi"), named_page=True),
          E(page=2, exercise="A", trainee="7", file_key=("d", "budi"), named_page=True)]
    assert group_pages(ev) == [[0, 1, 2]]


def test_a_qr_joins_its_trainees_pages_that_two_names_call_two_sheets_unless_a_page_repeats():
    """Rehearsal (helper-184, of helper-182's finding): Eka photographed Dewi's page 2 as ``eka_p2``; Dewi sent
    ``dewi_p1``. Both pages carry Dewi's QR, yet their names say two sheets, so Dewi had two half sheets. A QR is no
    misread and no two trainees': the names do not split its pages, unless a page repeats (two sheets of one
    trainee). Numbers read firmly still keep named sheets apart (h42a)."""
    def ev(page, trainee, stem, by_qr=True):
        return E(page=page, exercise="A", trainee=trainee, file_key=("d", stem), named_page=True, by_qr=by_qr)
    assert group_pages([ev(1, "12", "dewi"), ev(1, "11", "eka"), ev(2, "12", "eka")]) == [[0, 2], [1]]
    assert group_pages([ev(1, "12", "dewi", False), ev(1, "11", "eka", False), ev(2, "12", "eka", False)]) == [
        [0], [1], [2]]
    # Dewi's own page 2 too: her page 2 twice, two sheets of hers by their names
    assert group_pages([ev(1, "12", "dewi"), ev(2, "12", "dewi"), ev(1, "11", "eka"), ev(2, "12", "eka")]) == [
        [0, 1], [2], [3]]
    # a QR beside a number read firmly on the other named sheet: as before, apart
    assert group_pages([ev(1, "12", "dewi", False), ev(2, "12", "eka")]) == [[0], [1]]


def test_two_trainees_who_wrote_one_number_keep_their_plainly_named_sheets():
    """h42a (synth seed 4211): two sheets, s0016 and s0028, both carry the number 121. By the number alone s0028's page
    1 joined s0016's page 2 before s0028's own page 2 came, and that mixed sheet was graded. Named pages whose number
    agrees join first: each sheet is its own two pages (two sheets of 121, for a trainer to tell apart)."""
    ev = [E(page=1, exercise="A", trainee_guess="121", file_key=("d", "s0016"), named_page=True),
          E(page=2, exercise="A", trainee="121", file_key=("d", "s0016"), named_page=True),
          E(page=1, exercise="A", trainee="121", file_key=("d", "s0028"), named_page=True),
          E(page=2, exercise="A", trainee="121", file_key=("d", "s0028"), named_page=True)]
    assert group_pages(ev) == [[0, 1], [2, 3]]


def test_a_firm_number_read_alike_on_two_named_sheets_does_not_mix_them():
    """h42a (synth seed 4212): s0003 and s0008 both carry 128, read firmly on s0003-p1 and s0008-p2 only. The number
    joined those two, and each sheet's other page was left partial: a mixed sheet graded. Names that say two sheets'
    pages keep them apart; each page joins its own sheet by its name."""
    ev = [E(page=1, exercise="A", trainee="128", file_key=("d", "s0003"), named_page=True),
          E(page=2, exercise="A", trainee_guess="128", file_key=("d", "s0003"), named_page=True),
          E(page=1, exercise="A", trainee_guess="128", file_key=("d", "s0008"), named_page=True),
          E(page=2, exercise="A", trainee="128", file_key=("d", "s0008"), named_page=True)]
    assert group_pages(ev) == [[0, 1], [2, 3]]
    # photos whose names say no page (a chat export's) are still joined by the number
    ev = [E(page=1, exercise="A", trainee="128", file_key=("d", "IMG-WA0001")),
          E(page=2, exercise="A", trainee="128", file_key=("d", "IMG-WA0007"))]
    assert group_pages(ev) == [[0, 1]]


def test_a_name_without_a_page_number_pairs_only_with_the_one_name_of_its_stem_numbered():
    """helper-171: eko.jpg beside eko_2.jpg is Eko's page 1 (and beside eko-p1.jpg, page 2); not beside two numbered
    names of its stem, beside one in another folder, as one of two unnumbered names (eko.jpg and eko.png), beside a
    browser's second download of its name ("(1)"), nor when the name is a camera's (anyone's)."""
    from grader.file_names import named_pages
    assert named_pages([("d", "eko.jpg"), ("d", "eko_2.jpg"), ("d", "Budi.jpg"), ("d", "budi (2).jpg"),
                        ("d", "sari.jpg"), ("d", "Sari hal 2.JPG"), ("d", "rina.jpg"), ("d", "rina-p1.jpg")]) == [
        ("d", "eko", 1), ("d", "eko", 2), ("d", "budi", 1), ("d", "budi", 2), ("d", "sari", 1), ("d", "sari", 2),
        ("d", "rina", 2), ("d", "rina", 1)]
    assert named_pages([("d", "eko.jpg"), ("d", "eko_1.jpg"), ("d", "eko_2.jpg")])[0] is None
    assert named_pages([("d", "eko.jpg"), ("e", "eko_2.jpg")])[0] is None
    assert named_pages([("d", "eko.jpg"), ("d", "eko.png"), ("d", "eko_2.jpg")])[:2] == [None, None]
    assert named_pages([("d", "C.Hasil.jpg"), ("d", "C.Hasil (1).jpg")])[0] is None
    assert named_pages([("d", "IMG_1234.jpg"), ("d", "IMG_1234 (2).jpg")])[0] is None
    assert named_pages([("d", "eko.jpg"), ("d", "eko (2).jpg"), ("d", "eko (3).jpg")]) == [None, None, None]
    # names are weak evidence: numbers read firmly that differ keep the pair apart
    keyed = named_pages([("d", "dewi.jpg"), ("d", "dewi_2.jpg")])
    p1 = E(page=1, file_key=keyed[0][:2], **number_evidence("103", "ok"))
    p2 = E(page=2, file_key=keyed[1][:2], **number_evidence("104", "ok"))
    assert group_pages([p1, p2]) == [[0], [1]]
    assert group_pages([E(page=1, file_key=keyed[0][:2]), E(page=2, file_key=keyed[1][:2])]) == [[0, 1]]


def test_a_copy_of_a_numbered_page_is_that_page_and_keeps_its_unnumbered_partner():
    """helper-176: "budi_p2 (1).jpg" (a second download of budi_p2.jpg) and "budi_1 - Copy.jpg" were sheets of their
    own, "budi_p2" page 1 and "budi_1 - Copy"; and a copy of eko_2.jpg left eko.jpg without its page 2. A copy of a
    plainly numbered page is that page, pairing as its original does; "eko (1).jpg" beside eko.jpg is still no page."""
    from grader.file_names import named_pages
    assert named_pages([("d", "budi_p1.jpg"), ("d", "budi_p2 (1).jpg"), ("d", "sari_1 - Copy.jpg"),
                        ("d", "sari_2 - Salinan.jpg"), ("d", "budi_p2.jpg")]) == [
        ("d", "budi", 1), ("d", "budi", 2), ("d", "sari", 1), ("d", "sari", 2), ("d", "budi", 2)]
    assert named_pages([("d", "eko.jpg"), ("d", "eko_2.jpg"), ("d", "eko_2 (1).jpg")]) == [("d", "eko", 1)] + [
        ("d", "eko", 2)] * 2
    assert named_pages([("d", "eko.jpg"), ("d", "eko (1).jpg")]) == [None, ("d", "eko", 1)]
    assert named_pages([("d", "eko.jpg"), ("d", "eko (2).jpg"), ("d", "eko_2.jpg")])[0] is None   # (two names: as before)
    # a copy of a name that is only a page, "hal2 (1).jpg", may be another trainee's "hal2.jpg": no page by its name,
    # its folder's where the folder is one trainee's (trainee_folders: two photos at the most), never "hal2"'s
    from grader.file_names import trainee_folders, trainee_from_filename
    assert named_pages([("/k/Budi", "hal1.jpg"), ("/k/Budi", "hal2 (1).jpg")]) == [("/k/Budi", "", 1), None]
    assert trainee_folders([("", "k/Budi/hal1.jpg"), ("", "k/Budi/hal2 (1).jpg"), ("", "k/kelas/hal1.jpg"),
                            ("", "k/kelas/hal2.jpg"), ("", "k/kelas/hal1 (1).jpg")]) == ["Budi"] * 2 + [None] * 3
    assert trainee_from_filename("k/Budi/hal2 - Copy.jpg") == "Budi"
    # the copy is the same page of one sheet: a retake by its file name, never a second sheet
    keyed = named_pages([("d", "budi_p1.jpg"), ("d", "budi_p2.jpg"), ("d", "budi_p2 (1).jpg")])
    ev = [E(page=1, file_key=keyed[0][:2], named_page=True), E(page=2, file_key=keyed[1][:2], named_page=True),
          E(file_key=keyed[2][:2], named_page=True)]                        # (refused: no page read)
    assert group_pages(ev) == [[0, 1, 2]]


def test_a_devices_short_counter_is_no_page_number():
    """helper-176: IMG_1.jpg and IMG_2.jpg were trainee "IMG"'s pages 1 and 2, one sheet by their names: they are a
    camera's or an app's counter, two photos that name nobody (the QR or the number written decides). A page said
    after the counter still pairs (IMG_12_p1, IMG_12_p2), and so does a name's (Sam_1, Sam_2)."""
    from grader.file_names import named_pages, page_said_plainly, split_page
    assert named_pages([("d", "IMG_1.jpg"), ("d", "IMG_2.jpg"), ("d", "DSC 1.jpg"), ("d", "DSC 2.jpg"),
                        ("d", "IMG_12_p1.jpg"), ("d", "IMG_12_p2.jpg"), ("d", "Sam_1.jpg"), ("d", "Sam_2.jpg")]) == [
        None, None, None, None, ("d", "img_12", 1), ("d", "img_12", 2), ("d", "sam", 1), ("d", "sam", 2)]
    assert split_page("IMG_1.jpg", keep_case=True) == ("IMG_1", None) and not page_said_plainly("PXL_2.jpg")


def test_a_copys_mark_before_a_numbered_page_is_no_part_of_its_name():
    """helper-178: Google Drive names a copy "Copy of Andi_p1.jpg" ("Salinan dari …" in Indonesian). Beside
    "Andi_p2 - Copy.jpg" (Windows' mark after the page, which the name has no part of since helper-176) it was
    trainee "Copy of Andi"'s page 1 and Andi's page 2: grader grade printed two half sheets of trainee 061, each
    "partial" with a page "not sent". The mark before a page said plainly is read as the one after it is; before a
    name with no page it stays, as "budi - Copy"'s does, and "Salinan dari" alone is a name, as before."""
    from grader.file_names import named_pages, names_nobody, split_page, trainee_from_filename
    assert named_pages([("d", "Copy of Andi_p1.jpg"), ("d", "Andi_p2 - Copy.jpg")]) == [("d", "andi", 1),
                                                                                         ("d", "andi", 2)]
    assert named_pages([("d", "eko.jpg"), ("d", "Salinan dari eko_2 (1).jpg")]) == [("d", "eko", 1), ("d", "eko", 2)]
    assert split_page("Salinan dari Budi_hal2.jpg", keep_case=True) == ("Budi", 2)
    assert trainee_from_filename("Copy of Budi_p1.jpg") == "Budi"
    assert trainee_from_filename("Copy of Budi.jpg") == "Budi"        # (whom it names: file_names.uncopied)
    assert trainee_from_filename("Salinan dari.jpg") == "Salinan dari"
    assert names_nobody("Copy of IMG_1234.jpg") and names_nobody("Salinan dari Dokumen1.jpg")
    assert trainee_from_filename("kelas/Andi/Copy of hal2.jpg") == "Andi"
