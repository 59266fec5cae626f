"""The one way a page or an endpoint gets a single row: 404 whether missing or out of area."""

from django.http import Http404

from replies import selectors


def _pk(value) -> int:
    """A URL's id as a number; anything else is the same 404 as a missing row."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def access_proposal_by_id(user, pk: int):
    proposal = selectors.proposal_get(user, _pk(pk))
    if proposal is None:
        raise Http404
    return proposal


def access_version_by_id(user, pk: int):
    version = selectors.version_detail(user, pk)
    if version is None:
        raise Http404
    return version


def access_section_by_id(user, pk: int):
    section = selectors.section_get(user, pk)
    if section is None:
        raise Http404
    return section


def access_commitment_by_id(user, proposal_id: int, pk: int):
    commitment = selectors.commitment_get(user, proposal_id, pk)
    if commitment is None:
        raise Http404
    return commitment


def access_published_by_id(pk: int):
    published = selectors.published_get(_pk(pk))
    if published is None:
        raise Http404
    return published
