from __future__ import annotations

import pytest
from sqlalchemy import select

from conductlens.errors import ConductLensError
from conductlens.review import pseudonyms, register, register_csv
from conductlens.review.access import ReviewSession
from conductlens.review.sample import World
from conductlens.store import Store
from conductlens.store.tables_review import participant_links


def _labels(store: Store, world: World) -> dict[str, str]:
    shown = ReviewSession(store.engine, world.users["investigator"], world.case_id)
    return {m.text: m.sender.label for m in shown.conversation(world.sample.group_id)}


def test_subjects_are_named_everyone_else_is_a_stable_pseudonym(store: Store,
                                                                scoped: World) -> None:
    labels = _labels(store, scoped)
    assert labels["that victim was a proper slag, deserved it"] == "Alan Grant"
    # Beth spoke first (1 March), so she is 01; Alan is 02 but shown by name as a subject.
    beth = labels["Not funny Alan. Participant 01 here: that is out of order"]
    assert beth == "Participant 01"
    assert labels["haha classic"] == "Participant 03"
    assert _labels(store, scoped) == labels  # stable across reads


def test_names_and_numbers_inside_text_are_pseudonymised(store: Store, scoped: World) -> None:
    texts = set(_labels(store, scoped))
    assert not any("Beth Jones" in t for t in texts)
    assert "call me on Participant 03 about the rota" in texts


def test_numbering_follows_first_appearance(store: Store, world: World) -> None:
    with store.engine.begin() as conn:
        pseudonyms.assign(conn, world.case_id)
        namer = pseudonyms.Namer(conn, world.case_id, [])
    # Beth (k2) sends the first message, then Alan (k1), Carl (k3), Dana (k4).
    shown = [d.label for d in sorted(namer.identities(), key=lambda d: d.label)]
    assert shown == ["Participant 01", "Participant 02", "Participant 03", "Participant 04"]


def test_unmasking_needs_a_reason_and_someone_else_to_approve(store: Store,
                                                              scoped: World) -> None:
    with store.engine.begin() as conn:
        with pytest.raises(ConductLensError, match="explain"):
            pseudonyms.request_unmask(conn, scoped.case_id, 3, "why", "investigator")
        rid = pseudonyms.request_unmask(conn, scoped.case_id, 3,
                                        "Laughed at the message: a Standard 10 question",
                                        "investigator")
    with store.engine.begin() as conn, pytest.raises(ConductLensError, match="own request"):
        pseudonyms.decide_unmask(conn, rid, "investigator", True, "self-approval")
    assert _labels(store, scoped)["haha classic"] == "Participant 03"
    with store.engine.begin() as conn:
        pseudonyms.decide_unmask(conn, rid, "supervisor", True, "Proportionate for Std 10")
        listed = pseudonyms.unmask_list(conn, scoped.case_id)
    assert _labels(store, scoped)["haha classic"] == "Carl Diaz"
    assert listed[0]["pseudonym"] == "Participant 03" and "identity" not in listed[0]


@pytest.mark.parametrize(("raw", "e164"), [
    ("07700 900003", "+447700900003"), ("+44 7700 900003", "+447700900003"),
    ("0044 7700 900003", "+447700900003"), ("not a phone", None), ("123", None),
])
def test_phone_numbers_compare_in_e164(raw: str, e164: str | None) -> None:
    assert register.to_e164(raw) == e164


def test_participants_link_by_declared_phone(store: Store, world: World) -> None:
    with store.engine.connect() as conn:
        linked = conn.execute(select(participant_links.c.person_id)).all()
    assert len(linked) == 3  # Alan, Beth, Carl declared; Dana is not staff


def test_old_style_csv_cells_still_import(store: Store) -> None:
    data = ("staff_number,name,force,team,role,identifiers\n"
            "PC9,Eve Ray,Example,Team C,PC,phone:whatsapp:07700 900009; username:telegram:@eve\n")
    assert register_csv.import_csv(store.engine, data, "admin").errors == []
    with store.engine.connect() as conn:
        person = register.list_people(conn)[0]
        assert [(i.kind, i.value) for i in register.person_identifiers(conn, person.id)] == [
            ("whatsapp", "+447700900009"), ("telegram", "eve")]
    bad = "staff_number,name,force,identifiers\nPC8,X,Y,phone:whatsapp:nonsense\n"
    report = register_csv.import_csv(store.engine, bad, "admin")
    assert report.errors == ["line 2, field identifiers: 'nonsense' is not a valid phone "
                             "number or WhatsApp JID"]


def test_manual_link_and_unlink_are_audited(store: Store, world: World) -> None:
    from conductlens.store.tables_review import audit_events

    with store.engine.begin() as conn:
        dana = 4  # participant ids follow the sample's order
        register.link(conn, dana, world.person_ids["PC1002"], "investigator", "same person")
        register.unlink(conn, dana, "investigator", "linked in error")
        actions = list(conn.scalars(select(audit_events.c.action).order_by(audit_events.c.id)))
    assert actions[-2:] == ["link.manual", "link.remove"]


def test_a_manual_link_makes_a_participant_a_subject(store: Store, scoped: World) -> None:
    from conductlens.store import tables as t

    with store.engine.begin() as conn:
        carl = conn.scalar(select(t.participants.c.id).where(t.participants.c.key == "k3"))
        assert carl is not None
        register.link(conn, int(carl), scoped.person_ids["PC1001"], "investigator",
                      "same officer, second phone")
    assert _labels(store, scoped)["haha classic"] == "Alan Grant"
