"""A review with a lead, two reviewers and included records, ready for extraction."""

from dataclasses import dataclass

import pytest

from screening.records import kept_records
from screening.review.access import ReviewAccess, review_access
from screening.review.models import Review, Role, User
from tests.factories import import_fixture, include_records, join, make_review, make_user


@dataclass
class Team:
    review: Review
    lead: User
    ann: User
    ben: User
    record_ids: list[int]

    def access(self, session, person: User) -> ReviewAccess:
        return review_access(session, self.review.id, person.id)


@pytest.fixture
def team(session, tmp_path) -> Team:
    lead = make_user(session, email="lead@example.org", name="Lena Lead")
    ann = make_user(session, email="ann@example.org", name="Ann Extractor")
    ben = make_user(session, email="ben@example.org", name="Ben Extractor")
    review = make_review(session, lead, title="Community services for complex emotional needs")
    join(session, review, lead, ann, Role.reviewer)
    join(session, review, lead, ben, Role.reviewer)
    import_fixture(session, review, lead, "import/asreview_cohen_adhd_sample.csv", uploads_dir=tmp_path)
    records = [record.id for record in kept_records(session, review.id)]
    include_records(session, review, lead, records[:3])
    return Team(review, lead, ann, ben, records)
