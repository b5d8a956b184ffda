"""Parties against list entries: the matcher's candidates as the ``PartyMatch`` evidence a Decision shows.

A ``PartyMatching`` holds one registry, its compiled matcher and the thresholds. It decides which
candidates count on a date (entries in force; entries whose lapse or start the lists cannot confirm
are kept apart, see ``Registry.unconfirmed``) and ranks them by score, then by entry ``(source, id)``,
never by position, so the order in which the lists were loaded cannot change a Decision.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from exportscreen._construct import construct
from exportscreen._errors import InputError
from exportscreen.matching import Candidate, Matcher, MatchSettings, match_many
from exportscreen.models import PartyMatch, Transaction
from exportscreen.registry import Registry
from exportscreen.rules.facts import MatchFact, OwnerFact

__all__ = ["PartyFacts", "PartyMatching"]


@dataclass(frozen=True)
class PartyFacts:
    """What the parties of one transaction matched on one date."""

    matches: tuple[MatchFact, ...]
    owners: tuple[OwnerFact, ...]
    #: matches of entries whose end date passed after their list was published (renewal unknown)
    lapsed: tuple[MatchFact, ...]


class PartyMatching:
    """Matches names, addresses and owners of parties against one registry."""

    def __init__(self, registry: Registry, matcher: Matcher, settings: MatchSettings) -> None:
        self.registry = registry
        self.matcher = matcher
        self.settings = settings

    def party_match(self, cand: Candidate, *, role: str, query: str) -> PartyMatch | None:
        """``cand`` as the evidence a Decision shows; None below review strength."""
        strength = self.settings.strength(cand.score)
        if strength is None:
            return None
        entry = self.registry.entries[cand.entry_index]
        # built from the matcher's own typed output: constructed without re-validating the explanation
        return construct(
            PartyMatch,
            role=role,
            query_name=query,
            entry_id=entry.id,
            entry_name=entry.name,
            matched_name=cand.matched_name,
            matched_field="address"
            if cand.matched_field == "address"
            else ("name" if cand.matched_field == "name" else "alias"),
            list=entry.list,
            source=entry.source,
            score=cand.score,
            strength=strength,
            explanation=cand.explanation,
        )

    def ranked(self, cands: Iterable[Candidate]) -> list[Candidate]:
        """Best first, ties by entry ``(source, id)``."""
        entries = self.registry.entries
        return sorted(cands, key=lambda c: (-c.score, entries[c.entry_index].key))

    def name_candidates(
        self, names: Sequence[str], country: str | None, on: dt.date, lapsed: list[Candidate] | None = None
    ) -> list[Candidate]:
        """The best candidate per entry in force on ``on``, ranked; the candidates of entries whose
        lapse the lists cannot confirm go to ``lapsed`` when given."""
        best: dict[int, Candidate] = {}
        unconfirmed: dict[int, Candidate] = {}
        for name in names:
            for cand in self.matcher.search(name, country=country, limit=None, min_score=self.settings.review):
                entry = self.registry.entries[cand.entry_index]
                if entry.active(on):
                    into = best
                elif lapsed is not None and self.registry.unconfirmed(entry, on):
                    into = unconfirmed
                else:
                    continue
                prev = into.get(cand.entry_index)
                if prev is None or cand.score > prev.score:
                    into[cand.entry_index] = cand
        if lapsed is not None:
            lapsed += self.ranked(unconfirmed.values())
        return self.ranked(best.values())

    def match_name(self, name: str, *, country: str | None, limit: int, on: dt.date) -> list[PartyMatch]:
        """List entries resembling ``name`` (at least review strength) on ``on``, best first, the
        entries whose lapse is unconfirmed among them."""
        if not isinstance(name, str) or not name.strip():
            raise InputError("name is empty")
        out: list[PartyMatch] = []
        unconfirmed: list[Candidate] = []
        found = self.name_candidates([name], country, on, unconfirmed)
        for cand in self.ranked([*found, *unconfirmed])[:limit]:
            pm = self.party_match(cand, role="query", query=name)
            if pm is not None:
                out.append(pm)
        return out

    def match_many(
        self,
        names: Iterable[str | tuple[str, str | None]],
        *,
        country: str | None,
        limit: int,
        on: dt.date,
        workers: int,
        return_errors: bool,
    ) -> Iterator[list[PartyMatch] | InputError]:
        """``match_name`` for a stream of names, in input order (see ``Screener.match_many``)."""
        pending: deque[str] = deque()

        def feed() -> Iterator[str | tuple[str, str | None]]:
            for query in names:
                pending.append(query[0] if isinstance(query, tuple) else query)
                yield query

        results = match_many(
            self.matcher, feed(), country=country, limit=None, min_score=self.settings.review, workers=workers
        )
        for found in results:
            query = pending.popleft()
            if isinstance(found, InputError):
                if not return_errors:
                    raise found
                yield found
                continue
            best: list[PartyMatch] = []
            for cand in self.ranked(found):
                if len(best) >= limit:
                    break
                if not self.registry.counts_on(self.registry.entries[cand.entry_index], on):
                    continue
                pm = self.party_match(cand, role="query", query=query)
                if pm is not None:
                    best.append(pm)
            yield best

    def party_facts(self, tx: Transaction, on: dt.date) -> PartyFacts:
        """The name, alias, address and owner matches of every party of ``tx`` on ``on``. A party
        without a country is searched without one: never with the destination's (an Entity List party
        named on an order to Germany is the classic diversion pattern)."""
        matches: list[MatchFact] = []
        owners: list[OwnerFact] = []
        lapsed: list[MatchFact] = []
        for p_index, party in enumerate(tx.parties):
            role = str(party.role)
            unconfirmed: list[Candidate] = []
            for cand in self.name_candidates([party.name, *party.aliases], party.country, on, unconfirmed):
                pm = self.party_match(cand, role=role, query=party.name)
                if pm is not None:
                    matches.append(MatchFact(p_index, role, "name", self.registry.entries[cand.entry_index], pm))
            lapsed += self._lapsed_facts(unconfirmed, p_index, role, "name", party.name)
            if party.address:
                found = self.matcher.search_address(party.address, limit=None, min_score=self.settings.review)
                unconfirmed = []
                for cand in self.ranked(found):
                    entry = self.registry.entries[cand.entry_index]
                    if not entry.active(on):
                        if self.registry.unconfirmed(entry, on):
                            unconfirmed.append(cand)
                        continue
                    pm = self.party_match(cand, role=role, query=party.name)
                    if pm is not None:
                        matches.append(MatchFact(p_index, role, "address", entry, pm))
                lapsed += self._lapsed_facts(unconfirmed, p_index, role, "address", party.name)
            for o_index, owner in enumerate(party.owners):
                unconfirmed = []
                for cand in self.name_candidates([owner.name], owner.country, on, unconfirmed):
                    pm = self.party_match(cand, role="owner", query=owner.name)
                    if pm is not None:
                        owners.append(
                            OwnerFact(
                                p_index, owner.name, owner.percent, self.registry.entries[cand.entry_index], pm, o_index
                            )
                        )
                lapsed += self._lapsed_facts(unconfirmed, p_index, "owner", "name", owner.name)
        return PartyFacts(tuple(matches), tuple(owners), tuple(lapsed))

    def _lapsed_facts(
        self, cands: Sequence[Candidate], p_index: int, role: str, field: str, query: str
    ) -> list[MatchFact]:
        out: list[MatchFact] = []
        for cand in cands:
            pm = self.party_match(cand, role=role, query=query)
            if pm is not None:
                out.append(MatchFact(p_index, role, field, self.registry.entries[cand.entry_index], pm))
        return out
