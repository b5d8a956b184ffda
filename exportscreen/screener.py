"""The Screener: transaction → facts → rules → Decision.

A Screener holds one loaded registry, its matcher and the rule packs. It is immutable after
construction and safe to share between threads: what it changes later are bounded memo tables of
results that depend only on their keys (country groups per date, the list codes the packs in force
name per date), where a race between threads at worst computes an entry twice.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from exportscreen._construct import construct
from exportscreen._errors import ConfigError, ExportscreenError, InputError, format_validation_errors
from exportscreen.decision_assembly import decision_of, registry_info_of
from exportscreen.geo import CountryGroups, load_country_groups
from exportscreen.licensing.facts import Licensing, LicensingFacts, LicensingMemo
from exportscreen.licensing.register import LicenceRegister
from exportscreen.list_coverage import (
    check_required_lists,
    freshness,
    incomplete_sources,
    required_missing,
)
from exportscreen.matching import Matcher, MatchSettings, build_matcher
from exportscreen.models import (
    Category,
    Decision,
    PackRef,
    PartyMatch,
    RegistryInfo,
    Role,
    Transaction,
)
from exportscreen.party_matching import PartyMatching
from exportscreen.registry import Registry, load_registry
from exportscreen.rules import RulePack, bundled_pack_paths, fired_rules, load_pack
from exportscreen.rules.backstops import safety_net
from exportscreen.rules.facts import Facts, HeadquartersFact, ItemFact
from exportscreen.rules.materiality import settle
from exportscreen.screen_batch import screen_stream, screen_stream_recorded
from exportscreen.screening_date import screening_date
from exportscreen.tiers import ItemClassification, TierSet, load_tiers

if TYPE_CHECKING:
    from exportscreen.baseline import Baseline
    from exportscreen.ledger import Ledger
    from exportscreen.ledger.transitions import Transition

__all__ = ["STALE_AFTER_DAYS", "Screener", "default_screener", "match_name", "screen", "validate_transaction"]

#: Without max_list_age, sources older than this many days add a "stale-lists" warning reason.
STALE_AFTER_DAYS = 180
#: Most (country, date) pairs whose country groups a Screener remembers.
_MEMO_MAX = 4096


def validate_transaction(transaction: Transaction | Mapping[str, Any]) -> Transaction:
    """``transaction`` as a validated ``Transaction``; raises ``InputError`` naming the field. An
    instance is validated again (changed after validation, or made by ``model_construct``, it would
    be screened unchecked)."""
    if not isinstance(transaction, Transaction | Mapping):
        raise InputError(f"a transaction is a mapping of fields, got {type(transaction).__name__}")
    try:
        return Transaction.model_validate(transaction if isinstance(transaction, Transaction) else dict(transaction))
    except ValidationError as exc:
        loc, msg = format_validation_errors(exc.errors())
        tx_id = transaction.get("id") if isinstance(transaction, Mapping) else getattr(transaction, "id", None)
        prefix = f"transaction {tx_id!r}: " if isinstance(tx_id, str) and tx_id else ""
        raise InputError(prefix + msg, location=loc) from exc


class Screener:
    """Screens transactions against one registry with one or more rule packs.

    ``registry``: a loaded ``Registry`` (default: the bundled lists). ``packs``: ``RulePack`` objects or
    paths to ``rules.yaml`` files (default: every bundled pack). ``settings``: the hit/review thresholds.
    ``max_list_age``: screening with a source older than this (in days, measured from its as-of date to
    the screening date) raises ``ListError``; without it, data older than ``stale_after`` days adds a
    ``stale-lists`` warning reason to each Decision. ``require_lists``: list codes (``EL``, ``MEU``,
    ``X-...``) the registry must hold entries of, else ``ConfigError`` (exit 2): a screening that
    silently lacks the Entity List is refused. Each Decision names the lists it was screened
    against (``registry``) and those the packs read but nothing provides (``lists_missing``).
    ``licences``: a licence register whose licences may cover the licence requirements found
    (``exportscreen.licensing.register``).
    """

    def __init__(
        self,
        registry: Registry | None = None,
        packs: Sequence[RulePack | str | Path] | None = None,
        *,
        settings: MatchSettings | None = None,
        tiers: TierSet | None = None,
        groups: CountryGroups | None = None,
        max_list_age: int | None = None,
        stale_after: int = STALE_AFTER_DAYS,
        licences: LicenceRegister | None = None,
        require_lists: Iterable[str] = (),
    ) -> None:
        if max_list_age is not None and max_list_age < 0:
            raise ConfigError(f"max_list_age must be a number of days >= 0, got {max_list_age}")
        self.max_list_age = max_list_age
        self.stale_after = stale_after
        self.registry = registry if registry is not None else load_registry()
        #: the incomplete-list review every decision carries when a source lacks part of its publication
        self._incomplete = incomplete_sources(self.registry.sources)
        self.tiers = tiers if tiers is not None else load_tiers()
        self.groups = groups if groups is not None else load_country_groups()
        pack_list = list(packs) if packs is not None else list(bundled_pack_paths())
        if not pack_list:
            raise ConfigError("no rule packs: give at least one")
        self.packs: tuple[RulePack, ...] = tuple(p if isinstance(p, RulePack) else load_pack(p) for p in pack_list)
        ids = [p.id for p in self.packs]
        if len(set(ids)) != len(ids):
            raise ConfigError(f"the same rule pack is loaded twice: {sorted(ids)}")
        check_required_lists(self.registry, require_lists)
        self.settings = settings or MatchSettings()
        self.matcher: Matcher = build_matcher(self.registry, settings=self.settings)
        self.parties = PartyMatching(self.registry, self.matcher, self.settings)
        #: (country, date) -> its country groups: every transaction asks for its destination's
        self._groups_memo: dict[tuple[str, dt.date], tuple[str, ...]] = {}
        #: date -> the list codes rules in force read that no loaded source provides
        self._missing_memo: dict[dt.date, tuple[str, ...]] = {}
        self._tier_citations = {t.id: list(t.citations) for t in self.tiers.tiers}
        self._tier_exceptions = {t.id: list(t.license_exceptions) for t in self.tiers.tiers}
        self.licensing = Licensing(register=licences, tier_exceptions=self._tier_exceptions)
        #: what every Decision says it was screened against
        self._registry_info: RegistryInfo = registry_info_of(self.registry)

    @property
    def registry_info(self) -> RegistryInfo:
        """What this screener screens against (the ``registry`` of each Decision)."""
        return self._registry_info

    # ------------------------------------------------------------------------------ matching
    def match_name(
        self, name: str, *, country: str | None = None, limit: int = 5, as_of: dt.date | None = None
    ) -> list[PartyMatch]:
        """List entries resembling ``name`` (at least review strength), best first; an entry whose
        end date passed after its list was published is among them (``Registry.lapse_unconfirmed``:
        whether it was renewed is unknown)."""
        return self.parties.match_name(name, country=country, limit=limit, on=as_of or dt.date.today())

    def match_many(
        self,
        names: Iterable[str | tuple[str, str | None]],
        *,
        country: str | None = None,
        limit: int = 5,
        as_of: dt.date | None = None,
        workers: int = 1,
        return_errors: bool = False,
    ) -> Iterator[list[PartyMatch] | InputError]:
        """``match_name`` for a stream of names; results come back in input order.

        A ``(name, country)`` pair is matched with its own country (an ISO code or None) instead of
        ``country``.

        ``workers > 1`` searches in a pool of processes that share this Screener's compiled matcher
        (see ``matching.batch.match_many``). A name that cannot be searched raises its ``InputError``,
        or, with ``return_errors=True``, is yielded in its place so the rest of the batch goes on.
        """
        if workers < 1:
            raise ConfigError(f"workers must be at least 1, got {workers}")
        return self.parties.match_many(
            names,
            country=country,
            limit=limit,
            on=as_of or dt.date.today(),
            workers=workers,
            return_errors=return_errors,
        )

    # ------------------------------------------------------------------------------ facts
    def facts(
        self,
        tx: Transaction,
        on: dt.date,
        packs_in_force: frozenset[str] = frozenset(),
        memo: LicensingMemo | None = None,
    ) -> Facts:
        """Compute the facts of a validated transaction on date ``on`` (``packs_in_force``: the ids of the
        packs that will read them, for the sections the licence determination leaves to a pack; ``memo``:
        kept for the licensing facts of the same transaction under other classifications)."""
        effective, _rule = self.groups.effective_country(tx.destination, on)
        found = self.parties.party_facts(tx, on)
        headquarters: list[HeadquartersFact] = []
        for p_index, party in enumerate(tx.parties):
            # No headquarters given: the party's own country counts (owners: the owners_in condition);
            # an ultimate consignee without a country is in the destination.
            at_destination = party.role == Role.ULTIMATE_CONSIGNEE and not party.country
            hq = party.headquarters_country or party.country or (tx.destination if at_destination else None)
            if hq:
                basis = (
                    "headquarters_country"
                    if party.headquarters_country
                    else "country"
                    if party.country
                    else "destination"
                )
                headquarters.append(HeadquartersFact(p_index, party.name, hq, self._groups_of(hq, on), basis))
        items = tuple(ItemFact(i, item.description, self.tiers.classify(item, on)) for i, item in enumerate(tx.items))
        licensing = self.licensing.facts(
            tx, [i.classification for i in items], on, self.groups, self._groups_of, packs_in_force, memo
        )
        return Facts(
            as_of=on,
            transaction=tx,
            destination=tx.destination,
            destination_effective=effective,
            destination_groups=self._groups_of(tx.destination, on),
            licensing=licensing,
            matches=found.matches,
            owners=found.owners,
            items=items,
            headquarters=tuple(headquarters),
            lists_checked=tuple(sorted(self.registry.lists)),
            country_groups=self.groups,
            tier_citations=self._tier_citations,
            tier_exceptions=self._tier_exceptions,
            lapsed=found.lapsed,
        )

    def lists_missing(self, on: dt.date) -> tuple[str, ...]:
        """The list codes that rules in force on ``on`` read but no loaded source provides (remembered)."""
        found = self._missing_memo.get(on)
        if found is None:
            named = {code for p in self.packs for code in p.list_codes(on)}
            found = tuple(sorted(named - self.registry.lists))
            if len(self._missing_memo) >= _MEMO_MAX:
                self._missing_memo.clear()
            self._missing_memo[on] = found
        return found

    def _groups_of(self, code: str, on: dt.date) -> tuple[str, ...]:
        key = (code, on)
        found = self._groups_memo.get(key)
        if found is None:
            found = tuple(self.groups.groups_of(code, on))
            if len(self._groups_memo) >= _MEMO_MAX:
                self._groups_memo.clear()
            self._groups_memo[key] = found
        return found

    # ------------------------------------------------------------------------------ screening
    def screen(
        self,
        transaction: Transaction | Mapping[str, Any],
        as_of: dt.date | None = None,
        *,
        ledger: Ledger | None = None,
    ) -> Decision:
        """Screen one transaction as of ``as_of``, else the transaction's ``date`` when it is later than
        today, else today (``exportscreen.screening_date``: an order dated earlier is screened as of
        today, with an ``order-dated-earlier`` note).

        Raises ``InputError`` for a malformed transaction; never returns a verdict for one. With
        ``ledger``, the decision is recorded there as a run of one (command "library").
        """
        tx = validate_transaction(transaction)
        decision = self._screen(tx, as_of)
        if ledger is not None:
            ledger.record(
                [(tx, decision)], command="library", registry=self.registry, as_of=as_of, packs=self.pack_refs
            )
        return decision

    @property
    def pack_refs(self) -> list[PackRef]:
        """The loaded rule packs (id, version), as a ledger run records them."""
        return [construct(PackRef, id=p.id, version=p.version) for p in self.packs]

    def _screen(self, tx: Transaction, as_of: dt.date | None) -> Decision:
        today = dt.date.today()
        on, date_note = screening_date(tx.date, as_of, today)
        active = [p for p in self.packs if p.active(on)]
        if not active:
            raise ConfigError(f"no rule pack is in force on {on.isoformat()}")
        stale = freshness(
            self.registry.sources, on, max_list_age=self.max_list_age, stale_after=self.stale_after, today=today
        )
        ids = frozenset(p.id for p in active)
        memo = LicensingMemo()

        def relicense(classifications: Sequence[ItemClassification]) -> LicensingFacts:
            return self.licensing.facts(tx, classifications, on, self.groups, self._groups_of, ids, memo)

        facts = settle(self.facts(tx, on, ids, memo), tiers=self.tiers, packs=active, relicense=relicense)
        fired = [f for pack in active for f in fired_rules(pack, facts)]
        packs_category = max((f.rule.category for f in fired), default=Category.LESS_RISKY)
        read = {id(m) for f in fired if f.acted for m in f.list_matches}
        licensing_read = {id(x) for f in fired if f.acted for x in f.licensing_read}
        backstops = safety_net(facts, read, licensing_read, packs_category, sorted(ids))
        backstops += [r for r in (required_missing(self.registry, active), self._incomplete) if r is not None]
        return decision_of(
            facts,
            fired,
            backstops,
            [n for n in (date_note, stale) if n is not None],
            active=active,
            registry=self._registry_info,
            lists_missing=self.lists_missing(on),
        )

    def screen_many(
        self,
        transactions: Iterable[Transaction | Mapping[str, Any]],
        *,
        as_of: dt.date | None = None,
        workers: int = 1,
        chunksize: int = 64,
        return_errors: bool = False,
        ledger: Ledger | None = None,
    ) -> Iterator[Decision | ExportscreenError]:
        """Screen a stream of transactions; results come back in input order.

        ``workers > 1`` screens in a pool of forked processes that share this Screener's loaded lists.
        A transaction that cannot be screened raises its ``ExportscreenError``, or, with
        ``return_errors=True``, is yielded in its place so the rest of the batch goes on. With
        ``ledger``, the decisions (not the errors) are recorded there as one run (command "library")
        once the iterator is exhausted; a batch abandoned early is not recorded.
        """
        if workers < 1:
            raise ConfigError(f"workers must be at least 1, got {workers}")
        if ledger is None:
            return screen_stream(self, transactions, as_of, workers, chunksize, return_errors)
        return screen_stream_recorded(
            self, transactions, as_of, workers, chunksize, return_errors, ledger, validate_transaction
        )

    def screen_or_error(
        self, tx: Transaction | Mapping[str, Any], as_of: dt.date | None, return_errors: bool
    ) -> Decision | ExportscreenError:
        """``screen``; with ``return_errors``, an ``ExportscreenError`` is returned instead of raised."""
        try:
            return self.screen(tx, as_of=as_of)
        except ExportscreenError as exc:
            if return_errors:
                return exc
            raise

    def rescreen(
        self,
        ledger: Ledger,
        *,
        as_of: dt.date | None = None,
        baseline: Baseline | None = None,
        full: bool = False,
        record: bool = True,
        workers: int = 1,
    ) -> Iterator[Transition]:
        """Re-screen a ledger's stored orders and parties against this Screener's lists on ``as_of``
        (default: each order on its own screening date, today or its later date; parties today) and
        yield the transitions, orders then parties, each by key; the re-screen is recorded in the
        ledger unless ``record=False`` (see ``exportscreen.ledger.rescreen``)."""
        from exportscreen.ledger.rescreen import rescreen

        report = rescreen(self, ledger, as_of=as_of, baseline=baseline, full=full, record=record, workers=workers)
        yield from report.transitions


_default: Screener | None = None
_default_lock = threading.Lock()


def default_screener() -> Screener:
    """The process-wide Screener over the bundled lists and packs, built once."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Screener()
    return _default


def screen(
    transaction: Transaction | Mapping[str, Any], *, as_of: dt.date | None = None, screener: Screener | None = None
) -> Decision:
    """Screen one transaction (a ``Transaction`` or a plain mapping) and return its Decision."""
    return (screener or default_screener()).screen(transaction, as_of=as_of)


def match_name(name: str, *, country: str | None = None, limit: int = 5) -> list[PartyMatch]:
    """Entries of the bundled registry resembling ``name``, best first."""
    return default_screener().match_name(name, country=country, limit=limit)
