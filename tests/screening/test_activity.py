"""The activity list, from audit events to sentences, with blind mode kept."""

from datetime import UTC, datetime, timedelta

from screening.activity import describe
from screening.review.models import AuditEvent

ANN, BEN, DANA = 1, 2, 3
NAMES = {ANN: "Ann", BEN: "Ben", DANA: "Dana"}
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def event(minute, actor, action, object_type="record", object_id="", **detail):
    return AuditEvent(at=START + timedelta(minutes=minute), actor_id=actor, action=action,
                      object_type=object_type, object_id=str(object_id), detail=detail)


def lines(events, viewer):
    newest_first = sorted(events, key=lambda e: e.at, reverse=True)
    return [line.text for line in describe(newest_first, viewer_id=viewer, names=NAMES, sources={"7": "Embase"})]


def test_a_colleagues_screening_is_counted_never_named_or_told():
    screened = [event(n, ANN, "decision.create", object_id=10 + n, stage="title_abstract", verdict="include")
                for n in range(5)]
    shown = lines(screened, viewer=BEN)
    assert shown == ["Ann screened 5 records at title and abstract"]
    assert not any(word in shown[0] for word in ("include", "10", "14"))
    assert lines(screened, viewer=ANN) == ["You screened 5 records at title and abstract"]


def test_repeats_group_and_other_events_read_as_sentences():
    events = [
        event(0, None, "import.complete", "import_batch", 7, records=1204, merged_automatically=30, candidates=4),
        event(1, DANA, "member.add", "user", ANN, email="ann@example.org", role="reviewer"),
        event(2, ANN, "decision.create", object_id=1, stage="title_abstract", verdict="exclude"),
        event(3, ANN, "decision.change", object_id=1, stage="title_abstract", verdict="include"),
        event(4, BEN, "decision.create", object_id=1, stage="title_abstract", verdict="exclude"),
        event(5, DANA, "resolution.conflict", object_id=17, stage="title_abstract", verdict="include"),
        event(6, DANA, "future.thing"),
        *[event(7 + n, ANN, "coding.save", "study", 3, form_id=1, coding_id=4) for n in range(3)],
        event(10, ANN, "coding.submit", "study", 3, form_id=1, coding_id=4),
    ]
    assert lines(events, viewer=BEN) == [
        "Ann submitted a coding",
        "Ann saved coded values",
        "Dana: future thing",
        "Dana resolved the conflict on record 17 at title and abstract",
        "You screened 1 record at title and abstract",
        "Ann screened 1 record at title and abstract",
        "Dana added Ann as reviewer",
        "Embase imported: 1,204 records, 30 merged as duplicates, 4 possible duplicates for a person",
    ]


def test_screeners_taking_turns_are_counted_one_line_each():
    turns = [event(n, (ANN, BEN)[n % 2], "decision.create", object_id=n // 2, stage="title_abstract")
             for n in range(10)]
    assert lines(turns, viewer=BEN) == ["You screened 5 records at title and abstract",  # Ben's was the latest
                                        "Ann screened 5 records at title and abstract"]
